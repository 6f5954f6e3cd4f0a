"""Run the web app with waitress: `kgtool serve` calls `serve`.

Binds 127.0.0.1 by default: exposing the endpoint is a choice made with ``host``.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

from kgtool.settings import setting

#: Addresses of this machine only: review forms are served there without a token.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def make_server(*, host: str = "127.0.0.1", port: int = 8000, endpoint: str | None = None,
                root: Path | str | None = None, threads: int = 16, config: dict | None = None):
    """A waitress server for the app, not yet running (``.effective_port`` tells the port for 0)."""
    from waitress import create_server

    from kgtool.web import create_app

    settings = {"ENDPOINT": endpoint, **(config or {})}
    if root is not None:
        settings["ROOT"] = Path(root)
    app = create_app(settings)
    server = create_server(app, host=host, port=port, threads=threads, ident="kgtool",
                           max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]),
                           clear_untrusted_proxy_headers=True, channel_timeout=120)
    server.kgtool_app = app
    return server


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


def serve(*, host: str = "127.0.0.1", port: int = 8000, endpoint: str | None = None,
          root: Path | str | None = None, threads: int = 16, config: dict | None = None) -> None:
    """Serve the web app until interrupted; prints its URL to stderr.

    Args:
        host: interface to bind; 127.0.0.1 keeps it on this machine.
        port: TCP port (0 picks a free one).
        endpoint: a SPARQL endpoint to browse instead of the embedded store.
        root: the project folder (default: `kgtool.settings.project_root`).
        threads: request threads.
        config: more of the app's settings (`kgtool.web.create_app`), e.g. ``REVIEW``.

    Raises:
        KgtoolError: if the store cannot be opened, or review is asked on another address than
            this machine's without a token.
    """
    if (config or {}).get("REVIEW") and not (config or {}).get("REVIEW_TOKEN") and host not in LOOPBACK:
        from kgtool.errors import KgtoolError
        raise KgtoolError(f"review forms write the project: not on {host} without a token", where="--host",
                          hint="review on 127.0.0.1, or give --token SECRET")
    server = make_server(host=host, port=port, endpoint=endpoint, root=root, threads=threads, config=config)
    warm(server.kgtool_app)
    shown = f"[{host}]" if ":" in host else host
    print(f"kgtool: serving http://{shown}:{server.effective_port}/ (query limit {setting('query_timeout_s')} s, "
          f"{setting('max_rows')} rows; Ctrl-C to stop)", file=sys.stderr, flush=True)
    if (config or {}).get("REVIEW"):
        how = "open it once with ?token=SECRET" if config and config.get("REVIEW_TOKEN") else "on this machine only"
        print(f"kgtool: review forms on document pages ({how}); corrections go to data/corrections/",
              file=sys.stderr, flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        server.kgtool_app.extensions["kgtool"].close()
