"""Web copies of accountability documents: run-on provisions, ASCII punctuation, page furniture.

Web pages lose line breaks ("…制定本办法。第二条 …", "职责:(一)…;(二)…"), use ASCII punctuation and
wrap the text in breadcrumbs and buttons. The reader must find the same provisions it finds in a clean
copy, keep their offsets pointing at their passage, and leave references and citations alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgtool.read.normalise import decode, normalise
from kgtool.read.structure import Provision, parse, rules

SOURCES = Path(__file__).resolve().parent.parent / "data" / "sources"

BODY = [
    "某某市应急管理局关于印发《某某市安全生产责任制实施办法》的通知",
    "某某市安全生产责任制实施办法",
    "第一章 总则 第一条 为了落实安全生产责任制,根据《中华人民共和国安全生产法》第五条、第二十一条的规定,"
    '制定本办法。第二条 本办法适用于全市各级党政领导干部(以下简称"领导干部")。'
    "第三条 依据第十二条规定,各县(区)、乡镇(街道、园区)应当建立责任体系。",
    "第二章 职责 第四条 党委主要负责人职责:(一)认真贯彻落实党中央决策部署;(二)组织研究解决重大问题;"
    "(三)按照本办法第五条规定督促落实。第五条 政府主要负责人职责:1.组织制定年度计划；2、定期分析形势；3．督促检查。",
    "第六条 其他负责人按照本细则第二章所规定职责履职,一、二级企业每年检查不少于2次。",
]
WEB_COPY = "\n".join(
    [
        "首页 > 政务公开 > 政策文件 > 通知公告",
        "当前位置：首页 >> 通知公告",
        "发布时间:2023-05-06 10:00 | 来源:某某市应急管理局 | 字号:大 中 小 | 打印",
        "扫一扫在手机打开当前页",
        *BODY,
        "【打印】【关闭】",
        "分享到:",
        "上一篇：关于开展安全生产月活动的通知",
        "关闭窗口",
        "相关链接: 国务院 | 省政府 | 市政府",
        "主办单位:某某市人民政府办公室 | 承办:某某市融媒体中心 | 网站标识码:0000000000",
        "版权所有：某某市应急管理局 蜀ICP备12345678号",
    ]
)

EXPECTED = [
    ("c1", "chapter", "总则"),
    ("c1.a1", "article", None),
    ("c1.a2", "article", None),
    ("c1.a3", "article", None),
    ("c2", "chapter", "职责"),
    ("c2.a4", "article", "党委主要负责人职责"),
    ("c2.a4.p1", "clause", None),
    ("c2.a4.p2", "clause", None),
    ("c2.a4.p3", "clause", None),
    ("c2.a5", "article", "政府主要负责人职责"),
    ("c2.a5.i1", "item", None),
    ("c2.a5.i2", "item", None),
    ("c2.a5.i3", "item", None),
    ("c2.a6", "article", None),
]


def provisions(tree: Provision) -> list[Provision]:
    return [p for p in tree.walk() if p.kind != "document"]


def by_id(tree: Provision) -> dict[str, Provision]:
    return {p.id: p for p in tree.walk()}


def assert_offsets_slice_back(text: str, tree: Provision) -> None:
    for p in provisions(tree):
        assert text[p.char_start : p.char_end] == p.text, p.id
        assert p.text == p.text.strip(), p.id
        if p.marker:
            assert p.text.startswith(p.marker), p.id


@pytest.fixture(scope="module")
def web():
    n = normalise(WEB_COPY)
    return n, parse(n.text)


def test_furniture_before_and_after_is_dropped_and_the_body_kept_verbatim(web):
    n, _ = web
    assert n.text == "\n".join(BODY)


def test_run_on_provisions_are_found(web):
    _, tree = web
    assert [(p.id, p.kind, p.heading) for p in provisions(tree)] == EXPECTED


def test_offsets_slice_the_text_and_the_original_back(web):
    n, tree = web
    assert_offsets_slice_back(n.text, tree)
    for p in provisions(tree):
        start, end = n.original_span(p.char_start, p.char_end)
        assert WEB_COPY[start:end] == p.text  # nothing but furniture was removed


def test_run_on_passages(web):
    _, tree = web
    p = by_id(tree)
    assert p["c1.a1"].text == ("第一条 为了落实安全生产责任制,根据《中华人民共和国安全生产法》第五条、第二十一条的规定,制定本办法。")
    assert p["c2.a4"].lead == "" and p["c2.a4"].marker == "第四条"
    assert [p[f"c2.a4.p{i}"].text for i in (1, 2, 3)] == [
        "(一)认真贯彻落实党中央决策部署;",
        "(二)组织研究解决重大问题;",
        "(三)按照本办法第五条规定督促落实。",
    ]
    assert [p[f"c2.a5.i{i}"].marker for i in (1, 2, 3)] == ["1.", "2、", "3．"]
    assert p["c2.a5.i3"].text == "3．督促检查。"


def test_references_and_citations_do_not_split(web):
    _, tree = web
    p = by_id(tree)
    assert "依据第十二条规定" in p["c1.a3"].text
    assert p["c2.a4.p3"].text.endswith("第五条规定督促落实。")
    assert "本细则第二章所规定职责履职,一、二级企业" in p["c2.a6"].text
    assert not p["c2.a6"].children


@pytest.mark.parametrize(
    "text",
    [
        "第一条 总则。按照本办法第五条执行。依据第十二条规定办理。本细则第二章所规定职责。",
        "第一条 总则。第二条规定的事项从其规定;第二条、第三条另行规定;第二条至第五条不适用。",
        "第一条 执行《某某市安全生产规定;第二条 补充规定》和“总则。第二条 附则”。",
        "第一条 本办法适用于各市(县)、区人民政府,各镇(街道、园区)(以下简称:第二条 单位)。",
        "第一条 职责如下:(二)检查;(三)报告。",  # (二) with no (一) before it
        "第一条 本办法。第三条 跳号。第一条 重复。",  # articles out of sequence
        "第一条 检查次数:一、二级企业每季度1次;二、三级企业每半年1.5次。",
        "第一条 时间安排:1、2月份部署,3.5万元预算;2021.12.31前完成。",
    ],
)
def test_not_markers_inside_a_line(text):
    tree = parse(normalise(text).text)
    assert [p.id for p in provisions(tree)] == ["a1"]
    assert by_id(tree)["a1"].text == text


def test_a_marker_that_skips_a_number_stays_in_its_sibling():
    tree = parse("第一条 职责如下:(一)检查;(三)报告。(二)督办。")
    assert [p.id for p in provisions(tree)] == ["a1", "a1.p1", "a1.p2"]
    assert by_id(tree)["a1.p1"].text == "(一)检查;(三)报告。"


def test_markers_need_punctuation_or_a_heading_before_them():
    tree = parse("第一条 见附件(一)说明和附表1.所列内容。\n第二条 职责 (一)检查。")
    assert [p.id for p in provisions(tree)] == ["a1", "a2", "a2.p1"]
    assert by_id(tree)["a2"].heading == "职责"


def test_ascii_and_full_width_numbering():
    text = "\n".join(["一.总体要求", "(一)认真贯彻;(二)组织实施", "1．检查；2.报告:(1)及时;(2)准确", "二.保障措施"])
    tree = parse(normalise(text).text)
    assert [(p.id, p.marker) for p in provisions(tree)] == [
        ("s1", "一."),
        ("s1.p1", "(一)"),
        ("s1.p2", "(二)"),
        ("s1.p2.i1", "1．"),
        ("s1.p2.i2", "2."),
        ("s1.p2.i2.n1", "(1)"),
        ("s1.p2.i2.n2", "(2)"),
        ("s2", "二."),
    ]
    assert by_id(tree)["s1"].heading == "总体要求"


def test_new_lists_open_and_close_inside_a_line():
    text = "一、适用范围 全市所有镇。二、职责内容 (一)全面贯彻:1.听取汇报；2.研究问题。(二)组织制定计划。三、保障措施 (一)加强领导。"
    tree = parse(text)
    assert [(p.id, p.heading) for p in provisions(tree)] == [
        ("s1", None),
        ("s2", "职责内容"),
        ("s2.p1", "全面贯彻"),
        ("s2.p1.i1", None),
        ("s2.p1.i2", None),
        ("s2.p2", None),
        ("s3", "保障措施"),
        ("s3.p1", None),
    ]
    assert_offsets_slice_back(text, tree)


def test_articles_numbered_through_chapters_inside_a_line():
    text = "第一章 总则 第一条 目的。第二条 范围。第二章 职责 第三条 主要负责人。第三章 附则 第四条 施行。"
    tree = parse(text)
    assert [p.id for p in provisions(tree)] == ["c1", "c1.a1", "c1.a2", "c2", "c2.a3", "c3", "c3.a4"]
    assert [by_id(tree)[c].heading for c in ("c1", "c2", "c3")] == ["总则", "职责", "附则"]
    assert_offsets_slice_back(text, tree)


TRADITIONAL = (
    "第二條 鎮(zhèn)(街道、園區(qū))行政主要負責(zé)人職責(zé):(一)認真貫徹(chè)落實(shí)上級決策部署;"
    "(二)組(zǔ)織(zhī)制定年度計劃;(三)依據本辦法第五條規定報告。第三條 本制度自發(fā)布之日起施行。"
)


def test_traditional_copy_with_pinyin_and_run_on_items():
    original = "\n".join(
        ["首頁 > 政務公開 > 政策文件", "發(fā)布時間:2022-04-28 | 來源:市應急管理局", "第一條 總則。", TRADITIONAL, "【打印】【關閉】"]
    )
    n = normalise(original)
    assert n.text == (
        "第一条 总则。\n第二条 镇(街道、园区)行政主要负责人职责:(一)认真贯彻落实上级决策部署;"
        "(二)组织制定年度计划;(三)依据本办法第五条规定报告。第三条 本制度自发布之日起施行。"
    )
    tree = parse(n.text)
    assert [(p.id, p.heading) for p in provisions(tree)] == [
        ("a1", None),
        ("a2", "镇(街道、园区)行政主要负责人职责"),
        ("a2.p1", None),
        ("a2.p2", None),
        ("a2.p3", None),
        ("a3", None),
    ]
    assert_offsets_slice_back(n.text, tree)
    p2 = by_id(tree)["a2.p2"]
    start, end = n.original_span(p2.char_start, p2.char_end)
    assert original[start:end] == "(二)組(zǔ)織(zhī)制定年度計劃;"


@pytest.mark.parametrize(
    "line",
    [
        "来源于群众的举报线索,应当及时核查。",
        "关闭不具备安全生产条件的企业。",
        "首页面应当公开安全生产责任清单。",
        "作者单位应当落实安全生产主体责任。",
        "分享到各单位学习。",
        "扫一扫二维码即可报告事故隐患。",
        "（一）打印并张贴安全生产责任清单。",
        "主办单位：市应急管理局",
        "相关部门应当按照职责分工落实责任。",
    ],
)
def test_furniture_rules_leave_real_text_alone(line):
    assert normalise(f"第一条 总则。\n{line}").text == f"第一条 总则。\n{line}"


def test_run_on_inside_table_cells_is_a_switch(monkeypatch):
    text = "\t部门\n\t职责\n\n\t综合科\n\t一、负责园区安全。（一）检查。（二）报告。二、负责技改项目。"
    cells = [p.id for p in provisions(parse(text)) if p.kind not in ("table", "row")]
    assert cells == ["t1.r1.s1"]
    monkeypatch.setitem(rules(), "run_on_in_table_cells", True)
    tree = parse(text)
    assert [p.id for p in provisions(tree) if p.kind not in ("table", "row")] == ["t1.r1.s1", "t1.r1.s1.p1", "t1.r1.s1.p2", "t1.r1.s2"]
    assert by_id(tree)["t1.r1.s1.p2"].text == "（二）报告。"


def test_web_flattened_style_sample():
    """tests/data/styles/web-flattened.txt: 第一条…第八条 on three lines, items in ASCII punctuation."""
    path = SOURCES.parent.parent / "tests" / "data" / "styles" / "web-flattened.txt"
    text = normalise(decode(path.read_bytes(), where=path.name)).text
    tree = parse(text)
    assert [p.id for p in provisions(tree)] == [
        "a1",
        "a2",
        "a3",
        "a3.p1",
        "a3.p2",
        "a3.p3",
        "a3.p4",
        "a3.p5",
        "a4",
        "a4.p1",
        "a4.p2",
        "a4.p3",
        "a4.p4",
        "a5",
        "a5.i1",
        "a5.i2",
        "a5.i3",
        "a6",
        "a6.i1",
        "a6.i2",
        "a7",
        "a8",
    ]
    assert by_id(tree)["a8"].text == "第八条 本规则自印发之日起施行。"  # the page footer is gone
    assert by_id(tree)["a4"].heading == "协助分管安全生产工作的副县长安全生产职责"
    assert_offsets_slice_back(text, tree)


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.txt")), ids=lambda p: p.stem)
def test_real_sources_have_no_run_on_provisions(path):
    """The five sources keep their trees: every provision still starts at a line start."""
    text = normalise(decode(path.read_bytes(), where=path.name)).text
    for p in parse(text).walk():
        line_start = text.rfind("\n", 0, p.char_start) + 1
        assert not text[line_start : p.char_start].strip(), p.id


@pytest.mark.parametrize("stem", ["tongchuan-town-2022", "mianyang-union-2020", "wuxi-towns-2021", "benxi-hitech-2019"])
def test_real_documents_flattened_into_one_line_keep_their_provisions(stem):
    """Joining every line with a space (as a web page does) loses no numbered provision.

    Unnumbered headings on a line of their own (benxi's 总 则) cannot be told apart inside a line.
    """
    path = SOURCES / f"{stem}.txt"
    text = normalise(decode(path.read_bytes(), where=path.name)).text
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    clean = [(p.id, p.kind, p.text.replace("\n", " ")) for p in provisions(parse("\n".join(lines)))]
    flat = " ".join(lines)
    tree = parse(flat)
    assert_offsets_slice_back(flat, tree)
    if stem == "benxi-hitech-2019":
        assert clean[0][:2] == ("c", "chapter")  # 总 则
        clean = [(i.removeprefix("c."), k, t) for i, k, t in clean[1:]]
    assert [(p.id, p.kind, p.text) for p in provisions(tree)] == clean


# --- generated flattened documents ----------------------------------------------------------

CN = "一二三四五六七八九十"
SEPARATORS = st.sampled_from(["", " ", "\n"])


@st.composite
def flattened(draw) -> tuple[str, list[str]]:
    """A document of articles with (一)-clauses and 1.-items, its line breaks partly dropped."""
    parts: list[str] = []
    ids: list[str] = []
    for a in range(1, draw(st.integers(1, 5)) + 1):
        clauses = draw(st.integers(0, 3))
        parts.append(f"第{CN[a - 1]}条 " + ("主要职责:" if clauses else "本办法适用于全市。"))
        ids.append(f"a{a}")
        for c in range(1, clauses + 1):
            items = draw(st.integers(0, 2))
            ending = "包括:" if items else draw(st.sampled_from(["检查;", "报告。", "督办；"]))
            parts.append(f"({CN[c - 1]}){ending}")
            ids.append(f"a{a}.p{c}")
            for i in range(1, items + 1):
                dot, end = draw(st.sampled_from([".", "、", "．"])), draw(st.sampled_from(["；", ";", "。"]))
                parts.append(f"{i}{dot}落实第{CN[c - 1]}条规定{end}")
                ids.append(f"a{a}.p{c}.i{i}")
    text = parts[0]
    for part in parts[1:]:
        text += draw(SEPARATORS) + part
    return text, ids


@settings(max_examples=200, deadline=None)
@given(flattened())
def test_flattened_documents_parse_like_clean_ones(doc):
    text, ids = doc
    text = normalise(text).text
    tree = parse(text)
    assert [p.id for p in provisions(tree)] == ids
    assert_offsets_slice_back(text, tree)
