"""Where per-document work runs: processes on this machine, or the workers of a Dask cluster.

Reading a source (build) and validating a unit of documents (the gap report) need only their
files and give a value back, so the same module-level task functions run anywhere that can
import kgtool. `open_executor` takes what ``--executor`` says:

- None or ``"local"`` (the default): a `concurrent.futures.ProcessPoolExecutor` on this machine
  (forked when the caller runs one thread, else spawned), or this very process for 0 or 1 workers;
- ``"tcp://HOST:PORT"``: the Dask distributed scheduler there, through its own
  `concurrent.futures` interface (`distributed.Client.get_executor`); its workers run the tasks.

A task gets paths, not file contents, and only its result travels back: the workers must see
the project at the same path as the caller (a shared filesystem, as on most clusters). On
connecting, kgtool asks every worker whether it sees those paths and runs the same kgtool code
(a digest of the package's files), and says in one line which does not, rather than let a
worker with other code or other files make a different graph. Writing stays with the caller:
build writes data/*.ttl itself, atomically, and the gap report is merged here.

Errors are one line (`kgtool.errors.ClusterError`, exit 3): a scheduler that does not answer
within ``KGTOOL_CLUSTER_TIMEOUT_S``, one without workers, a worker that died. A task's own
`KgtoolError` (a source that cannot be read) comes back as itself, file name and all.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kgtool.errors import ClusterError, KgtoolError
from kgtool.settings import setting

__all__ = ["LOCAL", "Pool", "allow_children", "check_spec", "gather", "open_executor", "ordered"]

LOCAL = "local"
#: What --executor accepts besides "local": a Dask scheduler's address (port 8786 when left out).
_ADDRESS = re.compile(r"tcp://[^\s/:]+(:\d{1,5})?")
#: Tasks a caller of `ordered` may have submitted and not yet taken back, per slot.
_AHEAD = 4

Progress = Callable[[int, int], None]


def check_spec(spec: str | None) -> str | None:
    """None for local processes, else the scheduler address.

    >>> check_spec(None), check_spec("local"), check_spec("tcp://10.0.0.5:8786")
    (None, None, 'tcp://10.0.0.5:8786')

    Raises:
        KgtoolError: anything else (exit 2), naming --executor.
    """
    if spec is None or spec == LOCAL:
        return None
    if _ADDRESS.fullmatch(spec):
        return spec
    raise KgtoolError(
        f"not an executor: {spec!r}", where="--executor", hint="`local`, or a Dask scheduler's address such as tcp://HOST:8786"
    )


@dataclass(frozen=True)
class Pool:
    """An executor with what callers plan by: where it runs and how many tasks run at once."""

    executor: cf.Executor
    where: str  # "this process", "2 local processes", "tcp://host:8786 (2 workers)"
    slots: int  # tasks running at once (processes, or the workers' threads)
    lost: tuple[type[BaseException], ...] = ()  # what the executor raises when a worker dies


class _Inline(cf.Executor):
    """Runs each task when it is submitted, in the caller: no process to start for a small job."""

    def submit(self, fn, /, *args, **kwargs):
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future, as a pool would
            future.set_exception(exc)
        return future


@contextlib.contextmanager
def open_executor(spec: str | None = None, *, workers: int | None = None, sees: Sequence[Path] = ()) -> Iterator[Pool]:
    """The executor ``--executor`` names, shut down (pending tasks cancelled) when the block ends.

    Args:
        spec: None or "local" for this machine, or a Dask scheduler's address.
        workers: local processes (None: one per CPU; 0 or 1: this process); ignored for a cluster,
            whose workers are what they are.
        sees: paths every cluster worker must see as the caller does (the project, the shapes).

    Raises:
        KgtoolError: a spec that is neither (exit 2).
        ClusterError: the scheduler does not answer, has no worker, or a worker cannot run kgtool
            or does not see ``sees`` (exit 3).
    """
    address = check_spec(spec)
    if address is not None:
        with _cluster(address, sees) as pool:
            yield pool
        return
    count = (os.cpu_count() or 1) if workers is None else workers
    if count <= 1:
        yield Pool(_Inline(), "this process", 1)
        return
    # fork is quick and needs no `if __name__ == "__main__"` guard in the caller's script, but is
    # unsafe in a process with other threads (a web server): spawn there
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods and threading.active_count() == 1 else "spawn")
    executor = cf.ProcessPoolExecutor(max_workers=count, mp_context=context)
    try:
        yield Pool(executor, f"{count} local processes", count, (cf.process.BrokenProcessPool,))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _cluster(address: str, sees: Sequence[Path]) -> Iterator[Pool]:
    """A Dask client of the scheduler at address, checked, as a Pool."""
    import distributed

    seconds = float(setting("cluster_timeout_s"))
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # its connection retries would print lines of their own
    try:
        try:
            client = distributed.Client(address, timeout=seconds, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            why = _first_line(exc)
            why = "" if why.startswith("Timed out trying to connect") else f" ({why})"  # it says what we say
            raise ClusterError(
                f"no Dask scheduler answered at {address} within {seconds:g} s{why}",
                where="--executor",
                hint="start it with `dask scheduler`, or raise KGTOOL_CLUSTER_TIMEOUT_S",
            ) from None
        try:
            try:
                client.wait_for_workers(1, timeout=seconds)
            except (OSError, TimeoutError):
                raise ClusterError(
                    f"the Dask scheduler at {address} has no worker",
                    where="--executor",
                    hint="start some with `dask worker " + address + "`",
                ) from None
            _check_workers(client, address, sees)
            threads = sum(w.get("nthreads", 1) for w in client.scheduler_info(n_workers=-1)["workers"].values())
            workers = len(client.scheduler_info(n_workers=-1)["workers"])
            # pure=False: a task read again must run again (the files may have changed since)
            executor = client.get_executor(pure=False)
            try:
                yield Pool(
                    executor,
                    f"{address} ({workers} worker{'s' if workers != 1 else ''})",
                    max(1, threads),
                    (distributed.KilledWorker, distributed.client.FutureCancelledError, cf.CancelledError),
                )
            finally:
                executor.shutdown(wait=False)
        finally:
            client.close()
    finally:
        quiet.setLevel(level)


def _first_line(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).strip().splitlines()[0]


def _check_workers(client: Any, address: str, sees: Sequence[Path]) -> None:
    """Every worker runs this kgtool and sees these paths, or a ClusterError saying which does not."""
    paths = [str(Path(p).resolve()) for p in sees]
    try:
        answers = client.run(_probe, paths)
    except Exception as exc:  # noqa: BLE001 - whatever a worker that cannot import kgtool raises
        raise ClusterError(
            f"the workers of {address} cannot run kgtool ({_first_line(exc)})",
            where="--executor",
            hint="install the same kgtool where the workers run",
        ) from None
    ours = code_digest()
    for worker, (digest, missing) in sorted(answers.items()):
        if missing:
            raise ClusterError(
                f"worker {worker} does not see {missing}",
                where="--executor",
                hint="the workers need the project at the same path (a shared filesystem)",
            )
        if digest != ours:
            raise ClusterError(
                f"worker {worker} runs a different kgtool from this one",
                where="--executor",
                hint="install the same kgtool where the workers run, and restart them",
            )


def _probe(paths: list[str]) -> tuple[str, str | None]:
    """Run on each worker: its kgtool's digest, and the first of paths it does not see."""
    return code_digest(), next((p for p in paths if not os.path.exists(p)), None)


@cache
def code_digest() -> str:
    """SHA-256 of kgtool's own files (code and reading rules), taken once per process: what
    decides the graph a source gives, so two processes with the same digest build the same."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml") and path.is_file():
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def allow_children() -> None:
    """Let this process start child processes, as a task that needs them must.

    Dask runs its workers as daemonic processes (distributed.worker.daemon), and multiprocessing
    refuses children to those; the readers of kgtool/read/formats/ each run in a forked child that
    the reader waits for or kills itself, so the flag is lifted for the worker process."""
    current = multiprocessing.current_process()
    if current.daemon:
        current.daemon = False


def ordered(pool: Pool, fn: Callable[..., Any], tasks: Sequence[tuple]) -> Iterator[Any]:
    """fn(*task) for each task, results in the tasks' order as they are taken.

    At most a few tasks per slot are submitted ahead of the one taken, so the results waiting
    to be taken stay few whatever the number of tasks. An error is raised when its result is
    reached; what was submitted after it is cancelled.
    """
    window = _AHEAD * max(1, pool.slots)
    pending: list[cf.Future] = []
    submitted = 0
    try:
        for _ in range(len(tasks)):
            while submitted < len(tasks) and len(pending) < window:
                pending.append(pool.executor.submit(fn, *tasks[submitted]))
                submitted += 1
            yield _result(pool, pending.pop(0))
    finally:
        for future in pending:
            future.cancel()


def gather(
    pool: Pool, fn: Callable[..., Any], tasks: Sequence[tuple], *, order: Sequence[int] | None = None, progress: Progress | None = None
) -> list[Any]:
    """fn(*task) for every task, all submitted at once (in ``order``, e.g. largest first); the
    results in the tasks' order. The first error cancels the rest and is raised."""
    futures = {pool.executor.submit(fn, *tasks[i]): i for i in (order if order is not None else range(len(tasks)))}
    results: dict[int, Any] = {}
    try:
        for future in cf.as_completed(futures):
            results[futures[future]] = _result(pool, future)
            if progress is not None:
                progress(len(results), len(tasks))
    finally:
        for future in futures:
            future.cancel()
    return [results[i] for i in range(len(tasks))]


def _result(pool: Pool, future: cf.Future) -> Any:
    try:
        return future.result()
    except pool.lost as exc:
        raise ClusterError(
            f"a worker of {pool.where} died during the work ({_first_line(exc)})",
            hint="out of memory? see the worker's log; KGTOOL_JENA_UNIT_HEAP_MB bounds Jena's heap",
        ) from None
