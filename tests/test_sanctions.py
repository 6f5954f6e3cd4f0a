"""kgtool.read.sanctions on the five real documents, against an analyst's reading of them.

GOLD below is the "sanctions" field of the analyst's reading (../shared/eval/gold.json, keyed
there by seed file name), with for each entry the concepts of the sanction scheme that must be
found on its wording. test_gold_table_is_complete checks the table against that file when it
is at hand.
"""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib.namespace import SKOS

from kgtool.read.lexicon import Lexicon
from kgtool.read.sanctions import SanctionMention, sanctions
from kgtool.vocab import concept

try:
    from sources import GOLD_FILE, ROOT, SEED_OF, SOURCES, normalised_text
except ImportError:  # tests/ imported as a package
    from tests.sources import GOLD_FILE, ROOT, SEED_OF, SOURCES, normalised_text

SEED_TO_SLUG = {seed: slug for slug, seed in SEED_OF.items()}

# slug -> [(gold canonical, gold wording, article or None, concept ids that must be found on the wording)]
GOLD: dict[str, list[tuple[str, str, str | None, set[str]]]] = {
    "mianyang-union-2020": [
        ("批评", "对违反安全规定的部门单位和个人，给予严肃批评", None, {"criticism"}),
        ("限期整改", "并限期整改", None, {"rectification_order"}),
        ("处分", "建议相关部门给予适当处分", None, {"disciplinary_action"}),
        ("记入个人档案", "干部职工有关安全的奖惩情况，记入个人档案", None, {"record_in_file"}),
        ("追究责任", "按规定追究相应责任", None, {"accountability"}),
        ("责任追究", "对安全生产工作违法违纪的领导干部进行责任追究", None, {"accountability"}),
        ("考核奖惩", "严格考核奖惩，强化激励约束机制", None, {"assessment_reward_penalty"}),
        ("年度考核与述职", "文化宫、职工服务中心的安全工作有关情况，纳入年度领导班子考核", None, {"assessment_inclusion"}),
    ],
    "bazhong-econ-2018": [
        ("一票否决", "发生重大及以上生产安全责任事故，对当年安全生产工作目标绩效考核实行“一票否决”", None, {"veto"}),
        ("责任追究", "对安全生产工作违法违纪的领导干部进行责任追究", None, {"accountability"}),
        ("考核奖惩", "严格考核奖惩，强化激励约束机制", None, {"assessment_reward_penalty"}),
        (
            "考评结果用于干部任用奖惩",
            "将考评结果作为组织人事部门对干部综合考核评价及干部选拔任用、奖惩、评先评优的重要参考",
            None,
            {"assessment_for_appointment"},
        ),
        ("不得提升或交流任职", "对工业和信息化领域发生安全等级事故负有主要责任的不得提升或交流任职", None, {"no_promotion"}),
        ("约谈", "对于生产经营单位整治不认真、敷衍塞责的，要视情节进行约谈", None, {"interview"}),
        ("追究责任", "提请有关部门追究相关责任人的责任", None, {"referral"}),
        ("公开曝光", "整治工作走过场的企业予以公开曝光", None, {"public_exposure"}),
        ("整改通知书/执法文书", "要向被检查单位下达整改通知书或执法文书", None, {"rectification_notice"}),
    ],
    "tongchuan-town-2022": [
        (
            "追究责任",
            "一旦发生安全生产事故，将按照属地管理原则和“谁分管、谁负责，谁驻村谁负责，谁检查谁负责，谁签字谁负责”的原则追究相关人员的责任",
            None,
            {"accountability"},
        ),
        ("一把手责任追究制", "实行一把手责任追究制", None, {"top_leader_accountability"}),
        ("依法查处责任单位和追究责任者", "依法查处责任单位和追究责任者", None, {"investigate_responsible_unit", "accountability"}),
        ("考核奖惩", "严格奖惩兑现", None, {"assessment_reward_penalty"}),
        ("关闭（企业）", "对不具备基本安全生产条件的生产经营单位，报区政府实施关闭", None, {"closure"}),
        ("处罚（企业）", "依法对其处罚", None, {"penalty"}),
    ],
    "wuxi-towns-2021": [
        ("警示提示", "及时采取警示提示、约谈、通报等方式督促落实", None, {"warning_prompt"}),
        ("约谈", "及时采取警示提示、约谈、通报等方式督促落实", None, {"interview"}),
        ("通报", "及时采取警示提示、约谈、通报等方式督促落实", None, {"notice"}),
        (
            "警示提示、约谈、通报、述职、履职报告制度",
            "落实安全生产警示提示、约谈、通报、述职、履职报告制度",
            None,
            {"warning_prompt", "interview", "notice", "duty_report"},
        ),
        (
            "政绩考核与责任追究依据",
            "将安全生产履职情况作为镇(街道、园区)行政主要负责人政绩考核的重要内容,作为评先评优和责任追究的重要依据",
            None,
            {"assessment_inclusion", "accountability"},
        ),
        ("考核奖惩", "完善安全生产考核奖惩体系", None, {"assessment_reward_penalty"}),
    ],
    "benxi-hitech-2019": [
        ("通报", "通报", "第二十一条", {"notice"}),
        ("诫勉", "诫勉", "第二十一条", {"admonition"}),
        ("停职检查", "停职检查", "第二十一条", {"suspension"}),
        ("调整职务", "调整职务", "第二十一条", {"reassignment"}),
        ("责令辞职", "责令辞职", "第二十一条", {"ordered_resignation"}),
        ("降职", "降职", "第二十一条", {"demotion"}),
        ("免职", "免职", "第二十一条", {"dismissal"}),
        ("处分", "处分", "第二十一条", {"disciplinary_action"}),
        ("监察机关调查处置", "涉嫌职务违法犯罪的，由监察机关依法调查处置", "第二十一条", {"supervisory_investigation"}),
        ("一票否决", "严格落实安全生产“一票否决”制度", "第二十二条", {"veto"}),
        ("取消考核评优和评选先进资格", "取消考核评优和评选各类先进资格", "第二十二条", {"disqualification"}),
        ("不得晋升职务、级别或者重用任职", "不得晋升职务、级别或者重用任职", "第二十二条", {"no_promotion"}),
        ("从重追究", "应当从重追究责任", "第二十三条", {"heavier_accountability"}),
        (
            "离任不免责",
            "不论是否已调离转岗、提拔或者退休，都应当严格追究其责任",
            "第二十六条",
            {"departure_no_exemption", "accountability"},
        ),
        ("考核结果公布或通报", "采取适当方式公布或者通报", "第十九条", {"assessment_published"}),
    ],
}


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load(ROOT / "ontology")


def text_of(slug: str) -> str:
    return normalised_text(SOURCES / f"{slug}.txt")


@pytest.fixture(scope="module")
def found(lexicon) -> dict[str, tuple[str, list[SanctionMention]]]:
    return {slug: (text := text_of(slug), sanctions(text, lexicon)) for slug in GOLD}


def local(m: SanctionMention) -> str:
    return m.concept.rsplit("/", 1)[-1]


def article_span(text: str, article: str | None) -> tuple[int, int]:
    """The span of 第X条 up to the next article (the whole text when no article is named)."""
    if article is None:
        return 0, len(text)
    start = text.index(f"\n{article}") + 1
    nxt = text.find("\n第", start + len(article))
    return start, len(text) if nxt < 0 else nxt


def concepts_on(text: str, mentions: list[SanctionMention], wording: str, article: str | None) -> set[str]:
    """Concepts of the mentions that overlap some occurrence of the wording (inside the article)."""
    lo, hi = article_span(text, article)
    spans, at = [], text.find(wording, lo)
    while at >= 0 and at + len(wording) <= hi:
        spans.append((at, at + len(wording)))
        at = text.find(wording, at + 1)
    assert spans, f"gold wording not in the text: {wording}"
    return {local(m) for m in mentions for s, e in spans if m.start < e and s < m.end}


@pytest.mark.parametrize(
    "slug,canonical,wording,article,expected",
    [(slug, *entry) for slug, entries in GOLD.items() for entry in entries],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_gold_sanction_found(found, slug, canonical, wording, article, expected):
    text, mentions = found[slug]
    got = concepts_on(text, mentions, wording, article)
    assert expected <= got, f"{slug} {canonical}: {wording!r} gave {sorted(got)}"
    assert all(m.kind == "sanction" for m in mentions if local(m) in expected)


def test_recall_per_document(found):
    """Every analyst's sanction of each document, counted per document (all, by the test above)."""
    recall = {
        slug: sum(expected <= concepts_on(found[slug][0], found[slug][1], w, a) for _, w, a, expected in entries)
        for slug, entries in GOLD.items()
    }
    assert recall == {slug: len(entries) for slug, entries in GOLD.items()}


def test_gold_table_is_complete():
    """GOLD holds every non-reward, non-mitigation sanction of the analyst's reading."""
    if not GOLD_FILE.exists():
        pytest.skip("the analyst's reading is not at hand")
    gold = json.loads(GOLD_FILE.read_text(encoding="utf-8"))
    for seed, slug in SEED_TO_SLUG.items():
        wanted = [(s["canonical"], s["wording"]) for s in gold[seed]["sanctions"] if not s.get("is_reward") and not s.get("is_mitigation")]
        assert wanted == [(c, w) for c, w, _, _ in GOLD[slug]], slug


def test_praise_is_a_reward(found):
    text, mentions = found["mianyang-union-2020"]
    praise = [m for m in mentions if m.surface == "表扬"]
    assert praise and all(m.kind == "reward" and local(m) == "praise" for m in praise)
    assert "对发现隐患及时报告的，给予表扬" in text[praise[0].start - 14 : praise[0].end]


def test_lighter_and_no_accountability_are_mitigations(found):
    _text, mentions = found["benxi-hitech-2019"]
    by_surface = {m.surface: m for m in mentions}
    assert by_surface["从轻、减轻追究"].kind == "mitigation"
    assert local(by_surface["从轻、减轻追究"]) == "lighter_accountability"
    assert by_surface["不予追究"].kind == "mitigation" and local(by_surface["不予追究"]) == "exemption"
    # and nothing about mitigation is taken for a sanction proper
    assert {m.kind for m in mentions if "从轻" in m.surface or "不予" in m.surface} == {"mitigation"}


def test_informing_is_no_sanction(found, lexicon):
    """ "通报情况" inside a duty of informing (Tongchuan's town head, 三(二)3) is not a notice."""
    text, mentions = found["tongchuan-town-2022"]
    at = text.index("通报情况")
    sentence_start, sentence_end = text.rfind("\n", 0, at), text.find("。", at)
    assert not [m for m in mentions if sentence_start <= m.start < sentence_end]
    assert "notice" not in {local(m) for m in mentions}
    assert sanctions("各科室要及时通报情况，互相配合，共同做好安全生产工作。", lexicon) == []


def test_a_new_wording(lexicon):
    text = (
        "对在安全生产工作中成绩突出的单位和个人予以表彰；对瞒报事故的企业从重处罚，并通报批评；"
        "涉嫌职务违法的，移送纪检监察机关。经查实已履职尽责的，免予问责。"
        "对不重视安全工作的领导干部，取消评优资格，一年内不得提拔。各站所要定期通报工作进展。"
    )
    got = [(m.surface, local(m), m.kind) for m in sanctions(text, lexicon)]
    assert got == [
        ("表彰", "reward", "reward"),
        ("从重处罚", "heavier_accountability", "sanction"),
        ("通报", "notice", "sanction"),
        ("批评", "criticism", "sanction"),
        ("移送纪检监察机关", "supervisory_investigation", "sanction"),
        ("免予问责", "exemption", "mitigation"),
        ("取消评优资格", "disqualification", "sanction"),
        ("不得提拔", "no_promotion", "sanction"),
    ]
    for m in sanctions(text, lexicon):
        assert text[m.start : m.end] == m.surface


def test_hierarchy_answers_the_broad_query():
    """A query for 追究责任 with skos:broader* also answers the specific forms, and every
    concept of the scheme falls under exactly one of the three top concepts."""
    g = rdflib.Graph()
    for path in (ROOT / "ontology").glob("*.ttl"):
        g.parse(path, format="turtle")
    scheme = rdflib.URIRef("https://w3id.org/wsa/concept/sanction")
    tops = set(g.objects(scheme, SKOS.hasTopConcept))
    assert tops == {concept("sanction", i) for i in ("accountability", "reward", "mitigation")}
    under = {
        str(r[0]).rsplit("/", 1)[-1]
        for r in g.query(
            "SELECT ?c WHERE { ?c skos:broader* ?top ; skos:prefLabel ?l }",
            initNs={"skos": SKOS},
            initBindings={"top": concept("sanction", "accountability")},
        )
    }
    assert {
        "accountability",
        "notice",
        "admonition",
        "dismissal",
        "veto",
        "no_promotion",
        "disqualification",
        "heavier_accountability",
        "assessment_published",
        "rectification_notice",
        "top_leader_accountability",
    } <= under
    assert not {"praise", "lighter_accountability", "exemption", "reward", "mitigation"} & under
    for c in g.subjects(SKOS.inScheme, scheme):
        reach = {t for t in tops if g.query("ASK { ?c skos:broader* ?t }", initNs={"skos": SKOS}, initBindings={"c": c, "t": t}).askAnswer}
        assert len(reach) == 1, c
        for b in g.objects(c, SKOS.broader):  # broader and narrower stated both ways
            assert (b, SKOS.narrower, c) in g, (c, b)
