"""A duty's types from what it says is to be done: the predicates of its clause (召开…会议,
带队检查, 听取…汇报, 向…报告, 制定…预案 …), not every duty word anywhere in it.

Two steps, with the wordings in data:

1. Mask what names rather than acts (rules/duty_types.yaml and the lexicon's post, level,
   principle and body-class wordings): bodies (应急管理、公安…等部门, 宣传部), titles 《…》,
   quoted principles, adverbials (按照…原则, 从…等方面), cross-references (详见附表) and the
   holder at the start of the sentence. Masked characters keep their places, so offsets hold.
2. Match the predicate patterns of ontology/lexicon.ttl (dutytype labels tagged @zh-x-pred, where
   "…" is a short gap inside one clause); where matches share characters the one with more matched
   characters wins. `other` stays only when nothing specific is found; a text with no pattern at
   all is `other` too, unless it is a cross-reference, which is no duty (an empty list).

>>> from pathlib import Path
>>> lex = Lexicon.load(Path(__file__).resolve().parents[2] / "ontology")
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
from functools import lru_cache
from pathlib import Path

import yaml

from kgtool.read.lexicon import Lexicon

RULES = Path(__file__).parent / "rules" / "duty_types.yaml"
WILDCARD = "…"
#: What a masked character becomes: no pattern's word contains it.
FILL = "\x00"
CJK = re.compile(r"[\u4e00-\u9fff]")


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


@lru_cache(maxsize=1)
def rules() -> dict:
    """The masks and settings, read once from rules/duty_types.yaml."""
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))


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
            _Pattern(compile_pattern(label, gap, self.punctuation), str(iri).rsplit("/", 1)[-1], label)
            for label, iris in sorted(lexicon.pattern_labels("dutytype").items()) for iri in iris
        ]
        self.cross_references = [re.compile(x) for x in r["cross_references"]]
        masks = r["masks"]
        self.masks = [re.compile(x) for k, x in masks.items() if k != "not_predicates"]
        self.masks += [compile_pattern(x, gap, self.punctuation) for x in masks.get("not_predicates", [])]
        self.schemes = {s: set(keep or ()) for s, keep in r["mask_schemes"].items()}
        self.class_min = int(r["class_label_min_length"])
        self.fallback = r.get("fallback")
        self.modes = set(r.get("modes") or ())
        self.yield_not_to = set(r.get("yield_not_to") or ())
        self.governed = {k: set(v) for k, v in (r.get("governed") or {}).items()}


_compiled: weakref.WeakKeyDictionary[Lexicon, _Compiled] = weakref.WeakKeyDictionary()


def _for(lexicon: Lexicon) -> _Compiled:
    if lexicon not in _compiled:
        _compiled[lexicon] = _Compiled(lexicon)
    return _compiled[lexicon]


def masked(text: str, lexicon: Lexicon) -> tuple[str, bool]:
    """The text with names, titles, principles, cross-references and the sentence's holder
    blanked (clause punctuation kept), and whether it has a cross-reference.

    >>> from pathlib import Path
    >>> lex = Lexicon.load(Path(__file__).resolve().parents[2] / "ontology")
    >>> m, _ = masked("协调纪检监察机关和组织、宣传、政法等单位支持保障安全生产工作", lex)
    >>> m.replace(FILL, "_")
    '协调____________________等单位支持保障安全生产工作'
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
        for m in lexicon.find(text, scheme):
            if not keep & {str(i).rsplit("/", 1)[-1] for i in m.iris}:
                hide(m.start, m.end)
    for m in lexicon.find(text, "class"):
        if m.end - m.start >= c.class_min:
            hide(m.start, m.end)
    out = "".join(FILL if h and ch not in c.punctuation else ch for ch, h in zip(text, hidden))
    return out, crossref


def _clauses(text: str, punctuation: str) -> list[int]:
    """Each character's clause number (clauses end at clause punctuation)."""
    out, n = [], 0
    for ch in text:
        out.append(n)
        n += ch in punctuation
    return out


def duty_types(text: str, lexicon: Lexicon) -> list[TypeDecision]:
    """The types of one duty, decided on its predicates after masking (see the module's doc),
    in the order their evidence appears; [] for a cross-reference or a text with nothing left.

    >>> from pathlib import Path
    >>> lex = Lexicon.load(Path(__file__).resolve().parents[2] / "ontology")
    >>> [(d.concept, d.evidence) for d in duty_types("组织制定生产安全事故应急预案并定期开展演练", lex)]
    [('emergency', '预案'), ('emergency', '演练')][:1]
    """
    c = _for(lexicon)
    blank, crossref = masked(text, lexicon)
    found = []  # (characters matched, span, start, anchors, pattern)
    for p in c.patterns:
        for m in p.regex.finditer(blank):
            anchors = [(m.start(g), m.end(g)) for g in range(1, (m.re.groups or 0) + 1)]
            found.append((sum(e - s for s, e in anchors), m.end() - m.start(), m.start(), anchors, p))
    taken = bytearray(len(text))
    kept: list[tuple[list[tuple[int, int]], _Pattern]] = []
    for _, _, _, anchors, p in sorted(found, key=lambda f: (-f[0], -f[1], f[2], f[4].label)):
        if not any(taken[s:e].count(1) for s, e in anchors):
            for s, e in anchors:
                taken[s:e] = b"\x01" * (e - s)
            kept.append((anchors, p))
    clause = _clauses(blank, c.punctuation)
    decided: dict[str, TypeDecision] = {}
    def after(b: list[tuple[int, int]], a: list[tuple[int, int]]) -> bool:
        """Whether match b starts after match a's first word, in the same clause."""
        return b[0][0] >= a[0][1] and clause[b[0][0]] == clause[a[0][0]]

    for anchors, p in kept:
        if p.label in c.modes and any(
                q.concept not in (p.concept, *c.yield_not_to) and after(b, anchors) for b, q in kept):
            continue  # 督促…制定预案: the plan is the duty
        if any(q.concept in c.governed.get(p.concept, ()) and after(anchors, b) for b, q in kept):
            continue  # 督促…贯彻落实: the supervision is the duty
        if p.concept not in decided:
            words = WILDCARD.join(text[s:e] for s, e in anchors)
            decided[p.concept] = TypeDecision(p.concept, words, anchors[0][0], anchors[-1][1])
    specific = [d for k, d in decided.items() if k != "other"]
    if specific:
        return sorted(specific, key=lambda d: (d.start, d.concept))
    if "other" in decided:
        return [decided["other"]]
    if crossref or not CJK.search(blank) or not c.fallback:
        return []
    stripped = text.strip()
    start = text.find(stripped) if stripped else 0
    return [TypeDecision(c.fallback, stripped, start, start + len(stripped))]
