"""The W3C SPARQL 1.1 Service Description of /sparql: what it answers in, its limits, its dataset.

A client that GETs the endpoint without a query learns from it what it may ask (SPARQL 1.1
Query only: no update, no SERVICE), in which result formats, within which limits, over which
graphs. The same facts (`ServiceFacts`) give the RDF (`description_graph`, in the
vocabulary of http://www.w3.org/ns/sparql-service-description#) and the summary on the
editor page, so the two cannot disagree. The limits are properties of our ontology
(``wsa:queryTimeout``, ``wsa:maxResultRows``, ``wsa:maxRequestBytes`` in ontology/wsa.ttl):
the Service Description vocabulary has none.

The triple counts (``void:triples``) come from two fixed aggregate queries, asked once per
app and kept with the on-disk store's answers (`kgtool.web.site.Site.query` with
``summary``); if the engine cannot answer them in time the description leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from kgtool.errors import KgtoolError
from kgtool.render import GRAPH_FORMATS, RESULT_FORMATS
from kgtool.render import graph as serialize_graph
from kgtool.vocab import WSA
from kgtool.web.site import site

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

#: Our result format names (kgtool.render) -> W3C "Unique URIs for File Formats".
RESULT_FORMAT_IRIS = {
    "json": FORMATS.SPARQL_Results_JSON,
    "xml": FORMATS.SPARQL_Results_XML,
    "csv": FORMATS.SPARQL_Results_CSV,
    "tsv": FORMATS.SPARQL_Results_TSV,
}
GRAPH_FORMAT_IRIS = {
    "turtle": FORMATS.Turtle,
    "nt": FORMATS["N-Triples"],
    "json-ld": FORMATS["JSON-LD"],
    "xml": FORMATS.RDF_XML,
}
#: The syntaxes the description itself is served in (``?format=`` name -> media type).
DESCRIPTION_FORMATS = {
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
    "nt": "application/n-triples",
}

_TRIPLES_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
#: Distinct: Oxigraph's union default graph gives a triple once per graph that holds it.
_TRIPLES_IN_UNION = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
_CACHE_KEY = "kgtool.service_counts"


@dataclass(frozen=True, slots=True)
class Format:
    """A format the endpoint answers in: our name, its media type, its W3C format IRI."""

    name: str
    media_type: str
    iri: URIRef


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    """What the description says, as plain data for the RDF and for the editor page."""

    endpoint: str
    result_formats: tuple[Format, ...]  # SELECT and ASK
    graph_formats: tuple[Format, ...]  # CONSTRUCT and DESCRIBE
    query_timeout_s: float
    max_rows: int
    max_body_bytes: int
    graphs: tuple[tuple[str, int | None], ...]  # named graph IRI, triples (None: not counted)
    default_triples: int | None


def served_formats(names: Iterable[str], kind: str) -> tuple[Format, ...]:
    """The formats among ``names`` (format names the endpoint maps requests to), with their IRIs.

    Raises:
        KeyError: for a served format that has no W3C format IRI here, so a new format cannot be
            served without being described.

    >>> [f.media_type for f in served_formats(["csv", "json"], "select")]
    ['application/sparql-results+json', 'text/csv']
    """
    iris = GRAPH_FORMAT_IRIS if kind == "graph" else RESULT_FORMAT_IRIS
    media = (
        GRAPH_FORMATS
        if kind == "graph"
        else {**RESULT_FORMATS, "json": "application/sparql-results+json", "xml": "application/sparql-results+xml"}
    )
    wanted = set(names) - {"html"}  # HTML pages are for people; no W3C format IRI names them
    return tuple(Format(name, media[name], iris[name]) for name in sorted(wanted, key=list(iris).index))


def _counts() -> tuple[dict[str, int], int | None]:
    """Triples per named graph and in the default graph, once per app (empty if the engine fails)."""
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is None:
        s = site()
        try:
            per_graph = {str(g): int(str(n)) for g, n in s.query(_TRIPLES_PER_GRAPH, summary=True).rows}
            union = int(str(s.query(_TRIPLES_IN_UNION, summary=True).rows[0][0]))
        except (KgtoolError, IndexError, TypeError, ValueError):  # counts are extras: describe without them
            per_graph, union = {}, None
        cached = current_app.extensions[_CACHE_KEY] = (per_graph, union)
    return cached


def service_facts(endpoint: str, result_names: Iterable[str], graph_names: Iterable[str]) -> ServiceFacts:
    """The facts of this app's endpoint at the absolute URL ``endpoint``.

    ``result_names`` and ``graph_names`` are the format names the endpoint's request mapping
    leads to (`kgtool.web.sparql.RESULT_NAMES`, `GRAPH_NAMES` values), so what is described is
    what is served.
    """
    s = site()
    per_graph, union = _counts()
    graphs = tuple((str(g), per_graph.get(str(g))) for g in s.store.graphs())
    return ServiceFacts(
        endpoint=endpoint,
        result_formats=served_formats(result_names, "select"),
        graph_formats=served_formats(graph_names, "graph"),
        query_timeout_s=float(s.timeout),
        max_rows=int(s.max_rows),
        max_body_bytes=int(current_app.config["MAX_CONTENT_LENGTH"]),
        graphs=graphs,
        default_triples=union,
    )


def description_graph(facts: ServiceFacts) -> Graph:
    """The facts as an sd:Service (a blank node, as the Service Description examples have it)."""
    g = Graph()
    for prefix, ns in (("sd", SD), ("formats", FORMATS), ("void", VOID), ("ent", ENTAILMENT)):
        g.bind(prefix, ns)
    service = BNode("service")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(facts.endpoint)))
    g.add((service, RDFS.label, Literal("安全生产责任知识图谱 SPARQL 端点（只读）", lang="zh")))
    g.add((service, RDFS.label, Literal("Work-safety accountability graph: read-only SPARQL endpoint", lang="en")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in facts.result_formats + facts.graph_formats:
        g.add((service, SD.resultFormat, fmt.iri))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    g.add((service, WSA.queryTimeout, Literal(str(facts.query_timeout_s), datatype=XSD.decimal)))
    g.add((service, WSA.maxResultRows, Literal(facts.max_rows, datatype=XSD.nonNegativeInteger)))
    g.add((service, WSA.maxRequestBytes, Literal(facts.max_body_bytes, datatype=XSD.nonNegativeInteger)))
    dataset, default = BNode("dataset"), BNode("default")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    if facts.default_triples is not None:
        g.add((default, VOID.triples, Literal(facts.default_triples)))
    for i, (name, triples) in enumerate(facts.graphs):
        named, content = BNode(f"named{i}"), BNode(f"graph{i}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, content))
        g.add((content, RDF.type, SD.Graph))
        if triples is not None:
            g.add((content, VOID.triples, Literal(triples)))
    return g


def serialize(facts: ServiceFacts, fmt: str) -> str:
    """The description in one of `DESCRIPTION_FORMATS`."""
    return serialize_graph(description_graph(facts), fmt)
