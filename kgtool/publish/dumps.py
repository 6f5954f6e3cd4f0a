"""The whole graph as one file: N-Quads (its named graphs kept), Turtle or JSON-LD (their union).

pyoxigraph's serializers write straight from the store's quads, streaming, so a dump of a
million triples never sits in memory as text. A file is written atomically (a temp file in
the same folder, then a rename) and gzip-compressed when its name ends in ``.gz``, with no
name or time in the gzip header, so the same store gives the same bytes. Turtle and JSON-LD
have no named graphs: they hold each triple of the union once, however many graphs state it.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from kgtool.atomic import atomic_file
from kgtool.vocab import PREFIXES


@dataclass(frozen=True, slots=True)
class Format:
    """A serialisation a dump may be written in."""

    name: str  # as --format takes it
    rdf: ox.RdfFormat
    media_type: str
    suffix: str
    title: str
    quads: bool  # keeps the named graphs


FORMATS: dict[str, Format] = {
    "nq": Format("nq", ox.RdfFormat.N_QUADS, "application/n-quads", ".nq", "N-Quads", True),
    "ttl": Format("ttl", ox.RdfFormat.TURTLE, "text/turtle", ".ttl", "Turtle", False),
    "jsonld": Format("jsonld", ox.RdfFormat.JSON_LD, "application/ld+json", ".jsonld", "JSON-LD", False),
}
#: The dumps the web app offers, by file name.
SERVED = {"kgtool.nq.gz": FORMATS["nq"], "kgtool.ttl.gz": FORMATS["ttl"]}


@dataclass(frozen=True, slots=True)
class Dump:
    """A dump written to a file: what it holds and how to check a copy of it."""

    name: str
    path: Path
    format: Format
    compressed: bool
    statements: int  # quads for N-Quads, triples for the others
    size: int  # bytes of the file as written (compressed, if it is)
    sha256: str  # of the file as written


def format_for(path: Path | None, asked: str | None) -> Format:
    """The format asked for, else the one the file name says (``x.ttl.gz`` is Turtle), else N-Quads.

    >>> format_for(Path("all.ttl.gz"), None).name, format_for(None, "jsonld").name, format_for(None, None).name
    ('ttl', 'jsonld', 'nq')
    """
    if asked is not None:
        return FORMATS[asked]
    if path is not None:
        name = path.name.removesuffix(".gz")
        for fmt in FORMATS.values():
            if name.endswith(fmt.suffix) or (fmt.name == "jsonld" and name.endswith(".json")):
                return fmt
    return FORMATS["nq"]


def union(store: ox.Store) -> Iterator[ox.Triple]:
    """Each triple of the union of the store's graphs once: from the first graph (by name) that states it.

    One index look-up per triple instead of a set of every triple seen, so memory stays flat.
    """
    for quad in store.quads_for_pattern(None, None, None, None):
        holders = store.quads_for_pattern(quad.subject, quad.predicate, quad.object, None)
        one, two = next(holders), next(holders, None)  # two is None, the usual case: in this graph alone
        if two is None or str(quad.graph_name) == min(str(q.graph_name) for q in (one, two, *holders)):
            yield quad.triple


def write(store: ox.Store, fmt: Format, output: IO[bytes]) -> int:
    """Serialise the whole store to ``output``; returns the number of statements written."""
    written = 0

    def counted(statements):
        nonlocal written
        for statement in statements:
            written += 1
            yield statement

    statements = store.quads_for_pattern(None, None, None, None) if fmt.quads else union(store)
    prefixes = PREFIXES if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    ox.serialize(counted(statements), output, format=fmt.rdf, prefixes=prefixes)
    return written


def export(store: ox.Store, fmt: Format, path: Path) -> Dump:
    """Write the whole store to ``path``, atomically; gzip-compressed when the name ends in ``.gz``.

    Raises:
        KgtoolError: the file cannot be written there (its folder is missing or read-only, it is a folder).
    """
    compressed = path.name.endswith(".gz")
    with atomic_file(path) as raw:
        if compressed:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as packed:
                statements = write(store, fmt, cast(IO[bytes], packed))  # a GzipFile is a binary file
        else:
            statements = write(store, fmt, raw)
    size, digest = _measure(path)
    return Dump(path.name, path, fmt, compressed, statements, size, digest)


def _measure(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return path.stat().st_size, digest.hexdigest()
