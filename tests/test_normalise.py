"""Tests for kgtool.read.normalise: real sources, hostile bytes, and properties of the offset maps."""

from __future__ import annotations

import doctest
import itertools
import re
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kgtool.read.normalise as nm
from kgtool.errors import SourceError
from kgtool.read.normalise import Normalised, decode, normalise, strip_annotations

SOURCES = Path(__file__).resolve().parent.parent / "data" / "sources"
DOCS = sorted(p.stem for p in SOURCES.glob("*.txt"))
SIMPLIFIED_DOCS = [d for d in DOCS if d != "wuxi-towns-2021"]
T2S = opencc.OpenCC("t2s")
ANNOTATION = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[1-5]?[)）]")


def read(stem: str) -> str:
    return decode((SOURCES / f"{stem}.txt").read_bytes(), where=f"{stem}.txt")


@pytest.fixture(scope="module")
def wuxi() -> tuple[str, Normalised]:
    original = read("wuxi-towns-2021")
    return original, normalise(original)


# --- real documents -------------------------------------------------------------------------


def test_sources_present():
    assert "wuxi-towns-2021" in DOCS and "bazhong-econ-2018" in DOCS and len(DOCS) >= 5


def test_wuxi_is_simplified_without_annotations(wuxi):
    _, n = wuxi
    for phrase in (
        "无锡市镇(街道、园区)行政主要负责人",
        "锡政办发〔2021〕85号",
        "每季度至少1次系统听取安全生产工作情况汇报",
        "各市(县)、区人民政府",
    ):
        assert phrase in n.text
    assert ANNOTATION.search(n.text) is None
    assert "發" not in n.text and "(fā)" not in n.text


def test_wuxi_furniture_gone_metadata_kept(wuxi):
    _, n = wuxi
    assert "发布时间" not in n.text and "浏览次数" not in n.text
    assert "责编" not in n.text and "---|" not in n.text
    assert n.text.splitlines()[0] == "文号 | 锡政办发〔2021〕85号 |"
    assert "成文日期 | 2021-12-31 10:21:54 |" in n.text


def test_wuxi_original_span(wuxi):
    original, n = wuxi
    start = n.text.index("行政主要负责人")
    s, e = n.original_span(start, start + len("行政主要负责人"))
    assert original[s:e] == "行政主要負責(zé)人"


def test_original_span_edges(wuxi):
    original, n = wuxi
    assert n.original_span(0, 0) == (n.offsets[0], n.offsets[0])
    end = len(n.text)
    s, e = n.original_span(0, end)
    assert 0 <= s <= e <= len(original)
    with pytest.raises(ValueError):
        n.original_span(3, 2)
    with pytest.raises(ValueError):
        n.original_span(0, end + 1)


def test_bazhong_bookmark_gone_tab_cells_kept():
    original = read("bazhong-econ-2018")
    text = normalise(original).text
    assert "[bookmark" not in text
    assert "8、支持、督促各科室" in text
    tab_lines = [line for line in text.split("\n") if line.startswith("\t")]
    expected = [line for line in original.split("\n") if line.startswith("\t") and line.strip()]
    assert len(tab_lines) == len(expected) > 50
    assert all(not line.startswith("\t\t") and not line[1:2].isspace() for line in tab_lines)
    assert "\n\t委领导安全生产工作职责\n" in text


def test_tongchuan_bookmark_line_dropped():
    text = normalise(read("tongchuan-town-2022")).text
    assert "[bookmark" not in text
    assert "实施方案》的通知\n镇直各部门" in text


@pytest.mark.parametrize("stem", SIMPLIFIED_DOCS)
def test_t2s_leaves_simplified_sources_unchanged(stem):
    original = read(stem)
    assert T2S.convert(original) == original


def same_after_steps(orig_char: str, char: str) -> bool:
    """Whether `char` is `orig_char` after the non-t2s steps (newlines, width folding, spaces)."""
    if char == orig_char:
        return True
    if char == "\n":
        return orig_char == "\r"
    if char == " ":
        return orig_char.isspace()
    return nm.fold_width(orig_char) == char


@pytest.mark.parametrize("stem", DOCS)
def test_offsets_point_back(stem):
    original = read(stem)
    n = normalise(original)
    check_offsets(original, n)
    for i, char in enumerate(n.text):
        orig_char = original[n.offsets[i]]
        converted = T2S.convert(orig_char) != orig_char
        assert converted or same_after_steps(orig_char, char), (i, char, orig_char)


@pytest.mark.parametrize("stem", DOCS)
def test_whitespace_shape(stem):
    text = normalise(read(stem)).text
    assert "\r" not in text and "\u3000" not in text and "\n\n\n" not in text
    assert text == text.strip(" \n") and "  " not in text
    for line in text.split("\n"):
        assert line == line.rstrip()
        assert line == "" or not line[0].isspace() or (line[0] == "\t" and not line[1:2].isspace())


def test_length_changing_conversion_maps_proportionally(monkeypatch):
    class Doubling:
        def convert(self, line: str) -> str:
            return "".join(c * 2 for c in line)

    monkeypatch.setattr(nm, "_converter", lambda: Doubling())
    n = normalise("甲乙\n丙")
    assert n.text == "甲甲乙乙\n丙丙"
    assert n.offsets == (0, 0, 1, 1, 2, 3, 3, 4)


def test_small_steps():
    n = normalise("\r\n　發(fā)布時間:x\r\n正文  第１条\u00a0甲\r\r\r\n\t\t表格　\n[bookmark: _GoBack]\n---|---|\n责编:某\n")
    assert n.text == "正文 第1条 甲\n\n\t表格"


def test_doctests():
    assert doctest.testmod(nm).failed == 0


# --- decode ---------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \n", b"\xef\xbb\xbf", "\u3000\n".encode()])
def test_decode_empty(data):
    with pytest.raises(SourceError, match="empty") as err:
        decode(data, where="x.txt")
    assert "x.txt" in str(err.value)


@pytest.mark.parametrize("data", [b"\x00\x01\x02\x03abc", b"\x01\x02\x03" + b"a" * 20, b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_decode_binary(data):
    with pytest.raises(SourceError, match="binary") as err:
        decode(data, where="blob.bin")
    assert "blob.bin" in str(err.value)


def test_decode_gbk_suggests_gb18030():
    data = "各市（县）安全生产责任制".encode("gbk")
    with pytest.raises(SourceError) as err:
        decode(data, where="gbk.txt")
    assert "gb18030" in err.value.hint and "byte offset 0" in err.value.message
    assert "gbk.txt" in str(err.value) and "gb18030" in str(err.value)
    assert decode(data, where="gbk.txt", encoding="gb18030") == "各市（县）安全生产责任制"


def test_decode_invalid_names_offset():
    with pytest.raises(SourceError, match="byte offset 3"):
        decode(b"abc\xff\xfe\xfd\xfc", where="x")


def test_decode_unknown_encoding():
    with pytest.raises(SourceError, match="unknown encoding"):
        decode(b"abc", where="x", encoding="no-such-codec")


def test_decode_strips_bom_and_keeps_text():
    assert decode("\ufeff安全\n".encode(), where="x") == "安全\n"
    assert decode("安全".encode("utf-8-sig"), where="x") == "安全"


# --- strip_annotations properties -----------------------------------------------------------

TONED = {1: "āēīōūǖ", 2: "áéíóúǘ", 3: "ǎěǐǒǔǚ", 4: "àèìòùǜ"}
SYLLABLES = [
    "fa",
    "zhen",
    "qu",
    "ze",
    "chan",
    "jing",
    "lü",
    "nüe",
    "xiong",
    "guang",
    "er",
    "ai",
    "shui",
    "liu",
    "yue",
    "jiao",
    "zhuang",
    "e",
    "ou",
    "ying",
    "wu",
    "ran",
    "cong",
    "pin",
]


def mark_tone(syllable: str, tone: int) -> str:
    """Put the tone mark where pinyin puts it: on a/e, on the o of ou, else on the last vowel."""
    for vowel in ("a", "e"):
        if vowel in syllable:
            break
    else:
        vowel = "o" if "ou" in syllable else [c for c in syllable if c in "aeiouü"][-1]
    i = syllable.rindex(vowel) if vowel not in "ae" else syllable.index(vowel)
    return syllable[:i] + TONED[tone]["aeiouü".index(vowel)] + syllable[i + 1 :]


@st.composite
def pinyin(draw) -> str:
    syllable, tone = draw(st.sampled_from(SYLLABLES)), draw(st.integers(1, 4))
    if draw(st.booleans()):
        return mark_tone(syllable, tone)
    return syllable.replace("ü", "v") + str(tone)


han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
no_parens = st.text(alphabet=st.characters(blacklist_characters="()（）", blacklist_categories=("Cs",)))
PIECES = [
    "發",
    "區",
    "(fā)",
    "（qū）",
    "(zhèn)",
    "(",
    ")",
    "（",
    "）",
    "a",
    "(a)",
    "(GDP)",
    " ",
    "\t",
    "\n",
    "\r\n",
    "　",
    "ｆ１",
    "[bookmark: _GoBack]",
    "发布时间:",
    "---|---|",
    "责编:",
    "(街道、園區(qū))",
]
mixed = st.one_of(st.text(), st.lists(st.sampled_from(PIECES) | st.text(max_size=3)).map("".join))


def test_mark_tone_helper():
    marked = [mark_tone(s, 4) for s in ("xiong", "liu", "shui", "nüe", "ou")]
    assert marked == ["xiòng", "liù", "shuì", "nüè", "òu"]


@given(mixed)
def test_strip_never_raises_and_maps_back(text):
    out, kept = strip_annotations(text)
    assert len(out) == len(kept) <= len(text)
    assert all(a < b for a, b in itertools.pairwise(kept))
    assert all(text[i] == c for i, c in zip(kept, out))


@given(mixed)
def test_strip_idempotent(text):
    once = strip_annotations(text)[0]
    assert strip_annotations(once)[0] == once


@given(no_parens)
def test_strip_without_parens_is_identity(text):
    assert strip_annotations(text) == (text, list(range(len(text))))


@given(no_parens, han, pinyin(), st.booleans(), no_parens)
def test_strip_removes_annotation(prefix, char, syllable, full_width, suffix):
    annotation = f"（{syllable}）" if full_width else f"({syllable})"
    assert strip_annotations(prefix + char + annotation + suffix)[0] == prefix + char + suffix


@given(han, no_parens, han, no_parens, st.booleans())
def test_strip_keeps_parens_with_cjk(before, left, inner, right, full_width):
    text = f"{before}（{left}{inner}{right}）" if full_width else f"{before}({left}{inner}{right})"
    assert strip_annotations(text)[0] == text


@pytest.mark.parametrize("text", ["项目(a)", "指标(GDP)", "条(an)", "字(fa)", "字(xyz1)", "a(fā)", "(fā)"])
def test_strip_keeps_genuine_latin_parens(text):
    assert strip_annotations(text)[0] == text


# --- normalise properties -------------------------------------------------------------------


def check_offsets(original: str, n: Normalised) -> None:
    assert len(n.offsets) == len(n.text) + 1
    assert n.offsets[-1] == len(original)
    assert all(0 <= a <= b <= len(original) for a, b in zip(n.offsets, n.offsets[1:]))


@settings(deadline=None)
@given(st.text())
def test_normalise_never_raises(text):
    check_offsets(text, normalise(text))


@settings(deadline=None)
@given(mixed)
def test_normalise_offsets_well_formed(text):
    n = normalise(text)
    check_offsets(text, n)
    assert not n.text.endswith("\n") and "\r" not in n.text and "\n\n\n" not in n.text


@pytest.mark.parametrize("stem", DOCS)
def test_normalise_is_idempotent_on_sources(stem):
    text = normalise(read(stem)).text
    assert normalise(text).text == text


def test_normalise_survives_lone_surrogates():
    n = normalise("\ud800發(fā)\u00a0x")
    assert n.text == "\ud800發 x"
    check_offsets("\ud800發(fā)\u00a0x", n)
