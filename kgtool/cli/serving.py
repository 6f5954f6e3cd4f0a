"""Wires the serve command: the web browser and read-only SPARQL endpoint under waitress, with the
review forms when --review is given; a port that cannot be listened on is one line, exit 2.
"""

from __future__ import annotations

import click

from kgtool.cli.common import endpoint_option, note_stale_store
from kgtool.errors import KgtoolError
from kgtool.settings import project_root


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (0.0.0.0 exposes it).")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=16, show_default=True, type=int, help="Worker threads of the WSGI server.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Server processes sharing the port, each with its own copy of the graph (memory grows with N).",
)
@endpoint_option
@click.option(
    "--review",
    is_flag=True,
    help="Also let analysts correct documents from their pages (forms that write data/corrections/, as "
    "`kgtool correct` does); only on 127.0.0.1 unless --token is given.",
)
@click.option(
    "--token",
    envvar="KGTOOL_REVIEW_TOKEN",
    metavar="SECRET",
    help="With --review: the secret an analyst opens the site with once (?token=SECRET) before any form "
    "is shown or taken; needed to review on another address (env KGTOOL_REVIEW_TOKEN).",
)
@click.option(
    "--analyst",
    envvar="KGTOOL_ANALYST",
    metavar="NAME",
    help='With --review: the name the forms put in "by" unless the analyst types another (env KGTOOL_ANALYST).',
)
def serve(
    host: str, port: int, threads: int, workers: int, endpoint: str | None, review: bool, token: str | None, analyst: str | None
) -> None:
    """Serve the web browser and the read-only SPARQL endpoint (waitress); with --review, the
    review forms too (the public server has no route that writes)."""
    from kgtool.web.serve import serve as run_serve

    if (token or analyst) and not review:
        raise click.UsageError("--token and --analyst go with --review")
    if not endpoint:
        note_stale_store(project_root())
    config = {"REVIEW": True, "REVIEW_TOKEN": token, "ANALYST": analyst or ""} if review else None
    try:
        run_serve(host=host, port=port, endpoint=endpoint or None, root=project_root(), threads=threads, config=config, workers=workers)
    except OSError as e:  # the port is taken, or the address is not this machine's
        raise KgtoolError(
            f"cannot listen on {host}:{port}: {e.strerror}", where="--port", hint="choose another --port, or stop what is using it"
        ) from None
