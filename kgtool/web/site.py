"""What the web app holds for its whole life: the store, the query runner, caches.

One `Site` per app (``app.extensions["kgtool"]``): the embedded store is opened once, not
per request; labels and the gap report are computed once and reused.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import current_app
from rdflib.term import Identifier

from kgtool.query import check
from kgtool.query.answers import answer
from kgtool.query.paging import Page, ask_page
from kgtool.store import PARSE_LOCK, EmbeddedStore, Result, Store, open_store
from kgtool.web.cache import ResponseCache

#: Every parse the web app makes (`checked`) goes through kgtool.store.PARSE_LOCK (rdflib's
#: parser is not thread-safe); page queries are parsed once (cached).

#: Parsed once at app start, single-threaded, so each of pyparsing's parse actions has run
#: before requests (and pySHACL in the report thread) parse in parallel.
_GRAMMAR_TOUR = (
    "SELECT DISTINCT ?s (COUNT(DISTINCT ?o) AS ?n) (GROUP_CONCAT(?l; separator=', ') AS ?g) WHERE {"
    " { ?s a wsa:Post ; rdfs:label|skos:prefLabel ?l . } UNION { ?s org:postIn/^org:postIn* ?o }"
    " OPTIONAL { ?s wsa:hasDuty ?d . ?d wsa:text ?t"
    " FILTER(CONTAINS(LCASE(STR(?t)), 'x') && LANGMATCHES(LANG(?t), 'zh')) }"
    " MINUS { ?s a wsa:Duty } FILTER NOT EXISTS { ?s wsa:x ?y } BIND(COALESCE(?t, 'a') AS ?b)"
    ' VALUES (?v ?w) { (1 2.5) (UNDEF "z"@zh) } GRAPH ?gr { ?s ?p [ a ?c ] }'
    " { SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 } SERVICE <urn:x> { ?a ?b ?c } }"
    " GROUP BY ?s HAVING (COUNT(?o) > 0) ORDER BY DESC(?n) ?s LIMIT 10 OFFSET 1",
    "ASK { ?s ?p ?o FILTER(?o IN (1, 2) && REGEX(STR(?s), '^h', 'i') && isIRI(?s) && BOUND(?p)) }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o != <urn:x>) }",
    "DESCRIBE ?x WHERE { VALUES ?x { <urn:x> } }",
    'SELECT * FROM <urn:g> FROM NAMED <urn:h> WHERE { ?s ?p """x"""^^xsd:string }',
)


@functools.lru_cache(maxsize=512)
def _checked_cached(sparql: str) -> str:
    with PARSE_LOCK:
        return check(sparql)


def checked(sparql: str, *, cache: bool = False) -> str:
    """`kgtool.query.check` under the parse lock (cached for the app's own fixed queries)."""
    if cache:
        return _checked_cached(sparql)
    with PARSE_LOCK:
        return check(sparql)


def warm_parser() -> None:
    """Run the SPARQL parser over a tour of its grammar once (see _GRAMMAR_TOUR)."""
    for sparql in _GRAMMAR_TOUR:
        with contextlib.suppress(Exception):  # refusals (SERVICE, FROM) are expected; the parse ran
            checked(sparql)


#: Label-like properties, best first; duty and provision texts stand in when nothing else does.
LABEL_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://xmlns.com/foaf/0.1/name",
    "http://purl.org/dc/terms/title",
    "https://w3id.org/wsa/ontology#heading",
    "https://w3id.org/wsa/ontology#text",
)
_LABEL_QUERY = """
SELECT ?x ?p ?l WHERE {
  VALUES ?p { skos:prefLabel rdfs:label foaf:name dcterms:title wsa:heading wsa:text }
  ?x ?p ?l . FILTER(isIRI(?x) && isLITERAL(?l))
}"""
#: Longest label kept (duty texts are long; links show the beginning).
LABEL_CHARS = 48


@dataclass
class Site:
    """The app's store, limits and caches."""

    root: Path
    endpoint: str | None
    store: Store
    timeout: float
    max_rows: int
    runner: Any = None
    _labels: dict[str, dict[str, str]] | None = None
    texts: dict[Any, str] = field(default_factory=dict)  # document -> normalised text
    body_types: set[Any] = field(default_factory=set)  # wsa:Body and its subclasses
    responses: ResponseCache = field(default_factory=lambda: ResponseCache(0, 0))  # finished pages
    _report: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _report_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def embedded(self) -> bool:
        return isinstance(self.store, EmbeddedStore)

    def query(
        self, sparql: str, bindings: dict[str, Identifier] | None = None, *, max_rows: int | None = None, summary: bool = False
    ) -> Result:
        """A page's own query (fixed text, terms bound), in-process, read-only, within the app's limits.

        The same as `kgtool.query.run_query`, with the parse made thread-safe and cached.
        ``summary`` marks a fixed query over the whole graph (the home page's counts): at a
        million triples it runs longer than a visitor's time limit, so it gets
        `SUMMARY_TIMEOUT_S`, is computed while the server warms up, and its answer is kept
        in the on-disk store (`kgtool.query.answers`) for later starts.
        """
        checked(sparql, cache=True)
        rows = max_rows if max_rows is not None else self.max_rows
        if not summary:
            return self.store.query(sparql, bindings=bindings, timeout=self.timeout, max_rows=rows)
        return answer(
            self.store,
            sparql,
            bindings,
            rows,
            run=lambda: self.store.query(sparql, bindings=bindings, timeout=SUMMARY_TIMEOUT_S, max_rows=rows),
        )

    def page(self, sparql: str, bindings: dict[str, Identifier] | None, number: int, size: int) -> Page:
        """Page ``number`` of a page's own query, within the app's time and row limits: only its
        rows are turned into terms, the rest counted (`kgtool.query.paging`)."""
        checked(sparql, cache=True)
        return ask_page(self.store, sparql, number=number, size=min(size, self.max_rows), bindings=bindings, timeout=self.timeout)

    def labels(self) -> dict[str, dict[str, str]]:
        """Every IRI's labels by language (``{"zh": …, "en": …}``), best property first."""
        if self._labels is None:
            with self._lock:
                if self._labels is None:
                    self._labels = self._load_labels()
        return self._labels

    def _load_labels(self) -> dict[str, dict[str, str]]:
        rank = {p: i for i, p in enumerate(LABEL_PROPERTIES)}
        best: dict[str, dict[str, tuple[int, str]]] = {}
        for x, p, value, language in self._label_rows():
            lang = ((language or "").split("-")[0]).lower()
            text = " ".join(value.split())
            if len(text) > LABEL_CHARS:
                text = text[: LABEL_CHARS - 1] + "…"
            slot = best.setdefault(x, {})
            r = rank.get(p, 99)
            if lang not in slot or r < slot[lang][0]:
                slot[lang] = (r, text)
        return {iri: {lang: text for lang, (_, text) in langs.items()} for iri, langs in best.items()}

    def _label_rows(self) -> Iterator[tuple[str, str, str, str | None]]:
        """(IRI, property, text, language) of every label-like statement about an IRI.

        The embedded store is read index by index, without SPARQL and rdflib terms: at a
        million triples that takes a second where the query took half a minute.
        """
        if isinstance(self.store, EmbeddedStore):
            for prop in LABEL_PROPERTIES:
                for quad in self.store.ox.quads_for_pattern(None, ox.NamedNode(prop), None, None):
                    if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                        yield quad.subject.value, prop, quad.object.value, quad.object.language
            return
        result = self.store.query(_LABEL_QUERY, timeout=self.timeout, max_rows=2_000_000)
        for x, p, label in result.rows:
            yield str(x), str(p), str(label), getattr(label, "language", None)

    def report(self, compute):
        """The gap report, computed once per app by ``compute()`` (it takes seconds)."""
        if self._report is None:
            with self._report_lock:
                if self._report is None:
                    self._report = compute()
        return self._report

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()
        self.store.close()


#: Seconds a summary query (`Site.query`) may run: fixed queries of ours, not visitors' input.
SUMMARY_TIMEOUT_S = 600.0


def open_site(config: dict) -> Site:
    """Open the store and the runner the config names."""
    root = Path(config["ROOT"])
    endpoint = config.get("ENDPOINT")
    store = open_store(endpoint=endpoint, root=root, warm=True)
    site = Site(
        root=root,
        endpoint=getattr(store, "endpoint", None),
        store=store,
        timeout=float(config["QUERY_TIMEOUT_S"]),
        max_rows=int(config["MAX_ROWS"]),
    )
    if isinstance(store, EmbeddedStore):  # loaded once, never written while serving: pages stay true
        site.responses = ResponseCache(int(config.get("RESPONSE_CACHE_ENTRIES", 0)), int(config.get("RESPONSE_CACHE_BYTES", 0)))
    warm_parser()
    workers = int(config.get("SPARQL_WORKERS", 0))
    if isinstance(store, EmbeddedStore) and workers > 0:
        from kgtool.web.runner import QueryRunner

        site.runner = QueryRunner(root, workers=workers)
    return site


def site() -> Site:
    """The current app's Site."""
    return current_app.extensions["kgtool"]


def responses() -> ResponseCache:
    """The current app's cache of finished pages (for `kgtool.web.cache.cached`)."""
    return site().responses
