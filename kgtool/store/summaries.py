"""Summaries kept beside the data: ``data/summaries/<stem>.nt`` for each document file ``data/<stem>.ttl``.

The saved queries that count over every duty of the library (document-statistics, duties and
posts per role per jurisdiction, the duty-type profile) joined and counted the whole graph on
every ask: 0.35-0.4 s each at a million triples. What they count per document is counted once
instead: the CONSTRUCT queries of ``queries/summaries/*.rq`` run over the document's file alone
beside ontology/ (a small in-memory store whose default graph is the union, as the main store's),
and what they give, rows such as ``<doc>/summary/role/<role>`` a wsa:RoleSummary with its counts,
is loaded into the document's own named graph after its file (`kgtool.store.loading.load_files`,
the on-disk store, `kgtool load`). The saved queries then add up a few thousand rows.

- Not a ``data/*.ttl``: each of those is a document's graph, validated, scored and read by the gap
  report as written; the summaries are derived, and `kgtool.store.files.graph_files` does not list them.
- A summary's first line, ``# kgtool-summary <FORMAT> sha256=<data file> queries=<digest>``, says
  what it was made from (the digest covers the summary queries and ontology/), so a stale one is
  known without parsing it. `summary_data` (every load) and `summary_files` (the on-disk store) make
  a missing or stale summary again first, in parallel processes when there are many, so no answer
  comes from a stale summary; `write_summaries` (``kgtool build``, ``--check`` lists the stale ones)
  makes them all again and removes those whose data file is gone.
- The bytes are the same on every run: sorted N-Triples lines, no blank nodes (the queries mint IRIs).

Bump `FORMAT` when the making changes while the queries stay the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from kgtool import vocab
from kgtool.atomic import write_atomic, write_changed
from kgtool.errors import KgtoolError, QueryError, SourceError
from kgtool.executor import open_executor, ordered
from kgtool.store.files import beside, file_sha256, graph_files, ontology_store, reading

#: Where the summaries live, under the project folder.
FOLDER = Path("data") / "summaries"
#: The queries that make them, under the project folder (else those kgtool came with).
QUERIES = Path("queries") / "summaries"
#: Bumped when the making changes, so that older summaries are made again.
FORMAT = "1"
#: Above this many summaries to make, they are made in parallel processes.
PARALLEL_FROM = 8

_MARK = b"# kgtool-summary "


def summary_path(root: Path, stem: str) -> Path:
    """The summary file of data/<stem>.ttl."""
    return Path(root) / FOLDER / f"{stem}.nt"


def query_files(root: Path) -> list[Path]:
    """The summary queries: the project's own, else the ones kgtool came with (a project folder
    needs no more than ontology/ and data/)."""
    folder = Path(root) / QUERIES
    if not folder.is_dir():
        folder = Path(__file__).resolve().parents[2] / QUERIES
    return sorted(folder.glob("*.rq"))


def inputs_digest(root: Path) -> str:
    """One SHA-256 over what every summary is made from besides its data file: the summary
    queries and ontology/*.ttl."""
    digest = hashlib.sha256()
    ontology = graph_files(root).get(URIRef(vocab.ONTOLOGY_GRAPH), [])
    for kind, paths in (("query", query_files(root)), ("ontology", ontology)):
        for path in paths:
            digest.update(f"{kind}/{path.name}".encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _header(data: str, inputs: str) -> bytes:
    return _MARK + f"{FORMAT} sha256={data} queries={inputs}\n".encode()


def _data_sha256(path: Path) -> str:
    with reading(path):
        return file_sha256(path)


def _first_line(path: Path) -> bytes | None:
    try:
        with path.open("rb") as f:
            return f.readline()
    except OSError:
        return None


class Summariser:
    """Makes summaries: ontology/ in a small in-memory store, one document file at a time beside it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.store = ontology_store(self.root)
        self.queries = [(path, path.read_text(encoding="utf-8")) for path in query_files(self.root)]
        self.inputs = inputs_digest(self.root)

    def triples(self, turtle: bytes, graph: URIRef, where: Path) -> bytes:
        """What the summary queries construct from one document's Turtle: sorted N-Triples lines.

        Raises:
            SourceError: the Turtle cannot be parsed.
            QueryError: a summary query cannot be run, or is no CONSTRUCT.
        """
        lines: set[bytes] = set()
        with beside(self.store, turtle, graph, where) as store:
            for path, text in self.queries:
                try:
                    answer = store.query(text, prefixes=vocab.PREFIXES, use_default_graph_as_union=True)
                except (SyntaxError, ValueError, RuntimeError, OSError) as exc:
                    raise QueryError(f"the summary query cannot be run: {exc}", where=str(path)) from exc
                if not isinstance(answer, ox.QueryTriples):
                    raise QueryError("a summary query must be a CONSTRUCT", where=str(path))
                data = ox.serialize(answer, format=ox.RdfFormat.N_TRIPLES)
                assert data is not None  # with no output, pyoxigraph returns the bytes
                lines.update(line for line in data.splitlines() if line)
        return b"".join(line + b"\n" for line in sorted(lines))

    def make(self, source: Path) -> bytes:
        """The summary file of a data file: its header, then its triples."""
        with reading(source):
            turtle = source.read_bytes()
        body = self.triples(turtle, URIRef(vocab.iri_for("graph", source.stem)), source)
        return _header(hashlib.sha256(turtle).hexdigest(), self.inputs) + body


def make_summary(root: Path, data_file: Path) -> bytes:
    """The bytes of ``data_file``'s summary file (N-Triples, sorted lines, after the header line).

    Raises:
        SourceError: the file cannot be read or parsed.
    """
    return Summariser(root).make(Path(data_file))


def with_summary(root: Path, turtle: bytes, graph: URIRef, where: Path) -> ox.Store:
    """A small in-memory store of ontology/ and one document's Turtle with its summary, both in
    ``graph``: how `kgtool ingest` counts a document before it is in any store."""
    summariser = Summariser(root)
    summary = summariser.triples(turtle, graph, where)
    store = summariser.store
    node = ox.NamedNode(str(graph))
    with reading(where):
        store.load(turtle, format=ox.RdfFormat.TURTLE, to_graph=node)
    store.load(summary, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
    return store


@lru_cache(maxsize=1)
def _summariser(root: str, inputs: str) -> Summariser:
    """One summariser per process and project (a worker makes many summaries); ``inputs`` is
    part of the key, so a changed query or ontology gets a new one."""
    return Summariser(Path(root))


def _made(root: str, inputs: str, source: str) -> bytes:
    return _summariser(root, inputs).make(Path(source))


def make(root: Path, sources: Sequence[Path], *, progress: Callable[[Iterable[Any]], Iterable[Any]] = iter) -> dict[Path, bytes]:
    """The summary of each data file, in parallel processes when there are many."""
    if not sources:
        return {}
    inputs = inputs_digest(root)
    with open_executor(workers=1 if len(sources) < PARALLEL_FROM else None) as pool:
        done = ordered(pool, _made, [(str(root), inputs, str(source)) for source in sources])
        return dict(zip(sources, progress(done), strict=True))


def _data_files(root: Path) -> dict[URIRef, Path]:
    return {graph: paths[0] for graph, paths in graph_files(root).items() if graph != vocab.ONTOLOGY_GRAPH}


def _refresh(root: Path, digests: Mapping[Path, str] | None, *, write: bool, required: bool) -> dict[URIRef, tuple[Path, bytes | None]]:
    """Each document graph's summary file, with the summary's bytes where it was missing or stale
    and was made again (None: the file is current), and written when ``write`` (``required``: or
    fail). ``digests`` may give a data file's SHA-256."""
    root = Path(root)
    sources = _data_files(root)
    inputs = inputs_digest(root)
    stale = [
        source
        for source in sources.values()
        if _first_line(summary_path(root, source.stem)) != _header((digests or {}).get(source) or _data_sha256(source), inputs)
    ]
    made = make(root, stale)
    for source, data in made.items() if write else ():
        target = summary_path(root, source.stem)
        try:
            write_atomic(target, data)
        except (OSError, KgtoolError) as exc:  # a read-only project: made again next time
            if required:
                raise SourceError(
                    f"cannot write the summary: {exc}", where=str(target), hint="the project folder must be writable"
                ) from exc
    return {graph: (summary_path(root, source.stem), made.get(source)) for graph, source in sources.items()}


def summary_files(root: Path, *, digests: Mapping[Path, str] | None = None) -> dict[URIRef, Path]:
    """The summary file of each document graph, made again first where missing or stale.

    Raises:
        SourceError: a data file cannot be read or parsed, or a summary cannot be written.
    """
    return {graph: path for graph, (path, _) in _refresh(root, digests, write=True, required=True).items()}


def summary_data(root: Path, *, digests: Mapping[Path, str] | None = None, keep: bool = True) -> dict[URIRef, bytes]:
    """The summary of each document graph; one missing or stale is made again, and written back
    (with ``keep``) where the project folder allows it.

    Raises:
        SourceError: a data file cannot be read or parsed.
    """
    out = {}
    for graph, (path, data) in _refresh(root, digests, write=keep, required=False).items():
        if data is None:
            with reading(path, hint="delete the file: it is made again"):
                data = path.read_bytes()
        out[graph] = data
    return out


def write_summaries(root: Path, *, check: bool = False, progress: Callable[[Iterable[Any]], Iterable[Any]] = iter) -> list[Path]:
    """Make every document file's summary again, write those whose bytes changed and remove those
    of data files gone (with ``check``, change nothing): the files written, removed or, with check,
    stale. Raises SourceError when a data file cannot be read or parsed."""
    root = Path(root)
    made = make(root, list(_data_files(root).values()), progress=progress)
    files = {summary_path(root, source.stem): data for source, data in made.items()}
    return write_changed(root / FOLDER, files, "*.nt", check=check)


def write_summary(root: Path, source: Path) -> Path:
    """Make and write the summary of one data file (a document `kgtool ingest` added).

    Raises:
        SourceError: the file cannot be read or parsed.
    """
    target = summary_path(root, source.stem)
    write_atomic(target, make_summary(root, source))
    return target
