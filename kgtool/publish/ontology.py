"""The ontology for people and machines: ontology/*.ttl merged into one graph, its HTML
documentation made by pyLODE and completed by `kgtool.publish.ontology_page`, and the files
`kgtool docs` writes.

Making the page takes seconds (pyLODE loads its background ontologies and walks the graph), so
`OntologyCache` keeps the page and each serialisation for as long as the files' content is the
same: the web app holds one for its life.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import importlib.metadata
import logging
import re
import sys
import threading
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kgtool.atomic import write_atomic
from kgtool.errors import KgtoolError, SourceError
from kgtool.publish.ontology_page import ONTDOC, complete
from kgtool.publish.ontology_terms import term_ids
from kgtool.render import graph as serialize_graph
from kgtool.vocab import WSA

#: The ontology's own IRI (the header of ontology/wsa.ttl); other owl:Ontology headers
#: (ontology/lexicon.ttl) are parts of it.
ONTOLOGY = URIRef(str(WSA).rstrip("#"))
#: What `kgtool docs` writes into its folder.
PAGE = "ontology.html"
#: A link shown above the page: (text, href).
Link = tuple[str, str]

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def ontology_files(root: Path) -> list[Path]:
    """ontology/*.ttl under the project folder, in load order."""
    folder = Path(root) / "ontology"
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise SourceError("no ontology (*.ttl) found", where=str(folder), hint="point KGTOOL_HOME (or --root) at the project folder")
    return files


def content_key(files: Sequence[Path]) -> str:
    """A digest of the files' names and bytes: the page is made again only when it changes."""
    digest = hashlib.sha256()
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror}", where=str(path)) from exc
        digest.update(path.name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def load_ontology(files: Sequence[Path]) -> Graph:
    """The files merged into one graph, with the prefixes they declare.

    Raises:
        SourceError: naming the file that does not parse.
    """
    graph = Graph(bind_namespaces="none")  # keep the files' own prefixes (schema: is http://schema.org/ here)
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise SourceError(f"cannot parse ontology file: {exc}", where=str(path)) from exc
    return graph


@contextlib.contextmanager
def _logging_kept() -> Iterator[None]:
    """Undo what pyLODE does to the root logger: importing it calls ``logging.basicConfig(level=DEBUG)``
    (in its supermodel profile), and its module-level ``logging.info`` calls configure the root
    logger when nothing has; either would make other libraries' records print in its format."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


@functools.cache
def _ontpub() -> Any:
    """pyLODE's OntPub, imported with two faults of pyLODE 3.4.1 kept out.

    - ``pylode.version`` reads a pyproject.toml that a wheel does not install, so the import
      fails (RDFLib/pyLODE#260, fixed after 3.4.1): its one name is given from the installed
      distribution's metadata instead.
    - The import configures logging (`_logging_kept`).
    """
    if "pylode.version" not in sys.modules:
        shim = types.ModuleType("pylode.version")
        shim.__version__ = importlib.metadata.version("pylode")  # type: ignore[attr-defined]
        sys.modules["pylode.version"] = shim
    with _logging_kept():
        from pylode import OntPub
    return OntPub


def pylode_view(graph: Graph) -> Graph:
    """What pyLODE is given: the graph less what it would misread, plus what it would miss.

    - pyLODE documents every owl:Ontology and skos:ConceptScheme as one ontology (merging their
      titles into one heading), so the concept schemes lose their type here (they get a section
      of their own, `kgtool.publish.ontology_sections.concept_schemes`) and the other ontology
      headers (ontology/lexicon.ttl's) are left out;
    - pyLODE lists under a class the properties whose rdfs:domain or rdfs:range it is, but not
      those whose domain is a union it is part of (``wsa:hasDuty``'s, ``wsa:Post or wsa:Body``):
      those are stated in pyLODE's own terms (ontdoc:inDomainOf, ontdoc:inRangeOf).
    """
    parts = {s for s in graph.subjects(RDF.type, OWL.Ontology) if s != ONTOLOGY}
    view = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        view.bind(prefix, namespace)
    for s, p, o in graph:
        if s in parts or (p == RDF.type and o == SKOS.ConceptScheme):
            continue
        view.add((s, p, o))
    for side, inverse in ((RDFS.domain, ONTDOC.inDomainOf), (RDFS.range, ONTDOC.inRangeOf)):
        for prop, union in graph.subject_objects(side):
            members = graph.value(union, OWL.unionOf) if isinstance(union, BNode) else None
            for member in Collection(graph, members) if members is not None else ():
                if isinstance(member, URIRef):
                    view.add((member, inverse, prop))
    return view


def ontology_html(graph: Graph, nav: Sequence[Link] = ()) -> str:
    """The ontology's documentation page: pyLODE's, completed (see `kgtool.publish.ontology_page`).

    ``nav`` puts links above it (the web app's way home and the machine-readable forms).
    """
    if (ONTOLOGY, RDF.type, OWL.Ontology) not in graph:
        raise SourceError(f"no owl:Ontology <{ONTOLOGY}> in ontology/", where="ontology/")
    ids = term_ids(graph)
    with _logging_kept():
        made = _ontpub()(pylode_view(graph), sort_subjects=True)
        made.fids.update({str(iri): anchor for iri, anchor in ids.items()})
        made.make_html()
    complete(made.doc, made.ont, graph, ids, ONTOLOGY, nav)
    return made.doc.render()


def style_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-…') for each <style> element of the page, in order."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()}'" for m in _STYLE.finditer(html)]


class OntologyCache:
    """The ontology graph, page and serialisations of one project folder, each made once per
    content of ontology/*.ttl (checked on every call: reading two small files costs a millisecond)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._key: str | None = None
        self._graph: Graph | None = None
        self._made: dict[tuple, Any] = {}

    def _current(self) -> Graph:
        files = ontology_files(self.root)
        key = content_key(files)
        if key != self._key or self._graph is None:
            self._graph, self._key = load_ontology(files), key
            self._made.clear()
        return self._graph

    def graph(self) -> Graph:
        with self._lock:
            return self._current()

    def html(self, nav: Sequence[Link] = ()) -> tuple[str, list[str]]:
        """The page and the CSP hashes of its styles."""
        with self._lock:
            graph = self._current()
            key = ("html", tuple(nav))
            if key not in self._made:
                page = ontology_html(graph, nav)
                self._made[key] = (page, style_hashes(page))
            return self._made[key]

    def serialized(self, fmt: str) -> str:
        """The graph in one of `kgtool.render.GRAPH_FORMATS`."""
        with self._lock:
            graph = self._current()
            key = ("rdf", fmt)
            if key not in self._made:
                self._made[key] = serialize_graph(graph, fmt)
            return self._made[key]


def pages(root: Path) -> dict[str, bytes]:
    """What `kgtool docs` writes: file name -> content."""
    return {PAGE: ontology_html(load_ontology(ontology_files(root))).encode("utf-8")}


def _folder(out: Path) -> Path:
    """``out``, if it is a folder or can be made one (its nearest existing ancestor is a folder)."""
    existing = next((path for path in (out, *out.parents) if path.exists()), None)
    if existing is not None and not existing.is_dir():
        raise KgtoolError(f"{existing} is a file, not a folder", where="--out", hint="give a folder to write the pages into")
    return out


def write_pages(root: Path, out: Path) -> list[Path]:
    """Write the pages into ``out`` (created if missing), each atomically; the paths written."""
    folder = _folder(Path(out))  # a bad --out is told before the seconds pyLODE takes
    made = pages(root)
    written = []
    for name, data in made.items():
        target = folder / name
        try:
            write_atomic(target, data)
        except OSError as exc:
            raise KgtoolError(f"cannot write: {exc.strerror}", where=str(target)) from exc
        written.append(target)
    return written


def stale_pages(root: Path, out: Path) -> list[Path]:
    """The pages in ``out`` that differ from what `write_pages` would write (or are missing)."""
    folder = _folder(Path(out))
    stale = []
    for name, data in pages(root).items():
        target = folder / name
        if not target.is_file() or target.read_bytes() != data:
            stale.append(target)
    return stale
