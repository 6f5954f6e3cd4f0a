"""The command line: one thin command per stage (parse, call the stage, render), wired here into
the `kgtool` group from one module per command family (`kgtool.cli.building`, `querying`,
`exporting`, `checking`, `comparing`, `serving`, `reviewing`; what they share in `kgtool.cli.common`).

Exit codes: 0 ok; 1 validate found violations; 2 bad input or usage; 3 engine unreachable or
too slow; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import click

from kgtool.cli.building import build, docs, ingest
from kgtool.cli.checking import reason, validate
from kgtool.cli.common import Group
from kgtool.cli.comparing import compare
from kgtool.cli.exporting import export, load
from kgtool.cli.querying import list_queries, query, sparql, stats
from kgtool.cli.reviewing import correct, review
from kgtool.cli.serving import serve


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kgtool")
def cli() -> None:
    """kgtool: a knowledge graph of work-safety accountability (安全生产责任) in Chinese public bodies."""


for command in (build, ingest, docs, stats, list_queries, query, sparql, load, reason, validate, compare, serve, export, review, correct):
    cli.add_command(command)
