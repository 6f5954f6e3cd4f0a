"""Wires the commands that take the whole graph out: export (a dump as N-Quads, Turtle or JSON-LD,
to a file or stdout) and load (pushed to a remote store by the Graph Store Protocol).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kgtool.cli.common import project_store
from kgtool.errors import KgtoolError
from kgtool.settings import project_root


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["nq", "ttl", "jsonld"]),
    default=None,
    help="nq: N-Quads, each statement in its named graph; ttl (Turtle) and jsonld (JSON-LD): the union "
    "of the graphs. Default: what --out's name says (x.ttl.gz is Turtle), else nq.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Write to FILE (atomically; gzip-compressed when FILE ends in .gz) instead of stdout.",
)
def export(fmt: str | None, out: Path | None) -> None:
    """Dump the whole graph (ontology/ and data/, as the store holds them) as N-Quads, Turtle or JSON-LD."""
    import errno

    from kgtool.publish.dumps import export as run_export
    from kgtool.publish.dumps import format_for, write
    from kgtool.store import EmbeddedStore

    chosen = format_for(out, fmt)
    store = project_store(None)
    assert isinstance(store, EmbeddedStore)  # endpoint "" is always the embedded engine
    try:
        if out is None:
            write(store.ox, chosen, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        dump = run_export(store.ox, chosen, out)
        unit = "quads" if chosen.quads else "triples"
        click.echo(f"wrote {out} ({dump.statements} {unit}, {dump.size} bytes, sha256 {dump.sha256})", err=True)
    except OSError as e:
        if e.errno != errno.EPIPE:  # a reader that stopped early (| head) is no error of ours
            raise KgtoolError(f"cannot write: {e.strerror or e}", where=str(out or "stdout")) from None
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
    finally:
        store.close()


@click.command()
@click.option("--endpoint", required=True, envvar="KGTOOL_ENDPOINT", metavar="URL", help="SPARQL endpoint (query URL).")
@click.option("--graph-store", metavar="URL", help="Graph Store Protocol URL (default: derived from the endpoint).")
@click.option("--graph", metavar="IRI", help="Load everything into this one named graph.")
@click.option("--user", envvar="KGTOOL_ENDPOINT_USER", help="User name (env KGTOOL_ENDPOINT_USER).")
@click.option("--password", envvar="KGTOOL_ENDPOINT_PASSWORD", help="Password (env KGTOOL_ENDPOINT_PASSWORD).")
@click.option("--auth", "auth_scheme", type=click.Choice(["digest", "basic"]), default="digest", show_default=True)
def load(endpoint: str, graph_store: str | None, graph: str | None, user: str | None, password: str | None, auth_scheme: str) -> None:
    """Push ontology/ and data/ to a remote store (SPARQL 1.1 Graph Store HTTP Protocol)."""
    from rdflib import URIRef

    from kgtool.store import push

    def progress(iri, done, total, triples):
        click.echo(f"[{done}/{total}] {iri}: {triples} triples", err=True)

    counts = push(
        project_root(),
        endpoint,
        graph_store=graph_store,
        user=user,
        password=password,
        auth_scheme=auth_scheme,
        graph=URIRef(graph) if graph else None,
        progress=progress,
    )
    click.echo(f"loaded {sum(counts.values())} triples into {len(counts)} graph(s)")
