"""Start a real, throw-away Oxigraph server (``oxigraph serve``, PyPI ``oxigraph``) for the tests.

`oxigraph_server(tmp_path)` starts ``oxigraph serve --location DIR --bind 127.0.0.1:PORT
--timeout-s N`` with its database in ``tmp_path``, waits until ``/query`` answers and yields an
`OxigraphServer`; the process is stopped (SIGTERM, then SIGKILL) whatever happens. It is the
second remote engine beside Virtuoso: the same saved queries, pushed with the same Graph Store
Protocol (``/store``), must give the embedded engine's answers.

When the ``oxigraph`` command is missing the tests are skipped, unless the environment variable
``CI`` is set: then it fails, so CI cannot pass by skipping. It comes with the test extra
(``pip install -e ".[test]"``).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    from virtuoso_server import _answers, _die_with_parent, _free_port, _stop, _tail, require_binary
except ImportError:  # tests/ imported as a package
    from tests.virtuoso_server import _answers, _die_with_parent, _free_port, _stop, _tail, require_binary

BINARY = "oxigraph"
INSTALL_HINT = 'it comes with the test extra: pip install -e ".[test]" (PyPI oxigraph)'
READY_TIMEOUT = 30.0
#: Seconds Oxigraph gives a query before stopping it (``--timeout-s``): above kgtool's own
#: limits, as for Virtuoso's MaxQueryExecutionTime (kgtool/store/virtuoso_ini.py).
QUERY_TIMEOUT_S = 120


@dataclass
class OxigraphServer:
    """A running scratch Oxigraph server: where to query and where to push (no credentials)."""

    endpoint: str  # http://127.0.0.1:PORT/query
    graph_store: str  # http://127.0.0.1:PORT/store
    directory: Path
    pid: int
    start_seconds: float
    log_file: Path

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_file, lines)


def command(location: Path, port: int, timeout_s: int = QUERY_TIMEOUT_S) -> list[str]:
    """How an operator starts it: a persistent location, loopback only, a query time limit."""
    return [
        shutil.which(BINARY) or BINARY,
        "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout-s",
        str(timeout_s),
    ]


@contextlib.contextmanager
def oxigraph_server(
    tmp_path: Path, *, timeout: float = READY_TIMEOUT, attempts: int = 3, query_timeout_s: int = QUERY_TIMEOUT_S
) -> Iterator[OxigraphServer]:
    """Run a scratch Oxigraph server in ``tmp_path`` for the duration of the ``with`` block."""
    require_binary(BINARY, INSTALL_HINT)
    directory = Path(tmp_path) / "oxigraph"
    last_error = ""
    for attempt in range(attempts):
        port = _free_port()  # free when picked, so a server that dies at start is retried
        run_dir = directory / f"run{attempt}"
        run_dir.mkdir(parents=True, exist_ok=True)
        log_file = run_dir / "console.log"
        console = open(log_file, "wb")  # noqa: SIM115 - the server writes to it until it stops
        started = time.monotonic()
        process = subprocess.Popen(
            command(run_dir / "db", port, query_timeout_s),
            cwd=run_dir,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            ready = False
            while time.monotonic() - started < timeout:
                if process.poll() is not None:
                    break
                if _answers(f"{base}/query"):
                    ready = True
                    break
                time.sleep(0.05)
            if not ready:
                exited = process.poll()
                if exited is None:
                    raise RuntimeError(f"oxigraph did not answer {base}/query within {timeout:.0f} s; console:\n{_tail(log_file, 20)}")
                last_error = f"oxigraph exited with status {exited} at start; console:\n{_tail(log_file, 20)}"
                continue
            yield OxigraphServer(
                endpoint=f"{base}/query",
                graph_store=f"{base}/store",
                directory=run_dir,
                pid=process.pid,
                start_seconds=time.monotonic() - started,
                log_file=log_file,
            )
            return
        finally:
            _stop(process)
            console.close()
    raise RuntimeError(last_error or "oxigraph could not be started")
