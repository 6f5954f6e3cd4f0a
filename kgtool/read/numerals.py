"""Chinese numerals as they number provisions: 第十二条, 二十一、, 一百零五, and hand-typed 第十6条."""

from __future__ import annotations

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_CHARS = "零〇一二两三四五六七八九十百千万"


def cn_number(numeral: str) -> int:
    """Value of a Chinese or Arabic numeral of any size.

    Arabic digits mixed in, as typed by hand (第十6条), count as the digits they are.

    >>> [cn_number(x) for x in ("七", "十", "十二", "二十一", "一百零五", "三千二百", "42", "十6", "2百零1")]
    [7, 10, 12, 21, 105, 3200, 42, 16, 201]
    """
    if numeral.isdigit():
        return int(numeral)
    total, section, digit = 0, 0, 0
    arabic = False
    for ch in numeral:
        if ch.isdigit():
            digit = digit * 10 + int(ch) if arabic else int(ch)
            arabic = True
            continue
        arabic = False
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
        else:
            section += (digit or 1) * CN_UNITS[ch]
            digit = 0
    return total + section + digit
