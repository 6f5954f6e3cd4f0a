"""What the commands share: the group class that turns errors into one line and an exit code,
progress bars on stderr, the --executor and --endpoint options, opening the project's store
(saying when the on-disk store must be rebuilt first), and the two reports that several
commands write (the dataset description, a stale correction's line).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from kgtool.errors import KgtoolError
from kgtool.settings import project_root

if TYPE_CHECKING:
    from kgtool.store import Store


class Group(click.Group):
    """Turns a KgtoolError into one line on stderr and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgtoolError as e:
            click.echo(f"kgtool: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            # the stack has unwound (temporary files removed); a query thread still inside the
            # engine must not hold the exit up, so leave at once with the shell's code for SIGINT
            click.echo("kgtool: interrupted", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)


def progress(label: str):
    """Wrap an iterable of documents in a tqdm bar on stderr (hidden when not a terminal and few)."""

    def wrap(items):
        items = list(items)
        return tqdm(items, desc=label, unit="doc", file=sys.stderr, disable=not sys.stderr.isatty() and len(items) < 20)

    return wrap


class Bar:
    """A progress callback (done, total) drawn as a tqdm bar on stderr once the total is known."""

    def __init__(self, label: str, unit: str):
        self.label, self.unit = label, unit
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.label, unit=self.unit, file=sys.stderr, disable=not sys.stderr.isatty() and total < 20)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def executor_option(what: str, more: str = ""):
    """--executor: where per-document work runs (`kgtool.executor`)."""
    return click.option(
        "--executor",
        metavar="local|tcp://HOST:8786",
        default=None,
        help=f"Where {what} runs: local processes (the default), or the workers of the Dask scheduler "
        f"at tcp://HOST:8786, which must see this project at the same path.{more}",
    )


def endpoint_option(f):
    """--endpoint URL: query a remote SPARQL 1.1 endpoint instead of the embedded store."""
    return click.option(
        "--endpoint",
        envvar="KGTOOL_ENDPOINT",
        metavar="URL",
        help="SPARQL 1.1 endpoint to query (default: the embedded store; env KGTOOL_ENDPOINT).",
    )(f)


def project_store(endpoint: str | None) -> Store:
    """The store a command asks: the endpoint given, else the project's embedded store."""
    from kgtool.store import open_store

    return open_store(endpoint=endpoint or "", root=project_root(), on_rebuild=say_rebuilding)


def say_rebuilding() -> None:
    """Say why opening the store takes a while: the on-disk store is rebuilt first."""
    click.echo("kgtool: ontology/ or data/ changed since data/.store was built: rebuilding it first", err=True)


def note_stale_store(root: Path) -> None:
    """Say so before a command that opens the store later (`kgtool serve`) if it will be rebuilt."""
    from kgtool.store.persist import MANIFEST, store_is_current, store_path

    if (store_path(root) / MANIFEST).exists() and not store_is_current(root):
        say_rebuilding()


def relative(stale, root: Path) -> str:
    """A stale correction's report with its file relative to the project."""
    text = str(stale)
    return text.replace(f"{root}/", "", 1)


def write_description(root: Path, *, check: bool) -> Path | None:
    """Bring data/dataset/void.ttl up to date with ontology/ and data/ (with check, only say if it is not)."""
    from kgtool.publish.void import files_store
    from kgtool.publish.void import write_description as describe

    store = files_store(root, keep=not check)
    try:
        return describe(root, store, check=check)
    finally:
        store.close()
