"""Run the web app with waitress: `kgtool serve` calls `serve`.

Binds 127.0.0.1 by default: exposing the endpoint is a choice made with ``host``.

With ``workers`` above 1, `run_processes` binds the socket here and forks that many server
processes that all accept on it (the kernel hands each connection to one of them), each with
its own app, store and caches: one Python process answers pages on one core at a time (the
interpreter lock), so on a machine with more cores more processes answer more pages. This
process only watches them: it passes SIGTERM and SIGINT on, reports one that stops, and
returns when all have stopped.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kgtool.errors import KgtoolError
from kgtool.settings import setting

#: Addresses of this machine only: review forms are served there without a token.
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: With several server processes, the header naming the one that answered (its process id).
PROCESS_HEADER = "X-Kgtool-Process"
#: Seconds the server processes have to stop after SIGTERM before they are killed.
STOP_GRACE_S = 20.0
#: Connections the kernel queues while every process is busy (waitress's default).
BACKLOG = 1024


def make_server(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    endpoint: str | None = None,
    root: Path | str | None = None,
    threads: int = 16,
    config: dict | None = None,
    sock: socket.socket | None = None,
):
    """A waitress server for the app, not yet running (``.effective_port`` tells the port for 0).

    ``sock``: a listening socket shared with other server processes (host and port are then
    unused), and each answer names this process in `PROCESS_HEADER`.
    """
    from waitress import create_server

    from kgtool.web import create_app

    settings = {"ENDPOINT": endpoint, **(config or {})}
    if root is not None:
        settings["ROOT"] = Path(root)
    app = create_app(settings)
    where: dict[str, Any] = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    server = create_server(
        app if sock is None else _naming_process(app),
        threads=threads,
        ident="kgtool",
        max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]),
        clear_untrusted_proxy_headers=True,
        channel_timeout=120,
        **where,
    )
    server.kgtool_app = app
    return server


def _naming_process(app: Callable) -> Callable:
    pid = str(os.getpid())

    def named(environ: dict, start_response: Callable):
        return app(environ, lambda status, headers, exc_info=None: start_response(status, [*headers, (PROCESS_HEADER, pid)], exc_info))

    return named


def _close(server) -> None:
    """Stop the server and what it started: the app's query workers, the gap report's process."""
    server.close()
    app = getattr(server, "kgtool_app", None)
    if app is not None:
        app.extensions["kgtool"].close()
    for child in multiprocessing.active_children():
        child.terminate()


def warm(app) -> threading.Thread:
    """Compute the slow caches (labels, search index, gap report) in the background so first visits are quick."""

    def run() -> None:
        with app.app_context():
            from kgtool.store.textindex import index_for
            from kgtool.web import lookup
            from kgtool.web.report import get_report
            from kgtool.web.site import site

            try:
                site().labels()
                index_for(site().store)  # opens the store's index file, or builds one in memory
                lookup.jurisdictions(site())  # the home page's summaries over the whole graph
                if site().runner is not None:
                    site().runner.warm()
                get_report()
            except Exception as exc:  # noqa: BLE001 - the page will show the error when visited
                print(f"kgtool: warming the caches failed: {exc}", file=sys.stderr)

    thread = threading.Thread(target=run, name="kgtool-warm", daemon=True)
    thread.start()
    return thread


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    endpoint: str | None = None,
    root: Path | str | None = None,
    threads: int = 16,
    config: dict | None = None,
    workers: int = 1,
) -> None:
    """Serve the web app until interrupted; prints its URL to stderr.

    Args:
        host: interface to bind; 127.0.0.1 keeps it on this machine.
        port: TCP port (0 picks a free one).
        endpoint: a SPARQL endpoint to browse instead of the embedded store.
        root: the project folder (default: `kgtool.settings.project_root`).
        threads: request threads (of each process).
        config: more of the app's settings (`kgtool.web.create_app`), e.g. ``REVIEW``.
        workers: server processes on one socket (`run_processes`); each loads the graph.

    Raises:
        KgtoolError: if the store cannot be opened, review is asked on another address than
            this machine's without a token or with several processes, or ``workers`` is below 1.
        OSError: if the address cannot be listened on.
    """
    review = bool((config or {}).get("REVIEW"))
    if review and not (config or {}).get("REVIEW_TOKEN") and host not in LOOPBACK:
        raise KgtoolError(
            f"review forms write the project: not on {host} without a token",
            where="--host",
            hint="review on 127.0.0.1, or give --token SECRET",
        )
    if workers < 1:
        raise KgtoolError(f"--workers must be at least 1, not {workers}", where="--workers")
    if review and workers > 1:
        raise KgtoolError(
            "review forms reload the graph of the process that took the correction: not with several processes",
            where="--workers",
            hint="review with --workers 1",
        )
    shown = f"[{host}]" if ":" in host else host
    limits = f"query limit {setting('query_timeout_s')} s, {setting('max_rows')} rows; Ctrl-C to stop"
    if workers > 1:
        sock = listen(host, port)

        def start(shared: socket.socket):
            server = make_server(endpoint=endpoint, root=root, threads=threads, config=config, sock=shared)
            warm(server.kgtool_app)
            return server

        def ready() -> None:
            print(
                f"kgtool: serving http://{shown}:{sock.getsockname()[1]}/ ({workers} processes × {threads} threads; {limits})",
                file=sys.stderr,
                flush=True,
            )

        run_processes(sock, workers, start, ready=ready)
        return
    server = make_server(host=host, port=port, endpoint=endpoint, root=root, threads=threads, config=config)
    warm(server.kgtool_app)
    print(f"kgtool: serving http://{shown}:{server.effective_port}/ ({limits})", file=sys.stderr, flush=True)
    if review:
        how = "open it once with ?token=SECRET" if config and config.get("REVIEW_TOKEN") else "on this machine only"
        print(f"kgtool: review forms on document pages ({how}); corrections go to data/corrections/", file=sys.stderr, flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        _close(server)


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (0: a free port) for server processes to share.

    Raises:
        OSError: if the address cannot be listened on (taken, or not this machine's).
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def run_processes(
    sock: socket.socket, workers: int, start: Callable[[socket.socket], Any], *, ready: Callable[[], None] | None = None
) -> None:
    """Fork ``workers`` processes that each run ``start(sock)``'s waitress server, until told to stop.

    Call it from a process without other threads (forking copies only the calling thread).
    ``ready()`` is called once every process has made its server. SIGTERM or SIGINT here is
    passed to every process as SIGTERM (they close their servers, the app's query workers and
    gap report process, then exit); one still running `STOP_GRACE_S` later is killed. A process
    that stops on its own is reported on stderr and the others keep serving.

    Raises:
        KgtoolError: if a process stopped before its server was made (the process printed why;
            the others are stopped), or every process stopped on its own.
    """
    readable, writable = os.pipe()
    children: set[int] = set()
    stopping: list[float] = []  # when the stop began
    failure: list[str] = []

    def stop(signum: int = signal.SIGTERM, frame: object = None) -> None:
        if not stopping:
            stopping.append(time.monotonic())
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for _ in range(workers):
            children.add(_fork(sock, start, writable))
        os.close(writable)
        made, waiting = 0, True
        while children:
            if not waiting:
                time.sleep(0.2)
            elif select.select([readable], [], [], 0.2)[0]:
                said = os.read(readable, 64)
                waiting = bool(said)  # b"": every process has said it or stopped
                made += len(said)
                if said and made == workers and ready is not None:
                    ready()
            for pid, how in _stopped(children):
                if stopping:
                    continue
                if made < workers:
                    failure.append(f"a server process stopped while starting ({how})")
                    stop()
                    continue
                print(
                    f"kgtool: server process {pid} stopped ({how}); {len(children)} of {workers} still serving", file=sys.stderr, flush=True
                )
                if not children:
                    failure.append("every server process stopped")
            if stopping and time.monotonic() - stopping[0] > STOP_GRACE_S:
                for pid in children:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for pid in children:  # only after an error here: no process is left behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.close(readable)
        sock.close()
    if failure:
        raise KgtoolError(failure[0], where="--workers")


def _stopped(children: set[int]) -> list[tuple[int, str]]:
    """Collect the processes that have stopped: (pid, how), each taken out of ``children``."""
    found = []
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            break
        children.discard(pid)
        code = os.waitstatus_to_exitcode(status)
        found.append((pid, f"signal {-code}" if code < 0 else f"exit status {code}"))
    return found


def _fork(sock: socket.socket, start: Callable[[socket.socket], Any], ready: int) -> int:
    """A server process: make the server, say so on ``ready``, serve until SIGTERM or SIGINT."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        _stop_with_parent()
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        server = start(sock)
        os.write(ready, b"r")
        os.close(ready)
        try:
            server.run()
        finally:
            _close(server)
        code = 0
    except KeyboardInterrupt:
        code = 0
    except KgtoolError as exc:
        print(f"kgtool: error: {exc}", file=sys.stderr, flush=True)
    except BaseException as exc:  # noqa: BLE001 - a forked child must never return into the parent's code
        print(f"kgtool: server process {os.getpid()} failed: {exc!r}", file=sys.stderr, flush=True)
    finally:
        sys.stderr.flush()
        os._exit(code)


def _interrupt(signum: int, frame: object) -> None:
    """The first SIGTERM or SIGINT stops the server (waitress closes on KeyboardInterrupt); the
    next (Ctrl-C reaches a process both from the terminal and from the watching process) must
    not interrupt the closing."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _stop_with_parent() -> None:
    """Linux: SIGTERM this process if the watching process dies (even by SIGKILL), so none is orphaned."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
