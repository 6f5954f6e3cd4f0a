"""Word's own list numbering (numbering.xml) as the text a reader sees: 第一条, （二）, 3.

Why: a Word document's 第X条 and （一） are often numbers Word draws, not characters of the
paragraph; python-docx gives the paragraph's characters only, so without this a DOCX would lose
the markers the structure parser reads. Counters run per list instance (w:num), a level restarts
after any higher level, w:startOverride restarts an instance, and a paragraph style's numbering
counts as the paragraph's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DIGITS = "〇一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_HEAVENLY = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"


@dataclass(frozen=True, slots=True)
class Level:
    start: int
    fmt: str
    text: str
    suffix: str
    legal: bool


def chinese(n: int, digits: str = _DIGITS, ten: str = "十", hundred: str = "百") -> str:
    """n in Chinese counting, as Word's chineseCounting draws it.

    >>> [chinese(n) for n in (1, 10, 11, 20, 21, 100, 105, 110, 999)]
    ['一', '十', '十一', '二十', '二十一', '一百', '一百零五', '一百一十', '九百九十九']
    """
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + ten + (digits[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = digits[hundreds] + hundred
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + digits[rest]
        return head + digits[rest // 10] + ten + (digits[rest % 10] if rest % 10 else "")
    return str(n)


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    out = []
    for value, numeral in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """n drawn in a w:numFmt; formats not listed here are drawn as decimal numbers.

    >>> [format_number(3, f) for f in ("decimal", "chineseCounting", "upperRoman", "lowerLetter", "decimalEnclosedCircle")]
    ['3', '三', 'III', 'c', '③']
    """
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "japaneseCounting",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "koreanCounting",
    ):
        return chinese(n)
    if fmt == "chineseLegalSimplified":
        return chinese(n, _LEGAL, "拾", "佰")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_DIGITS[int(d)] for d in str(n))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt in ("ideographTraditional",) and 1 <= n <= 10:
        return _HEAVENLY[n - 1]
    if fmt in ("ideographZodiac",) and 1 <= n <= 12:
        return _ZODIAC[n - 1]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        return _letters(n) if fmt == "upperLetter" else _letters(n).lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class Numbering:
    """The numbering of one document, drawn paragraph by paragraph in document order."""

    def __init__(self, numbering: etree._Element | None, styles: etree._Element | None) -> None:
        self.abstract: dict[str, dict[int, Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, list[int | None]] = {}
        self.style_numbering: dict[str, tuple[str, int]] = {}
        if numbering is not None:
            for abstract in numbering.iter(f"{W}abstractNum"):
                levels = {}
                for lvl in abstract.iter(f"{W}lvl"):
                    levels[int(lvl.get(f"{W}ilvl", "0"))] = Level(
                        int(_val(lvl, "start") or 1),
                        _val(lvl, "numFmt") or "decimal",
                        _val(lvl, "lvlText") or "",
                        _val(lvl, "suff") or "tab",
                        lvl.find(f"{W}isLgl") is not None,
                    )
                self.abstract[abstract.get(f"{W}abstractNumId", "")] = levels
            for num in numbering.iter(f"{W}num"):
                overrides = {
                    int(o.get(f"{W}ilvl", "0")): int(_val(o, "startOverride") or 1)
                    for o in num.iter(f"{W}lvlOverride")
                    if _val(o, "startOverride") is not None
                }
                self.nums[num.get(f"{W}numId", "")] = (_val(num, "abstractNumId") or "", overrides)
        if styles is not None:
            self._read_styles(styles)

    def _read_styles(self, styles: etree._Element) -> None:
        own: dict[str, tuple[str | None, int | None]] = {}
        based: dict[str, str] = {}
        for style in styles.iter(f"{W}style"):
            sid = style.get(f"{W}styleId", "")
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is not None:
                ilvl = _val(num_pr, "ilvl")
                own[sid] = (_val(num_pr, "numId"), int(ilvl) if ilvl else None)
            parent = _val(style, "basedOn")
            if parent:
                based[sid] = parent
        for sid in set(own) | set(based):
            chain, seen = sid, set()
            while chain and chain not in own and chain not in seen:
                seen.add(chain)
                chain = based.get(chain, "")
            if chain in own and own[chain][0]:
                self.style_numbering[sid] = (own[chain][0] or "", own[chain][1] or 0)

    def label(self, paragraph: etree._Element) -> str:
        """The number Word draws before this paragraph ("" for none), counting it."""
        num_id, ilvl = None, None
        num_pr = paragraph.find(f"{W}pPr/{W}numPr")
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") in self.style_numbering:
            num_id, ilvl = self.style_numbering[style.get(f"{W}val", "")]
        if num_pr is not None:
            num_id = _val(num_pr, "numId") or num_id
            ilvl = int(_val(num_pr, "ilvl") or ilvl or 0)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        ilvl = ilvl or 0
        if ilvl not in levels:
            return ""
        counters = self.counters.get(num_id)
        if counters is None:
            counters = self.counters[num_id] = [None] * 10
        for k in range(ilvl + 1, len(counters)):
            counters[k] = None
        current = counters[ilvl]
        counters[ilvl] = overrides.get(ilvl, levels[ilvl].start) if current is None else current + 1
        level = levels[ilvl]
        if level.fmt == "bullet" or level.fmt == "none":
            return ""
        text = level.text
        for k in range(ilvl, -1, -1):
            if f"%{k + 1}" in text:
                at = levels.get(k, level)
                count = counters[k]
                value = at.start if count is None else count
                text = text.replace(f"%{k + 1}", format_number(value, "decimal" if level.legal else at.fmt))
        return text + {"space": " ", "nothing": ""}.get(level.suffix, " ")


def _val(el: etree._Element, tag: str) -> str | None:
    child = el.find(f"{W}{tag}")
    return None if child is None else child.get(f"{W}val")
