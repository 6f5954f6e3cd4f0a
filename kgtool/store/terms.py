"""Terms from the engines (pyoxigraph, SPARQL JSON results) as rdflib terms that compare equal."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Identifier

from kgtool import vocab
from kgtool.errors import QueryError
from kgtool.store.results import Result

_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = str(RDF.langString)
_XSD_DURATION = str(XSD.duration)


def _duration_from_number(lexical: str) -> str | None:
    """Virtuoso answers year-month durations as months and day-time ones as seconds.

    >>> _duration_from_number("12"), _duration_from_number("-1"), _duration_from_number("86400.0")
    ('P12M', '-P1M', 'PT86400S')
    """
    text = lexical.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        months = int(text)
        return f"{'-' if months < 0 else ''}P{abs(months)}M"
    try:
        seconds = Decimal(text)
    except InvalidOperation:
        return None
    if not seconds.is_finite():
        return None
    body = format(abs(seconds).normalize(), "f")
    return f"{'-' if seconds < 0 else ''}PT{body}S"


@functools.lru_cache(maxsize=1 << 16)  # rdflib's Literal() is slow; repeated values are common
def _literal(lexical: str, language: str | None = None, datatype: str | None = None) -> Literal:
    """The one way both engines' literals become rdflib terms, so they compare equal."""
    if language:
        return Literal(lexical, lang=language.lower())
    if datatype is None or datatype == _XSD_STRING:
        return Literal(lexical)
    if datatype == _RDF_LANGSTRING:  # a language string without its tag: keep the text
        return Literal(lexical)
    if datatype == _XSD_DURATION and not lexical.lstrip("+-").startswith("P"):
        lexical = _duration_from_number(lexical) or lexical
    return Literal(lexical, datatype=URIRef(datatype))


class BlankLabels:
    """Relabels an engine's blank nodes b0, b1 … in order of first appearance."""

    def __init__(self) -> None:
        self._labels: dict[str, BNode] = {}

    def __call__(self, engine_id: str) -> BNode:
        node = self._labels.get(engine_id)
        if node is None:
            node = self._labels[engine_id] = BNode(f"b{len(self._labels)}")
        return node


@functools.lru_cache(maxsize=1 << 16)  # rdflib checks every IRI it makes; results repeat the same ones
def _iri(value: str) -> URIRef:
    return URIRef(value)


def from_ox(term: Any, blanks: Callable[[str], BNode] | None = None) -> Identifier | None:
    """The rdflib term for a pyoxigraph one; None for None (an unbound cell)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return _iri(term.value)
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.language, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return blanks(term.value) if blanks else BNode(term.value)
    raise QueryError(f"unsupported RDF term in a result: {term!r}", hint="RDF-star triple terms are not supported")


def bound_from_ox(term: Any, blanks: Callable[[str], BNode] | None = None) -> Identifier:
    """The rdflib term for a pyoxigraph one that is always there, such as a triple's."""
    node = from_ox(term, blanks)
    if node is None:
        raise QueryError("a triple in a result lacks a term")
    return node


def to_ox(term: Identifier) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise QueryError(f"cannot use {term!r} as an RDF term")


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in vocab.PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def graph_result(triples: Iterable[Any], max_rows: int | None) -> Result:
    graph = _new_graph()
    truncated = False
    blanks: dict[str, BNode] = {}

    def blank(engine_id: str) -> BNode:
        return blanks.setdefault(engine_id, BNode())

    for taken, triple in enumerate(triples):
        if max_rows is not None and taken >= max_rows:
            truncated = True
            break
        graph.add((bound_from_ox(triple.subject, blank), bound_from_ox(triple.predicate, blank), bound_from_ox(triple.object, blank)))
    return Result(kind="graph", graph=graph, truncated=truncated)


def from_json(cell: Any, blanks: BlankLabels) -> Identifier | None:
    if cell is None:
        return None
    kind, value = cell["type"], cell["value"]
    if not isinstance(value, str):
        raise ValueError("value is not a string")
    if kind == "uri":
        return URIRef(value)
    if kind in ("literal", "typed-literal"):
        return _literal(value, cell.get("xml:lang") or cell.get("lang"), cell.get("datatype"))
    if kind == "bnode":
        return blanks(value)
    raise ValueError(f"unsupported term type {kind!r}")
