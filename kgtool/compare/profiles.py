"""Profiles kept beside the data: ``data/profiles/<stem>.json`` for each document file ``data/<stem>.ttl``.

A comparison over hundreds of documents used to ask the store about all of them at once and
took a minute; each document's `kgtool.compare.profile.Profile` is now made once from its own
graph (the file loaded beside ontology/ in a small in-memory store; a data file states nothing
about the ontology's terms, so their labels and trees come from ontology/ alone) and read back in
milliseconds. Not under ``data/*.ttl``: every Turtle file there is loaded as a document graph.

- `write_profiles` (``kgtool build``; ``--check`` writes nothing and lists the stale ones)
  makes every document file's profile again and writes those whose bytes changed, and removes
  those of files gone; `write_profile` does one (``kgtool ingest``). The bytes are the same on
  every run: sorted keys, lists in the order they matter in, a line per part of a profile.
- `load_profiles` (``kgtool compare``) reads the profiles of the chosen documents. Each file
  names the SHA-256 of its data file (taken from the on-disk store's manifest when the file is
  unchanged since) and of what it took from the ontology (`vocab_digest`); one that no longer
  matches, or is missing (a generated corpus, a hand-edited file), is made again, in parallel
  processes when there are many, and kept unless the caller is read-only.

Bump `kgtool.compare.profile.FORMAT` when a profile's content or making changes, so old files
are made again.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson

from kgtool import vocab
from kgtool.atomic import write_atomic, write_changed
from kgtool.compare.facts import Facts, Vocab, document_slug
from kgtool.compare.model import Jurisdiction, Term
from kgtool.compare.profile import FORMAT, Profile, from_json, profile_of, to_json
from kgtool.errors import KgtoolError
from kgtool.store import EmbeddedStore, graph_files, reading
from kgtool.store.files import beside
from kgtool.store.files import ontology_store as ontology_only
from kgtool.store.persist import recorded_digests

#: Where the profiles live, under the project folder.
FOLDER = Path("data") / "profiles"
#: Above this many profiles to make, they are made in parallel processes.
PARALLEL_FROM = 8

_Q_DOCS = "SELECT ?doc WHERE { GRAPH ?g { ?doc a wsa:PolicyDocument } } ORDER BY ?doc"


def profile_path(root: Path, stem: str) -> Path:
    """The profile file of data/<stem>.ttl."""
    return Path(root) / FOLDER / f"{stem}.json"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ontology_store(root: Path) -> EmbeddedStore:
    """ontology/*.ttl alone in a small in-memory store."""
    return EmbeddedStore(ontology_only(root), timeout=None)


def vocab_digest(terms: Vocab) -> str:
    """One SHA-256 over what a profile takes from the ontology: labels and the class and concept
    trees (an edit elsewhere in ontology/ leaves the profiles current)."""
    data = [sorted(terms.labels.items()), sorted((c, sorted(p)) for c, p in terms.parents.items())]
    return _sha256(json.dumps(data, ensure_ascii=False).encode("utf-8"))


def ontology_digest(root: Path) -> str:
    """`vocab_digest` of the ontology under root."""
    return vocab_digest(Vocab(ontology_store(root)))


def _data_files(root: Path) -> list[Path]:
    return [paths[0] for graph, paths in graph_files(root).items() if graph != vocab.ONTOLOGY_GRAPH]


class Profiler:
    """Makes profiles: the ontology in a small in-memory store, one document file at a time beside it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.store = ontology_store(self.root)
        self.vocab = Vocab(self.store)
        self.ontology = vocab_digest(self.vocab)

    def file_data(self, path: Path) -> dict[str, Any] | None:
        """What data/profiles/<stem>.json holds for a data file; None when it holds no document.

        Raises:
            SourceError: the file cannot be read or parsed.
        """
        with reading(path):
            content = path.read_bytes()
        with beside(self.store.ox, content, vocab.iri_for("graph", path.stem), path):
            docs = [str(row["doc"]) for row in self.store.query(_Q_DOCS).dicts()]
            profiles = [to_json(profile_of(Facts(self.store, [_column(doc)], self.vocab))) for doc in docs]
        if not profiles:
            return None
        return {"inputs": {"data": _sha256(content), "ontology": self.ontology}, "documents": profiles}


def _column(doc: str) -> Jurisdiction:
    """A document as `Facts` needs it to read its rows: its IRI and id (no place: not compared here)."""
    return Jurisdiction(
        slug=document_slug(doc), document=doc, title="", place=None, place_id=None, zh="", en="", admin_level=None, issued=None
    )


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def encode(data: dict[str, Any]) -> bytes:
    """A profile file's bytes, the same for the same data: compact JSON (it is read back for
    every comparison), but each part of a profile on a line of its own, so a diff shows what changed."""
    documents = ",\n".join("{" + ",\n ".join(f"{_compact(k)}:{_compact(v)}" for k, v in sorted(d.items())) + "}" for d in data["documents"])
    return f'{{"documents":[\n{documents}],\n"inputs":{_compact(data["inputs"])}}}\n'.encode()


_worker: Profiler | None = None


def _start(root: str) -> None:
    global _worker
    _worker = Profiler(Path(root))


def _made(path: str) -> tuple[str, dict[str, Any] | None]:
    assert _worker is not None  # set by _start in each worker process
    return path, _worker.file_data(Path(path))


def make(
    root: Path, paths: Sequence[Path], *, processes: bool = True, progress: Callable[[Iterable[Any]], Iterable[Any]] = iter
) -> dict[Path, dict[str, Any] | None]:
    """Profile file data for each data file (None for files without a document), in parallel
    processes when there are many and ``processes`` allows."""
    if not paths:
        return {}
    if not processes or len(paths) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        profiler = Profiler(root)
        return {path: profiler.file_data(path) for path in progress(paths)}
    workers = min(os.cpu_count() or 2, len(paths))
    with ProcessPoolExecutor(workers, initializer=_start, initargs=(str(root),)) as pool:
        done = pool.map(_made, [str(p) for p in paths], chunksize=max(1, len(paths) // (workers * 8)))
        return {Path(path): data for path, data in progress(done)}


def write_profiles(root: Path, *, check: bool = False, progress: Callable[[Iterable[Any]], Iterable[Any]] = iter) -> list[Path]:
    """Make every document file's profile again; write those that changed (with ``check``, nothing).

    Returns:
        The profile files written, removed (their data file is gone) or, with check, stale.

    Raises:
        SourceError: a data file cannot be read or parsed.
    """
    root = Path(root)
    made = make(root, _data_files(root), progress=progress)
    files = {profile_path(root, path.stem): encode(data) for path, data in made.items() if data is not None}
    return write_changed(root / FOLDER, files, "*.json", check=check)


def write_profile(root: Path, source: Path) -> Path | None:
    """Make and write the profile of one data file (a document `kgtool ingest` added).

    Returns:
        The profile file, or None when the file holds no document.
    """
    data = Profiler(root).file_data(source)
    if data is None:
        return None
    target = profile_path(root, source.stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, encode(data))
    return target


def _read(target: Path) -> dict[str, Any] | None:
    try:
        data = orjson.loads(target.read_bytes())
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and isinstance(data.get("inputs"), dict) and isinstance(data.get("documents"), list)
    return data if ok else None


def load_profiles(root: Path, juris: Sequence[Jurisdiction], *, keep: bool = True, processes: bool = True) -> dict[str, Profile] | None:
    """The profiles of the chosen documents, each current with its data file and the ontology.

    A document is looked for in data/<its id>.ttl, as `kgtool build` and `ingest` name them.
    Missing or stale profiles are made again (and written when ``keep``).

    Returns:
        Profiles by document id, or None when some document is not found in its own file
        (the caller then reads the store instead).
    """
    root = Path(root)
    collecting = gc.isenabled()
    gc.disable()  # thousands of small objects kept: each collection would scan them all again (2x slower)
    try:
        return _load(root, juris, keep=keep, processes=processes)
    finally:
        if collecting:
            gc.enable()


def _load(root: Path, juris: Sequence[Jurisdiction], *, keep: bool, processes: bool) -> dict[str, Profile] | None:
    ontology = ontology_digest(root)
    found: dict[str, dict[str, Any]] = {}
    stale: list[Path] = []
    sources = {j.slug: root / "data" / f"{j.slug}.ttl" for j in juris}
    if not all(source.is_file() for source in sources.values()):
        return None
    digests = recorded_digests(root, list(sources.values()))
    for slug, source in sources.items():
        data = _read(profile_path(root, slug))
        current = (
            data is not None
            and data["inputs"].get("ontology") == ontology
            and data["inputs"].get("data") == digests[source]
            and all(d.get("format") == FORMAT for d in data["documents"])
        )
        if current and data is not None:
            found[slug] = data
        else:
            stale.append(source)
    for source, data in make(root, stale, processes=processes).items():
        if data is None:
            return None
        found[source.stem] = data
        if keep:
            target = profile_path(root, source.stem)
            with contextlib.suppress(OSError, KgtoolError):  # a read-only project: made again next time
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, encode(data))
    out: dict[str, Profile] = {}
    known: dict[tuple[str, ...], Term] = {}
    for j in juris:
        document = next((d for d in found[j.slug]["documents"] if d.get("document") == j.document), None)
        if document is None:
            return None
        out[j.slug] = from_json(document, known)
    return out
