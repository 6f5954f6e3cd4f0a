"""The command line: one thin command per stage (parse, call the stage, render).

Exit codes: 0 ok; 1 validate found violations; 2 bad input or usage; 3 engine unreachable.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from kgtool.errors import KgtoolError
from kgtool.settings import project_root


class Group(click.Group):
    """Turns a KgtoolError into one line on stderr and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgtoolError as e:
            click.echo(f"kgtool: error: {e}", err=True)
            ctx.exit(e.exit_code)


def _progress(label: str):
    def wrap(items):
        items = list(items)
        return tqdm(items, desc=label, unit="doc", file=sys.stderr, disable=not sys.stderr.isatty() and len(items) < 20)
    return wrap


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kgtool")
def cli() -> None:
    """kgtool: a knowledge graph of work-safety accountability (安全生产责任) in Chinese public bodies."""


@cli.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any committed data/*.ttl is stale.")
def build(check: bool) -> None:
    """Regenerate data/<slug>.ttl from every data/sources/*.txt."""
    from kgtool.build import build as run_build

    root = project_root()
    changed = run_build(root, check=check, progress=_progress("build"))
    for path in changed:
        click.echo(f"{'stale' if check else 'wrote'}: {path.relative_to(root)}")
    if check and changed:
        click.echo("kgtool: error: committed RDF is stale; run `kgtool build`", err=True)
        sys.exit(1)
    if not changed:
        click.echo("all data files up to date", err=True)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Write the RDF here instead of data/<slug>.ttl.")
@click.option("--slug", help="Document id (default: from the file name).")
@click.option("--encoding", help="Text encoding of FILE if not UTF-8, e.g. gb18030.")
@click.option("--force", is_flag=True, help="Replace a different document that has the same id.")
def ingest(file: Path, out: Path | None, slug: str | None, encoding: str | None, force: bool) -> None:
    """Read a new document of the same kind and write its RDF; report what was recognised."""
    from kgtool.build import ingest as run_ingest

    built, target = run_ingest(file, project_root(), out=out, slug=slug, encoding=encoding, force=force)
    click.echo(f"wrote {target} ({len(built.graph)} triples)")
    for key, value in built.summary.counts.items():
        click.echo(f"  {key:12} {value}")
    if built.summary.unplaced:
        click.echo("could not place:")
        for line in built.summary.unplaced:
            click.echo(f"  {line}")


@cli.command()
def stats() -> None:
    """Counts per document: provisions, bodies, posts, duties, frequencies, principles."""
    from kgtool.build import build_one, context, sources

    root = project_root()
    lexicon, places = context(root)
    keys = None
    for path in sources(root):
        built = build_one(path, root, lexicon, places)
        if keys is None:
            keys = list(built.summary.counts)
            click.echo("document".ljust(24) + "".join(k[:11].rjust(12) for k in keys))
        click.echo(built.slug.ljust(24) + "".join(str(built.summary.counts[k]).rjust(12) for k in keys))
