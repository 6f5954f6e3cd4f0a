"""The embedded engine: pyoxigraph in this process, in memory or on disk."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pyoxigraph import Store as OxStore  # inside the class, `ox` is the property below
from rdflib import URIRef
from rdflib.term import Identifier

from kgtool import vocab
from kgtool.errors import EngineError, KgtoolError, QueryError
from kgtool.store.loading import load_files
from kgtool.store.results import DEFAULT_TIMEOUT, Result, window
from kgtool.store.sparqltext import check_bindings, insert_values, order_select
from kgtool.store.terms import BlankLabels, from_ox, graph_result, to_ox


def _within(limit: float | None, work: Callable[[], Result], on_timeout: Callable[[], KgtoolError]) -> Result:
    """work() run in a thread of its own, waited for at most limit seconds.

    The embedded engine evaluates an aggregate or a sort before it gives its first row, so a
    deadline checked between rows cannot stop a huge join; and while the engine runs, the
    main thread would not see Ctrl-C. Waiting here, the caller gets on_timeout() when the
    limit passes and KeyboardInterrupt at once; the engine's thread, which cannot be stopped,
    is left to finish in the background (it holds no lock of ours and releases the GIL).
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="kgtool-query", daemon=True)
    worker.start()
    deadline = time.monotonic() + limit if limit else None
    while worker.is_alive():
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise on_timeout()
        worker.join(0.2 if left is None else min(0.2, left))
    if "error" in box:
        raise box["error"]
    return box["result"]


class EmbeddedStore:
    """pyoxigraph in this process: in memory, or on disk with ``path``.

    The default graph of every query is the union of all graphs. ``.ox`` is the underlying
    ``pyoxigraph.Store`` (pySHACL can validate it directly).
    """

    def __init__(self, store: ox.Store | None = None, *, path: Path | str | None = None, timeout: float | None = DEFAULT_TIMEOUT):
        if store is not None and path is not None:
            raise ValueError("give a pyoxigraph store or a path, not both")
        try:
            self._store: ox.Store | None = store if store is not None else (ox.Store(str(path)) if path is not None else ox.Store())
        except OSError as exc:
            raise EngineError(f"cannot open the on-disk store: {exc}", where=str(path), hint="is another process using it?") from exc
        self.path = Path(path) if path is not None else None
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"EmbeddedStore(path={str(self.path) if self.path else None!r})"

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def ox(self) -> OxStore:
        if self._store is None:
            raise EngineError("the embedded store is closed")
        return self._store

    def load(self, root: Path) -> dict[URIRef, int]:
        """`load_files` into this store."""
        return load_files(self, root)

    def graphs(self) -> list[URIRef]:
        store = self.ox
        names = []
        for graph in store.named_graphs():
            if isinstance(graph, ox.NamedNode) and next(iter(store.quads_for_pattern(None, None, None, graph)), None):
                names.append(URIRef(graph.value))
        return sorted(names)

    def replace(self, store: OxStore) -> None:
        """Answer later queries from ``store``, which must hold the same quads.

        Used to move from the on-disk store, which opens at once, to an in-memory copy,
        which answers several times faster; queries already running finish on the old one.
        """
        self._store = store
        self.path = None

    def close(self) -> None:
        if self._store is not None and self.path is not None:
            with contextlib.suppress(OSError, AttributeError):
                self._store.flush()
        self._store = None

    def _run(self, sparql: str, substitutions: dict | None) -> Any:
        return self.ox.query(sparql, prefixes=vocab.PREFIXES, use_default_graph_as_union=True, substitutions=substitutions)

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        offset: int = 0,
        count: bool = False,
    ) -> Result:
        binds = check_bindings(bindings)
        limit = timeout if timeout is not None else self.timeout
        where = "embedded store"

        def evaluate() -> Result:
            if binds:
                try:
                    answer = self._run(sparql, {ox.Variable(n): to_ox(t) for n, t in binds})
                except RuntimeError:
                    # pyoxigraph substitutes only variables of the SELECT projection (and
                    # none in DESCRIBE): bind the others with VALUES, as the remote engine does.
                    answer = self._run(insert_values(sparql, binds), None)
            else:
                answer = self._run(sparql, None)
            if isinstance(answer, ox.QueryBoolean):
                return Result(kind="ask", boolean=bool(answer))
            if isinstance(answer, ox.QueryTriples):
                return graph_result(answer, max_rows)
            variables = [v.value for v in answer.variables]
            blanks = BlankLabels()
            width = range(len(variables))
            rows, truncated, total = window(
                answer, lambda solution: tuple(from_ox(solution[i], blanks) for i in width), offset=offset, max_rows=max_rows, count=count
            )
            variables, rows = order_select(sparql, variables, rows)
            return Result(kind="select", variables=tuple(variables), rows=tuple(rows), truncated=truncated, total=total)

        def on_timeout() -> EngineError:
            return EngineError(
                f"query ran longer than {limit:g} s",
                where=where,
                hint="narrow the query or add a LIMIT; the limit is KGTOOL_QUERY_TIMEOUT_S",
            )

        try:
            return _within(limit, evaluate, on_timeout)
        except SyntaxError as exc:
            raise QueryError(
                f"SPARQL syntax error: {exc.msg if hasattr(exc, 'msg') else exc}",
                where="query",
                hint="positions are line:column in the query text",
            ) from exc
        except (RuntimeError, ValueError) as exc:
            raise QueryError(f"the query cannot be run: {exc}", where="query") from exc
        except OSError as exc:
            raise EngineError(f"the embedded store failed: {exc}", where=where) from exc
