"""Saved-query answers kept inside the on-disk store, so asking again costs a file read.

At a million triples many saved queries aggregate over every document and take the engine
hundreds of milliseconds to seconds, yet the graph only changes when ``kgtool build``
rebuilds the store. Answers are written as W3C SPARQL JSON results to
``data/.store/answers/<sha256 of query, bindings and row limit>.json``: a rebuild replaces
the whole store folder, so a stale answer cannot outlive the data it was computed from.
Only saved queries go through here (the library is finite), never ad-hoc SPARQL, so the
folder stays small; an answer cut at the row limit, or a CONSTRUCT, is never stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from rdflib.term import Identifier

from kgtool import render
from kgtool.store import Result, Store
from kgtool.store.terms import BlankLabels, from_json

__all__ = ["answer", "answers_dir", "keep", "kept"]

#: Folder inside the on-disk store; `kgtool.store.persist` sets ``store.answers`` to it on open.
FOLDER = "answers"
_LOCK = threading.Lock()


def answers_dir(store: Store) -> Path | None:
    """Where ``store`` keeps answers: set for stores opened from disk, else None."""
    return getattr(store, "answers", None)


def _key(sparql: str, bindings: Mapping[str, Identifier] | None, max_rows: int | None) -> str:
    bound = sorted((name, term.n3()) for name, term in (bindings or {}).items())
    text = json.dumps([sparql, bound, max_rows], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(path: Path) -> Result | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if "boolean" in data:
        return Result(kind="ask", boolean=bool(data["boolean"]))
    variables = tuple(data["head"]["vars"])
    blanks = BlankLabels()
    rows = tuple(tuple(from_json(b.get(v), blanks) for v in variables) for b in data["results"]["bindings"])
    return Result(kind="select", variables=variables, rows=rows)


def _write(path: Path, result: Result) -> None:
    text = render.results(result, "json")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with contextlib.suppress(OSError):  # a read-only or full disk only costs the speed-up
        path.parent.mkdir(exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    with contextlib.suppress(OSError):
        tmp.unlink()


def kept(store: Store, sparql: str, bindings: Mapping[str, Identifier] | None, max_rows: int | None) -> Result | None:
    """The stored answer to this saved query, if the store keeps one.

    ``max_rows`` is part of the key because it shapes the answer.
    """
    folder = answers_dir(store)
    return None if folder is None else _read(folder / f"{_key(sparql, bindings, max_rows)}.json")


def keep(store: Store, sparql: str, bindings: Mapping[str, Identifier] | None, max_rows: int | None, result: Result) -> None:
    """Store ``result`` as the answer to this saved query, if it is whole and the store keeps answers."""
    folder = answers_dir(store)
    if folder is not None and result.kind in ("select", "ask") and not result.truncated:
        with _LOCK:
            _write(folder / f"{_key(sparql, bindings, max_rows)}.json", result)


def answer(store: Store, sparql: str, bindings: Mapping[str, Identifier] | None, max_rows: int | None, run: Callable[[], Result]) -> Result:
    """The stored answer to this saved query, else ``run()``'s, stored for next time.

    ``run`` must run exactly ``sparql`` with ``bindings`` on ``store``, cut at ``max_rows``.
    """
    cached = kept(store, sparql, bindings, max_rows)
    if cached is not None:
        return cached
    result = run()
    keep(store, sparql, bindings, max_rows, result)
    return result
