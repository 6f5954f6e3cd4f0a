"""The ontology at /ontology: its documentation for people (pyLODE's page, completed by
`kgtool.publish.ontology`), its Turtle, RDF/XML, JSON-LD or N-Triples for machines.

The form is negotiated as on a resource page: ``?format=`` first (the same names and aliases,
`kgtool.web.browse.negotiate`), else the Accept header, HTML on a tie or when none is sent; an
Accept header that admits none of them is answered 406. Every ``wsa:`` IRI
(https://w3id.org/wsa/ontology#Name) resolves here, to the anchor ``#Name`` of the page.

The page carries pyLODE's stylesheet inline: its CSP allows exactly those <style> elements, by
their SHA-256, and nothing else inline. The page and each serialisation are made once and kept
for the app's life (`kgtool.publish.ontology.OntologyCache`, which makes them again if the files
change).
"""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from werkzeug.exceptions import NotAcceptable

from kgtool.publish.ontology import OntologyCache
from kgtool.render import GRAPH_FORMATS
from kgtool.vocab import WSA
from kgtool.web import i18n
from kgtool.web.browse import negotiate
from kgtool.web.responses import allow_style_sources, error_response

bp = Blueprint("ontology", __name__)

#: Media types offered, HTML first (it wins a tie, as on resource pages) -> format name.
OFFERED = {
    "text/html": "html",
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/x-turtle": "turtle",
    "application/json": "json-ld",
    "text/plain": "nt",
}
EXTENSION = "kgtool.ontology"


def _keep(state) -> None:
    """One cache per app that registers the blueprint."""
    state.app.extensions[EXTENSION] = OntologyCache(state.app.config["ROOT"])


bp.record_once(_keep)


def chosen_format() -> str:
    """html, turtle, xml, json-ld or nt; 406 when the Accept header admits none."""
    if request.args.get("format"):
        return negotiate()  # an unknown name is a 400 that lists the known ones
    accept = request.accept_mimetypes
    if not accept.provided:
        return "html"
    best = accept.best_match(list(OFFERED))
    if best is None:
        raise NotAcceptable("this page is offered as " + ", ".join(dict.fromkeys(OFFERED)))
    return OFFERED[best]


@bp.app_template_global()
def ontology_doc(iri) -> str | None:
    """Where a ``wsa:`` term is documented on this site (its anchor on /ontology), else None."""
    text = str(iri)
    if not text.startswith(str(WSA)) or len(text) == len(str(WSA)):
        return None
    return url_for("ontology.index") + "#" + text[len(str(WSA)) :]


@bp.route("/ontology")
def index():
    cache: OntologyCache = current_app.extensions[EXTENSION]
    try:
        fmt = chosen_format()
    except NotAcceptable as exc:  # the answer depends on Accept, so say so, or a cache would keep it for all
        response = error_response(406, exc.name, exc.description or "")
        response.vary.add("Accept")
        return response
    if fmt != "html":
        response = current_app.response_class(cache.serialized(fmt), mimetype=GRAPH_FORMATS[fmt])
        if fmt in ("turtle", "nt"):
            response.mimetype_params["charset"] = "utf-8"
    else:
        here = url_for("ontology.index")
        nav = [
            (i18n.t("nav_home"), url_for("browse.home")),
            ("Turtle", f"{here}?format=ttl"),
            ("RDF/XML", f"{here}?format=rdf"),
            ("JSON-LD", f"{here}?format=jsonld"),
        ]
        page, styles = cache.html(nav)
        allow_style_sources(styles)
        response = current_app.response_class(page, mimetype="text/html")
    response.vary.add("Accept")
    return response
