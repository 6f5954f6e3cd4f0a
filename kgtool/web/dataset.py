"""The dataset as a whole: its VoID + DCAT description at /.well-known/void (RFC 8615, as the VoID
recommendation asks) and /dataset (a page for people, RDF by content negotiation), its dumps at
/dumps/.

The description is `kgtool.publish.void`'s of the store this app serves, with this server's
absolute URLs for the SPARQL endpoint and the dumps, so a SPARQL client can start from
/.well-known/void alone. The dumps (`kgtool.publish.dumps.SERVED`: gzipped N-Quads and Turtle)
are written once per app life, on first demand, into ``DUMPS_DIR`` (default: a temporary
folder removed when the app closes) and then served as files: ``application/gzip`` downloads
with no Content-Encoding (a client keeps the .gz it asked for, byte for byte, so its SHA-256
matches), the checksum as ETag. A remote endpoint cannot be dumped quad by quad, so with one
the dumps are made from the project's files, which ``kgtool load`` pushes to it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, send_file, url_for
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS

from kgtool import vocab
from kgtool.publish.dumps import SERVED, Dump, export
from kgtool.publish.void import VOID, served, with_access
from kgtool.render import GRAPH_FORMATS
from kgtool.render import graph as serialize_graph
from kgtool.store import EmbeddedStore, load_files
from kgtool.web import i18n
from kgtool.web.browse import negotiate
from kgtool.web.responses import wants_json
from kgtool.web.site import Site, site

bp = Blueprint("dataset", __name__)

#: RDF media types /.well-known/void offers, Turtle first: it answers in Turtle unless asked otherwise.
RDF_OFFERED = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
    "application/x-turtle": "turtle",
    "application/json": "json-ld",
}
EXTENSION = "kgtool.dataset"


class Published:
    """What the blueprint keeps for the app's life: the store's description and the dumps made of it."""

    def __init__(self, folder: Path | None):
        self._folder = folder
        self._made_folder: Path | None = None
        self._description: Graph | None = None
        self._dumps: dict[str, Dump] | None = None
        self._lock = threading.Lock()

    def description(self, s: Site) -> Graph:
        """The description of the store served (computed once)."""
        with self._lock:
            if self._description is None:
                self._description = served(s.store, s.root)
            return self._description

    def dumps(self, s: Site) -> dict[str, Dump]:
        """The dumps by file name, written on first demand."""
        with self._lock:
            if self._dumps is None:
                folder = self._folder
                if folder is None:
                    folder = self._made_folder = Path(tempfile.mkdtemp(prefix="kgtool-dumps-"))
                folder.mkdir(parents=True, exist_ok=True)
                source = _quads_of(s)
                self._dumps = {name: export(source, fmt, folder / name) for name, fmt in SERVED.items()}
            return self._dumps

    def close(self) -> None:
        if self._made_folder is not None:
            shutil.rmtree(self._made_folder, ignore_errors=True)


def _quads_of(s: Site) -> ox.Store:
    """The quads to dump: the embedded store's own, else the project's files."""
    if isinstance(s.store, EmbeddedStore):
        return s.store.ox
    store = ox.Store()
    load_files(store, s.root)
    return store


def _keep(state) -> None:
    """One `Published` per app that registers the blueprint; ``DUMPS_DIR`` in its config names a lasting folder."""
    folder = state.app.config.get("DUMPS_DIR")
    published = Published(Path(folder) if folder else None)
    state.app.extensions[EXTENSION] = published
    atexit.register(published.close)


bp.record_once(_keep)


def published() -> Published:
    return current_app.extensions[EXTENSION]


def _dump_urls(dumps: dict[str, Dump]) -> list[tuple[Dump, str]]:
    return [(dump, url_for("dataset.dump", name=name, _external=True)) for name, dump in dumps.items()]


def description() -> Graph:
    """The description with this server's URLs in it (absolute: it is read away from this site)."""
    s = site()
    return with_access(
        published().description(s),
        endpoint=url_for("sparql.endpoint", _external=True),
        landing_page=url_for("dataset.index", _external=True),
        dumps_page=url_for("dataset.dumps", _external=True),
        dumps=_dump_urls(published().dumps(s)),
    )


def _rdf(fmt: str):
    response = current_app.response_class(serialize_graph(description(), fmt), mimetype=GRAPH_FORMATS[fmt])
    if fmt in ("turtle", "nt"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Access-Control-Allow-Origin"] = "*"  # read by tools in other sites' pages
    response.vary.add("Accept")
    return response


@bp.route("/.well-known/void")
def void():
    if request.args.get("format"):
        fmt = negotiate()
        return redirect(url_for("dataset.index")) if fmt == "html" else _rdf(fmt)
    accept = request.accept_mimetypes
    best = accept.best_match(list(RDF_OFFERED)) if accept.provided else None
    return _rdf(RDF_OFFERED.get(best or "", "turtle"))


@dataclass(frozen=True, slots=True)
class Part:
    """One named graph as the page lists it."""

    graph: URIRef
    title: str | None
    sources: tuple[URIRef, ...]
    triples: int


@bp.route("/dataset")
def index():
    fmt = negotiate()
    if fmt != "html":
        return _rdf(fmt)
    graph = description()
    dataset = vocab.DATASET
    parts = [
        Part(
            URIRef(str(part)),
            i18n.pick(_texts(graph, part, DCTERMS.title)),
            tuple(URIRef(str(s)) for s in sorted(graph.objects(part, DCTERMS.source), key=str)),
            _number(graph.value(part, VOID.triples)),
        )
        for part in sorted(graph.objects(dataset, VOID.subset), key=str)
    ]
    licence = graph.value(dataset, DCTERMS.license)
    publisher = graph.value(dataset, DCTERMS.publisher)
    response = current_app.make_response(
        render_template(
            "dataset/index.html",
            iri=dataset,
            title=i18n.pick(_texts(graph, dataset, DCTERMS.title)) or i18n.t("dataset"),
            description=i18n.pick(_texts(graph, dataset, DCTERMS.description)),
            licence=licence,
            licence_label=i18n.pick(_texts(graph, licence, RDFS.label)) if licence else None,
            publisher=i18n.pick(_texts(graph, publisher, FOAF.name)) if publisher is not None else None,
            modified=graph.value(dataset, DCTERMS.modified),
            triples=_number(graph.value(dataset, VOID.triples)),
            uri_space=graph.value(dataset, VOID.uriSpace),
            vocabularies=sorted(graph.objects(dataset, VOID.vocabulary)),
            endpoint=graph.value(dataset, VOID.sparqlEndpoint),
            parts=parts,
            dumps=_dump_urls(published().dumps(site())),
            formats=[(name, url_for("dataset.void", format=name)) for name in ("turtle", "json-ld", "xml")],
        )
    )
    response.vary.add("Accept")
    return response


def _texts(graph: Graph, subject, predicate) -> dict[str, str]:
    """A subject's literals for one property, by language ("" for none)."""
    return {o.language or "": str(o) for o in sorted(graph.objects(subject, predicate), key=str) if isinstance(o, Literal)}


def _number(value: object) -> int:
    """A count from the description (void:triples), 0 where it gives none."""
    return int(value) if isinstance(value, Literal) else 0


@bp.route("/dumps/")
def dumps():
    listed = _dump_urls(published().dumps(site()))
    if wants_json():
        return jsonify(
            [
                {
                    "name": d.name,
                    "url": url,
                    "format": d.format.title,
                    "media_type": d.format.media_type,
                    "compressed": d.compressed,
                    "statements": d.statements,
                    "bytes": d.size,
                    "sha256": d.sha256,
                }
                for d, url in listed
            ]
        )
    return render_template("dataset/dumps.html", dumps=listed)


@bp.route("/dumps/<name>")
def dump(name: str):
    if name not in SERVED:
        abort(404)
    made = published().dumps(site())[name]
    # the .gz as it is: no Content-Encoding, or a client would unpack it and the checksum would not match
    response = send_file(made.path, mimetype="application/gzip", as_attachment=True, download_name=name, etag=made.sha256, conditional=True)
    response.headers.pop("Content-Encoding", None)
    return response
