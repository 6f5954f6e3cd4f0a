"""The places an issuer's name is made of ("鄂尔多斯市东胜区铜川镇人民政府" -> 鄂尔多斯市 > 东胜区 >
铜川镇), with the administrative level each suffix gives (rules/places.yaml).

Used when a document's jurisdiction is not in data/places.ttl: the reader then makes the
jurisdiction from the name, so that a new document is placed, compared and queried like the
others instead of vanishing from every view that joins on its jurisdiction.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kgtool.read.wordings import load


@lru_cache(maxsize=1)
def _suffixes() -> tuple[tuple[str, str], ...]:
    """(suffix, admin level) pairs, longest suffix first, so 自治区 wins over 区."""
    levels = load("places")["suffixes"]
    return tuple(sorted(levels.items(), key=lambda kv: len(kv[0]), reverse=True))


def _unit_at(name: str, start: int) -> tuple[int, str] | None:
    """The shortest place name starting at start (at least one character before its suffix, at
    most max_length in all); a suffix that also ends names (州 in 杭州) takes a suffix right after
    it (杭州 + 市 is 杭州市), others do not (县 + 市场监督管理局 stays 县)."""
    rules = load("places")
    for end in range(start + 2, min(len(name), start + rules["max_length"]) + 1):
        level = _level_of(name[start:end])
        if level is None:
            continue
        while name[end - 1] in rules["name_finals"] and (more := _suffix_at(name, end)) is not None:
            end, level = end + len(more[0]), more[1]
        return end, level
    return None


def _level_of(text: str) -> str | None:
    return next((level for suffix, level in _suffixes() if text.endswith(suffix) and len(text) > len(suffix)), None)


def _suffix_at(name: str, pos: int) -> tuple[str, str] | None:
    return next(((s, level) for s, level in _suffixes() if name.startswith(s, pos)), None)


def place_units(name: str) -> list[tuple[str, str]]:
    """The place names an issuer's name opens with, outermost first, each with its level.

    >>> place_units("鄂尔多斯市东胜区铜川镇人民政府")
    [('鄂尔多斯市', 'city'), ('东胜区', 'county'), ('铜川镇', 'town')]
    >>> place_units("中共清水县委")
    [('清水县', 'county')]
    >>> place_units("杭州市西湖区人民政府办公室")
    [('杭州市', 'city'), ('西湖区', 'county')]
    >>> place_units("甘孜藏族自治州人民政府")
    [('甘孜藏族自治州', 'city')]
    >>> place_units("国家矿山安全监察局")
    []
    """
    name = re.sub(load("places")["strip_prefix"], "", name.strip())
    units: list[tuple[str, str]] = []
    pos = 0
    while (found := _unit_at(name, pos)) is not None:
        end, level = found
        units.append((name[pos:end], level))
        pos = end
    return units
