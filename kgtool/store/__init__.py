"""The store stage: one query interface over two engines: embedded pyoxigraph, or any SPARQL 1.1 endpoint.

Everything above this module (saved queries, reports, the web app) calls `Store.query` and
gets a `Result` of rdflib terms; the same query over the same data gives an equal `Result`
from either engine. Embedded is the default (`open_store()` loads ontology/ and data/ into
memory); a remote endpoint is reached over the SPARQL 1.1 Protocol and filled with `push`
through the SPARQL 1.1 Graph Store HTTP Protocol.

Graph layout, the same in both engines:

- ``ontology/*.ttl`` -> named graph ``vocab.ONTOLOGY_GRAPH``
- ``data/<stem>.ttl`` -> named graph ``vocab.GRAPH[<stem>]``, and after it the document's summary
  ``data/summaries/<stem>.nt`` (`summaries`: what the library-wide counts add up)

Queries see the union of those graphs as their default graph, and only those as named graphs:
an engine's own system triples (Virtuoso keeps thousands in its default graph) never show.

Engine differences smoothed over here (see also shared/RECIPES.md):

- Literals are rdflib-normalised (``"12.0"^^xsd:decimal`` vs ``"12"``, ``1.0E0`` vs ``1``),
  ``xsd:string`` is a plain literal and language tags are lower-cased, as both engines do.
- Virtuoso 7.2 stores ``xsd:duration`` values as numbers and answers ``"1"^^xsd:duration``
  for ``P1M`` (months) and ``"86400.0"^^xsd:duration`` for ``P1D`` (seconds): read back as
  durations. Server-side ``STR(?duration)`` still gives the number there: compare durations
  by value (``?p = "P1M"^^xsd:duration``), never as strings.
- Virtuoso's DESCRIBE adds incoming triples; it is asked for the concise bounded description
  that Oxigraph gives.
- ``SELECT *`` lists variables in order of first appearance in the query text.
- Blank nodes in rows are relabelled ``b0``, ``b1`` … in order of appearance.

It takes the Turtle files that `kgtool build` wrote (ontology/ and data/) and gives `Result`s
to SPARQL. Modules, bottom up: `results` (`Result`, the `Store` protocol), `terms` (engine
terms as rdflib terms), `sparqltext` (prefixes, query form, VALUES for bindings), `files`
(files -> named graphs), `summaries` (each document's counts, made at build), `loading` (files
-> a pyoxigraph store), `embedded` (pyoxigraph), `textindex` (Chinese text search),
`persist` (the on-disk store data/.store/), `remote` (SPARQL 1.1 Protocol) and `push`
(Graph Store Protocol). `open_store`, here, chooses among them; import the public names
from `kgtool.store`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rdflib import URIRef

from kgtool.settings import project_root, setting
from kgtool.store.embedded import EmbeddedStore
from kgtool.store.files import graph_files, parse_turtle, reading
from kgtool.store.loading import load_files
from kgtool.store.persist import open_persistent
from kgtool.store.push import graph_store_url, push
from kgtool.store.remote import RemoteStore
from kgtool.store.results import DEFAULT_TIMEOUT, Result, Store
from kgtool.store.sparqltext import PARSE_LOCK

__all__ = [
    "DEFAULT_TIMEOUT",
    "PARSE_LOCK",
    "EmbeddedStore",
    "RemoteStore",
    "Result",
    "Store",
    "graph_files",
    "graph_store_url",
    "load_files",
    "open_store",
    "parse_turtle",
    "project_root",
    "push",
    "reading",
]


def open_store(
    *,
    endpoint: str | None = None,
    root: Path | None = None,
    timeout: float | None = None,
    auth: Any = None,
    graphs: Iterable[URIRef | str] | None = None,
    warm: bool = False,
    on_rebuild: Callable[[], None] | None = None,
) -> Store:
    """The store kgtool works on.

    ``endpoint`` None: $KGTOOL_ENDPOINT if set, else the embedded store of ``root`` (default
    `project_root`): its on-disk store if ``kgtool build --store`` made one (rebuilt first
    if ontology/ or data/ changed since; with ``warm``, copied into memory in the
    background, for long-running servers), else an in-memory `EmbeddedStore` loaded from
    the files. ``endpoint=""`` forces the embedded store. With an endpoint, a `RemoteStore`
    (``auth`` and ``graphs`` passed on); nothing is contacted until the first query.
    ``timeout`` (seconds per query unless a query says otherwise) defaults to the settings
    ``remote_timeout_s`` / ``query_timeout_s``. ``on_rebuild`` is called before an on-disk
    store is built again because the files changed.
    """

    if endpoint is None:
        endpoint = os.environ.get("KGTOOL_ENDPOINT") or None
    if endpoint:
        limit = timeout if timeout is not None else float(setting("remote_timeout_s"))
        return RemoteStore(endpoint, graphs=graphs, timeout=limit, auth=auth)
    limit = timeout if timeout is not None else float(setting("query_timeout_s"))
    folder = Path(root) if root is not None else project_root()
    persistent = open_persistent(folder, timeout=limit, warm=warm, on_rebuild=on_rebuild)
    if persistent is not None:
        return persistent
    store = EmbeddedStore(timeout=limit)
    load_files(store, folder)
    return store
