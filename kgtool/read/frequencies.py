"""Frequency requirements in Chinese duty text: "每季度至少召开1次…会议" -> P3M, at least 1, meeting.

A requirement is a period (an ISO 8601 duration), a minimum number of occurrences and, where the
clause says, the action (a concept of the dutytype scheme). Every wording lives in
rules/frequencies.yaml; this module only knows how the pieces of a requirement fit together:

- Text is cut into clauses at ，,；;：: and into sentences at 。！？!? and line breaks (the structure
  parser decides which line breaks are page breaks; hand it joined text).
- A *count* is a number + 次 ("1次", "一次", "两次"), optionally after a minimum word (不少于, 至少 …).
  A count after a limit or an event word (不超过, 发生 …) is no requirement.
- A count's period is, in order: written after it ("2次/年"); in its own clause, the nearest one
  before it, else after it ("带队检查、调研…每年不少于2次"); else the last period of an earlier
  clause in the same sentence ("每年召开会议…不少于1次；召开…专题会议不少于2次" gives two P1Y).
  A count with no period is no requirement ("可临时召开", "至少1次" alone).
- A period followed in its clause by an action but with no count means once per period
  ("每半年通报", "每季度第一个月前5日内向…报告", "每年对…进行年度述职"), unless the clause has a
  vague word (定期, 适时 …: "每年定期组织分析" sets no count) or the period is in days or weeks
  (daily and weekly rules of conduct count only with a written count: "每天下班需关闭空调" gives none).
- An event named by its period ("年度考核", "年终目标考核", "进行年度述职") is held once per period;
  annual plans, lists and budgets (年度计划, 年度清单, 年度重点工作) are no events and give none.
  These and the once-per-period readings above are marked ``inferred``.
- The action is the action wording nearest the count, in the clause that has the count only;
  a clause with a count but no action wording gives a requirement with no action.

Look-alikes give nothing because they carry no period: 定期, 不定期, 适时, 经常性, 可临时召开,
《安全与健康》月刊 (a period needs 每), dates such as 2022年1月底前.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from kgtool.read.wordings import load

SENTENCE_ENDS = "。！？!?\n"
CLAUSE = re.compile(r"[^，,；;：:。！？!?\n]+")
NUMBER = r"\d+|[零〇一二两三四五六七八九十]+"
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True, slots=True)
class Frequency:
    """At least ``minimum`` occurrences per ``period``, as written in ``text[start:end]`` (``wording``).

    ``inferred`` is true where the count is not written but implied: once per period
    ("每半年通报", "年度考核").
    """

    period: str  # ISO 8601 duration: P1M, P2M, P3M, P6M, P1Y, P2Y, P3Y, P1W …
    minimum: int
    action: str | None  # a dutytype concept id: meeting, hear_report, inspection …
    wording: str
    start: int
    end: int
    inferred: bool = False


def times_per_year(period: str, occurrences: int | Decimal = 1) -> Decimal | None:
    """Times per year that ``occurrences`` per ``period`` (an ISO 8601 duration) come to.

    >>> times_per_year("P3M", 1), times_per_year("P6M"), times_per_year("P1Y", 2), times_per_year("P1M")
    (Decimal('4'), Decimal('2'), Decimal('2'), Decimal('12'))
    >>> times_per_year("P3Y").quantize(Decimal("0.0001")), times_per_year("P1W"), times_per_year("nonsense")
    (Decimal('0.3333'), Decimal('52'), None)
    """
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", period.strip())
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    if years or months:
        if weeks or days:
            return None  # mixed calendar and day spans: no exact yearly rate
        return Decimal(12) / Decimal(years * 12 + months) * Decimal(occurrences)
    if weeks and not days:
        return Decimal(52) / Decimal(weeks) * Decimal(occurrences)
    return Decimal(365) / Decimal(weeks * 7 + days) * Decimal(occurrences)


def frequencies(text: str) -> list[Frequency]:
    """Every frequency requirement in ``text``, in text order.

    >>> [(f.period, f.minimum, f.action) for f in frequencies("每季度至少1次系统听取安全生产工作情况汇报")]
    [('P3M', 1, 'hear_report')]
    >>> [(f.period, f.minimum, f.action, f.wording) for f in frequencies(
    ...     "每年召开会议听取安全生产工作汇报、研究解决安全生产重大问题不少于1次；召开研究、部署安全生产工作专题会议不少于2次。")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('P1Y', 1, 'meeting', '每年召开会议听取安全生产工作汇报、研究解决安全生产重大问题不少于1次'),
     ('P1Y', 2, 'meeting', '召开研究、部署安全生产工作专题会议不少于2次')]
    >>> [(f.period, f.minimum, f.action, f.inferred) for f in frequencies("每季度第一个月前5日内向县安委办报告")]
    [('P3M', 1, 'reporting', True)]
    >>> frequencies("定期召开会议；适时组织演练；每天下班需关闭空调；订阅《安全与健康》月刊；组织制定年度工作计划")
    []
    >>> f = frequencies("原则上每三年至少开展一次“全覆盖”巡查")[0]
    >>> f.period, f.action, times_per_year(f.period, f.minimum).quantize(Decimal("0.0001"))
    ('P3Y', 'inspection', Decimal('0.3333'))
    """
    found: list[Frequency] = []
    inherited: str | None = None  # the period of the sentence so far
    for m in CLAUSE.finditer(text):
        start, end = _strip(text, m.start(), m.end())
        marker = _clause_marker().match(text, start, end)
        start = _strip(text, marker.end(), end)[0] if marker else start
        if start < end:
            clause_found, period = _clause(text, start, end, inherited)
            found.extend(clause_found)
            inherited = period or inherited
        if m.end() >= len(text) or text[m.end()] in SENTENCE_ENDS:
            inherited = None
    return found


# --- one clause --------------------------------------------------------------------------------


def _clause(text: str, start: int, end: int, inherited: str | None) -> tuple[list[Frequency], str | None]:
    """The requirements of text[start:end], and the last period it names (for the clauses after it)."""
    clause = text[start:end]
    periods = _periods(clause)
    counts, limited = _counts(clause)
    found = []
    for k, (c_start, c_end, n, suffix) in enumerate(counts):
        period = suffix or _period_for(periods, c_start, c_end) or inherited
        if period is None:
            continue
        lo = counts[k - 1][1] if k else 0  # a clause with two counts: each has its own action
        hi = counts[k + 1][0] if k + 1 < len(counts) else len(clause)
        found.append(Frequency(period, n, _action(clause, c_start, c_end, lo, hi), clause, start, end))
    if not counts and not limited:
        implied = _once_per_period(clause, periods) or _event(clause)
        if implied:
            period, action = implied
            found.append(Frequency(period, 1, action, clause, start, end, inferred=True))
    last = max(periods, key=lambda p: p[0])[2] if periods else None
    return found, last


def _period_for(periods: list[tuple[int, int, str]], c_start: int, c_end: int) -> str | None:
    """The period a count at [c_start, c_end) takes from its own clause: the nearest before it, else after."""
    before = [p for p in periods if p[1] <= c_start]
    if before:
        return max(before, key=lambda p: p[1])[2]
    after = [p for p in periods if p[0] >= c_end]
    return min(after, key=lambda p: p[0])[2] if after else None


def _once_per_period(clause: str, periods: list[tuple[int, int, str]]) -> tuple[str, str] | None:
    """(period, action) where a period governs an action with no count: "每半年通报" is once a half year."""
    r = rules()
    if not periods or any(w in clause for w in r["vague_words"]):
        return None
    for _, p_end, period in periods:
        if period[-1] in r["explicit_count_units"]:
            continue
        after = [a for a in _actions(clause) if a[0] >= p_end]
        if after:
            return period, min(after, key=lambda a: (a[0], a[3]))[2]
    return None


def _event(clause: str) -> tuple[str, str | None] | None:
    """(period, action) of an event named by its period: "年度考核", "年终目标考核", "年度述职"."""
    r = rules()
    pattern = _event_pattern()
    for m in pattern.finditer(clause):
        if m.start() and any(clause[: m.start()].endswith(w) for w in r["event_adjective_not_after"]):
            continue
        gap = m.group("gap")
        if any(w in gap for w in r["event_gap_stoppers"]):
            continue
        if any(clause[m.end() :].startswith(w) for w in r["event_not_followed_by"]):
            continue
        noun_start = m.start("noun")
        actions = [a for a in _actions(clause) if a[0] <= noun_start < a[1]]
        return r["event_adjectives"][m.group("adj")], (actions[0][2] if actions else None)
    return None


def _action(clause: str, c_start: int, c_end: int, lo: int, hi: int) -> str | None:
    """The action wording nearest the count at [c_start, c_end), within clause[lo:hi]."""
    best = None
    for a_start, a_end, action, rank in _actions(clause):
        if a_start < lo or a_end > hi:
            continue
        distance = max(a_start - c_end, c_start - a_end, 0)
        if best is None or (distance, rank) < best[:2]:
            best = (distance, rank, action)
    return best[2] if best else None


def _actions(clause: str) -> list[tuple[int, int, str, int]]:
    """(start, end, action, rank) of every action wording, without those inside a longer wording of
    another action (听取…汇报 is hear_report, not reporting too). rank: the action's place in the rules."""
    hits = [
        (m.start(), m.end(), action, rank) for rank, (action, pattern) in enumerate(_action_patterns()) for m in pattern.finditer(clause)
    ]
    return [h for h in hits if not any(o[2] != h[2] and o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0] for o in hits)]


# --- periods and counts --------------------------------------------------------------------------


def _periods(clause: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO 8601 duration) of every period wording in a clause, in order."""
    r = rules()
    prefixed, bare = _period_patterns()
    found = []
    for m in prefixed.finditer(clause):
        n = _number(m.group("n")) if m.group("n") else 1
        if n:
            found.append((m.start(), m.end(), _times(r["period_units"][m.group("unit")], n)))
    for m in bare.finditer(clause):
        if not any(clause[m.end() :].startswith(w) for w in r["bare_period_not_before"]):
            found.append((m.start(), m.end(), r["bare_periods"][m.group(0)]))
    return sorted(found)


def _counts(clause: str) -> tuple[list[tuple[int, int, int, str | None]], bool]:
    """(start, end, number, period written after it) of every count in a clause, and whether the
    clause sets a limit or counts events instead ("不超过2次", "发生两次")."""
    r = rules()
    pattern, not_preceded, not_followed = _count_patterns()
    counts, limited = [], False
    for m in pattern.finditer(clause):
        n_start = m.start("n")
        if n_start and not m.group("min") and not_preceded.fullmatch(clause[n_start - 1]):
            continue
        if m.end("ci") < len(clause) and not_followed.fullmatch(clause[m.end("ci")]):
            continue
        n = _number(m.group("n"))
        if not n:
            continue
        if any(clause[: m.start()].rstrip().endswith(w) for w in r["not_a_minimum"]):
            limited = True
            continue
        suffix = r["count_period_suffixes"][m.group("suffix")] if m.group("suffix") else None
        counts.append((m.start(), m.end(), n, suffix))
    return counts, limited


def _number(s: str) -> int | None:
    """An Arabic or Chinese number below 100; two adjacent Chinese digits ("一两次", "两三次") are a
    range, of which the first is the minimum.

    >>> [_number(s) for s in ("2", "一", "两", "十", "十二", "二十", "一两", "两三", "三五")]
    [2, 1, 2, 10, 12, 20, 1, 2, None]
    """
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, units = s.partition("十")
        if len(tens) > 1 or len(units) > 1 or (tens and tens not in DIGITS) or (units and units not in DIGITS):
            return None
        return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[units] if units else 0)
    values = [DIGITS[c] for c in s]
    if len(values) == 1:
        return values[0]
    if len(values) == 2 and values[1] == values[0] + 1:
        return values[0]
    return None


def _times(duration: str, n: int) -> str:
    """An ISO 8601 duration of one unit, times n: ("P1M", 2) -> P2M, ("P3M", 4) -> P1Y.

    >>> _times("P1M", 2), _times("P3M", 2), _times("P6M", 2), _times("P1Y", 3), _times("P1W", 2)
    ('P2M', 'P6M', 'P1Y', 'P3Y', 'P2W')
    """
    m = re.fullmatch(r"P(\d+)([YMWD])", duration)
    if not m:
        raise ValueError(f"rules/frequencies.yaml: period {duration!r} is not a one-unit ISO 8601 duration")
    value, unit = int(m.group(1)) * n, m.group(2)
    if unit == "M" and value % 12 == 0:
        return f"P{value // 12}Y"
    return f"P{value}{unit}"


# --- rules ---------------------------------------------------------------------------------------


def rules() -> dict:
    """The frequency wordings (rules/frequencies.yaml)."""
    return load("frequencies")


def _alternation(words) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


@lru_cache(maxsize=1)
def _period_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    r = rules()
    prefixed = re.compile(
        rf"(?:{_alternation(r['period_prefixes'])})(?P<n>{NUMBER})?个?"
        rf"(?P<unit>{_alternation(r['period_units'])})"
    )
    bare = re.compile(rf"(?<![\d{''.join(DIGITS)}十])(?:{_alternation(r['bare_periods'])})")
    return prefixed, bare


@lru_cache(maxsize=1)
def _count_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    r = rules()
    count = re.compile(
        rf"(?P<min>{_alternation(r['minimum_words'])})?\s*(?<!\d)(?P<n>{NUMBER})\s*(?P<ci>次)"
        rf"(?:以上)?(?P<suffix>{_alternation(r['count_period_suffixes'])})?"
    )
    return count, re.compile(r["count_not_preceded_by"]), re.compile(r["count_not_followed_by"])


@lru_cache(maxsize=1)
def _event_pattern() -> re.Pattern[str]:
    r = rules()
    return re.compile(
        rf"(?P<adj>{_alternation(r['event_adjectives'])})"
        rf"(?P<gap>[^，,；;：:。！？!?\n]{{0,{int(r['event_gap'])}}}?)"
        rf"(?P<noun>{_alternation(r['event_nouns'])})"
    )


@lru_cache(maxsize=1)
def _clause_marker() -> re.Pattern[str]:
    return re.compile(rules()["clause_marker"])


@lru_cache(maxsize=1)
def _action_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((action, re.compile("|".join(f"(?:{w})" for w in wordings))) for action, wordings in rules()["actions"].items())


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
