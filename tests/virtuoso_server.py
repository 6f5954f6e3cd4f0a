"""Start a real, throw-away Virtuoso Open Source server for the tests.

`virtuoso_server(tmp_path)` writes a scratch ``virtuoso.ini`` into ``tmp_path`` (free ports on
127.0.0.1 only, no Unix socket, no VAD install; buffers and limits from kgtool.store.virtuoso_ini
for a memory budget, as an operator would set them: docs/scaling.md), starts
``virtuoso-t +foreground`` from there, waits until ``/sparql`` answers and yields a
`VirtuosoServer`. The process is stopped (SIGTERM, then SIGKILL) whatever happens.

When ``virtuoso-t`` is missing the tests are skipped, unless the environment variable ``CI``
is set: then a missing binary fails, so CI cannot pass by skipping. Install it with
``bash .ci/install-virtuoso.sh``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kgtool.store.virtuoso_ini import RESULT_ROWS, virtuoso_ini, virtuoso_sizing

BINARY = "virtuoso-t"
INSTALL_HINT = "install it with `bash .ci/install-virtuoso.sh` (Debian package virtuoso-opensource)"
READY_TIMEOUT = 60.0


@dataclass
class VirtuosoServer:
    """A running scratch Virtuoso: where to query, where to push, and who may write."""

    endpoint: str  # http://127.0.0.1:PORT/sparql (anonymous, read-only)
    graph_store: str  # http://127.0.0.1:PORT/sparql-graph-crud-auth (Digest auth)
    update_endpoint: str  # http://127.0.0.1:PORT/sparql-auth (Digest auth)
    directory: Path
    pid: int
    start_seconds: float  # time from launch until /sparql answered
    user: str = "dba"
    password: str = "dba"
    sql_port: int = 0
    http_port: int = 0
    log_file: Path = field(default_factory=Path)

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_file, lines)


def require_virtuoso() -> str:
    """Path of virtuoso-t; skip the calling test when absent, fail instead when CI is set."""
    return require_binary(BINARY, INSTALL_HINT)


def require_binary(binary: str, hint: str) -> str:
    """Path of ``binary``; skip the calling test when absent, fail instead when CI is set."""
    path = shutil.which(binary)
    if path:
        return path
    message = f"{binary} is not installed: {hint}"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{message}; CI is set, so this is a failure, not a skip", pytrace=False)
    pytest.skip(message)
    raise AssertionError("unreachable")  # pragma: no cover


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log file)"
    return "\n".join(text.splitlines()[-lines:])


#: Memory given to a scratch Virtuoso in the tests (the five documents need little);
#: the benchmark gives its own (benchmarks/run.py --virtuoso-memory).
TEST_MEMORY = "512M"


def write_ini(directory: Path, sql_port: int, http_port: int, *, memory: str | int = TEST_MEMORY, max_rows: int | None = None) -> Path:
    """The ini of kgtool.store.virtuoso_ini for ``memory``, everything inside ``directory``, on 127.0.0.1."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "data").mkdir(exist_ok=True)
    (directory / "vsp").mkdir(exist_ok=True)
    sizing = virtuoso_sizing(memory, max_rows=max_rows or RESULT_ROWS)
    path = directory / "virtuoso.ini"
    path.write_text(virtuoso_ini(sizing, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    return path


def _answers(endpoint: str) -> bool:
    url = endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200 and b"boolean" in response.read()
    except (OSError, urllib.error.URLError):
        return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: SIGTERM the server if the test process dies without cleaning up."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop(process: subprocess.Popen, grace: float = 15.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def virtuoso_server(
    tmp_path: Path, *, timeout: float = READY_TIMEOUT, attempts: int = 3, memory: str | int = TEST_MEMORY
) -> Iterator[VirtuosoServer]:
    """Run a scratch Virtuoso in ``tmp_path``, sized for ``memory``, for the duration of the ``with`` block."""
    binary = require_virtuoso()
    directory = Path(tmp_path) / "virtuoso"
    last_error = ""
    for attempt in range(attempts):
        # Ports are picked free and then released, so another process can take one in
        # between: a server that dies at start is retried on new ports.
        sql_port, http_port = _free_port(), _free_port()
        while http_port == sql_port:
            http_port = _free_port()
        run_dir = directory / f"run{attempt}"
        ini = write_ini(run_dir, sql_port, http_port, memory=memory)
        log_file = run_dir / "virtuoso.log"
        console = open(run_dir / "console.log", "wb")  # noqa: SIM115 - the server writes to it until it stops
        started = time.monotonic()
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", ini.name],
            cwd=run_dir,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        base = f"http://127.0.0.1:{http_port}"
        endpoint = f"{base}/sparql"
        try:
            ready = False
            while time.monotonic() - started < timeout:
                if process.poll() is not None:
                    break
                if _answers(endpoint):
                    ready = True
                    break
                time.sleep(0.2)
            if not ready:
                exited = process.poll()
                tail = _tail(log_file, 30) + "\n--- console ---\n" + _tail(run_dir / "console.log", 10)
                if exited is None:
                    raise RuntimeError(f"Virtuoso did not answer {endpoint} within {timeout:.0f} s; log tail:\n{tail}")
                last_error = f"virtuoso-t exited with status {exited} at start; log tail:\n{tail}"
                continue
            server = VirtuosoServer(
                endpoint=endpoint,
                graph_store=f"{base}/sparql-graph-crud-auth",
                update_endpoint=f"{base}/sparql-auth",
                directory=run_dir,
                pid=process.pid,
                start_seconds=time.monotonic() - started,
                sql_port=sql_port,
                http_port=http_port,
                log_file=log_file,
            )
            yield server
            return
        finally:
            _stop(process)
            console.close()
    raise RuntimeError(last_error or "Virtuoso could not be started")
