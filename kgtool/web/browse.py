"""Browse the graph: home, a page per resource (with content negotiation), documents, search."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from werkzeug.exceptions import NotFound

from kgtool.errors import KgtoolError
from kgtool.query.counts import KINDS
from kgtool.render import GRAPH_FORMATS
from kgtool.render import graph as serialize_graph
from kgtool.vocab import CONCEPT, ID, WSA
from kgtool.web import lookup, textsearch
from kgtool.web.cache import cached
from kgtool.web.links import path_for, valid_iri
from kgtool.web.site import responses, site

bp = Blueprint("browse", __name__)

#: ?format= names (and file-suffix-like aliases) of the RDF serialisations a resource has.
FORMAT_ALIASES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "json": "json-ld",
    "xml": "xml",
    "rdf": "xml",
    "rdfxml": "xml",
    "html": "html",
}
MEDIA = {"html": "text/html", **GRAPH_FORMATS}
#: What the head of a document page lists: interface string key, property.
DOCUMENT_FACTS = (
    ("number", WSA.documentNumber),
    ("issued", DCTERMS.issued),
    ("issuer", DCTERMS.creator),
    ("jurisdiction", WSA.jurisdiction),
    ("principles", WSA.invokesPrinciple),
    ("sanctions", WSA.providesSanction),
    ("legal_basis", WSA.legalBasis),
)


def negotiate() -> str:
    """html, turtle, nt, json-ld or xml: ``?format=`` first, else the Accept header (HTML on a tie)."""
    asked = request.args.get("format")
    if asked:
        fmt = FORMAT_ALIASES.get(asked.lower())
        if fmt is None:
            raise KgtoolError(f"unknown format {asked!r}", where="?format", hint="one of: html, turtle, nt, json-ld, xml")
        return fmt
    accept = request.accept_mimetypes
    offered = [
        "text/html",
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
        "application/json",
        "text/plain",
        "application/x-turtle",
    ]
    best = accept.best_match(offered) if accept.provided else "text/html"
    return {
        "text/html": "html",
        "text/turtle": "turtle",
        "application/x-turtle": "turtle",
        "application/ld+json": "json-ld",
        "application/json": "json-ld",
        "application/n-triples": "nt",
        "text/plain": "nt",
        "application/rdf+xml": "xml",
    }.get(best or "", "html")


def accept_variant() -> str:
    """The format the Accept header picks (a ?format= argument is part of the cache key already)."""
    return "" if request.args.get("format") else negotiate()


def _rdf_response(iri: URIRef, fmt: str):
    """The concise bounded description of a resource in an RDF syntax."""
    result = site().query("DESCRIBE ?x WHERE { }", {"x": iri})  # a WHERE for engines that bind with VALUES
    graph = result.graph if result.graph is not None else Graph()
    if len(graph) == 0 and not lookup.describe(site(), iri).exists:
        raise NotFound()
    body = serialize_graph(graph, fmt)
    response = current_app.response_class(body, mimetype=GRAPH_FORMATS[fmt])
    if fmt in ("turtle", "nt"):
        response.mimetype_params["charset"] = "utf-8"
    response.vary.add("Accept")
    return response


def _resource(iri: URIRef):
    fmt = negotiate()
    if fmt != "html":
        return _rdf_response(iri, fmt)
    s = site()
    if lookup.is_document(s, iri):
        return _document(iri)
    desc = lookup.describe(s, iri)
    if not desc.exists:
        raise NotFound()
    response = current_app.make_response(
        render_template(
            "browse/resource.html", d=desc, formats=_format_links(iri), anchor=lookup.provision_anchor, incoming_limit=lookup.MAX_INCOMING
        )
    )
    response.vary.add("Accept")
    return response


def _format_links(iri: URIRef) -> list[tuple[str, str]]:
    base = path_for(str(iri))
    sep = "&" if "?" in base else "?"
    return [(name, f"{base}{sep}format={name}") for name in ("turtle", "json-ld", "nt")]


@bp.route("/")
@cached(lambda: "", responses)
def home():
    s = site()
    docs = lookup.documents(s)
    counts = lookup.counts_by_document(s)
    return render_template(
        "browse/home.html", docs=docs, counts=counts, jurisdictions=lookup.jurisdictions(s, docs), kinds=lookup.COUNT_KINDS
    )


@bp.route("/resource")
@cached(accept_variant, responses)
def resource():
    value = request.args.get("iri", "").strip()
    if not value:
        raise KgtoolError("which resource? give ?iri=", where="?iri", hint="for example ?iri=" + str(WSA.Post))
    if not valid_iri(value):
        raise KgtoolError(
            f"not an IRI of the graph: {value[:200]!r}", where="?iri", hint='an absolute http(s) or urn IRI without spaces or <>"{}|\\^`'
        )
    return _resource(URIRef(value))


@bp.route("/id/<path:path>")
@cached(accept_variant, responses)
def id_page(path: str):
    return _resource(_checked(str(ID) + path))


@bp.route("/concept/<scheme>/<ident>")
@cached(accept_variant, responses)
def concept(scheme: str, ident: str):
    return _resource(_checked(f"{CONCEPT}{scheme}/{ident}"))


@bp.route("/ontology/<name>")
@cached(accept_variant, responses)
def ontology(name: str):
    return _resource(_checked(str(WSA) + name))


def _checked(value: str) -> URIRef:
    if not valid_iri(value):
        abort(404)
    return URIRef(value)


def _document(doc: URIRef):
    s = site()
    desc = lookup.describe(s, doc)
    view = lookup.document_view(s, doc)
    slug = str(doc)[len(str(ID)) :]
    counts = lookup.counts_of_document(s, doc)
    from kgtool.web.responses import allow_inline_styles

    allow_inline_styles()  # Cytoscape.js sets a style attribute on its canvas
    facts = [(key, [o for p, o in desc.outgoing if p == prop]) for key, prop in DOCUMENT_FACTS]
    from kgtool.web import review  # the reviewer's forms (kgtool serve --review), None on a public server

    response = current_app.make_response(
        render_template(
            "browse/document.html",
            d=desc,
            view=view,
            facts=facts,
            slug=slug,
            counts=counts,
            formats=_format_links(doc),
            kinds=KINDS,
            review=review.panel(slug),
        )
    )
    response.vary.add("Accept")
    return response


@bp.route("/orgchart/<slug>.json")
@cached(lambda: "", responses)
def orgchart(slug: str):
    doc = _checked(str(ID) + slug)
    if "/" in slug or not lookup.is_document(site(), doc):
        abort(404)
    return jsonify(lookup.orgchart(site(), doc))


@bp.route("/search")
def search():
    q = request.args.get("q", "").strip()
    filters = {f: [v for v in request.args.getlist(f) if valid_iri(v)] for f in textsearch.FACETS}
    found = None
    if q:
        if len(q) > 200:
            raise KgtoolError("the search text is longer than 200 characters", where="?q")
        found = textsearch.search(site(), q, filters)
    return render_template("browse/search.html", q=q, found=found, filters=filters, facets=textsearch.FACETS)


@bp.route("/favicon.ico")
def favicon():
    return redirect("/static/favicon.svg", code=301)
