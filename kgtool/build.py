"""The pipeline sources -> normalise -> structure -> extract -> data/<slug>.ttl.

Output is deterministic (byte-identical on a rerun, stable IRIs) and written atomically:
a temp file in the same folder, then os.replace, so a killed build never leaves half a file.
The Turtle is pyoxigraph's serializer over the triples in a fixed order (`turtle`): a library
writes it, about 12 times faster than rdflib's serializer, and no hand-written writer is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kgtool.atomic import write_atomic
from kgtool.corrections import Outcome, Stale, correct, read_corrections
from kgtool.errors import SourceError
from kgtool.executor import allow_children, check_spec, open_executor, ordered
from kgtool.read.extract import Summary, Triples, extract
from kgtool.read.formats import EXTENSIONS, detect, read_text, source_files
from kgtool.read.lexicon import Lexicon
from kgtool.read.normalise import decode, normalise
from kgtool.read.structure import parse
from kgtool.settings import setting
from kgtool.vocab import PREFIXES

#: Structure every document must show, or it is not a text of the kind kgtool reads.
MIN_PROVISIONS = 2


@dataclass(frozen=True, slots=True)
class Built:
    """One document's RDF and what extraction recognised in it."""

    slug: str
    source: Path
    triples: Triples
    summary: Summary
    turtle: bytes
    #: the analysts' corrections of data/corrections/<slug>/: those applied and those that no longer apply
    corrections: Outcome = field(default_factory=Outcome)

    @property
    def graph(self) -> Graph:
        """The RDF as an rdflib Graph, made when asked for: a build needs only the Turtle."""
        return self.triples.graph()


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
    """Every source file in data/sources/, whatever its format (text, web page, DOCX, DOC/WPS, PDF).

    Raises:
        SourceError: two files that would give one document id (wuxi.txt and wuxi.pdf).
    """
    files = source_files(root / "data" / "sources")
    seen: dict[str, Path] = {}
    for path in files:
        other = seen.setdefault(slug_for(path), path)
        if other is not path:
            raise SourceError(
                f"{other.name} and {path.name} would both be the document {slug_for(path)!r}",
                where=str(path.parent),
                hint="keep one of them (or rename one)",
            )
    return files


def context(root: Path) -> tuple[Lexicon, Graph]:
    """The lexicon (ontology labels) and gazetteer every document is read with."""
    places = Graph()
    places_file = root / "data" / "places.ttl"
    if places_file.exists():
        places.parse(places_file, format="turtle")
    return Lexicon.load(root / "ontology"), places


def build_one(
    path: Path,
    root: Path,
    lexicon: Lexicon,
    places: Graph,
    *,
    slug: str | None = None,
    encoding: str | None = None,
    corrections: bool = True,
) -> Built:
    """Read, normalise, parse and extract one source text, then apply the analysts' corrections
    of data/corrections/<slug>/ (`kgtool.corrections`) unless ``corrections`` is False.

    Raises:
        SourceError: if the file is missing, empty, binary, wrongly encoded or has no structure.
        CorrectionError: a corrections file of the document that cannot be read.
    """
    where = str(path)
    limit = int(setting("max_source_bytes"))
    try:
        size = path.stat().st_size
        if size > limit and path.is_file():
            raise SourceError(
                f"file is {size / 1e6:.1f} MB, more than the {limit / 1e6:.0f} MB a policy document takes",
                where=where,
                hint="split it, or raise KGTOOL_MAX_SOURCE_BYTES",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError("no such file", where=where) from None
    except IsADirectoryError:
        raise SourceError("is a folder, not a text file", where=where) from None
    except OSError as e:
        raise SourceError(f"cannot read: {e.strerror}", where=where) from None
    norm = normalise(read_text(data, where=where, encoding=encoding))
    tree = parse(norm.text)
    if sum(1 for _ in tree.walk()) - 1 < MIN_PROVISIONS:
        raise SourceError(
            "no recognisable structure (no 第X条, 一、, （一） or 1. provisions)",
            where=where,
            hint="kgtool reads Chinese policy documents with numbered provisions",
        )
    slug = slug or slug_for(path)
    try:
        rel = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        rel = path.name
    triples, summary = extract(slug, norm.text, tree, lexicon, places, source_path=rel)
    outcome = correct(root, slug, triples, lexicon) if corrections else Outcome()
    return Built(slug, path, triples, summary, turtle(triples), outcome)


def turtle(triples: Triples) -> bytes:
    """Turtle written by pyoxigraph's serializer, fed the triples in one fixed order.

    pyoxigraph keeps the order it is given and groups statements (";" and ",") only when they
    follow one another, so the order below is the layout: subjects by IRI, each with rdf:type and
    rdfs:label first and its other predicates by IRI, objects as `_order` sorts them. The same
    triples, however they were added, give the same bytes. A prefix of vocab.PREFIXES is declared
    when the document uses it and every name under it is plain (`_prefixes`): IRIs with a path
    under a namespace (id/<doc>/duty/…) stay whole rather than escaped with backslashes. A blank
    line goes before each subject, for people reading the file. Not rdflib's serializer: it took
    most of a build's time (benchmarks/turtle_writer.py measures the two).

    Raises:
        ValueError: an IRI, language tag or blank node label that pyoxigraph does not accept.
        TypeError: a literal as subject, or a literal or blank node as predicate.
    """
    made = _Made()
    ordered: list[ox.Triple] = []
    add = ordered.append
    for node, po in sorted(((made[s], po) for s, po in triples.spo.items()), key=lambda pair: _order(pair[0])):
        for predicate in sorted(po, key=_predicate_order):
            verb = made[predicate]
            objects = [_ox(o) if type(o) is Literal else made[o] for o in po[predicate]]
            if len(objects) > 1:  # dict.fromkeys: "x" and "x"^^xsd:string are one pyoxigraph term
                objects = sorted(dict.fromkeys(objects), key=_order)
            for obj in objects:
                add(ox.Triple(node, verb, obj))
    written = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=_prefixes(ordered))
    assert written is not None  # no output file given: the bytes come back
    return _SUBJECT_START.sub(b"\n\n", written)


#: A line that starts a subject's statement (predicate lines are indented; literals' line
#: breaks are written as \n escapes, so every line break is the serializer's own).
_SUBJECT_START = re.compile(rb"\n(?=[^\t@\n])")
_RDF_TYPE, _XSD_STRING = str(RDF.type), "http://www.w3.org/2001/XMLSchema#string"
#: A local name written as is after a prefix: no escapes, no trailing dot.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
#: Namespaces, longest first, so an IRI belongs to the most specific one (place: before id:).
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)


def _prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes used by the triples whose names under them are all plain."""
    iris = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object) if type(t) is ox.NamedNode} - {
        _RDF_TYPE
    }  # written "a"
    iris.update(triple.object.datatype.value for triple in triples if type(triple.object) is ox.Literal and not triple.object.language)
    iris.discard(_XSD_STRING)  # written as a plain literal
    used: dict[str, bool] = {}
    for iri in iris:
        for prefix, namespace in _BY_LENGTH:
            if iri.startswith(namespace):
                plain = _PLAIN_NAME.fullmatch(iri[len(namespace) :]) is not None
                used[prefix] = used.get(prefix, True) and plain
                break
    return {prefix: PREFIXES[prefix] for prefix in sorted(used) if used[prefix]}


_FIRST: dict[Node, str] = {RDF.type: "0", RDFS.label: "1"}  # before any IRI, which begins with a letter


def _predicate_order(predicate: Node) -> str:
    return _FIRST.get(predicate) or str(predicate)


def _order(node: ox.NamedNode | ox.Literal | ox.BlankNode) -> tuple[str, ...]:
    """IRIs by IRI, then literals by text, datatype and language, then blank nodes; no two terms tie.

    Not by N-Triples text, where the closing ">" puts <…/s2.p10> before <…/s2.p1>.
    """
    if type(node) is ox.NamedNode:
        return ("0", node.value)
    if type(node) is ox.Literal:
        return ("1", node.value, node.datatype.value, node.language or "")
    return ("2", node.value)


def _ox(node: Node) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """An rdflib term as pyoxigraph's. pyoxigraph makes two changes that leave the RDF 1.1 term
    as it was: an xsd:string literal is a plain one (written "x"; rdflib reads it back with no
    datatype), and a language tag is in lower case (zh-Hans is written zh-hans).

    Raises:
        ValueError: an IRI that pyoxigraph does not accept.
    """
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(node, language=node.language)
        if node.datatype is None:
            return ox.Literal(node)
        return ox.Literal(node, datatype=ox.NamedNode(node.datatype))
    if isinstance(node, URIRef):
        return ox.NamedNode(node)
    if isinstance(node, BNode):  # written _:label: stable output needs stable labels
        return ox.BlankNode(node)
    raise TypeError(f"not an RDF term: {node!r}")


class _Made(dict):
    """IRIs and blank nodes as pyoxigraph terms, each made once (most IRIs recur in a document).

    Not literals: rdflib hashes those in Python, which costs more than making one again.
    """

    def __missing__(self, node: Node) -> ox.NamedNode | ox.Literal | ox.BlankNode:
        made = self[node] = _ox(node)
        return made


def _kept(path: Path, data: bytes, stem: Path, encoding: str | None) -> tuple[Path, bytes]:
    """Where and as what a new source is kept: the file as published, under its format's name; a
    text re-encoded as UTF-8 and a web page read with --encoding transcoded to UTF-8 (with a BOM,
    which outranks the charset the page declares), so that a rebuild needs no --encoding."""
    kind = detect(data, where=str(path))
    suffix = path.suffix.lower() if kind == "word97" and path.suffix.lower() in (".doc", ".wps") else EXTENSIONS[kind]
    if kind == "text":
        data = decode(data, where=str(path), encoding=encoding).encode("utf-8")
    elif kind == "html" and encoding is not None:
        data = b"\xef\xbb\xbf" + data.decode(encoding, errors="replace").encode("utf-8")
    return stem.with_name(stem.name + suffix), data


def build(
    root: Path,
    *,
    check: bool = False,
    progress: Callable[[Iterable], Iterable] = iter,
    executor: str | None = None,
    workers: int | None = None,
    corrections: bool = True,
    out: Path | None = None,
    on_stale: Callable[[Stale], None] | None = None,
) -> list[Path]:
    """Rebuild data/<slug>.ttl for every source; with check, write nothing and list the stale files.

    The analysts' corrections (data/corrections/) are applied unless ``corrections`` is False;
    each that no longer applies goes to ``on_stale``. With ``out``, the files go to out/data/
    instead, in a folder shaped like the project (`project_copy`).

    Sources are read where ``executor`` says (`kgtool.executor`: local processes, or a Dask
    scheduler's address), each on its own, and written here in file order, so the files are the
    same wherever they were read. Locally, ``workers`` processes (default: this process for fewer
    than `POOL_FROM` sources, where starting processes costs more than it saves; else one per CPU).

    Returns:
        The data files that changed (or, with check, that would change).

    Raises:
        SourceError: a source that cannot be read (the first, in file order).
        CorrectionError: a corrections file that cannot be read (before anything is written).
        ClusterError: the cluster cannot be reached or lost a worker.
    """
    paths = sources(root)
    for path in paths if corrections else ():  # a malformed corrections file stops the build before it writes
        read_corrections(root, slug_for(path))
    if workers is None and check_spec(executor) is None and len(paths) < POOL_FROM:
        workers = 0
    _reading(root)  # read once here: forked workers inherit it
    changed = []
    with open_executor(executor, workers=workers, sees=(root,)) as pool:
        read = ordered(pool, read_source, [(path, root, corrections) for path in paths])
        for _ in progress(paths):
            built = next(read)
            if on_stale is not None:
                for stale in built.corrections.stale:
                    on_stale(stale)
            target = (out or root) / "data" / f"{built.slug}.ttl"
            if target.exists() and target.read_bytes() == built.turtle:
                continue
            changed.append(target)
            if not check:
                write_atomic(target, built.turtle)
    return changed


#: Sources from which a local build reads in several processes.
POOL_FROM = 16
_READING: dict[Path, tuple[tuple, tuple[Lexicon, Graph]]] = {}


def read_source(path: Path, root: Path, corrections: bool = True) -> Built:
    """One source read, as a task of `build` in a worker process (local, or a Dask worker)."""
    allow_children()  # a reader of a PDF, DOCX or web page runs in a child process
    return build_one(path, root, *_reading(root), corrections=corrections)


def _reading(root: Path) -> tuple[Lexicon, Graph]:
    """`context(root)`, loaded once per process while ontology/ and data/places.ttl stay the same
    (a Dask worker lives across builds)."""
    files = [*sorted((root / "ontology").glob("*.ttl")), root / "data" / "places.ttl"]
    key = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())
    kept = _READING.get(root)
    if kept is None or kept[0] != key:
        kept = _READING[root] = (key, context(root))
    return kept[1]


def ingest(
    path: Path, root: Path, *, out: Path | None = None, slug: str | None = None, encoding: str | None = None, force: bool = False
) -> tuple[Built, Path]:
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
    data = path.read_bytes()
    kept, content = _kept(path, data, root / "data" / "sources" / slug, encoding)
    others = [p for p in source_files(kept.parent) if slug_for(p) == slug and p.resolve() != path.resolve()]
    if any(p.read_bytes() != content for p in others) and not force:
        raise SourceError(
            f"a different document already has the id {slug!r} ({others[0]})",
            where=str(path),
            hint="pass --slug NAME to choose another id, or --force to replace it",
        )
    if kept.resolve() != path.resolve():
        write_atomic(kept, content)
        for other in others:
            if other != kept:
                other.unlink()
        built = build_one(kept, root, lexicon, places, slug=slug)
    target = root / "data" / f"{slug}.ttl"
    write_atomic(target, built.turtle)
    return built, target


#: What a folder needs beside data/<slug>.ttl to be read as a project (scored, queried, validated).
PROJECT_PARTS = ("ontology", "shapes", "queries", "data/places.ttl", "data/dataset/about.ttl")


def project_copy(root: Path, out: Path) -> Path:
    """``out`` made a folder shaped like the project, for `build` to write out/data/*.ttl into: the
    ontology, shapes, saved queries and the facts the texts do not state (data/places.ttl) copied,
    so that `KGTOOL_HOME=out kgtool …` and `python ../shared/eval/score.py out` work on it.

    Raises:
        SourceError: ``out`` is the project itself, or lies inside its data/.
    """
    import shutil

    target, home = out.resolve(), root.resolve()
    if target == home or target.is_relative_to(home / "data") or target.is_relative_to(home / "ontology"):
        raise SourceError(
            "is the project itself (or inside it): a separate build goes to a folder of its own",
            where=str(out),
            hint="e.g. --out /tmp/reader",
        )
    try:
        for part in PROJECT_PARTS:
            source, copy = root / part, out / part
            if source.is_dir():
                shutil.copytree(source, copy, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
            elif source.is_file():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copy)
        (out / "data").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(f"cannot write here: {exc.strerror}", where=str(out)) from None
    return out
