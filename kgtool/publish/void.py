"""The dataset described for machines in W3C VoID and DCAT, made from the store and a file of facts.

What can be counted comes from the store, so the description cannot disagree with it: the
triples of each named graph (one per document, the places, the ontology) and of the whole, the
namespaces the predicates and classes come from, and each document's own title and IRI as the
graph states them. What no store can tell (the title of the whole, its licence, its publisher,
names for graphs that are no document) are facts written by people in ``data/dataset/about.ttl``:
not under ontology/ (loaded as the ontology graph) and not a ``data/*.ttl`` (each is loaded as a
document's graph), so nothing about the dataset is ever loaded into it.

`kgtool build` writes the description to ``data/dataset/void.ttl`` (`write_description`:
Turtle, the same bytes for the same data) and ``build --check`` reports it stale.
``dcterms:modified`` is the day a build last changed the description; a rebuild that changes
nothing keeps the day, so the file stays byte-identical. The web app takes the description of
the store it serves (`served`) and adds what only it knows (`with_access`): its own absolute URLs
for the SPARQL endpoint and the dumps, and the dumps' sizes and SHA-256 checksums.

A subset's IRI is its named graph's IRI: ``GRAPH <subset> { … }`` asks that subset alone.
The whole's ``void:triples`` is the store's count over the union of its graphs, which counts a
triple stated in two graphs twice, as the N-Quads dump holds it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic, to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

from kgtool import vocab
from kgtool.atomic import write_atomic
from kgtool.errors import SourceError
from kgtool.publish.dumps import Dump
from kgtool.store import EmbeddedStore, Store, load_files
from kgtool.store.persist import open_persistent, store_is_current

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
#: Media types as IRIs, as DCAT-AP names them.
IANA = Namespace("http://www.iana.org/assignments/media-types/")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")

#: The facts written by people, and the description the build writes, under the project folder.
ABOUT = Path("data", "dataset", "about.ttl")
DESCRIPTION = Path("data", "dataset", "void.ttl")
#: Seconds each of the description's queries may take: fixed queries of ours over the whole
#: graph (a count per graph takes seconds at a million triples), not a visitor's input.
TIMEOUT_S = 600.0
MAX_ROWS = 10_000_000
HEADER = (
    b"# The dataset's VoID + DCAT description, written by `kgtool build` from the store and\n"
    b"# data/dataset/about.ttl: edit that file, not this one. Served at /.well-known/void.\n"
)

_PREFIXES = (
    "PREFIX wsa: <https://w3id.org/wsa/ontology#>\nPREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
#: What a graph is read from: the documents and ontologies it states, with their titles.
_SOURCES = (
    _PREFIXES
    + """SELECT ?g ?source ?title WHERE {
  GRAPH ?g { VALUES ?kind { wsa:PolicyDocument owl:Ontology } ?source a ?kind
             OPTIONAL { ?source dcterms:title|rdfs:label ?title } }
}"""
)
_TERMS = "SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } }"
#: What rdflib's Turtle parser raises on a bad file (BadSyntax is a SyntaxError; some input gives IndexError).
_UNREADABLE = (SyntaxError, ValueError, LookupError, OSError)
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Subset:
    """One named graph as the store holds it."""

    graph: URIRef
    triples: int
    sources: tuple[URIRef, ...]  # the documents (or ontologies) it is read from
    titles: tuple[Literal, ...]  # its first source's title, one per language


def subsets(store: Store) -> list[Subset]:
    """Every named graph with its triple count and what it says it is read from, by graph IRI."""
    counts = {URIRef(g): int(n) for g, n in _rows(store, _COUNTS)}
    sources: dict[URIRef, dict[URIRef, dict[str, str]]] = defaultdict(dict)
    for g, source, title in _rows(store, _SOURCES):
        titles = sources[URIRef(g)].setdefault(URIRef(source), {})
        if isinstance(title, Literal):
            lang = title.language or ""
            if lang not in titles or str(title) < titles[lang]:  # one per language, the same every time
                titles[lang] = str(title)
    out = []
    for graph in sorted(counts):
        named = sources.get(graph, {})
        first = min(named, default=None)
        written = tuple(Literal(text, lang=lang or None) for lang, text in sorted(named[first].items())) if first else ()
        out.append(Subset(graph, counts[graph], tuple(sorted(named)), written))
    return out


def vocabularies(store: Store) -> list[URIRef]:
    """The namespaces of every predicate and class the store uses, as void:vocabulary names them."""
    return sorted({URIRef(namespace_of(str(term))) for (term,) in _rows(store, _TERMS) if isinstance(term, URIRef)})


def namespace_of(iri: str) -> str:
    """An IRI's namespace: up to its last '#', else its last '/'.

    >>> namespace_of("http://www.w3.org/ns/org#Post"), namespace_of("http://purl.org/dc/terms/title")
    ('http://www.w3.org/ns/org#', 'http://purl.org/dc/terms/')
    """
    cut = iri.rfind("#") if "#" in iri else iri.rfind("/")
    return iri[: cut + 1]


def uri_space() -> str:
    """The IRI prefix every name kgtool mints begins with (ontology, data, concepts, graphs).

    >>> uri_space()
    'https://w3id.org/wsa/'
    """
    space = str(vocab.ID)
    while not all(str(ns).startswith(space) for ns in (vocab.WSA, vocab.CONCEPT, vocab.GRAPH, vocab.DATASET)):
        space = space[: space.rstrip("/").rfind("/") + 1]
    return space


def _rows(store: Store, sparql: str) -> tuple:
    return store.query(sparql, timeout=TIMEOUT_S, max_rows=MAX_ROWS).rows


def about(root: Path) -> Graph:
    """The facts people wrote about the dataset (empty when the project has none).

    Raises:
        SourceError: the file is there but is not Turtle.
    """
    path = Path(root) / ABOUT
    graph = Graph()
    if path.exists():
        try:
            graph.parse(path, format="turtle")
        except _UNREADABLE as exc:
            raise SourceError(
                f"not valid Turtle: {_why(exc)}", where=str(path), hint="it holds the dataset's title, licence and publisher"
            ) from None
    return graph


def _why(exc: Exception) -> str:
    """rdflib's complaint on one line (its BadSyntax message quotes the input over several)."""
    why, line = getattr(exc, "_why", None), getattr(exc, "lines", None)
    if why:
        return f"line {line + 1}: {why}" if isinstance(line, int) else str(why)
    return " ".join(str(exc).split())[:300]


def describe(store: Store, facts: Graph, *, modified: date | None = None) -> Graph:
    """The description of the store's dataset: ``facts`` and what the store counts.

    The facts' blank nodes get names made from what they say (`to_canonical_graph`), so one
    that Turtle cannot write inline is still written the same way every time.
    """
    graph = _bound(Graph())
    for triple in to_canonical_graph(facts):
        graph.add(triple)
    dataset = vocab.DATASET
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.set((dataset, VOID.uriSpace, Literal(uri_space())))
    if modified is not None:
        graph.set((dataset, DCTERMS.modified, Literal(modified)))
    for namespace in vocabularies(store):
        graph.add((dataset, VOID.vocabulary, namespace))
    parts = subsets(store)
    graph.set((dataset, VOID.triples, Literal(sum(p.triples for p in parts))))
    for part in parts:
        graph.add((dataset, VOID.subset, part.graph))
        graph.add((part.graph, RDF.type, VOID.Dataset))
        graph.set((part.graph, VOID.triples, Literal(part.triples)))
        for source in part.sources:
            graph.add((part.graph, DCTERMS.source, source))
        if (part.graph, DCTERMS.title, None) not in facts:  # people's name for it comes first
            for title in part.titles:
                graph.add((part.graph, DCTERMS.title, title))
    return graph


def _bound(graph: Graph) -> Graph:
    for prefix, namespace in {
        "void": VOID,
        "dcat": DCAT,
        "dcterms": DCTERMS,
        "foaf": FOAF,
        "spdx": SPDX,
        "rdfs": RDFS,
        "xsd": XSD,
        "graph": vocab.GRAPH,
        "id": vocab.ID,
    }.items():
        graph.bind(prefix, namespace, override=True)
    return graph


def turtle(graph: Graph) -> bytes:
    """The description as Turtle: rdflib's serializer sorts subjects, predicates and objects, so the
    same statements give the same bytes."""
    return HEADER + graph.serialize(format="turtle", encoding="utf-8")


def files_store(root: Path, *, keep: bool = True) -> Store:
    """ontology/ and data/ as a store: the on-disk store when it is current, else in memory. It
    writes nothing but the summaries that were stale (`kgtool.store.summaries`), and not those
    either without ``keep`` (then always in memory: telling the on-disk store current may remake them)."""
    if keep and store_is_current(root):
        opened = open_persistent(root)
        if opened is not None:
            return opened
    store = EmbeddedStore()
    load_files(store, root, keep_summaries=keep)
    return store


def built(root: Path) -> Graph | None:
    """The description the last build wrote, or None if there is none (or it cannot be read)."""
    path = Path(root) / DESCRIPTION
    if not path.exists():
        return None
    try:
        return Graph().parse(path, format="turtle")
    except _UNREADABLE:  # a damaged file is stale, nothing more: the next build rewrites it
        return None


def _modified(graph: Graph | None) -> date | None:
    value = graph.value(vocab.DATASET, DCTERMS.modified) if graph is not None else None
    return value.toPython() if isinstance(value, Literal) and isinstance(value.toPython(), date) else None


def write_description(root: Path, store: Store, *, check: bool = False, today: date | None = None) -> Path | None:
    """Write data/dataset/void.ttl from ``store`` (with check, write nothing) if it would change.

    Returns:
        The description's path if it changed (or, with check, would change), else None.
    """
    path = Path(root) / DESCRIPTION
    old = path.read_bytes() if path.exists() else None
    facts = about(root)
    kept = describe(store, facts, modified=_modified(built(root)))
    if turtle(kept) == old:
        return None
    if not check:
        kept.set((vocab.DATASET, DCTERMS.modified, Literal(today or date.today())))
        write_atomic(path, turtle(kept))
    return path


def served(store: Store, root: Path) -> Graph:
    """The description of the store a server serves: the built one when it still tells the truth.

    When the store holds what the last build described, that description (and its day of
    modification) is served; when not (data changed without a build, or another endpoint), the
    store's own counts are served, with no day of modification, and a warning is logged.
    """
    last = built(root)
    graph = describe(store, about(root), modified=_modified(last))
    if last is None or not isomorphic(graph, last):
        log.warning("%s does not describe the store served: run `kgtool build`; serving the store's own counts", DESCRIPTION)
        graph.remove((vocab.DATASET, DCTERMS.modified, None))
    return graph


def with_access(description: Graph, *, endpoint: str, landing_page: str, dumps_page: str, dumps: Sequence[tuple[Dump, str]]) -> Graph:
    """A copy of the description with a server's access to it: its SPARQL endpoint and dumps.

    Args:
        endpoint: the absolute URL of the SPARQL 1.1 Protocol endpoint.
        landing_page: the dataset's page for people; dumps_page: the page listing the dumps.
        dumps: each dump with the absolute URL it is downloaded from.
    """
    graph = _bound(Graph())
    for triple in description:
        graph.add(triple)
    dataset = vocab.DATASET
    licence = description.value(dataset, DCTERMS.license)
    service = URIRef(endpoint)
    graph.add((dataset, VOID.sparqlEndpoint, service))
    graph.add((dataset, DCAT.landingPage, URIRef(landing_page)))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    for dump, url in dumps:
        download = URIRef(url)
        distribution = URIRef(f"{dumps_page}#{dump.name}")
        graph.add((dataset, VOID.dataDump, download))
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(f"{dump.name} ({dump.format.title})", lang="en")))
        graph.add((distribution, DCAT.downloadURL, download))
        graph.add((distribution, DCAT.accessURL, URIRef(dumps_page)))
        graph.add((distribution, DCAT.mediaType, IANA[dump.format.media_type]))
        if dump.compressed:
            graph.add((distribution, DCAT.compressFormat, IANA["application/gzip"]))
        graph.add((distribution, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        graph.add((distribution, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
        if licence is not None:
            graph.add((distribution, DCTERMS.license, licence))
    return graph
