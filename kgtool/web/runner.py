"""Run the public endpoint's ad-hoc queries in worker processes that can be stopped.

The embedded engine checks its deadline only between result rows, so a query that
aggregates or sorts a huge join runs to the end however long that takes. Anyone can send
such a query to ``/sparql``; here each one runs in a worker process that is killed when
the time limit (setting ``query_timeout_s``) passes, and a fresh worker takes its place.
A remote endpoint needs none of this: its HTTP timeout bounds the wait.

Each worker loads ontology/ and data/ itself (a fraction of a second for the five
documents), so memory grows with the number of workers: set ``SPARQL_WORKERS`` to 0 to
run in-process with only the engine's own soft limit.
"""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from rdflib import Graph

from kgtool.errors import EngineError, KgtoolError, QueryError
from kgtool.store import Result

#: Characters of rendered terms one result may carry before it is cut (a memory bound on
#: top of the row limit: 10,000 rows of a 30 kB literal would be 300 MB).
MAX_RESULT_CHARS = 20_000_000

_ERRORS = {"QueryError": QueryError, "EngineError": EngineError, "KgtoolError": KgtoolError}


#: Longest wait for a free worker: past it the request is refused (503) so that runaway
#: queries from some clients cannot tie up the server threads that serve everyone else.
QUEUE_WAIT_S = 1.0
#: Requests that may wait for each worker; with the default 2 workers and 16 server threads,
#: /sparql holds at most 6 threads (2 running, 4 waiting) and pages keep 10.
WAITING_PER_WORKER = 2


def _cap(result: Result) -> Result:
    """Cut a result whose terms add up to more than MAX_RESULT_CHARS, marking it truncated."""
    if result.kind != "select":
        return result
    total, keep = 0, len(result.rows)
    for i, row in enumerate(result.rows):
        total += sum(len(t) for t in row if t is not None)
        if total > MAX_RESULT_CHARS:
            keep = i
            break
    if keep == len(result.rows):
        return result
    return Result(kind="select", variables=result.variables, rows=result.rows[:keep], truncated=True)


def _worker_main(conn, root: str) -> None:  # pragma: no cover - runs in a child process
    """A worker: load the store, then answer (sparql, max_rows) messages until the pipe closes."""
    from kgtool.query import run_query
    from kgtool.store import open_store

    # Lower priority than the web server's threads, so that a runaway query (stopped only by
    # the time limit) takes spare CPU, not the CPU that pages and other clients need.
    with contextlib.suppress(OSError):
        os.nice(10)
    try:
        store = open_store(endpoint="", root=Path(root), timeout=None)
    except KgtoolError as exc:
        conn.send(("error", type(exc).__name__, exc.message, exc.where, exc.hint))
        return
    conn.send(("ready",))
    while True:
        try:
            sparql, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = _cap(run_query(store, sparql, timeout=0, max_rows=max_rows))
            triples = result.graph.serialize(format="nt") if result.graph is not None else None
            conn.send(("ok", result.kind, result.variables, result.rows, result.boolean, triples, result.truncated))
        except KgtoolError as exc:
            name = type(exc).__name__ if type(exc).__name__ in _ERRORS else "KgtoolError"
            conn.send(("error", name, exc.message, exc.where, exc.hint))
        except Exception as exc:  # noqa: BLE001 - a worker must answer, whatever happened
            conn.send(("error", "EngineError", f"the query failed: {exc}", "embedded store", None))


class _Worker:
    """One worker process, started as ``python -m kgtool.web.runner`` with a socket to talk over.

    A plain subprocess rather than multiprocessing's spawn, which re-imports the parent's
    ``__main__`` and so misbehaves under scripts without an ``if __name__`` guard.
    """

    def __init__(self, root: Path):
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kgtool.web.runner", str(theirs.fileno()), str(root)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())

    def wait_ready(self, timeout: float) -> None:
        try:
            if not self.conn.poll(timeout):
                self.stop()
                raise EngineError(f"a query worker did not start within {timeout:g} s")
            message = self.conn.recv()
        except (EOFError, OSError):
            self.stop()
            raise EngineError("a query worker stopped while starting", where="/sparql") from None
        if message[0] != "ready":
            self.stop()
            raise _ERRORS.get(message[1], KgtoolError)(message[2], where=message[3], hint=message[4])

    def stop(self) -> None:
        try:
            self.conn.close()
        finally:
            if self.process.poll() is None:
                self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):  # a killed process always ends
                self.process.wait(timeout=5)


class QueryRunner:
    """A small pool of killable worker processes for ad-hoc SPARQL on the embedded store.

    Args:
        root: the project folder the workers load ontology/ and data/ from.
        workers: how many queries may run at once.
    """

    START_TIMEOUT = 60.0

    def __init__(self, root: Path, *, workers: int = 2):
        self.root = Path(root)
        self.size = max(1, workers)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        # at most WAITING_PER_WORKER waiting requests per worker: more would each hold a server
        # thread for QUEUE_WAIT_S, and under load those threads are the ones pages need
        self._waiting = threading.BoundedSemaphore(self.size * WAITING_PER_WORKER)
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
            workers = [_Worker(self.root) for _ in range(self.size)]
            self._all.update(workers)
        failed, failures, ready = None, 0, 0
        for worker in workers:
            try:
                worker.wait_ready(self.START_TIMEOUT)
            except KgtoolError as exc:
                with self._lock:
                    self._all.discard(worker)
                failed, failures = exc, failures + 1
                continue
            ready += 1
            self._idle.put(worker)
        if failed is not None and not ready:
            with self._lock:
                self._started = False  # try again at the next query
            raise failed
        for _ in range(failures):
            self._replace_later()

    def _replace_later(self) -> None:
        """Start a fresh worker in the background (after one was killed or died)."""

        def replace() -> None:
            if self._closed:
                return
            worker = _Worker(self.root)
            with self._lock:
                self._all.add(worker)
            try:
                worker.wait_ready(self.START_TIMEOUT)
            except KgtoolError:
                with self._lock:
                    self._all.discard(worker)
                if not self._closed:
                    time.sleep(1.0)
                    replace()
                return
            if self._closed:
                worker.stop()
            else:
                self._idle.put(worker)

        threading.Thread(target=replace, name="kgtool-sparql-respawn", daemon=True).start()

    def run(self, sparql: str, *, timeout: float, max_rows: int) -> Result:
        """Run a read-only query within ``timeout`` seconds (waiting for a free worker included).

        Raises:
            QueryError: if the query is not read-only SPARQL 1.1 or cannot be run.
            EngineError: if it ran longer than ``timeout``, or no worker was free in time.
        """
        if self._closed:
            raise EngineError("the query service is shutting down")
        self._start()
        deadline = time.monotonic() + timeout
        if not self._waiting.acquire(blocking=False):
            raise EngineError("every query worker is busy and other queries are waiting", hint="try again in a moment")
        try:  # shed load rather than hold a server thread that pages need: wait briefly only
            worker = self._idle.get(timeout=min(timeout, QUEUE_WAIT_S))
        except queue.Empty:
            raise EngineError(
                f"every query worker is busy (waited {min(timeout, QUEUE_WAIT_S):g} s)", hint="try again in a moment"
            ) from None
        finally:
            self._waiting.release()
        try:
            worker.conn.send((sparql, max_rows))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._discard(worker)
                raise EngineError(
                    f"query ran longer than {timeout:g} s and was stopped", where="/sparql", hint="narrow the query or add a LIMIT"
                )
            message = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._discard(worker)
            raise EngineError("the query worker stopped unexpectedly", where="/sparql") from None
        self._idle.put(worker)
        if message[0] == "error":
            raise _ERRORS.get(message[1], KgtoolError)(message[2], where=message[3], hint=message[4])
        _, kind, variables, rows, boolean, triples, truncated = message
        graph = None
        if triples is not None:
            graph = Graph()
            graph.parse(data=triples, format="nt")
        return Result(kind=kind, variables=tuple(variables), rows=tuple(rows), boolean=boolean, graph=graph, truncated=truncated)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        self._replace_later()

    def warm(self) -> None:
        """Start the workers now rather than at the first query."""
        self._start()

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()


if __name__ == "__main__":  # pragma: no cover - the worker process
    _worker_main(Connection(int(sys.argv[1])), sys.argv[2])
