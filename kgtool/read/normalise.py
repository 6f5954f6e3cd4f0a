"""Turn a raw source text into plain Simplified Chinese, remembering where each character came from.

The sources mix Traditional text with pinyin annotations, web-page furniture, full-width digits
and ragged whitespace. Later stages want one clean form; the web app must still highlight the
passage in the original, so every step keeps, for each output character, its index in its input,
and `normalise` composes those maps into `Normalised.offsets`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from kgtool.errors import SourceError
from kgtool.read.wordings import load

if TYPE_CHECKING:
    import opencc


#: A step's result: the new text and, per character of it, its index in the step's input.
Mapped = tuple[str, list[int]]


@dataclass(frozen=True, slots=True)
class Normalised:
    """A normalised text with the way back to the original, for highlighting source passages."""

    text: str
    offsets: tuple[int, ...]  # len(text)+1 entries; offsets[i] = index in the original of text[i]; last = end

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map normalised [start, end) to the original [s, e) that covers exactly those characters.

        Removed material inside the span (annotations, furniture) is included; trailing material after
        the last character is not, so a highlight never runs into the next sentence.
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside text of length {len(self.text)}")
        if start == end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


# --- decoding -------------------------------------------------------------------------------

#: Control characters (category Cc) other than TAB, LF, CR and FF.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def decode(data: bytes, *, where: str, encoding: str | None = None) -> str:
    """Decode a source file's bytes, refusing input that is empty, binary or mis-encoded.

    Why: a wrong encoding or a stray PDF would otherwise flow on as mojibake and yield an empty graph
    with no explanation; here the user gets the byte offset and the option that fixes it.
    """
    if not data.strip():
        raise SourceError("empty file", where=where, hint="the source text has no content")
    if encoding is None and b"\x00" in data:
        raise SourceError("binary data (NUL bytes), not a text file", where=where, hint="convert the document to UTF-8 plain text first")
    try:
        text = data.decode(encoding or "utf-8-sig")
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r}", where=where, hint="use a Python codec name such as gb18030 or utf-8") from None
    except UnicodeDecodeError as err:
        name = encoding or "UTF-8"
        if encoding is None and _decodes_as(data, "gb18030"):
            hint = "the bytes decode as GB18030: try `--encoding gb18030`"
        else:
            hint = "re-save the file as UTF-8 or pass `--encoding` with its real encoding"
        raise SourceError(f"not valid {name} at byte offset {err.start}", where=where, hint=hint) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SourceError("empty file", where=where, hint="the source text has no content")
    controls = len(_CONTROLS.findall(text))
    if "\x00" in text or controls > 0.05 * len(text):
        raise SourceError("binary data (control characters), not a text file", where=where, hint="convert the document to plain text first")
    return text


def _decodes_as(data: bytes, encoding: str) -> bool:
    """Whether `data` is valid in `encoding`, to suggest an --encoding that works.

    >>> _decodes_as("安全".encode("gbk"), "gb18030"), _decodes_as(b"\\xff\\xff", "utf-8")
    (True, False)
    """
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


# --- pinyin annotations ---------------------------------------------------------------------

_INITIALS = "zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw]"
_FINALS = "iang|iong|uang|ang|eng|ing|ong|iao|ian|uai|uan|van|ai|ei|ao|ou|an|en|er|in|un|vn|ia|ie|iu|ua|uo|ui|ue|ve|a|o|e|i|u|v"
_SYLLABLE = re.compile(rf"(?:{_INITIALS})?(?:{_FINALS})[1-5]?")
_TONE_MARKS = frozenset("\u0300\u0301\u0304\u030c")  # grave, acute, macron, caron (after NFD)
_PAREN = re.compile(r"\(([^()（）\s]{1,12})\)|（([^()（）\s]{1,12})）")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def is_pinyin(word: str) -> bool:
    """Whether `word` is one lower-case pinyin syllable carrying a tone (mark or digit).

    A tone is required because bare Latin words in parentheses, such as (a) or (an), are far more
    likely to be genuine text than toneless annotations.

    >>> [is_pinyin(w) for w in ("fā", "zhèn", "qū", "lǜ", "lv4", "nüè", "zhuang1")]
    [True, True, True, True, True, True, True]
    >>> [is_pinyin(w) for w in ("a", "GDP", "fa", "街道", "xyz1", "fā1")]
    [False, False, False, False, False, False]
    """
    marks = [c for c in unicodedata.normalize("NFD", word) if c in _TONE_MARKS]
    base = "".join(c for c in unicodedata.normalize("NFD", word) if c not in _TONE_MARKS)
    base = unicodedata.normalize("NFC", base).replace("ü", "v")
    has_digit = base[-1:].isdigit()
    if len(marks) + has_digit != 1:
        return False
    return _SYLLABLE.fullmatch(base) is not None


def strip_annotations(text: str) -> Mapped:
    """Remove pinyin annotations after CJK characters: 發(fā) -> 發, 區（qū） -> 區.

    Why: a web export of the Wuxi notice glosses characters inline, which would split every term.
    Genuine parentheses such as (街道、園區) or (GDP) stay. The character before a candidate is the
    last character kept so far, so 發(fā)(fā) loses both and a second pass changes nothing.

    >>> strip_annotations("鎮(zhèn)(街道)")
    ('鎮(街道)', [0, 7, 8, 9, 10])
    """
    kept: list[int] = []
    parts: list[str] = []
    pos = 0
    for m in _PAREN.finditer(text):
        kept.extend(range(pos, m.start()))
        parts.append(text[pos : m.start()])
        pos = m.start()
        if kept and _CJK.match(text[kept[-1]]) and is_pinyin(m[1] or m[2]):
            pos = m.end()
    kept.extend(range(pos, len(text)))
    parts.append(text[pos:])
    return "".join(parts), kept


# --- the other steps ------------------------------------------------------------------------


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line, newline excluded, so every line-based step agrees on lines."""
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line)
        start += len(line) + 1


def _replace(pattern: re.Pattern[str], text: str, repl: Callable[[re.Match[str]], str], offset: int = 0) -> Mapped:
    """`pattern.sub(repl, text)` that also maps each output character to its input index (plus
    offset, for text that is a slice of a longer input).

    Replacement characters map to the start of their match; patterns must not match empty strings.

    >>> _replace(re.compile(r"\\r\\n?"), "a\\r\\nb", lambda m: "\\n")
    ('a\\nb', [0, 1, 3])
    """
    parts: list[str] = []
    idx: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        parts.append(text[pos : m.start()])
        idx.extend(range(offset + pos, offset + m.start()))
        new = repl(m)
        parts.append(new)
        idx.extend([offset + m.start()] * len(new))
        pos = m.end()
    parts.append(text[pos:])
    idx.extend(range(offset + pos, offset + len(text)))
    return "".join(parts), idx


_NEWLINE = re.compile(r"\r\n?")


def _unify_newlines(text: str) -> Mapped:
    """\\r\\n and \\r -> \\n, done first so every line-based step sees the same lines."""
    return _replace(_NEWLINE, text, lambda m: "\n")


@cache
def _converter() -> opencc.OpenCC:
    """The t2s converter, built once and only when needed: building it loads dictionaries."""
    import opencc

    return opencc.OpenCC("t2s")


def _t2s(line: str) -> str:
    """Convert one line to Simplified; text OpenCC cannot take (lone surrogates) is left as it is."""
    if line.isascii():
        return line
    try:
        return _converter().convert(line)
    except (UnicodeError, RuntimeError):
        return line


def _to_simplified(text: str) -> Mapped:
    """Traditional -> Simplified, line by line so a length change only blurs offsets within its line."""
    parts: list[str] = []
    idx: list[int] = []
    for start, end in _lines(text):
        line = text[start:end]
        new = _t2s(line) if line else line
        n, m = len(line), len(new)
        idx.extend(range(start, end) if m == n else (start + j * n // m for j in range(m)))
        parts.append(new)
        if end < len(text):
            parts.append("\n")
            idx.append(end)
    return "".join(parts), idx


@cache
def _furniture() -> tuple[re.Pattern[str], list[re.Pattern[str]]]:
    """Compiled furniture patterns from the YAML rules, kept out of code so they can grow per source."""
    rules = load("normalise") or {}
    inline = "|".join(f"(?:{p})" for p in rules.get("inline") or []) or r"(?!)"
    return re.compile(inline), [re.compile(p) for p in rules.get("lines") or []]


def _drop_furniture(text: str) -> Mapped:
    """Drop inline tokens and whole furniture lines (with their newline); keep everything else."""
    inline, line_patterns = _furniture()
    parts: list[str] = []
    idx: list[int] = []
    for start, end in _lines(text):
        line, kept = _replace(inline, text[start:end], lambda m: "", start)
        bare = line.strip()
        emptied = not bare and text[start:end].strip() != ""
        if emptied or any(p.search(bare) for p in line_patterns):
            continue
        parts.append(line)
        idx.extend(kept)
        if end < len(text):
            parts.append("\n")
            idx.append(end)
    return "".join(parts), idx


_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)} | {
    0x3000: 0x20,
    0xA0: 0x20,
}


def fold_width(text: str) -> str:
    """Full-width ASCII letters and digits -> ASCII, ideographic space and NBSP -> space.

    Chinese punctuation stays: it is the documents' own typography, not an encoding accident.

    >>> fold_width("Ｇ２０\\u3000峰会（第１次）")
    'G20 峰会（第1次）'
    """
    return text.translate(_WIDTH)


_HSPACE = re.compile(r"[^\S\n]+")
_CONTENT = re.compile(r"\S(?:.*\S)?")


def _tidy_whitespace(text: str) -> Mapped:
    """Strip and collapse spaces per line, keep one leading TAB (table cells), one blank line per gap.

    Lines are never joined: the structure parser decides which breaks are page breaks.
    """
    parts: list[str] = []
    idx: list[int] = []
    prev_end: int | None = None
    gap = False
    for start, end in _lines(text):
        line = text[start:end]
        m = _CONTENT.search(line)
        if m is None:
            gap = True
            continue
        if prev_end is not None:
            parts.append("\n")
            idx.append(prev_end)
            if gap:
                parts.append("\n")
                idx.append(start - 1)
        if line.startswith("\t"):
            parts.append("\t")
            idx.append(start)
        core, kept = _replace(_HSPACE, m.group(), lambda _: " ", start + m.start())
        parts.append(core)
        idx.extend(kept)
        prev_end, gap = end, False
    return "".join(parts), idx


_STEPS: tuple[Callable[[str], Mapped], ...] = (
    _unify_newlines,
    strip_annotations,
    _to_simplified,
    _drop_furniture,
    lambda t: (fold_width(t), list(range(len(t)))),
    _tidy_whitespace,
)


def normalise(original: str) -> Normalised:
    """Run every step, composing their index maps into offsets back to `original`."""
    text = original
    offsets = list(range(len(original)))
    for step in _STEPS:
        text, idx = step(text)
        offsets = list(map(offsets.__getitem__, idx))
    return Normalised(text, (*offsets, len(original)))
