"""Start a real, throw-away Dask cluster on 127.0.0.1 for the tests and the benchmark.

`dask_cluster(folder)` starts ``dask scheduler`` (port 0: the system picks a free one, read back
from its ``--scheduler-file``) and N ``dask worker`` processes (``--nworkers 1`` each), with the
same Python as the caller, waits until the scheduler has every worker, and yields a
`DaskCluster`. Every process is started in its own session and stopped with its whole process
group (SIGTERM, then SIGKILL), whatever happens, so no worker or Java child outlives the test.

distributed is one of kgtool's dependencies; should it be missing, the tests are skipped,
unless the environment variable ``CI`` is set: then they fail, so CI cannot pass by skipping.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

READY_TIMEOUT = 90.0


@dataclass
class DaskCluster:
    """A running scratch cluster: the scheduler's address and the processes behind it."""

    address: str  # tcp://127.0.0.1:PORT
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]  # one `dask worker` command each (its nanny, worker and their children)
    folder: Path

    def log_tail(self, lines: int = 30) -> str:
        out = []
        for log in sorted(self.folder.glob("*.log")):
            text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)


def require_distributed() -> None:
    """Skip the calling test when distributed is not installed, fail instead when CI is set."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        message = "distributed is not installed (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(message)


def _start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=env)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process's group (it leads its own session), then SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):  # stragglers of the group (a Java child, say)
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def dask_cluster(
    folder: Path, *, workers: int = 2, threads: int = 1, memory_limit: str = "4GB", env: dict[str, str] | None = None
) -> Iterator[DaskCluster]:
    """A scheduler and ``workers`` workers on 127.0.0.1, each worker one process of ``threads`` threads."""
    require_distributed()
    import distributed

    folder.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, **(env or {})}
    scheduler_file = folder / "scheduler.json"
    scheduler_file.unlink(missing_ok=True)
    dask = [sys.executable, "-m", "dask"]
    # should the caller be killed before it can stop them: the scheduler ends after 10 idle minutes
    # and the workers a minute after losing it
    scheduler = _start(
        [
            *dask,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--idle-timeout",
            "600s",
            "--scheduler-file",
            str(scheduler_file),
        ],
        folder / "scheduler.log",
        environment,
    )
    started: list[subprocess.Popen] = []
    cluster = DaskCluster("", scheduler, started, folder)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not scheduler_file.exists() or not scheduler_file.read_text(encoding="utf-8").strip():
            if scheduler.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dask scheduler did not start\n{cluster.log_tail()}")
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written whole, but give it a moment
        cluster.address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        for i in range(workers):
            started.append(
                _start(
                    [
                        *dask,
                        "worker",
                        cluster.address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        str(threads),
                        "--memory-limit",
                        memory_limit,
                        "--host",
                        "127.0.0.1",
                        "--no-dashboard",
                        "--name",
                        f"kgtool-test-{i}",
                        "--local-directory",
                        str(folder / f"worker-{i}"),
                        "--death-timeout",
                        "60s",
                    ],
                    folder / f"worker-{i}.log",
                    environment,
                )
            )
        with distributed.Client(cluster.address, timeout=30, set_as_default=False) as client:
            try:
                client.wait_for_workers(workers, timeout=READY_TIMEOUT)
            except (OSError, TimeoutError):
                pytest.fail(f"the dask workers did not join\n{cluster.log_tail()}")
        yield cluster
    finally:
        for process in [*started, scheduler]:
            _stop(process)
