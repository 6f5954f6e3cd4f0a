"""Wires the commands that ask the graph: stats (counts per document), queries (the saved-query
library), query (a saved query with its parameters) and sparql (ad-hoc SPARQL), and how their
answers are printed: terminal tables with labels, W3C result formats or RDF syntaxes.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kgtool.cli.common import endpoint_option, project_store
from kgtool.settings import project_root

if TYPE_CHECKING:
    from rdflib.term import Identifier

    from kgtool.query.saved import SavedQuery
    from kgtool.store import Result, Store


def _emit(result: Result, fmt: str, store: Store | None = None) -> None:
    from kgtool import render

    if result.kind == "graph":
        rdf_fmt = {"table": "turtle", "json": "json-ld", "csv": "nt", "tsv": "nt"}.get(fmt, fmt)
        click.echo(render.graph(result.graph, rdf_fmt), nl=False)
    elif fmt in RDF_FORMATS:
        from kgtool.errors import QueryError

        raise QueryError(
            f"{fmt} is an RDF syntax, for CONSTRUCT and DESCRIBE results; a {result.kind.upper()} "
            "query answers in table, csv, tsv, json or xml",
            where="--format",
        )
    elif fmt == "table":
        from kgtool.labels import in_store

        labels = in_store(store, render.unnamed_iris(result)) if store is not None else None
        click.echo(render.table(result, columns=_terminal_columns(), labels=labels))
    else:
        click.echo(render.results(result, fmt), nl=False)
    if result.truncated:
        click.echo("kgtool: note: the result was cut at the row limit (KGTOOL_MAX_ROWS)", err=True)


def _terminal_columns() -> int | None:
    """How wide a table may be: $COLUMNS, else the terminal's width; None (no wrapping) when
    stdout is a file or a pipe, so that what is saved keeps one line per row."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _answer(store: Store, saved: SavedQuery, bindings: dict[str, Identifier] | None) -> Result:
    """A saved query's answer, kept in the on-disk store for next time (`kgtool.query.answers`)."""
    from kgtool.query import run_query
    from kgtool.query.answers import answer
    from kgtool.settings import setting

    limit = int(setting("max_rows"))
    return answer(store, saved.sparql, bindings, limit, run=lambda: run_query(store, saved.sparql, bindings=bindings, max_rows=limit))


RDF_FORMATS = ("turtle", "nt", "json-ld")
FORMATS = click.Choice(["table", "csv", "tsv", "json", "xml", *RDF_FORMATS])


@click.command()
@endpoint_option
def stats(endpoint: str | None) -> None:
    """Counts per document: provisions, bodies, posts, duties, frequencies, persons, principles,
    sanctions, rewards, mitigations (defined in queries/document-statistics.rq, as everywhere)."""
    from rdflib import Literal

    from kgtool.query.counts import KINDS, by_document, counts_query
    from kgtool.store import Result
    from kgtool.vocab import local_name

    store = project_store(endpoint)
    counted = by_document(_answer(store, counts_query(project_root()), None))
    if not counted:
        click.echo("kgtool: note: no documents to count: the graph has no wsa:PolicyDocument", err=True)
    rows = tuple((Literal(local_name(doc)), *(Literal(n[k]) for k in KINDS)) for doc, n in counted.items())
    _emit(Result(kind="select", variables=("document", *KINDS), rows=rows), "table")


@click.command("queries")
def list_queries() -> None:
    """List the saved-query library (queries/*.rq): name=value is a parameter's default, [name] optional."""
    from kgtool.query.saved import library, synopsis

    for q in library(project_root() / "queries").values():
        params = " ".join(map(synopsis, q.params))
        click.echo(f"{q.name}  {q.title_zh} / {q.title_en}" + (f"  ({params})" if params else ""))


@click.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="K=V", help="Parameter value (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--page", "page", type=int, default=1, show_default=True, help="Which page of the answer to print.")
@click.option("--page-size", "page_rows", type=int, default=None, help="Rows a page [default: the setting page_rows, 1000].")
@click.option("--all", "every_row", is_flag=True, help="Every row at once (up to KGTOOL_MAX_ROWS), not a page.")
@endpoint_option
def query(name: str, params: tuple[str, ...], fmt: str, page: int, page_rows: int | None, every_row: bool, endpoint: str | None) -> None:
    """Run the saved query NAME (`kgtool queries` lists them and their parameters).

    A parameter left out takes its default, if it has one (shown by `kgtool queries`, and said
    on stderr when used); an optional one left out means "all". A long answer is printed a page
    at a time; stderr then says which rows these are of how many, and how to get the next page.
    """
    from kgtool.errors import QueryError
    from kgtool.query.saved import bind, defaults_taken, library

    queries = library(project_root() / "queries")
    if name not in queries:
        raise QueryError(f"no saved query {name!r}", hint="`kgtool queries` lists them")
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise QueryError(f"{item!r} is not K=V", where="--param")
        values[key.strip()] = value.strip()
    store = project_store(endpoint)
    saved = queries[name]
    bindings = bind(store, saved, values)
    for param in defaults_taken(saved, values):
        click.echo(f"kgtool: note: --param {param.name} not given: using its default {param.default}", err=True)
    if every_row:
        _emit(_answer(store, saved, bindings), fmt, store)
        return
    from kgtool.query.paging import saved_page

    shown = saved_page(store, saved.sparql, number=page, size=page_rows, bindings=bindings)
    _emit(dataclasses.replace(shown.result, truncated=False), fmt, store)  # a page is cut on purpose: no notice
    if not shown.whole:
        again = " ".join(
            [
                "kgtool query",
                name,
                *(f"-p {shlex.quote(p)}" for p in params),
                *([f"--format {fmt}"] if fmt != "table" else []),
                *([f"--page-size {page_rows}"] if page_rows is not None else []),
            ]
        )
        hint = f"; next: {again} --page {page + 1}" if shown.has_next else ""
        click.echo(f"kgtool: {shown.describe()}{hint} (--all for every row)", err=True)


@click.command()
@click.argument("query_or_file")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@endpoint_option
def sparql(query_or_file: str, fmt: str, endpoint: str | None) -> None:
    """Run ad-hoc SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) given as text, a file, or - for stdin.

    The usual prefixes (wsa:, org:, skos:, role: …) are predeclared.
    """
    from kgtool.errors import QueryError
    from kgtool.query import run_query

    if query_or_file == "-":
        text = sys.stdin.read()
    elif not any(c in query_or_file for c in "{ \n") and Path(query_or_file).suffix in (".rq", ".sparql", ".txt"):
        try:
            text = Path(query_or_file).read_text(encoding="utf-8")
        except OSError as e:
            raise QueryError(f"cannot read query file: {e.strerror}", where=query_or_file) from None
    else:
        text = query_or_file
    store = project_store(endpoint)
    _emit(run_query(store, text), fmt, store)
