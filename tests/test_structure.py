"""The provision parser on hostile and generated text: never crashes, spans always valid."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kgtool.read.normalise import normalise
from kgtool.read.numerals import cn_number
from kgtool.read.structure import parse

MARKERS = [
    "第一章 ",
    "第二条 ",
    "第十二条 ",
    "第十6条 ",
    "第2十条 ",
    "一、",
    "二、",
    "（一）",
    "(二)",
    "1.",
    "2、",
    "（1）",
    "\t",
    "总 则",
    "附件",
]
PIECES = st.lists(
    st.one_of(
        st.sampled_from(MARKERS),
        st.text(max_size=12),
        st.just("\n"),
        st.just("\n\n"),
        st.sampled_from(["安全生产职责：", "每季度至少1次。", "主要负责人", "；", "。"]),
    ),
    max_size=60,
)


def check_tree(text: str) -> None:
    tree = parse(text)
    ids = set()
    for p in tree.walk():
        assert 0 <= p.char_start <= p.char_end <= len(text)
        assert p.id not in ids
        ids.add(p.id)
        for child in p.children:
            assert p.char_start <= child.char_start and child.char_end <= max(p.char_end, child.char_end)
        if p.marker and p.kind not in ("table", "document", "front"):
            assert text[p.char_start : p.char_end].lstrip("\t").startswith(p.marker.split()[0][:1])


@settings(max_examples=300, deadline=None)
@given(PIECES)
def test_parse_never_crashes_and_spans_are_valid(pieces):
    check_tree(normalise("".join(pieces)).text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parse_arbitrary_text(text):
    check_tree(normalise(text).text)


def test_chinese_numerals_of_any_size():
    assert [cn_number(x) for x in ("一", "十一", "二十", "九十九", "一百", "一百二十三", "两千零五", "一万二千")] == [
        1,
        11,
        20,
        99,
        100,
        123,
        2005,
        12000,
    ]


def test_arabic_digits_typed_into_a_chinese_numeral_are_read_not_crashed_on():
    assert [cn_number(x) for x in ("十6", "2十", "一百2十3", "十16")] == [16, 20, 123, 26]
    tree = parse("第十5条 总则内容。\n第十6条 安全生产职责：每季度至少1次。\n")
    articles = [p for p in tree.walk() if p.kind == "article"]
    assert [(p.marker, p.id) for p in articles] == [("第十5条", "a15"), ("第十6条", "a16")]
