"""Files -> named graphs: which Turtle file goes to which graph, and reading them.

`kgtool.store.loading.load_files` loads them (with each document's summary,
`kgtool.store.summaries`); `ontology_store` and `beside` read one document's file on its own,
beside the ontology, as profiles and summaries are made.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from kgtool import vocab
from kgtool.errors import SourceError


def graph_files(root: Path) -> dict[URIRef, list[Path]]:
    """Which Turtle files go to which named graph, in load order."""
    root = Path(root)
    if not (root / "ontology").is_dir() and not (root / "data").is_dir():
        raise SourceError(
            f"no ontology/ or data/ folder under {root}", where=str(root), hint="point KGTOOL_HOME (or --root) at the project folder"
        )
    out: dict[URIRef, list[Path]] = {}
    ontology = sorted((root / "ontology").glob("*.ttl"))
    if ontology:
        out[URIRef(vocab.ONTOLOGY_GRAPH)] = ontology
    for path in sorted((root / "data").glob("*.ttl")):
        graph = URIRef(vocab.iri_for("graph", path.stem))
        if graph in out:
            raise SourceError(f"data file {path.name} would share the named graph {graph}", where=str(path), hint="rename the file")
        try:
            ox.NamedNode(str(graph))
        except ValueError as exc:
            raise SourceError(
                f"file name {path.name!r} does not make a valid graph IRI: {exc}",
                where=str(path),
                hint="use letters, digits, '-' and '_' in data file names",
            ) from exc
        out[graph] = [path]
    return out


@contextlib.contextmanager
def reading(path: Path, hint: str = "fix the file; nothing else was changed") -> Iterator[None]:
    """Turn pyoxigraph's errors while reading one Turtle file into a SourceError naming it."""
    try:
        yield
    except SyntaxError as exc:
        raise SourceError(f"Turtle syntax error: {exc.msg if hasattr(exc, 'msg') else exc}", where=str(path), hint=hint) from exc
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot load: {exc}", where=str(path)) from exc


def parse_turtle(path: Path, hint: str = "fix the file; nothing else was changed") -> list[ox.Triple]:
    """The triples of one Turtle file as written (a store would put literals in canonical form)."""
    with reading(path, hint):
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def ontology_store(root: Path) -> ox.Store:
    """ontology/*.ttl alone, in its named graph, in a small in-memory store: a document's file is
    read `beside` it, since a data file states nothing about the ontology's classes and concepts."""
    store = ox.Store()
    node = ox.NamedNode(str(vocab.ONTOLOGY_GRAPH))
    for path in graph_files(root).get(URIRef(vocab.ONTOLOGY_GRAPH), []):
        with reading(path):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=node)
    return store


@contextlib.contextmanager
def beside(store: ox.Store, turtle: bytes, graph: URIRef, where: Path) -> Iterator[ox.Store]:
    """``store`` with one document's Turtle in ``graph`` for the block, taken out again after it.

    Raises:
        SourceError: the Turtle cannot be parsed (``where`` names its file).
    """
    node = ox.NamedNode(str(graph))
    try:
        with reading(where):
            store.load(turtle, format=ox.RdfFormat.TURTLE, to_graph=node)
        yield store
    finally:
        store.clear_graph(node)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex: what the on-disk store's manifest and each summary's
    first line record of the data file they were made from."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
