"""Files -> named graphs: which Turtle file goes to which graph, loading and reading them.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from kgtool import vocab
from kgtool.errors import SourceError


def graph_files(root: Path) -> dict[URIRef, list[Path]]:
    """Which Turtle files go to which named graph, in load order."""
    root = Path(root)
    if not (root / "ontology").is_dir() and not (root / "data").is_dir():
        raise SourceError(f"no ontology/ or data/ folder under {root}", where=str(root),
                          hint="point KGTOOL_HOME (or --root) at the project folder")
    out: dict[URIRef, list[Path]] = {}
    ontology = sorted((root / "ontology").glob("*.ttl"))
    if ontology:
        out[URIRef(vocab.ONTOLOGY_GRAPH)] = ontology
    for path in sorted((root / "data").glob("*.ttl")):
        graph = URIRef(vocab.iri_for("graph", path.stem))
        if graph in out:
            raise SourceError(f"data file {path.name} would share the named graph {graph}",
                              where=str(path), hint="rename the file")
        try:
            ox.NamedNode(str(graph))
        except ValueError as exc:
            raise SourceError(f"file name {path.name!r} does not make a valid graph IRI: {exc}",
                              where=str(path), hint="use letters, digits, '-' and '_' in data file names") from exc
        out[graph] = [path]
    return out


def _count(store: ox.Store, graph: URIRef) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)  # a SELECT answers with solutions
    return int(next(iter(solutions))[0].value)


def load_files(store: Any, root: Path) -> dict[URIRef, int]:
    """Load ontology/*.ttl and data/*.ttl under ``root`` into their named graphs.

    Each target graph is emptied first, so loading twice gives the same store. Returns the
    number of triples in each graph loaded.
    """
    target = getattr(store, "ox", store)  # an EmbeddedStore, or a pyoxigraph store itself
    if not isinstance(target, ox.Store):
        raise TypeError(f"load_files needs an EmbeddedStore or a pyoxigraph.Store, not {type(store).__name__}")
    counts: dict[URIRef, int] = {}
    for graph, paths in graph_files(root).items():
        node = ox.NamedNode(str(graph))
        target.clear_graph(node)
        for path in paths:
            with reading(path):
                target.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=node)
        counts[graph] = _count(target, graph)
    return counts


@contextlib.contextmanager
def reading(path: Path, hint: str = "fix the file; nothing else was changed") -> Iterator[None]:
    """Turn pyoxigraph's errors while reading one Turtle file into a SourceError naming it."""
    try:
        yield
    except SyntaxError as exc:
        raise SourceError(f"Turtle syntax error: {exc.msg if hasattr(exc, 'msg') else exc}",
                          where=str(path), hint=hint) from exc
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot load: {exc}", where=str(path)) from exc


def parse_turtle(path: Path, hint: str = "fix the file; nothing else was changed") -> list[ox.Triple]:
    """The triples of one Turtle file as written (a store would put literals in canonical form)."""
    with reading(path, hint):
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))

