"""The ontology's terms as the documentation page names, anchors, labels and links them.

Shared by the completion of pyLODE's page (`kgtool.publish.ontology_page`) and the sections it
adds (`kgtool.publish.ontology_sections`); everything is built with dominate's elements, which
escape text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from dominate.tags import a, li, p, span, ul
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kgtool.vocab import PREFIXES, WSA

#: The kinds of term that get an anchor of their own.
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property, SKOS.ConceptScheme, SKOS.Concept)
#: Languages shown first, in this order; others follow by tag.
LANGS = ("zh", "en")
#: dominate's flag to render an element on its parent's line (no whitespace around it, which a link would underline).
INLINE = {"__inline": True}
_RESTRICTIONS = (
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.hasValue, "value"),
    (OWL.minCardinality, "min"),
    (OWL.maxCardinality, "max"),
    (OWL.cardinality, "exactly"),
    (OWL.minQualifiedCardinality, "min"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.qualifiedCardinality, "exactly"),
)
_CARDINALITIES = {
    OWL.minCardinality,
    OWL.maxCardinality,
    OWL.cardinality,
    OWL.minQualifiedCardinality,
    OWL.maxQualifiedCardinality,
    OWL.qualifiedCardinality,
}


# --- names and anchors ---------------------------------------------------------------------------
def prefixes(graph: Graph) -> dict[str, str]:
    """Prefix -> namespace: the project's (`kgtool.vocab.PREFIXES`) and the ones the files declare."""
    found = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
    return {**found, **PREFIXES}


def curie(iri: URIRef, names: dict[str, str]) -> str:
    """``org:Post`` for an IRI under a known namespace (the longest), else the IRI itself."""
    text = str(iri)
    best = max(
        ((prefix, ns) for prefix, ns in names.items() if text.startswith(ns) and len(text) > len(ns)),
        key=lambda pair: len(pair[1]),
        default=None,
    )
    if best is None or "/" in text[len(best[1]) :] or "#" in text[len(best[1]) :]:
        return text
    return f"{best[0]}:{text[len(best[1]) :]}"


def term_ids(graph: Graph) -> dict[URIRef, str]:
    """Every documented term's fragment id on the page.

    A ``wsa:`` term's id is its local name, so that its IRI, opened on the page, lands on it;
    a concept scheme's is ``scheme-`` and its last segment; any other term's is its prefixed
    name (``org:Post``, ``role:party_secretary``), which no local name can be.
    """
    names = prefixes(graph)
    terms = sorted({s for kind in TERM_TYPES for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)})
    ids: dict[URIRef, str] = {}
    for iri in terms:
        text = str(iri)
        if text.startswith(str(WSA)) and len(text) > len(str(WSA)):
            ids[iri] = text[len(str(WSA)) :]
        elif (iri, RDF.type, SKOS.ConceptScheme) in graph:
            ids[iri] = "scheme-" + text.rstrip("/").rsplit("/", 1)[-1]
        else:
            name = curie(iri, names)
            ids[iri] = name if name != text else "iri-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    return ids


# --- languages ---------------------------------------------------------------------------------
def lang_key(literal: Literal) -> tuple:
    """Chinese, then English, then other tags, then untagged; then by text."""
    tag = literal.language or ""
    base = tag.split("-")[0].lower()
    rank = LANGS.index(base) if base in LANGS else len(LANGS) + (0 if tag else 1)
    return rank, tag, str(literal)


def html_lang(literal: Literal) -> dict[str, str]:
    """The ``lang`` attribute of a literal's element (``zh`` is Simplified Chinese here, as in the site)."""
    tag = literal.language
    if not tag:
        return {}
    return {"lang": "zh-Hans" if tag.lower() == "zh" else tag}


def in_languages(literals: Iterable[Literal]) -> list:
    """One span per language, Chinese first, with a quiet separator between them."""
    parts: list = []
    for literal in sorted(set(literals), key=lang_key):
        if parts:
            parts.append(span("/", _class="lang-sep", **INLINE))
        parts.append(span(str(literal), **html_lang(literal), **INLINE))
    return parts


def labels(graph: Graph, iri) -> list[Literal]:
    return sorted((o for o in graph.objects(iri, RDFS.label | SKOS.prefLabel) if isinstance(o, Literal)), key=lang_key)


def comments(graph: Graph, iri) -> list[Literal]:
    return sorted((o for o in graph.objects(iri, RDFS.comment | SKOS.definition) if isinstance(o, Literal)), key=lang_key)


def literal_values(literals: Sequence[Literal]):
    """Literals as pyLODE lays them out (one paragraph, or a list), language-tagged and in order."""
    ordered = sorted(literals, key=lang_key)
    if len(ordered) == 1:
        return p(str(ordered[0]), **html_lang(ordered[0]))
    return ul([li(p(str(literal), **html_lang(literal))) for literal in ordered])


# --- links and class expressions -----------------------------------------------------------------
class Linker:
    """Links to terms: to their anchor when the page documents them, else to the IRI."""

    def __init__(self, graph: Graph, ids: dict[URIRef, str]):
        self.graph, self.ids, self.names = graph, ids, prefixes(graph)

    def __call__(self, iri: URIRef, text: str | None = None):
        title = " / ".join(str(label) for label in labels(self.graph, iri)) or str(iri)
        href = "#" + self.ids[iri] if iri in self.ids else str(iri)
        return a(text or curie(iri, self.names), href=href, title=title)


def _keyword(word: str):
    return span(word, _class="cardinality")


def expression(graph: Graph, node, link: Callable, *, nested: bool = False):
    """A class expression in Manchester syntax (``wsa:Post or wsa:Body``, ``org:postIn only wsa:Body``)."""
    if isinstance(node, URIRef):
        return link(node)
    if isinstance(node, Literal):
        return span(str(node))
    inner = _bnode_expression(graph, node, link)
    return span("(", inner, ")") if nested else inner


def _joined(graph: Graph, items: Iterable, word: str, link: Callable):
    parts: list = []
    for item in items:
        if parts:
            parts.append(_keyword(word))
        parts.append(expression(graph, item, link, nested=True))
    return span(*parts)


def _bnode_expression(graph: Graph, node: BNode, link: Callable):
    for operator, word in ((OWL.unionOf, "or"), (OWL.intersectionOf, "and")):
        members = graph.value(node, operator)
        if members is not None:
            return _joined(graph, Collection(graph, members), word, link)
    complement = graph.value(node, OWL.complementOf)
    if complement is not None:
        return span(_keyword("not"), expression(graph, complement, link, nested=True))
    one_of = graph.value(node, OWL.oneOf)
    if one_of is not None:
        return span("{", _joined(graph, Collection(graph, one_of), ",", link), "}")
    prop = graph.value(node, OWL.onProperty)
    if prop is not None:
        for restriction, word in _RESTRICTIONS:
            value = graph.value(node, restriction)
            if value is None:
                continue
            if restriction in _CARDINALITIES:
                on_class = graph.value(node, OWL.onClass)
                filler = [expression(graph, on_class, link, nested=True)] if on_class is not None else []
                return span(expression(graph, prop, link), _keyword(word), span(str(value)), *filler)
            return span(expression(graph, prop, link), _keyword(word), expression(graph, value, link, nested=True))
    return span("an anonymous class", _class="cardinality")


def _plain(element) -> str:
    """An element's text, to sort rebuilt values the same way on every run."""
    return element.render(pretty=False) if hasattr(element, "render") else str(element)


def values_cell(graph: Graph, values: Sequence, link: Callable):
    """A table cell's content from its RDF values: literals by language, the rest in a stable order."""
    if all(isinstance(value, Literal) for value in values):
        return literal_values(values)
    rendered = sorted((expression(graph, value, link) for value in values), key=_plain)
    return rendered[0] if len(rendered) == 1 else ul([li(item) for item in rendered])
