"""A duty's types from what it asks to be done: the predicates of its clauses (召开…会议,
带队检查, 听取…汇报, 向…报告, 组织…演练 …), not every duty word anywhere in it.

Four steps, with the wordings in data:

1. Mask what names rather than acts (rules/duty_types.yaml and the lexicon's post, level,
   principle and body-class wordings): bodies (应急管理、公安…等部门, 宣传部), titles 《…》,
   quoted principles and lists, adverbials (按照…原则, 从…等方面), listed items after the first,
   what is acted on (对…进行, 把…纳入), conditions and standards (发现…, 做到…), what is inspected
   (是否落实…), cross-references (详见附表) and the holder at the start of a sentence. Offsets
   into the text hold; a masked run counts as one character inside a pattern's gap.
2. Match the predicate patterns of ontology/lexicon.ttl (dutytype labels tagged @zh-x-pred, "…"
   a short gap inside one clause). Where matches share characters the one with more matched
   characters wins.
3. Rank by where the evidence sits. The text falls into segments (clauses, and a second predicate
   joined by 并); each segment's first predicate is its action and what follows is its object
   (组织开展安全生产督查、暗查暗访等工作 is inspection), except that a "mode" (督促, 指导, 统筹…工作)
   gives way to the type it governs (督促企业制定应急预案 is emergency). Across segments the
   actions are coordinated, but a later one that is a follow-up of an earlier action of its
   sentence is dropped (组织安全生产大检查，发现安全隐患及时组织落实整改措施 is an inspection), unless
   a coordinator joins it (组织检查并督促整改 is two). Weak evidence (赶赴现场, 研究部署) counts
   only when no action is found.
4. `other` stays only when nothing specific is found (抓好分管工作的安全生产工作); a text with
   no pattern at all is `other` too, unless it is a cross-reference, which is no duty: [].

>>> from kgtool.read.lexicon import project_lexicon
>>> lex = project_lexicon()
>>> duty_types("每季度至少1次系统听取安全生产工作情况汇报", lex)
[TypeDecision(concept='hear_report', evidence='听取…汇报', start=9, end=21)]
>>> [d.concept for d in duty_types("应急管理、公安等部门主要负责人每半年至少带队检查1次安全生产工作", lex)]
['inspection']
>>> duty_types("职责详见附表", lex)
[]
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from kgtool.read.lexicon import Lexicon
from kgtool.read.wordings import load
from kgtool.vocab import local_name

WILDCARD = "…"
#: What a masked character becomes: no pattern's word contains it.
FILL = "\x00"
CJK = re.compile(r"[\u4e00-\u9fff]")
Anchors = list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class TypeDecision:
    """One type of a duty: the concept id (a dutytype), the words that decided it ("召开…会议",
    anchors joined by the wildcard) and where they stand in the text (first word's start, last
    word's end)."""

    concept: str
    evidence: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    concept: str
    label: str
    words: tuple[str, ...]  # a text without all of them cannot match: no need to run the regex


def rules() -> dict:
    """The masks and settings (rules/duty_types.yaml)."""
    return load("duty_types")


def compile_pattern(label: str, gap: int, punctuation: str) -> re.Pattern[str]:
    """A wildcard pattern as a regex with one group per word: "…" is at most `gap` characters
    that are not clause punctuation.

    >>> compile_pattern("召开…会议", 20, "，。").search("每季度召开1次安全生产会议").groups()
    ('召开', '会议')
    >>> compile_pattern("召开…会议", 20, "，。").search("召开，会议") is None
    True
    """
    between = f"[^{re.escape(punctuation)}]{{0,{gap}}}?"
    return re.compile(between.join(f"({re.escape(w)})" for w in label.split(WILDCARD) if w))


class _Compiled:
    """The lexicon's patterns and the rules' masks, made once per lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        r = rules()
        gap, self.punctuation = int(r["gap"]), r["clause_punctuation"]
        self.patterns = [
            _Pattern(compile_pattern(label, gap, self.punctuation), local_name(iri), label, tuple(w for w in label.split(WILDCARD) if w))
            for label, iris in sorted(lexicon.pattern_labels("dutytype").items())
            for iri in iris
        ]
        self.by_char: dict[str, list[int]] = {}  # a pattern's first character -> the patterns' places
        for k, p in enumerate(self.patterns):
            self.by_char.setdefault(p.words[0][0], []).append(k)
        self.cross_references = [re.compile(x) for x in r["cross_references"]]
        masks = r["masks"]
        self.masks = [re.compile(x) for k, x in masks.items() if k != "not_predicates"]
        self.masks += [compile_pattern(x, gap, self.punctuation) for x in masks.get("not_predicates", [])]
        self.schemes = {s: set(keep or ()) for s, keep in r["mask_schemes"].items()}
        self.class_min = int(r["class_label_min_length"])
        self.catch_all: str | None = r.get("catch_all")
        self.modes = set(r.get("modes") or ())
        self.yield_not_to = set(r.get("yield_not_to") or ())
        self.weak = set(r.get("weak") or ())
        self.sentence_punctuation: str = r["sentence_punctuation"]
        self.follow_ups = {k: set(v) for k, v in (r.get("follow_ups") or {}).items()}
        self.coordinators = re.compile(r["coordinators"]) if r.get("coordinators") else None


_compiled: weakref.WeakKeyDictionary[Lexicon, _Compiled] = weakref.WeakKeyDictionary()


def _for(lexicon: Lexicon) -> _Compiled:
    if lexicon not in _compiled:
        _compiled[lexicon] = _Compiled(lexicon)
    return _compiled[lexicon]


def masked(text: str, lexicon: Lexicon) -> tuple[str, bool]:
    """The text with names, titles, principles, cross-references and the sentence's holder
    blanked (clause punctuation kept), and whether it has a cross-reference.

    >>> from kgtool.read.lexicon import project_lexicon
    >>> lex = project_lexicon()
    >>> m, _ = masked("协调纪检监察机关和组织、宣传、政法等单位支持保障安全生产工作", lex)
    >>> m.replace(FILL, "_")
    '协调________________单位支持保障安全生产工作'
    """
    c = _for(lexicon)
    hidden = bytearray(len(text))

    def hide(start: int, end: int) -> None:
        hidden[start:end] = b"\x01" * (end - start)

    crossref = False
    for regex in c.cross_references:
        for m in regex.finditer(text):
            crossref = True
            hide(m.start(), m.end())
    for regex in c.masks:
        for m in regex.finditer(text):
            hide(m.start(), m.end())
    for scheme, keep in c.schemes.items():
        for word in lexicon.find(text, scheme):
            if not keep & {local_name(i) for i in word.iris}:
                hide(word.start, word.end)
    for word in lexicon.find(text, "class"):
        if word.end - word.start >= c.class_min:
            hide(word.start, word.end)
    out = "".join(FILL if h and ch not in c.punctuation else ch for ch, h in zip(text, hidden))
    return out, crossref


def squeeze(blank: str) -> tuple[str, list[int]]:
    """The masked text with each run of masked characters made one, and each kept character's
    index in the masked text.

    >>> squeeze("召开" + FILL * 3 + "会议")
    ('召开\\x00会议', [0, 1, 2, 5, 6])
    """
    runs = list(re.finditer(f"{FILL}+|[^{FILL}]+", blank))
    short = "".join(FILL if m.group().startswith(FILL) else m.group() for m in runs)
    index = [i for m in runs for i in ((m.start(),) if m.group().startswith(FILL) else range(m.start(), m.end()))]
    return short, index


@dataclass(frozen=True, slots=True)
class _Segments:
    """Where the text's segments and sentences stand: each character's segment and sentence
    number, and the segments that a coordinator opens (组织检查|并督促整改)."""

    of: list[int]
    sentence: list[int]
    coordinated: frozenset[int]


def _segments(text: str, c: _Compiled) -> _Segments:
    """The segments of a (masked) text: they end at clause punctuation and at a coordinator that
    starts a second predicate; sentences end at sentence punctuation.

    >>> from kgtool.read.lexicon import project_lexicon
    >>> seg = _segments("组织检查，发现隐患及时整改。督促检查并报告", _for(project_lexicon()))
    >>> seg.of
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]
    >>> seg.sentence[5], seg.sentence[14], sorted(seg.coordinated)
    (0, 1, [3])
    """
    starts = {m.start() for m in c.coordinators.finditer(text)} if c.coordinators else set()
    of, sentence, coordinated = [], [], set()
    n = k = 0
    for i, ch in enumerate(text):
        if i in starts:
            n += bool(i) and text[i - 1] not in c.punctuation  # "，并…" is already a new segment
            coordinated.add(n)
        of.append(n)
        sentence.append(k)
        n += ch in c.punctuation
        k += ch in c.sentence_punctuation
    return _Segments(of, sentence, frozenset(coordinated))


def duty_types(text: str, lexicon: Lexicon) -> list[TypeDecision]:
    """The types of one duty, decided on its predicates after masking (see the module's doc),
    in the order their evidence appears; [] for a cross-reference or a text with nothing left.

    >>> from kgtool.read.lexicon import project_lexicon
    >>> lex = project_lexicon()
    >>> [(d.concept, d.evidence) for d in duty_types("组织制定生产安全事故应急预案并定期开展演练", lex)]
    [('emergency', '预案')]
    >>> [(d.concept, d.evidence) for d in duty_types("督促企业制定应急预案，督促企业落实安全生产责任制", lex)]
    [('emergency', '预案'), ('responsibility_system', '落实…安全生产责任')]
    >>> [d.concept for d in duty_types("组织安全生产大检查，发现安全隐患及时组织落实整改措施", lex)]
    ['inspection']
    >>> [d.concept for d in duty_types("按照“谁主管，谁负责”的原则，抓好分管工作的安全生产工作", lex)]
    ['other']
    """
    c = _for(lexicon)
    blank, crossref = masked(text, lexicon)
    seg = _segments(blank, c)
    kept = sorted(_resolve(_matches(blank, c), len(text), c), key=lambda f: f[0][0][0])

    def tier(p: _Pattern) -> int:
        """0 for an action, 1 for weak evidence (赶赴现场, 研究部署), 2 for a catch-all."""
        return 2 if p.concept == c.catch_all else int(p.label in c.weak)

    heads: dict[int, tuple[Anchors, _Pattern]] = {}  # segment -> its predicate
    for anchors, p in kept:
        here = seg.of[anchors[0][0]]
        if p.label in c.modes and any(
            q.concept not in (p.concept, *c.yield_not_to) and b[0][0] >= anchors[0][1] and seg.of[b[0][0]] == here for b, q in kept
        ):
            continue  # 督促企业制定应急预案: the plan is the duty, 督促 how it is done
        if here not in heads or tier(p) < tier(heads[here][1]):
            heads[here] = (anchors, p)  # what follows in the segment is the predicate's object
    best = min((tier(p) for _, p in heads.values()), default=None)
    decided: dict[str, TypeDecision] = {}
    before: dict[int, set[str]] = {}  # sentence -> the types of its predicates so far
    for here, (anchors, p) in sorted(heads.items()):
        if tier(p) != best:
            continue
        earlier = before.setdefault(seg.sentence[anchors[0][0]], set())
        coordinated = here in seg.coordinated and here - 1 in heads  # 组织检查并督促整改, not 研究并汇报
        follow_up = not coordinated and any(p.concept in c.follow_ups.get(k, ()) for k in earlier)
        earlier.add(p.concept)
        if follow_up or p.concept in decided:
            continue  # 组织检查，发现隐患及时整改: the rectification is the inspection's follow-up
        words = WILDCARD.join(text[s:e] for s, e in anchors)
        decided[p.concept] = TypeDecision(p.concept, words, anchors[0][0], anchors[-1][1])
    if decided:
        return list(decided.values())
    if crossref or not CJK.search(blank) or not c.catch_all:
        return []
    stripped = text.strip()
    start = text.find(stripped) if stripped else 0
    return [TypeDecision(c.catch_all, stripped, start, start + len(stripped))]


def _matches(blank: str, c: _Compiled) -> list[tuple[Anchors, _Pattern]]:
    """Every match of every pattern in the masked text: its words' (start, end) in the text."""
    short, index = squeeze(blank)
    found = []
    for k in sorted({k for ch in set(short) for k in c.by_char.get(ch, ())}):
        p = c.patterns[k]
        if not all(w in short for w in p.words):
            continue
        for m in p.regex.finditer(short):
            found.append(([(index[m.start(g)], index[m.end(g) - 1] + 1) for g in range(1, p.regex.groups + 1)], p))
    return found


def _resolve(found: list[tuple[Anchors, _Pattern]], size: int, c: _Compiled) -> list[tuple[Anchors, _Pattern]]:
    """The matches that keep their words: more matched characters first, then the earlier and
    the wider match; modes and catch-alls give way to what they overlap (组织研究制定安全生产工作目标
    is planning, not 组织研究…工作; 履行安全生产监管职责 is supervision before it is 履行…职责)."""

    def rank(f: tuple[Anchors, _Pattern]) -> tuple:
        anchors, p = f
        return (
            p.concept == c.catch_all,
            p.label in c.modes,
            -sum(e - s for s, e in anchors),
            anchors[0][0],
            -(anchors[-1][1] - anchors[0][0]),
            p.label,
        )

    taken = bytearray(size)
    kept = []
    for anchors, p in sorted(found, key=rank):
        if not any(1 in taken[s:e] for s, e in anchors):
            for s, e in anchors:
                taken[s:e] = b"\x01" * (e - s)
            kept.append((anchors, p))
    return kept
