"""General reading rules, each on a short text of its own: hostile wordings and sentences from real
documents of styles beyond the five (tests/data/styles/ holds the whole style cases)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.namespace import RDF, RDFS, SKOS

from kgtool.build import build_one, context
from kgtool.read.frontmatter import front_matter
from kgtool.read.normalise import normalise
from kgtool.read.structure import parse
from kgtool.vocab import ORG, WSA
from test_structure import check_tree

ROOT = Path(__file__).resolve().parent.parent
FRONT = "某县交通运输局\n关于印发《责任清单》的通知\n某交发〔2023〕1号\n某县交通运输局\n2023年4月12日\n\n"


@lru_cache(maxsize=1)
def _context():
    return context(ROOT)


def read(tmp_path: Path, text: str) -> dict[str, dict]:
    """The posts a text gives, by label: role ids, level ids and number of duties."""
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    graph = build_one(path, ROOT, *_context()).graph
    posts = {}
    for post in graph.subjects(RDF.type, WSA.Post):
        labels = {str(x) for p in (RDFS.label, SKOS.altLabel) for x in graph.objects(post, p)}
        facts = {
            "roles": {str(r).rsplit("/", 1)[-1] for r in graph.objects(post, ORG.role)},
            "levels": {str(r).rsplit("/", 1)[-1] for r in graph.objects(post, WSA.responsibilityLevel)},
            "duties": len(set(graph.objects(post, WSA.hasDuty))),
        }
        posts.update({label: facts for label in labels})
    return posts


# ---- a predicate's look-alike opens no statement ------------------------------------------------


def test_a_place_before_yingji_is_no_subject(tmp_path):
    """应急 begins like the predicate 应: "…听取1次县应急管理局…汇报" keeps the list's holder."""
    posts = read(
        tmp_path, "第一条 副县长安全生产职责：\n（一）每月至少听取1次县应急管理局安全生产工作汇报。\n（二）每季度至少带队督查1次。\n"
    )
    assert posts["副县长"]["duties"] == 2
    assert not any(label.startswith("每月") for label in posts)


# ---- front matter written key:value side by side ---------------------------------------------------


def test_flattened_metadata_cells():
    meta = front_matter("索引号:115-2023-00042 | 发文机关:石桥县人民政府办公室 | 成文日期:2023年5月6日\n正文")
    assert (meta.creator, meta.issued) == ("石桥县人民政府办公室", "2023-05-06")


def test_a_table_row_of_metadata_still_reads():
    meta = front_matter("文号 | 某政办发〔2020〕3号 |\n发文机关 | 某市政府办公室 |\n")
    assert (meta.number, meta.creator) == ("某政办发〔2020〕3号", "某市政府办公室")


# ---- a level wording as the object of a duty ------------------------------------------------------


def test_carrying_out_a_supervisory_responsibility_is_a_duty(tmp_path):
    """The item "落实…监管责任" is a duty, not only a level (the level is read as well)."""
    posts = read(
        tmp_path,
        "一、总体要求\n其他副区长对分管领域安全生产工作负领导责任。\n二、其他副区长安全生产职责\n"
        "（一）落实分管行业领域安全生产监管责任。\n（二）每年不低于2次带队检查。\n",
    )
    assert posts["其他副区长"]["duties"] == 2 and "leadership" in posts["其他副区长"]["levels"]


def test_a_level_over_carrying_out_is_still_a_level(tmp_path):
    """负 between the verb and the wording ("对落实…负领导责任") states a level; outside a list, "要落实
    第一责任人责任" states one too."""
    posts = read(
        tmp_path,
        "一、总体要求\n其他副区长对落实分管领域安全生产工作负领导责任。主要负责人要落实第一责任人责任。\n"
        "二、其他副区长安全生产职责\n（一）组织检查。\n（二）组织培训。\n",
    )
    assert "leadership" in posts["其他副区长"]["levels"] and "first_responsible" in posts["主要负责人"]["levels"]


# ---- a deputy's portfolio stated in prose ----------------------------------------------------------


def test_portfolio_in_prose_makes_the_safety_deputy(tmp_path):
    posts = read(
        tmp_path,
        "一、总体要求\n县长是全县安全生产第一责任人，常务副县长协助县长分管全县安全生产工作，负直接领导责任。\n"
        "二、常务副县长安全生产责任\n1. 每月至少召开1次安全生产调度会议。\n2. 组织专项整治。\n",
    )
    deputy = posts["常务副县长"]
    assert deputy["roles"] == {"safety_deputy"} and deputy["duties"] == 2 and "direct_leadership" in deputy["levels"]


def test_portfolio_of_all_deputies_in_a_level_sentence(tmp_path):
    posts = read(
        tmp_path,
        "一、副州长安全生产职责\n各副州长按照“一岗双责”要求，对分管行业领域和联系部门的安全生产工作负领导责任。\n"
        "各副州长安全生产职责：\n（一）组织分管部门开展检查。\n（二）听取分管部门汇报。\n",
    )
    assert posts["副州长"]["roles"] == {"business_deputy"} and posts["副州长"]["duties"] == 2


def test_no_portfolio_from_an_object_or_from_two_contrary_statements(tmp_path):
    """ "对分管部门进行督查" names what is inspected; a deputy given two portfolios stays a deputy."""
    posts = read(
        tmp_path,
        "一、总体要求\n副县长对分管部门进行督查。\n副镇长协助镇长分管全镇安全生产工作。\n"
        "副镇长对分管行业领域的安全生产工作负领导责任。\n二、副县长安全生产职责\n（一）组织检查。\n"
        "三、副镇长安全生产职责\n（一）组织检查。\n",
    )
    assert posts["副县长"]["roles"] == {"deputy_head"} and posts["副镇长"]["roles"] == {"deputy_head"}


# ---- a lead-in short enough to pass for a heading; a post that a clause sets up ---------------------

ENTERPRISE = (
    "第一条 主管生产的负责人对生产系统安全生产工作负领导责任，主要职责：\n（1）每季度至少组织1次专项检查；\n"
    "（2）组织解决重大安全技术问题。\n"
    "第二条 主管安全生产工作的负责人安全生产职责：\n（1）组织综合检查；\n（2）组织应急演练。\n"
    "第三条 集团公司设安全总监，在主要负责人领导下专职履行安全生产监督管理职责，主要职责：\n"
    "（1）组织开展安全生产监督检查；\n（2）每季度至少向主要负责人报告1次安全生产工作情况；\n（3）提出奖惩意见。\n"
    "第四条 主要负责人安全生产职责：\n（1）设安全总监，保障其履职条件；\n（2）主持召开安全生产委员会会议。\n"
)


def test_level_in_a_lead_in_read_as_a_heading(tmp_path):
    posts = read(tmp_path, ENTERPRISE)
    head = posts["主管生产的负责人"]
    assert head["roles"] == {"business_deputy"} and "leadership" in head["levels"] and head["duties"] == 2


def test_a_post_that_a_clause_sets_up_holds_its_list(tmp_path):
    """ "集团公司设安全总监，…，主要职责：" is the director's list; an item "设安全总监，…" stays its holder's;
    the safety director is no safety deputy (both are posts of one enterprise)."""
    posts = read(tmp_path, ENTERPRISE)
    assert posts["集团公司安全总监"]["roles"] == {"other"} and posts["集团公司安全总监"]["duties"] == 3
    assert posts["主要负责人"]["duties"] == 2
    assert posts["主管安全生产工作的负责人"]["roles"] == {"safety_deputy"} and posts["主管安全生产工作的负责人"]["duties"] == 2


# ---- a table written with | separators ---------------------------------------------------------

PIPE_TABLE = (
    "党组书记与局长共同为本局安全生产第一责任人。\n\n"
    "| 序号 | 岗位 | 责任定位 | 安全生产责任 |\n|---|---|---|---|\n"
    "| 1 | 党组书记 | 第一责任人 | 1.每半年至少召开1次党组会议；2.督促班子成员落实“一岗双责”。 |\n"
    "| 2 | 局长 | 第一责任人 | 1.每季度带队检查不低于1次；2.保障监管经费；3.组织制定应急预案。 |\n\n本清单自印发之日起施行。\n"
)


def test_pipe_table_rows_and_their_items():
    table = next(p for p in parse(PIPE_TABLE).walk() if p.kind == "table")
    rows = table.children
    assert [[c.column for c in r.cells] for r in rows] == [["序号", "岗位", "责任定位", "安全生产责任"]] * 2
    assert [len(r.children) for r in rows] == [2, 3]
    assert rows[1].children[2].text == "3.组织制定应急预案。"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["|", " | ", "||", "1.", "；2.", "第一条 ", "\n", "\n\n", "岗位", "|---|", " "]), max_size=40))
def test_pipe_tables_keep_every_span_valid(pieces):
    check_tree(normalise("".join(pieces)).text)


def test_a_metadata_line_with_pipes_is_no_table():
    """ "文号 | X |" opens no row: a pipe table's lines start with |."""
    assert not any(p.kind == "table" for p in parse("文号 | 某交发〔2023〕1号 |\n第一条 总则。\n第二条 附则。\n").walk())


def test_party_secretary_and_head_of_a_bureau_named_apart(tmp_path):
    """A bureau is no territory: its head (局长) is its principal head; its party-group secretary, named
    apart (与, a row of his own), stays the party secretary."""
    posts = read(tmp_path, FRONT + PIPE_TABLE)
    assert posts["党组书记"]["roles"] == {"party_secretary"} and posts["党组书记"]["duties"] == 2
    assert posts["局长"]["roles"] == {"principal_head"} and posts["局长"]["duties"] == 3
    assert "first_responsible" in posts["党组书记"]["levels"] and "first_responsible" in posts["局长"]["levels"]


# ---- a level named as the one helped is not the helper's ---------------------------------------


def test_assisting_the_first_responsible_is_no_first_responsibility(tmp_path):
    """巴中 四（三）: "协助第一责任人和主要负责人履行安全生产监管职责" gives the deputy duties, not the level."""
    posts = read(
        tmp_path,
        "一、职责\n（一）局长是本局安全生产第一责任人，全面负责安全生产工作。\n"
        "（二）分管业务副局长职责\n协助第一责任人和主要负责人履行安全生产监管职责；督促分管科室落实安全生产制度。\n",
    )
    deputy = next(facts for label, facts in posts.items() if label.endswith("副局长"))
    assert "first_responsible" not in deputy["levels"] and deputy["duties"] == 2
    assert "first_responsible" in posts["局长"]["levels"]


# ---- cadres are members, not heads; an assignment tells offices apart -----------------------------


def test_cadres_of_a_bureau_are_its_staff(tmp_path):
    """铜川's roster: "综合行政执法局干部" are the bureau's staff, not its director (局长)."""
    posts = read(
        tmp_path,
        "一、职责\n（一）综合行政执法局局长职责\n1.每月至少组织1次安全检查。\n"
        "（二）综合行政执法局干部职责\n1.配合开展安全检查。\n（三）驻村干部职责\n1.每月至少到所驻村检查1次。\n",
    )
    assert posts["综合行政执法局局长"]["roles"] == {"department_head"}
    assert posts["综合行政执法局干部"]["roles"] == {"staff"}
    assert posts["驻村干部"]["roles"] == {"staff"} and posts["驻村干部"] is not posts["综合行政执法局干部"]


def test_a_documents_closing_words_are_no_duty(tmp_path):
    """ "本职责自印发之日起施行" closes the text: no duty, though it stands in a list of tasks."""
    path = tmp_path / "doc.txt"
    path.write_text(
        "一、县长职责\n（一）每季度至少召开1次安全生产会议。\n二、主要任务\n（一）各乡镇要开展隐患排查。\n（二）本职责自印发之日起施行。\n",
        encoding="utf-8",
    )
    graph = build_one(path, ROOT, *_context()).graph
    duties = {str(graph.value(d, WSA.text)) for d in graph.subjects(RDF.type, WSA.Duty)}
    assert "各乡镇要开展隐患排查。" in duties
    assert not [t for t in duties if "施行" in t]
