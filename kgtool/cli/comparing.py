"""Wires the compare command: which jurisdictions, which comparison, which format, and where the
output goes (text on stdout, bytes such as SVG written as they are, or a file written atomically).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kgtool.cli.common import endpoint_option, project_store
from kgtool.settings import project_root


@click.command()
@click.argument("jurisdictions", nargs=-1)
@click.option(
    "--by",
    type=click.Choice(["roles", "labels", "frequency", "principles", "structure", "similarity"]),
    default="roles",
    show_default=True,
    help="Which comparison.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html", "svg", "graphml"]), default="table", show_default=True)
@click.option("--diff", is_flag=True, help="Compare exactly two jurisdictions role by role.")
@click.option("--wording", is_flag=True, help="With --by frequency: one line per requirement with its source wording.")
@click.option(
    "--top",
    type=int,
    metavar="K",
    help="With --by similarity: each jurisdiction's K nearest instead of every pair "
    "(above 50 jurisdictions the 10 nearest are given unless K says otherwise).",
)
@click.option(
    "--by-level",
    "level",
    type=click.Choice(["province", "city", "county", "town", "development_zone"]),
    help="One column per place of this level (every city, county or town), summing the chosen "
    "documents within it; documents above that level are left out.",
)
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@endpoint_option
def compare(
    jurisdictions: tuple[str, ...],
    by: str,
    fmt: str,
    diff: bool,
    wording: bool,
    top: int | None,
    level: str | None,
    out: Path | None,
    endpoint: str | None,
) -> None:
    """Compare duty structures across jurisdictions (document id, place id, or place name such as 无锡市).

    Default: every document, role x duty-type matrix as a table. On the embedded store documents
    are compared from their profiles in data/profiles/ (made again when missing or stale).
    """
    from kgtool.atomic import write_atomic
    from kgtool.compare import compare_command_output

    output = compare_command_output(
        project_store(endpoint),
        list(jurisdictions),
        by=by,
        fmt=fmt,
        diff=diff,
        wording=wording,
        top=top,
        level=level,
        root=None if endpoint else project_root(),
    )
    data = output if isinstance(output, bytes) else output.encode("utf-8")
    if out:
        write_atomic(out, data)
    elif isinstance(output, bytes):
        sys.stdout.buffer.write(data)
    else:
        click.echo(output, nl=not output.endswith("\n"))
