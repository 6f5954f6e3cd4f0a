"""The pipeline sources -> normalise -> structure -> extract -> data/<slug>.ttl.

Output is deterministic (byte-identical on a rerun, stable IRIs) and written atomically:
a temp file in the same folder, then os.replace, so a killed build never leaves half a file.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kgtool.errors import SourceError
from kgtool.extract import Summary, extract
from kgtool.lexicon import Lexicon
from kgtool.normalise import decode, normalise
from kgtool.settings import setting
from kgtool.structure import parse
from kgtool.vocab import PREFIXES

#: Structure every document must show, or it is not a text of the kind kgtool reads.
MIN_PROVISIONS = 2


@dataclass(frozen=True, slots=True)
class Built:
    """One document's RDF and what extraction recognised in it."""

    slug: str
    source: Path
    graph: Graph
    summary: Summary
    turtle: bytes


def slug_for(path: Path) -> str:
    """A document id from a file name: lower-case ASCII words joined by hyphens.

    >>> slug_for(Path("Wuxi Towns 2021.txt")), slug_for(Path("无锡.txt"))
    ('wuxi-towns-2021', 'doc-1d92e6eb')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    if slug:
        return slug
    from kgtool.vocab import short_hash
    return f"doc-{short_hash(path.stem)}"


def sources(root: Path) -> list[Path]:
    return sorted((root / "data" / "sources").glob("*.txt"))


def context(root: Path) -> tuple[Lexicon, Graph]:
    """The lexicon (ontology labels) and gazetteer every document is read with."""
    places = Graph()
    places_file = root / "data" / "places.ttl"
    if places_file.exists():
        places.parse(places_file, format="turtle")
    return Lexicon.load(root / "ontology"), places


def build_one(path: Path, root: Path, lexicon: Lexicon, places: Graph, *, slug: str | None = None,
              encoding: str | None = None) -> Built:
    """Read, normalise, parse and extract one source text.

    Raises:
        SourceError: if the file is missing, empty, binary, wrongly encoded or has no structure.
    """
    where = str(path)
    limit = int(setting("max_source_bytes"))
    try:
        size = path.stat().st_size
        if size > limit and path.is_file():
            raise SourceError(f"file is {size / 1e6:.1f} MB, more than the {limit / 1e6:.0f} MB a policy document takes",
                              where=where, hint="split it, or raise KGTOOL_MAX_SOURCE_BYTES")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError("no such file", where=where) from None
    except IsADirectoryError:
        raise SourceError("is a folder, not a text file", where=where) from None
    except OSError as e:
        raise SourceError(f"cannot read: {e.strerror}", where=where) from None
    norm = normalise(decode(data, where=where, encoding=encoding))
    tree = parse(norm.text)
    if sum(1 for _ in tree.walk()) - 1 < MIN_PROVISIONS:
        raise SourceError("no recognisable structure (no 第X条, 一、, （一） or 1. provisions)", where=where,
                          hint="kgtool reads Chinese policy documents with numbered provisions")
    slug = slug or slug_for(path)
    try:
        rel = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        rel = path.name
    graph, summary = extract(slug, norm.text, tree, lexicon, places, source_path=rel)
    return Built(slug, path, graph, summary, turtle(graph))


def turtle(graph: Graph) -> bytes:
    """Turtle with the project's prefixes, in rdflib's sorted order, so reruns are identical."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph.serialize(format="turtle", encoding="utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temp file in the same folder, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(root: Path, *, check: bool = False, progress: Callable[[Iterable], Iterable] = iter) -> list[Path]:
    """Rebuild data/<slug>.ttl for every source; with check, write nothing and list the stale files.

    Returns:
        The data files that changed (or, with check, that would change).
    """
    lexicon, places = context(root)
    changed = []
    for path in progress(sources(root)):
        built = build_one(path, root, lexicon, places)
        target = root / "data" / f"{built.slug}.ttl"
        if target.exists() and target.read_bytes() == built.turtle:
            continue
        changed.append(target)
        if not check:
            write_atomic(target, built.turtle)
    return changed


def ingest(path: Path, root: Path, *, out: Path | None = None, slug: str | None = None,
           encoding: str | None = None, force: bool = False) -> tuple[Built, Path]:
    """Take a new document: its RDF goes to out, or to data/<slug>.ttl with the source kept
    in data/sources/ so that `kgtool build` reproduces it.

    Raises:
        SourceError: bad input, or a slug that another source already uses (unless force).
    """
    lexicon, places = context(root)
    slug = slug or slug_for(path)
    built = build_one(path, root, lexicon, places, slug=slug, encoding=encoding)
    if out is not None:
        write_atomic(out, built.turtle)
        return built, out
    kept = root / "data" / "sources" / f"{slug}.txt"
    if kept.exists() and kept.resolve() != path.resolve() and kept.read_bytes() != path.read_bytes() and not force:
        raise SourceError(f"a different document already has the id {slug!r} ({kept})", where=str(path),
                          hint="pass --slug NAME to choose another id, or --force to replace it")
    if kept.resolve() != path.resolve():  # kept as UTF-8 so that a rebuild needs no --encoding
        write_atomic(kept, decode(path.read_bytes(), where=str(path), encoding=encoding).encode("utf-8"))
        built = build_one(kept, root, lexicon, places, slug=slug)
    target = root / "data" / f"{slug}.ttl"
    write_atomic(target, built.turtle)
    return built, target
