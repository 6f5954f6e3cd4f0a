"""Start a real, throw-away Virtuoso Open Source server for the tests.

`virtuoso_server(tmp_path)` writes a scratch ``virtuoso.ini`` into ``tmp_path`` (free ports on
127.0.0.1 only, no Unix socket, no VAD install, a raised ``ResultSetMaxRows``), starts
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

BINARY = "virtuoso-t"
INSTALL_HINT = "install it with `bash .ci/install-virtuoso.sh` (Debian package virtuoso-opensource)"
READY_TIMEOUT = 60.0


@dataclass
class VirtuosoServer:
    """A running scratch Virtuoso: where to query, where to push, and who may write."""

    endpoint: str            # http://127.0.0.1:PORT/sparql (anonymous, read-only)
    graph_store: str         # http://127.0.0.1:PORT/sparql-graph-crud-auth (Digest auth)
    update_endpoint: str     # http://127.0.0.1:PORT/sparql-auth (Digest auth)
    directory: Path
    pid: int
    start_seconds: float     # time from launch until /sparql answered
    user: str = "dba"
    password: str = "dba"
    sql_port: int = 0
    http_port: int = 0
    log_file: Path = field(default_factory=Path)

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_file, lines)


def require_virtuoso() -> str:
    """Path of virtuoso-t; skip the calling test when absent, fail instead when CI is set."""
    path = shutil.which(BINARY)
    if path:
        return path
    message = f"{BINARY} is not installed: {INSTALL_HINT}"
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


def write_ini(directory: Path, sql_port: int, http_port: int, *, max_rows: int = 1_000_000) -> Path:
    """A minimal virtuoso.ini that keeps everything inside ``directory`` and on 127.0.0.1."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "data").mkdir(exist_ok=True)
    (directory / "vsp").mkdir(exist_ok=True)
    ini = f"""\
[Database]
DatabaseFile       = virtuoso.db
ErrorLogFile       = virtuoso.log
LockFile           = virtuoso.lck
TransactionFile    = virtuoso.trx
xa_persistent_file = virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = virtuoso-temp.db
TransactionFile    = virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort            = 127.0.0.1:{sql_port}
DisableUnixSocket     = 1
DisableTcpSocket      = 0
MaxClientConnections  = 10
CheckpointInterval    = 60
CaseMode              = 2
DirsAllowed           = ., data
NumberOfBuffers       = 10000
MaxDirtyBuffers       = 6000
MaxQueryMem           = 256M
ThreadsPerQuery       = 2
AsyncQueueMaxThreads  = 4

[HTTPServer]
ServerPort            = 127.0.0.1:{http_port}
ServerRoot            = vsp
MaxClientConnections  = 10
ServerThreads         = 10
MaxKeepAlives         = 10
KeepAliveTimeout      = 10
Charset               = UTF-8
EnabledDavVSP         = 0
EnabledGzipContent    = 0

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
DeferInferenceRulesInit    = 0
"""
    path = directory / "virtuoso.ini"
    path.write_text(ini, encoding="utf-8")
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
def virtuoso_server(tmp_path: Path, *, timeout: float = READY_TIMEOUT, attempts: int = 3) -> Iterator[VirtuosoServer]:
    """Run a scratch Virtuoso in ``tmp_path`` for the duration of the ``with`` block."""
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
        ini = write_ini(run_dir, sql_port, http_port)
        log_file = run_dir / "virtuoso.log"
        console = open(run_dir / "console.log", "wb")  # noqa: SIM115 - the server writes to it until it stops
        started = time.monotonic()
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", ini.name],
            cwd=run_dir, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent if sys.platform == "linux" else None,
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
                    raise RuntimeError(
                        f"Virtuoso did not answer {endpoint} within {timeout:.0f} s; log tail:\n{tail}")
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
