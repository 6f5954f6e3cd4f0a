"""Files -> a pyoxigraph store: each file into its named graph, each document's summary after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from kgtool.store.files import graph_files, reading
from kgtool.store.summaries import summary_data


def _count(store: ox.Store, graph: URIRef) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)  # a SELECT answers with solutions
    return int(next(iter(solutions))[0].value)


def load_files(store: Any, root: Path, *, keep_summaries: bool = True) -> dict[URIRef, int]:
    """Load ontology/*.ttl and data/*.ttl under ``root`` into their named graphs, and each
    document's summary (data/summaries/<stem>.nt, `kgtool.store.summaries`) into its graph after it.

    Each target graph is emptied first, so loading twice gives the same store. A missing or stale
    summary is made again first, and written back unless ``keep_summaries`` is false (a check
    that must write nothing). Returns the number of triples in each graph loaded.
    """
    target = getattr(store, "ox", store)  # an EmbeddedStore, or a pyoxigraph store itself
    if not isinstance(target, ox.Store):
        raise TypeError(f"load_files needs an EmbeddedStore or a pyoxigraph.Store, not {type(store).__name__}")
    files = graph_files(root)
    summaries = summary_data(root, keep=keep_summaries)
    counts: dict[URIRef, int] = {}
    for graph, paths in files.items():
        node = ox.NamedNode(str(graph))
        target.clear_graph(node)
        for path in paths:
            with reading(path):
                target.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=node)
        if graph in summaries:
            target.load(summaries[graph], format=ox.RdfFormat.N_TRIPLES, to_graph=node)
        counts[graph] = _count(target, graph)
    return counts
