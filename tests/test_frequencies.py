"""kgtool.read.frequencies: frequency requirements ("每季度至少召开1次…会议") read from duty text."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

import pytest

from kgtool.read.frequencies import Frequency, frequencies, rules, times_per_year

try:
    from sources import GOLD_FILE as GOLD
    from sources import ROOT, SEED_OF, normalised_text
except ImportError:  # tests/ imported as a package
    from tests.sources import GOLD_FILE as GOLD
    from tests.sources import ROOT, SEED_OF, normalised_text

#: data/sources file -> its key in gold.json (the seed file it is a copy of).
GOLD_KEYS = {f"{slug}.txt": seed for slug, seed in SEED_OF.items()}
#: gold action -> the dutytype ids that read it correctly.
GOLD_ACTIONS = {
    "meeting": {"meeting"},
    "hear_report": {"hear_report", "meeting"},
    "inspection": {"inspection"},
    "drill": {"emergency"},
    "training": {"training_publicity"},
    "report": {"reporting", "assessment"},
    "assessment": {"assessment"},
}
#: Requirements found beyond the analysts' list, each checked by eye against the text: the
#: wording of every one, per document. A new extra fails the test until it is checked and added.
REVIEWED_EXTRAS = {
    "mianyang-union-2020.txt": [],
    "bazhong-econ-2018.txt": [],
    "tongchuan-town-2022.txt": [],
    "wuxi-towns-2021.txt": [],
    "benxi-hitech-2019.txt": [
        # 第十六条: "…考核工作与年度安全生产目标管理考核一并进行": the annual target assessment is
        # held (once a year) and the safety assessment goes with it. The same annual event as
        # 第十六条's "每年采取日常考核…" the analysts list, said a second time.
        "考核工作与年度安全生产目标管理考核一并进行",
        # 第十七条: "在…对党政领导班子的年度考核中，应当考核其落实安全生产责任情况": the annual
        # assessment of the leadership team must cover safety; the same reading as 第十七条's next
        # paragraph ("党政领导班子及其成员在年度考核中…列入述职内容"), which the analysts list.
        "在对各街道、各部门的实绩考核、对党政领导班子的年度考核中",
    ],
}


def read(text: str) -> list[tuple[str, int, str | None]]:
    return [(f.period, f.minimum, f.action) for f in frequencies(text)]


# --- examples ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每季度至少召开1次安全生产工作会议", [("P3M", 1, "meeting")]),
        ("每半年至少带队检查1次安全生产工作", [("P6M", 1, "inspection")]),
        ("一年不少于2次", [("P1Y", 2, None)]),
        ("每年不少于两次", [("P1Y", 2, None)]),
        ("每年至少2次亲自带队检查", [("P1Y", 2, "inspection")]),
        ("带队检查、调研安全生产工作每年不少于2次", [("P1Y", 2, "inspection")]),
        ("每月不少于一次对本单位安全生产检查", [("P1M", 1, "inspection")]),
        ("每季度第一个月前5日内向县安委会办公室报告上季度安全生产工作情况", [("P3M", 1, "reporting")]),
        ("每半年通报一次", [("P6M", 1, "reporting")]),
        ("每半年通报", [("P6M", 1, "reporting")]),
        ("每两个月召开一次安全生产例会", [("P2M", 1, "meeting")]),
        ("原则上每三年至少开展一次对各街道党工委和负有安全生产监管职责部门的“全覆盖”巡查", [("P3Y", 1, "inspection")]),
        ("每季度至少1次系统听取安全生产工作情况汇报", [("P3M", 1, "hear_report")]),
        ("每半年至少听取1次本行业（领域）安全生产工作汇报", [("P6M", 1, "hear_report")]),
        ("每年对领导班子成员履行安全生产工作情况进行年度述职", [("P1Y", 1, "assessment")]),
        ("制定应急方案，每年至少组织一次应急演练", [("P1Y", 1, "emergency")]),
        ("每季度至少培训1次", [("P3M", 1, "training_publicity")]),
        ("每半年至少召开1次常委会研究安全生产工作", [("P6M", 1, "meeting")]),
        ("每半年至少专题研究1次安全生产工作", [("P6M", 1, "meeting")]),
        ("每季度至少组织研究1次安全生产工作", [("P3M", 1, "meeting")]),
        ("每半年至少检查调研1次安全生产工作", [("P6M", 1, "inspection")]),
        ("每年至少1次专题检查督查各专委会工作情况", [("P1Y", 1, "inspection")]),
        ("每季度至少主持召开1次分管部门（单位）的安全生产工作会议", [("P3M", 1, "meeting")]),
        # a count without a period takes the period of the clause before it, in the same sentence
        (
            "每年召开会议听取安全生产工作汇报、研究解决安全生产重大问题不少于1次；召开研究、部署安全生产工作专题会议不少于2次。",
            [("P1Y", 1, "meeting"), ("P1Y", 2, "meeting")],
        ),
        ("每年组织检查不少于1次。召开专题会议不少于2次。", [("P1Y", 1, "inspection")]),
        # two counts in one clause: each its own action
        ("每年至少召开2次会议、开展1次检查", [("P1Y", 2, "meeting"), ("P1Y", 1, "inspection")]),
        # other period wordings
        ("全年开展检查不少于4次", [("P1Y", 4, "inspection")]),
        ("召开会议不少于4次/年", [("P1Y", 4, "meeting")]),
        ("每年度至少组织一次培训", [("P1Y", 1, "training_publicity")]),
        ("每两年至少组织一次演练", [("P2Y", 1, "emergency")]),
        ("每个月至少检查一次", [("P1M", 1, "inspection")]),
        ("每2周至少检查1次", [("P2W", 1, "inspection")]),
        ("每年至少召开一两次会议", [("P1Y", 1, "meeting")]),
        # annual events named by their period: once a year
        ("纳入年度领导班子考核", [("P1Y", 1, "assessment")]),
        ("组织相关部门对本镇安全生产工作进行年终目标考核", [("P1Y", 1, "assessment")]),
        ("纳入年度安全生产考核评价重要内容", [("P1Y", 1, "assessment")]),
        # 二次事故 counts a harm, not a duty: no count, so once a year
        ("每年检查二次事故隐患", [("P1Y", 1, "inspection")]),
        # a daily or weekly rule is kept only with a count
        ("每周至少1次检查", [("P1W", 1, "inspection")]),
    ],
)
def test_reads(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "定期召开会议",
        "定期进行检查和考核",
        "适时组织演练",
        "不定期开展检查",
        "开展经常性安全检查",
        "必要时可临时召开会议",
        "每天下班需关闭空调、电脑、电热水器等电器设备",
        "订阅《安全与健康》月刊",
        "组织制定年度计划",
        "督促制定落实年度安全生产工作清单",
        "纳入年度重点工作和工作报告重要内容",
        "纳入年度财政预算",
        "组织制定领导干部年度安全生产重点工作责任清单并定期检查考核",
        "2022年1月底前完成检查",
        "二〇二一年一月报告",
        "总结本季度安全生产管理工作，提出下一季度安全生产管理工作思路",
        "每年定期组织分析安全生产形势",
        "一年内发生两次较大事故的",
        "一年内受到两次通报的",
        "每年组织检查不超过2次",
        "至少1次",
        "可以召开1次会议",
        "每次检查都要记录",
        "第一次会议",
        "进行一次性检查",
        "督查情况与年度安全生产专项考核结果挂钩",
        "把安全生产工作落实到车间班组及每个岗位",
    ],
)
def test_look_alikes_give_none(text):
    assert frequencies(text) == []


def test_offsets_and_wording():
    text = "（二）将安全生产工作纳入党组重要议事日程。4、每季度至少召开一次防范安全事故的工作会议，分析、部署工作；"
    (f,) = frequencies(text)
    assert text[f.start : f.end] == f.wording == "每季度至少召开一次防范安全事故的工作会议"
    assert f == Frequency("P3M", 1, "meeting", f.wording, f.start, f.end)
    assert not f.inferred
    (g,) = frequencies("每半年通报")
    assert g.inferred and (g.start, g.end) == (0, 5)


@pytest.mark.parametrize(
    ("period", "n", "per_year"),
    [
        ("P1M", 1, "12"),
        ("P2M", 1, "6"),
        ("P3M", 1, "4"),
        ("P6M", 1, "2"),
        ("P6M", 2, "4"),
        ("P1Y", 2, "2"),
        ("P2Y", 1, "0.5"),
        ("P3Y", 1, "0.3333"),
        ("P1W", 1, "52"),
    ],
)
def test_times_per_year(period, n, per_year):
    assert times_per_year(period, n).quantize(Decimal("0.0001")).normalize() == Decimal(per_year).normalize()


def test_actions_are_dutytype_concepts():
    """Every action the rules name is a concept of the dutytype scheme in the ontology."""
    from rdflib import Graph
    from rdflib.namespace import RDF, SKOS

    from kgtool.vocab import concept

    g = Graph()
    for path in (ROOT / "ontology").glob("*.ttl"):
        g.parse(path)
    for action in rules()["actions"]:
        assert (concept("dutytype", action), RDF.type, SKOS.Concept) in g, action


# --- the five documents against the analysts' reading ------------------------------------------


def _gold(name: str) -> list[dict]:
    doc = json.loads(GOLD.read_text(encoding="utf-8"))[GOLD_KEYS[name]]
    entries = [f for holder in doc.get("posts", []) + doc.get("bodies", []) for f in holder.get("frequency_requirements") or []]
    entries += doc.get("unassigned_frequency_requirements") or []
    return [f for f in entries if f.get("times_per_year") is not None]


def _rate(f: Frequency) -> Decimal:
    return times_per_year(f.period, f.minimum).quantize(Decimal("0.0001"))


def _match(gold: list[dict], found: list[Frequency], text: str) -> dict[int, int]:
    """gold index -> found index: the same action and times per year, over the gold text's place
    where the text quotes it (a maximum bipartite matching, so no found requirement counts twice)."""

    def fits(g: dict, f: Frequency) -> bool:
        if f.action not in GOLD_ACTIONS[g["action"]]:
            return False
        if _rate(f) != Decimal(str(g["times_per_year"])).quantize(Decimal("0.0001")):
            return False
        places = [i for i in range(len(text)) if text.startswith(g["text"], i)]
        return not places or any(f.start < i + len(g["text"]) and i < f.end for i in places)

    edges = {gi: [fi for fi, f in enumerate(found) if fits(g, f)] for gi, g in enumerate(gold)}
    owner: dict[int, int] = {}

    def augment(gi: int, seen: set[int]) -> bool:
        for fi in edges[gi]:
            if fi not in seen:
                seen.add(fi)
                if fi not in owner or augment(owner[fi], seen):
                    owner[fi] = gi
                    return True
        return False

    for gi in edges:
        augment(gi, set())
    return {gi: fi for fi, gi in owner.items()}


@pytest.mark.skipif(not GOLD.exists(), reason="the analysts' reading (gold.json) is not here")
@pytest.mark.parametrize("name", sorted(GOLD_KEYS))
def test_documents_against_gold(name, capsys):
    path = ROOT / "data" / "sources" / name
    text = normalised_text(path)
    found = frequencies(text)
    gold = _gold(name)
    matched = _match(gold, found, text)
    missed = [(g["action"], g["times_per_year"], g["text"]) for gi, g in enumerate(gold) if gi not in matched]
    assert not missed, f"{name}: gold requirements not found: {missed}"
    extras = [found[fi] for fi in sorted(set(range(len(found))) - set(matched.values()))]
    with capsys.disabled():
        print(
            f"\n{name}: found {len(found)}, gold {len(gold)}, all gold found, extras {len(extras)}"
            + "".join(f"\n  extra: {f.period} x{f.minimum} {f.action} {f.wording}" for f in extras)
        )
    assert Counter(f.wording for f in extras) == Counter(REVIEWED_EXTRAS[name])
    for f in found:
        assert text[f.start : f.end] == f.wording
