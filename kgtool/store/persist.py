"""An on-disk store next to the Turtle files, opened in a moment instead of loaded each time.

Loading ontology/ and data/ into memory takes seconds per million triples, and every
``kgtool`` command and web worker did it again. `ensure_store` keeps a pyoxigraph (RocksDB)
store in ``data/.store/`` (git-ignored) with a manifest of the files it was built from
(relative path, named graph, size, modification time, SHA-256):

- current (same files, same sizes and times, or same contents where only the times moved,
  as after a ``git checkout``): it is opened read-only, in well under a second at any size,
  and any number of processes may hold it open at once;
- otherwise it is rebuilt with one bulk load into a temporary folder beside it, which then
  replaces the old store by renames, so a reader never sees half a store.

Beside the quads the folder holds the full-text index of labels and texts
(``text.sqlite``, `kgtool.store.textindex`), built with the store, and saved-query answers
(``answers/``, `kgtool.query.answers`), written as they are asked; both go when the store is rebuilt.

The graph layout is `kgtool.store.loading.load_files`' (ontology/ -> graph ``ontology``,
``data/<stem>.ttl`` and its summary ``data/summaries/<stem>.nt`` -> graph ``<stem>``), so queries
give the same answers either way. The summaries are in the manifest too: one made again (its
document or the summary queries changed) rebuilds the store.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgtool.errors import EngineError, KgtoolError
from kgtool.store.embedded import EmbeddedStore
from kgtool.store.files import file_sha256, graph_files, parse_turtle
from kgtool.store.loading import load_files
from kgtool.store.results import DEFAULT_TIMEOUT
from kgtool.store.summaries import summary_files
from kgtool.store.textindex import build_index

__all__ = [
    "MANIFEST",
    "DiskStore",
    "ensure_store",
    "open_persistent",
    "recorded_digests",
    "store_is_current",
    "store_path",
    "warm_in_background",
]

#: File inside the store folder that lists what the store was built from.
MANIFEST = "kgtool-manifest.json"
#: Bumped when the store's layout changes, so that older stores are rebuilt.
LAYOUT = 2
#: The full-text index of the store's labels and texts (`kgtool.store.textindex`), built with it.
TEXT_INDEX = "text.sqlite"

#: progress(path, files done, files in all) while a store is built.
Progress = Callable[[Path, int, int], None]


class DiskStore(EmbeddedStore):
    """An `EmbeddedStore` over the on-disk store, with the files beside its quads and how it was opened."""

    answers: Path  # saved-query answers, see kgtool.query.answers
    text_index: Path  # see kgtool.store.textindex.index_for
    built: bool = False  # whether `ensure_store` (re)built it before opening it
    build_seconds: float = 0.0  # and how long that took


def store_path(root: Path, path: Path | str | None = None) -> Path:
    """Where the store of ``root`` lives: ``path``, else ``<root>/data/.store``."""
    return Path(path) if path is not None else Path(root) / "data" / ".store"


def _rel(root: Path, path: Path) -> str:
    """How the manifest names a file: relative to root (``data/x.ttl``), else as given.

    The files listed under root are named by their path below it without asking the file
    system (resolving each of 30,000 paths took 2-3 s at 4,000 documents); only a path given
    in another form is resolved.
    """
    try:
        return str(path.relative_to(root))
    except ValueError:
        pass
    try:
        return str(path.resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def _recorded(entry: Any, stat: os.stat_result) -> str | None:
    """The SHA-256 a manifest entry records, if the file's size and modification time are still its."""
    if isinstance(entry, dict) and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns:
        return str(entry.get("sha256"))
    return None


def recorded_digests(root: Path, paths: Sequence[Path]) -> dict[Path, str]:
    """The SHA-256 of each file: taken from the on-disk store's manifest where the file's size and
    modification time are still the ones recorded there, else read."""
    known = (_read_manifest(store_path(root)) or {}).get("files")
    if not isinstance(known, dict):
        known = {}
    return {path: _recorded(known.get(_rel(root, path)), path.stat()) or file_sha256(path) for path in paths}


def _inputs(root: Path, known: dict | None = None) -> list[tuple[str, str, Path]]:
    """(path relative to root, named graph, path) of every file the store holds, in load order:
    each document's summary after its file, made again first if missing or stale (``known``, the
    manifest's files, spares reading the data files to tell)."""
    files = graph_files(root)
    digests = {}
    for paths in files.values():
        for path in paths:
            sha = _recorded((known or {}).get(_rel(root, path)), path.stat())
            if sha is not None:
                digests[path] = sha
    summaries = summary_files(root, digests=digests)
    out = []
    for graph, paths in files.items():
        for path in [*paths, *([summaries[graph]] if graph in summaries else [])]:
            out.append((_rel(root, path), str(graph), path))
    return out


def _manifest(root: Path, previous: dict | None = None) -> dict:
    """The manifest for the files under root now; hashes are reused where size and time match."""
    known = (previous or {}).get("files", {})
    files = {}
    for rel, graph, path in _inputs(root, known):
        stat = path.stat()
        sha = _recorded(known.get(rel), stat) or file_sha256(path)
        files[rel] = {"graph": graph, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha}
    return {"layout": LAYOUT, "pyoxigraph": ox.__version__, "files": files}


def _read_manifest(store: Path) -> dict | None:
    try:
        data = json.loads((store / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _same(recorded: dict, now: dict) -> bool:
    if recorded.get("layout") != now["layout"] or recorded.get("pyoxigraph") != now["pyoxigraph"]:
        return False
    old, new = recorded.get("files", {}), now["files"]
    if old.keys() != new.keys():
        return False
    return all(old[k].get("graph") == new[k]["graph"] and old[k].get("sha256") == new[k]["sha256"] for k in new)


def _check(root: Path, store: Path) -> tuple[bool, dict | None, dict | None]:
    recorded = _read_manifest(store)
    if recorded is None:
        return False, None, None
    now = _manifest(root, recorded)
    return _same(recorded, now), recorded, now


def store_is_current(root: Path, path: Path | str | None = None) -> bool:
    """Whether the on-disk store exists and holds exactly ontology/ + data/ as they are now.

    Files whose size and modification time match the manifest are not read; the others
    are compared by SHA-256, so touching a file without changing it keeps the store current.
    """
    current, _, _ = _check(Path(root), store_path(root, path))
    return current


def _write_manifest(store: Path, manifest: dict) -> None:
    tmp = store / f".{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, store / MANIFEST)


@contextlib.contextmanager
def _locked(store: Path) -> Iterator[None]:
    """One builder at a time per store (other processes wait here, then find it current)."""
    store.parent.mkdir(parents=True, exist_ok=True)
    with open(store.parent / f"{store.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _open(store: Path, timeout: float | None) -> DiskStore:
    try:
        opened = ox.Store.read_only(str(store))
    except OSError as exc:
        raise EngineError(
            f"cannot open the on-disk store: {exc}", where=str(store), hint="delete the folder and run `kgtool build --store` again"
        ) from exc
    embedded = DiskStore(opened, timeout=timeout)
    embedded.answers = store / "answers"
    embedded.text_index = store / TEXT_INDEX
    return embedded


def _quads(files: list[tuple[str, str, Path]], progress: Progress | None) -> Iterator[ox.Quad]:
    for done, (_, graph, path) in enumerate(files, start=1):
        node = ox.NamedNode(graph)
        for t in parse_turtle(path, hint="fix the file; the store was left as it was"):
            yield ox.Quad(t.subject, t.predicate, t.object, node)
        if progress is not None:
            progress(path, done, len(files))


def _build(root: Path, store: Path, manifest: dict, progress: Progress | None) -> None:
    """Bulk-load every file into a fresh store beside ``store``, then swap it in."""
    tmp = store.parent / f"{store.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        built = ox.Store(str(tmp))
        built.bulk_extend(_quads(_inputs(root, manifest["files"]), progress))
        built.flush()
        build_index(built, tmp / TEXT_INDEX).close()
        del built  # closes the database
        _write_manifest(tmp, manifest)
        old = store.parent / f"{store.name}.old-{os.getpid()}"
        if store.exists():
            os.rename(store, old)
        os.rename(tmp, store)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ensure_store(
    root: Path,
    *,
    path: Path | str | None = None,
    progress: Progress | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    on_rebuild: Callable[[], None] | None = None,
) -> DiskStore:
    """The on-disk store of ontology/ + data/ under root, (re)built first if the files changed.

    Args:
        root: the project folder.
        path: where the store lives; default ``<root>/data/.store``.
        progress: called as ``progress(path, done, total)`` after each file while building.
        timeout: seconds a query may run (as `EmbeddedStore`).
        on_rebuild: called before an existing store is built again (the files changed), so a
            command can say why it takes a while without checking the files twice.

    Returns:
        A `DiskStore` over the store, opened read-only (``.built`` says whether this call
        built it, ``.build_seconds`` how long that took).

    Raises:
        SourceError: if a file cannot be read or parsed (the old store is kept).
        EngineError: if the store cannot be opened.
    """
    root = Path(root)
    store = store_path(root, path)
    with _locked(store):
        current, recorded, now = _check(root, store)
        built, seconds = False, 0.0
        if not current:
            if recorded is not None and on_rebuild is not None:
                on_rebuild()
            started = time.perf_counter()
            _build(root, store, now or _manifest(root), progress)
            built, seconds = True, time.perf_counter() - started
        elif now is not None and now != recorded:
            with contextlib.suppress(OSError):
                _write_manifest(store, now)
    opened = _open(store, timeout)
    opened.built = built
    opened.build_seconds = seconds
    return opened


def open_persistent(
    root: Path,
    *,
    path: Path | str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    warm: bool = False,
    on_rebuild: Callable[[], None] | None = None,
) -> DiskStore | None:
    """The project's on-disk store if it has one (rebuilt first if the files changed), else None.

    A project has one once ``kgtool build --store`` made it; small projects never need it.
    With ``warm`` the store is also copied into memory in the background (`warm_in_background`);
    ``on_rebuild`` as `ensure_store`'s.
    """
    if not (store_path(root, path) / MANIFEST).exists():
        return None
    opened = ensure_store(Path(root), path=path, timeout=timeout, on_rebuild=on_rebuild)
    if warm:
        warm_in_background(opened, Path(root))
    return opened


def warm_in_background(store: EmbeddedStore, root: Path) -> threading.Event:
    """Load ontology/ and data/ into memory in a thread, then let ``store`` answer from there.

    The on-disk store answers at once but several times slower than pyoxigraph's in-memory
    store (RocksDB reads against hash lookups: 5-8x on the saved queries at 1M triples), so
    a long-running server starts on disk and moves to memory once the copy is loaded. The
    files are loaded one at a time, so requests keep being served meanwhile. Returns an
    event set when the switch is made (or the copy failed: the disk store is kept).
    """
    done = threading.Event()

    def run() -> None:
        try:
            memory = ox.Store()
            load_files(memory, root)
            store.replace(memory)
        except (KgtoolError, OSError):  # the files changed under us: keep answering from disk
            pass
        finally:
            done.set()

    threading.Thread(target=run, name="kgtool-warm", daemon=True).start()
    store.warmed = done  # type: ignore[attr-defined]
    return done
