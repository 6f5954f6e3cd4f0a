"""Ontology labels -> matchers: the wordings live in ontology/, not here.

Every skos:prefLabel, skos:altLabel and skos:hiddenLabel in Chinese of a concept (grouped
by its scheme) or of an OWL class becomes a pattern; the longest wording wins where
several overlap, so "分管安全生产工作的负责人" is a safety deputy, not a 负责人.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kgtool.vocab import CONCEPT, WSA

LABELS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
#: Schemes matched ignoring list punctuation, since 谁主管、谁负责 = 谁主管，谁负责 = 谁主管谁负责.
LOOSE_SCHEMES = {"principle"}
LOOSE_CHARS = "、，,；; \t\n·“”\"'"
#: The language tag of predicate patterns ("召开…会议"): read by pattern_labels(), never by find().
PATTERN_LANG = "zh-x-pred"


@dataclass(frozen=True, slots=True)
class Match:
    """A wording found in a text: which concepts it names and where it stands."""

    iris: tuple[URIRef, ...]
    start: int
    end: int
    surface: str


def squeeze(text: str, drop: str) -> tuple[str, list[int]]:
    """Text without the characters in `drop`, and each kept character's old index.

    >>> squeeze("谁主管、谁负责", "、")
    ('谁主管谁负责', [0, 1, 2, 4, 5, 6])
    """
    if not drop:
        return text, list(range(len(text)))
    runs = list(re.finditer(f"[^{re.escape(drop)}]+", text))
    return "".join(m.group() for m in runs), [i for m in runs for i in range(m.start(), m.end())]


class Lexicon:
    """Matchers for each concept scheme and for body classes, built from ontology labels."""

    def __init__(self, graph: Graph):
        by_scheme: dict[str, dict[str, set[URIRef]]] = defaultdict(lambda: defaultdict(set))
        self.pref: dict[Node, dict[str, str]] = defaultdict(dict)  # keyed by any labelled subject
        by_pattern: dict[str, dict[str, set[URIRef]]] = defaultdict(lambda: defaultdict(set))
        for prop in LABELS:
            for subject, label in graph.subject_objects(prop):
                if isinstance(subject, URIRef) and getattr(label, "language", None) == PATTERN_LANG:
                    if (scheme := self._scheme(graph, subject)) is not None:
                        by_pattern[scheme][str(label)].add(subject)
                    continue
                if not isinstance(subject, URIRef) or getattr(label, "language", None) not in ("zh", None):
                    continue
                scheme = self._scheme(graph, subject)
                if scheme is None:
                    continue
                text = str(label)
                if scheme in LOOSE_SCHEMES:
                    text = squeeze(text, LOOSE_CHARS)[0]
                by_scheme[scheme][text].add(subject)
        for prop in (SKOS.prefLabel, RDFS.label):
            for subject, label in graph.subject_objects(prop):
                lang = getattr(label, "language", None)
                if lang and lang not in self.pref[subject]:
                    self.pref[subject][lang] = str(label)
        self._labels = {s: {k: tuple(sorted(v)) for k, v in d.items()} for s, d in by_scheme.items()}
        self._pattern_labels = {s: {k: tuple(sorted(v)) for k, v in d.items()} for s, d in by_pattern.items()}
        self._head_roles = {c: r for c, r in graph.subject_objects(WSA.headRole) if isinstance(r, URIRef)}
        self._supers = {c: sup for c, sup in graph.subject_objects(RDFS.subClassOf) if isinstance(sup, URIRef)}
        self._broader: dict[URIRef, set[URIRef]] = defaultdict(set)  # skos:broader, and skos:narrower read back
        for narrow, broad in graph.subject_objects(SKOS.broader):
            if isinstance(narrow, URIRef) and isinstance(broad, URIRef):
                self._broader[narrow].add(broad)
        for broad, narrow in graph.subject_objects(SKOS.narrower):
            if isinstance(narrow, URIRef) and isinstance(broad, URIRef):
                self._broader[narrow].add(broad)
        self._patterns = {
            s: re.compile("|".join(re.escape(k) for k in sorted(d, key=lambda x: (-len(x), x)))) for s, d in self._labels.items()
        }

    @staticmethod
    def _scheme(graph: Graph, subject: URIRef) -> str | None:
        if str(subject).startswith(str(CONCEPT)):
            return str(subject)[len(str(CONCEPT)) :].split("/", 1)[0]
        if (subject, RDF.type, OWL.Class) in graph:
            return "class"
        return None

    @classmethod
    def load(cls, ontology_dir: Path) -> Lexicon:
        """Read every ontology/*.ttl; the lexicon needs the labels, not the axioms."""
        graph = Graph()
        for path in sorted(ontology_dir.glob("*.ttl")):
            graph.parse(path, format="turtle")
        return cls(graph)

    def schemes(self) -> list[str]:
        return sorted(self._labels)

    def find(self, text: str, scheme: str) -> list[Match]:
        """All non-overlapping wordings of a scheme in text, longest first at each position."""
        pattern = self._patterns.get(scheme)
        if pattern is None:
            return []
        labels = self._labels[scheme]
        if scheme in LOOSE_SCHEMES:
            loose, index = squeeze(text, LOOSE_CHARS)
            return [
                Match(labels[m.group(0)], index[m.start()], index[m.end() - 1] + 1, text[index[m.start()] : index[m.end() - 1] + 1])
                for m in pattern.finditer(loose)
            ]
        return [Match(labels[m.group(0)], m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]

    def pattern_labels(self, scheme: str) -> dict[str, tuple[URIRef, ...]]:
        """A scheme's predicate patterns (labels tagged @zh-x-pred) and the concepts each names;
        "…" in a pattern is a wildcard that kgtool/read/duty_types.py interprets.

        >>> lex = project_lexicon()
        >>> [str(c).rsplit("/", 1)[-1] for c in lex.pattern_labels("dutytype")["召开…会"]]
        ['meeting']
        """
        return dict(self._pattern_labels.get(scheme, {}))

    def suffix_class(self, name: str) -> URIRef | None:
        """The body class whose longest label ends the name: 经济运行科 -> wsa:Department."""
        name = re.sub(r"[（(][^（()）]*[)）]$", "", name.strip())
        best = None
        for label, iris in self._labels.get("class", {}).items():
            if name.endswith(label) and (best is None or len(label) > len(best[0])):
                best = (label, iris)
        return best[1][0] if best else None

    def head_role(self, cls: Node | None) -> URIRef | None:
        """The role of the principal head of a body of this class (wsa:headRole), up the class tree."""
        seen = set()
        while cls is not None and cls not in seen:
            seen.add(cls)
            if cls in self._head_roles:
                return self._head_roles[cls]
            cls = self._supers.get(cls)
        return None

    def broader_closure(self, iri: URIRef) -> frozenset[URIRef]:
        """The concept and every concept above it (SPARQL's skos:broader*), from the ontology's
        skos:broader and skos:narrower.

        >>> from kgtool.vocab import concept
        >>> lex = project_lexicon()
        >>> concept("sanction", "accountability") in lex.broader_closure(concept("sanction", "admonition"))
        True
        """
        seen: set[URIRef] = set()
        todo = [iri]
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(self._broader.get(c, ()))
        return frozenset(seen)

    def class_labels(self) -> list[str]:
        """Every body-class wording."""
        return list(self._labels.get("class", {}))

    def is_class_label(self, text: str) -> bool:
        """Whether text is exactly a body-class wording (a generic word such as 部门)."""
        return text in self._labels.get("class", {})

    def label(self, iri: URIRef, lang: str = "zh") -> str:
        """The preferred label of a term, or its IRI's last segment."""
        return self.pref.get(iri, {}).get(lang) or str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@lru_cache(maxsize=1)
def project_lexicon() -> Lexicon:
    """The lexicon of this checkout's ontology/, loaded once: for doctests and examples."""
    return Lexicon.load(Path(__file__).resolve().parents[2] / "ontology")
