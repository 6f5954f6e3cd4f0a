"""The pipeline sources -> normalise -> structure -> extract -> data/<slug>.ttl.

Output is deterministic (byte-identical on a rerun, stable IRIs) and written atomically:
a temp file in the same folder, then os.replace, so a killed build never leaves half a file.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kgtool.errors import SourceError
from kgtool.read.extract import Summary, Triples, extract
from kgtool.read.lexicon import Lexicon
from kgtool.read.normalise import decode, normalise
from kgtool.read.structure import parse
from kgtool.settings import setting

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
    triples, summary = extract(slug, norm.text, tree, lexicon, places, source_path=rel)
    return Built(slug, path, triples, summary, turtle(triples))


def turtle(triples: Triples) -> bytes:
    """Turtle with the project's prefixes, in rdflib's sorted order, so reruns are identical.

    Written here because rdflib's serializer took most of a build's time; the bytes are the ones
    it writes (tests compare the two). What this writer does not cover (blank nodes, IRIs that
    are not plain ASCII, predicates with no bound prefix) goes to rdflib's serializer.
    """
    try:
        return _write_turtle(triples)
    except _Unsupported:
        return triples.graph().serialize(format="turtle", encoding="utf-8")


class _Unsupported(Exception):
    """A term that only rdflib's serializer writes as rdflib does."""


#: IRIs the writer names: printable ASCII without the characters rdflib refuses (<>"{}|\^`).
_PLAIN_IRI = re.compile(r"[!#-;=?-\[\]_a-z~]+")
#: Characters rdflib's split_uri takes into a local name, from the end of an ASCII IRI.
_NAME_TAIL = re.compile(r"[\w.%()-]*\Z", re.ASCII)
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_XMLNS = "http://www.w3.org/XML/1998/namespace"


def _bound() -> dict[str, str]:
    """namespace -> prefix, as rdflib binds them in a project graph (its defaults, then ours)."""
    manager = Triples().graph().namespace_manager
    return {str(ns): manager.store.prefix(ns) for _, ns in manager.namespaces()}


_BOUND = _bound()
#: Bound namespaces ending in a name character: rdflib prefers them to its own split.
_TAILED = tuple(sorted((ns for ns in _BOUND if _NAME_TAIL.match(ns[-1])), key=len, reverse=True))


def _pname(iri: str, used: dict[str, str], *, predicate: bool = False) -> str | None:
    """The prefixed name rdflib writes for an IRI (None: it writes <iri>); notes the prefix used.

    Follows NamespaceManager.compute_qname and TurtleSerializer.get_pname for bound prefixes.
    """
    iri = str(iri)  # a URIRef never equals the plain strings _BOUND is keyed on
    if not _PLAIN_IRI.fullmatch(iri) or iri.startswith(_XMLNS):
        raise _Unsupported(iri)
    local = _NAME_TAIL.search(iri).group().lstrip(".%()-")
    namespace = iri[:len(iri) - len(local)]
    if local and namespace:
        if iri.startswith(_TAILED):
            namespace = next((ns for ns in _TAILED if len(ns) > len(namespace) and iri.startswith(ns)), namespace)
        if predicate and namespace not in _BOUND:
            raise _Unsupported(iri)  # rdflib would mint a prefix such as ns1
    if not (local and namespace in _BOUND):
        namespace = iri  # rdflib's fallback: the IRI may itself be a bound namespace
    if namespace not in _BOUND:
        return None
    local = _LONE_PERCENT.sub(r"\\%", iri[len(namespace):].replace("(", r"\(").replace(")", r"\)"))
    if local.endswith("."):
        return None
    used[_BOUND[namespace]] = namespace
    return f"{_BOUND[namespace]}:{local}"


class _Names:
    """How one document's terms are written, each IRI worked out once, and the prefixes used."""

    def __init__(self) -> None:
        self.used: dict[str, str] = {}
        self.pnames: dict[URIRef, str | None] = {}
        self.labels: dict[URIRef, str] = {}
        self.verbs: dict[URIRef, str] = {}

    def pname(self, iri: URIRef) -> str | None:
        if iri not in self.pnames:
            self.pnames[iri] = _pname(iri, self.used)
        return self.pnames[iri]

    def term(self, term) -> str:
        """A subject or object as rdflib's TurtleSerializer.label writes it."""
        if type(term) is URIRef:
            label = self.labels.get(term)
            if label is None:  # rdflib declares rdf: for rdf:nil though it writes ()
                name = self.pname(term)
                label = self.labels[term] = "()" if term == _NIL else name or f"<{term}>"
            return label
        if isinstance(term, Literal):
            if term.datatype is not None:
                self.pname(term.datatype)
            return term._literal_n3(use_plain=True, qname_callback=self.pname)
        raise _Unsupported(term)

    def verb(self, predicate) -> str:
        """A predicate: "a" for rdf:type, else a prefixed name (rdflib would mint one if unbound)."""
        if predicate not in self.verbs:
            if type(predicate) is not URIRef or predicate == _NIL:
                raise _Unsupported(predicate)
            self.verbs[predicate] = "a" if predicate == _TYPE else _pname(predicate, self.used, predicate=True)
        if self.verbs[predicate] is None:
            raise _Unsupported(predicate)
        return self.verbs[predicate]


def _sorted(terms: dict) -> list:
    """Terms in rdflib's order: IRIs by their text, anything else by rdflib's comparisons."""
    if len(terms) == 1:
        return list(terms)
    return sorted(terms, key=str) if all(type(t) is URIRef for t in terms) else sorted(terms)


_TYPE, _LABEL, _NIL, _CLASS = RDF.type, RDFS.label, RDF.nil, RDFS.Class


def _write_turtle(triples: Triples) -> bytes:
    """rdflib's Turtle layout: classes first, then subjects by how often they are objects, then by IRI."""
    names = _Names()
    refs = Counter(o for po in triples.spo.values() for objects in po.values() for o in objects if type(o) is URIRef)
    classes = sorted(triples.subjects(_TYPE, _CLASS), key=str)
    rest = sorted(triples.spo.keys() - set(classes), key=lambda s: (refs[s], str(s)))
    blocks = [_statement(subject, triples.spo[subject], names) for subject in classes + rest]
    head = "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in sorted(names.used.items()))
    return (head + "".join(blocks) + "\n").encode("utf-8", "replace")


def _statement(subject, po: dict, names: _Names) -> str:
    """One subject's block: rdf:type and rdfs:label first, then the other predicates; objects sorted."""
    if type(subject) is not URIRef:
        raise _Unsupported(subject)
    predicates = [p for p in (_TYPE, _LABEL) if p in po] + sorted(po.keys() - {_TYPE, _LABEL}, key=str)
    lines = [f"{names.verb(p)} " + ",\n        ".join([names.term(o) for o in _sorted(po[p])]) for p in predicates]
    return f"\n{names.term(subject)} " + " ;\n    ".join(lines) + " .\n"


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
