"""Duty types are decided on what a duty says is to be done (its predicates), not on every duty
word in it: names of bodies, posts, titles, principles and cross-references decide nothing.

The wordings live in ontology/lexicon.ttl (dutytype labels tagged @zh-x-pred) and
kgtool/read/rules/duty_types.yaml; these tests hold the behaviour, not the lists.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kgtool.read.duty_types import FILL, TypeDecision, duty_types, masked
from kgtool.read.lexicon import Lexicon

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load(ROOT / "ontology")


def types(text: str, lex: Lexicon) -> set[str]:
    return {d.concept for d in duty_types(text, lex)}


# ---- the cases that motivated predicates over keywords ------------------------------------
def test_departments_listed_decide_nothing(lex):
    """应急管理 and 市场监督管理 are department names here: only the inspection counts."""
    text = ("应急管理、公安、住房城乡建设、交通运输、市场监督管理等具有安全监管职责部门的主要负责人"
            "每半年至少带队检查1次安全生产工作")
    assert types(text, lex) == {"inspection"}


def test_a_place_prone_to_accidents_is_no_accident_duty(lex):
    assert types("对易发生生产安全事故的有关企业、场所和设备、设施进行严格检查", lex) == {"inspection"}


def test_units_listed_with_publicity_are_not_training(lex):
    decided = types("协调纪检监察机关和组织、宣传、政法、机构编制等单位支持保障安全生产工作", lex)
    assert "training_publicity" not in decided and decided


def test_hearing_reports(lex):
    assert types("每季度至少1次系统听取安全生产工作情况汇报", lex) == {"hear_report"}


def test_plan_and_drill_are_emergency(lex):
    assert types("组织制定生产安全事故应急预案并定期开展演练", lex) == {"emergency"}


def test_a_catch_all_is_other(lex):
    assert types("按照“谁主管，谁负责”的原则，抓好分管工作的安全生产工作", lex) == {"other"}


def test_rescue_and_aftermath(lex):
    decided = types("发生生产安全事故时，按照有关规定，指挥或协助组织救援和善后处理工作", lex)
    assert decided and decided <= {"emergency", "accident"}


@pytest.mark.parametrize("text", ["职责祥见附表", "委机关各科室职责详见附表：安全生产职责表", "按照本细则第十二条执行"])
def test_a_cross_reference_is_no_duty(lex, text):
    assert duty_types(text, lex) == []


# ---- wordings not in the five documents -----------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("配合县应急管理局、县市场监督管理局开展联合检查", {"inspection"}),
    ("协助县委宣传部做好安全生产新闻发布工作", {"other"}),
    ("每年至少组织开展1次安全生产警示教育", {"training_publicity"}),
    ("每半年向县安委会书面报告1次安全生产工作情况", {"reporting"}),
    ("组织编制本地区安全生产“十四五”规划", {"planning"}),
    ("完成县委、县政府交办的其他安全生产工作", {"other"}),
    ("组织开展防汛抗旱应急演练", {"emergency"}),
    ("每月至少召开1次安全生产委员会全体会议", {"meeting"}),
    ("定期开展有限空间作业专项检查", {"inspection"}),
    ("指导督促乡镇开展重大事故隐患排查整治", {"hazard_control"}),
    ("督促企业配齐配强专职安全管理人员，保障安全生产投入", {"staffing_funding"}),
    ("落实安全生产“一岗双责”，负责分管领域安全生产工作", {"responsibility_system"}),
    ("牵头组织生产安全事故调查处理，监督事故查处和责任追究落实情况", {"accident"}),
])
def test_new_wordings(lex, text, expected):
    assert types(text, lex) == expected


# ---- how decisions are made --------------------------------------------------------------
def test_evidence_is_the_words_and_where_they_stand(lex):
    text = "每季度至少召开1次分管部门（单位）的安全生产工作会议"
    [d] = duty_types(text, lex)
    assert d == TypeDecision("meeting", "召开…会议", text.index("召开"), text.index("会议") + 2)
    assert text[d.start:d.start + 2] == "召开"


def test_no_type_rests_on_a_masked_name(lex):
    """Every decision's words stand in text that was not masked."""
    text = ("应急管理、公安等部门和县委宣传部按照《安全生产工作目标绩效管理办法》，"
            "督促其他负责人抓好分管的安全生产工作，每半年至少听取1次安全生产工作汇报")
    blank, _ = masked(text, lex)
    decided = duty_types(text, lex)
    assert [d.concept for d in decided] == ["supervision", "hear_report"]  # 督促…, 听取…汇报
    for d in decided:
        words = d.evidence.split("…")
        assert all(w in blank for w in words)
        assert FILL not in blank[d.start:d.start + len(words[0])]


def test_a_mode_gives_way_to_what_it_governs(lex):
    """督促 is how, the plan is what; but 督促…贯彻执行法律 is supervision, not implementing."""
    assert types("督促企业制定事故应急预案并组织演练", lex) == {"emergency"}
    assert types("督促指导全市系统严格执行安全生产法律法规和有关规定", lex) == {"supervision"}
    assert types("负责监督、指导工业园区的安全生产工作", lex) == {"supervision"}


def test_longer_wording_wins(lex):
    assert types("督促检查业务范围内的安全生产工作", lex) == {"inspection"}
    assert types("对当年安全生产工作目标绩效考核实行一票否决", lex) == {"assessment"}


def test_other_only_when_nothing_specific(lex):
    assert types("支持、督促分管负责人及其他负责人做好安全生产工作", lex) == {"supervision"}
    assert types("法律、法规和市委、市政府规定的其他安全生产职责", lex) == {"other"}
    assert types("推动重点产业安全改造升级，提高城市安全发展水平", lex) == {"other"}


def test_several_predicates_several_types(lex):
    text = "建立健全安全生产责任制，把安全生产工作纳入绩效管理考评范围，定期进行检查"
    assert [d.concept for d in duty_types(text, lex)] == ["responsibility_system", "assessment", "inspection"]


def test_empty_and_punctuation_only(lex):
    assert duty_types("", lex) == []
    assert duty_types("。；", lex) == []


def test_every_dutytype_has_patterns(lex):
    """Each concept of the scheme can be decided (the @zh-x-pred labels are read)."""
    patterns = lex.pattern_labels("dutytype")
    concepts = {str(i).rsplit("/", 1)[-1] for iris in patterns.values() for i in iris}
    assert concepts == {
        "implement_policy", "meeting", "hear_report", "inspection", "responsibility_system",
        "assessment", "staffing_funding", "training_publicity", "hazard_control", "emergency",
        "accident", "planning", "supervision", "reporting", "other"}
    assert "召开…会议" in patterns
    assert not lex.find("每季度召开…会议", "dutytype") or all(m.surface != "召开…会议"
                                                      for m in lex.find("每季度召开…会议", "dutytype"))


def test_average_over_the_documents(lex):
    """On the five documents, fewer types per duty than the keyword matcher's 1.86, and no duty
    typed by a department's name."""
    from rdflib import Graph, Namespace

    wsa = Namespace("https://w3id.org/wsa/ontology#")
    texts = []
    for path in sorted((ROOT / "data").glob("*-20*.ttl")):
        g = Graph().parse(path)
        texts += [str(g.value(d, wsa.text)) for d in g.subjects(None, wsa.Duty)]
    assert len(texts) > 150
    decided = [duty_types(t, lex) for t in texts]
    assert sum(map(len, decided)) / len(texts) < 1.7
    for t, ds in zip(texts, decided):
        for d in ds:
            assert not t[d.end:].startswith(("局", "部门", "委员会", "、公安")), (t, d)
