"""A standard, read-only SPARQL 1.1 Protocol endpoint at /sparql, and a YASGUI editor over it.

Protocol: GET ``?query=``; POST form-encoded ``query=`` or a body of type
``application/sparql-query``. SELECT/ASK results as JSON, XML, CSV or TSV, CONSTRUCT/DESCRIBE
as Turtle, N-Triples, JSON-LD or RDF/XML, by Accept or ``?format=`` (also the ``output``
and ``results`` names some clients send). Refused: SPARQL Update in any form (403 for the
update operation, 400 for an update sent as a query), LOAD, SERVICE and ``FROM <file:…>``
(400), datasets named in the request (400). Bounded: time (``query_timeout_s``, 503 when
passed), rows (``max_rows``: the result is cut and says so in the ``X-SPARQL-MaxRows``
header and on the HTML page) and body size (``max_body_bytes``, 413).

A GET without a query is answered with the endpoint's SPARQL 1.1 Service Description
(`kgtool.web.service`) in Turtle, JSON-LD, RDF/XML or N-Triples, by Accept or ``?format=``;
a browser is sent to the editor, which shows the same description as a summary.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from kgtool.errors import KgtoolError, QueryError
from kgtool.render import GRAPH_FORMATS, RESULT_FORMATS
from kgtool.render import graph as serialize_graph
from kgtool.render import results as serialize_results
from kgtool.store import Result
from kgtool.vocab import PREFIXES
from kgtool.web import service
from kgtool.web.site import Site, checked, site

bp = Blueprint("sparql", __name__)

#: Media types and format names clients use -> our format names.
RESULT_NAMES = {
    "json": "json",
    "application/sparql-results+json": "json",
    "application/json": "json",
    "srj": "json",
    "xml": "xml",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "text/csv": "csv",
    "tsv": "tsv",
    "text/tab-separated-values": "tsv",
    "html": "html",
    "text/html": "html",
}
GRAPH_NAMES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "n3": "turtle",
    "text/n3": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "application/ld+json": "json-ld",
    "json": "json-ld",
    "application/json": "json-ld",
    "xml": "xml",
    "rdf": "xml",
    "rdf+xml": "xml",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "html": "html",
    "text/html": "html",
}
RESULT_MEDIA = {**RESULT_FORMATS, "json": "application/sparql-results+json", "xml": "application/sparql-results+xml"}


def _format_args() -> list[str]:
    return [v.strip().lower() for key in ("format", "output", "results") for v in request.values.getlist(key) if v.strip()]


def choose_format(kind: str) -> str:
    """The serialisation for a result of this kind: explicit format argument, else Accept, else the default."""
    names = GRAPH_NAMES if kind == "graph" else RESULT_NAMES
    for value in _format_args():
        if value in names:
            return names[value]
    if kind == "graph":
        offered = [
            "text/turtle",
            "application/n-triples",
            "application/ld+json",
            "application/rdf+xml",
            "text/html",
            "application/x-turtle",
            "text/n3",
            "text/plain",
            "application/json",
            "application/xml",
        ]
    else:
        offered = [
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
            "text/html",
            "application/json",
            "application/xml",
            "text/xml",
        ]
    best = request.accept_mimetypes.best_match(offered) if request.accept_mimetypes.provided else None
    if best:
        return names[best]
    return "turtle" if kind == "graph" else "json"


def _query_text() -> str:
    """The query of a protocol request, or a QueryError / 403 for an update."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/sparql-update" or "update" in request.form:
            raise _Forbidden()
        if mimetype == "application/sparql-query":
            raw = request.get_data(cache=True)
            try:
                return raw.decode(request.mimetype_params.get("charset", "utf-8"))
            except (UnicodeDecodeError, LookupError):
                raise QueryError("the query is not valid UTF-8", where="request body") from None
        if mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            queries = request.form.getlist("query")
        else:
            raise QueryError(
                f"unsupported request body type {mimetype or 'none'!r}",
                where="Content-Type",
                hint="send application/sparql-query, or a form with query=",
            )
    else:
        if "update" in request.args:
            raise _Forbidden()
        queries = request.args.getlist("query")
        if sum(len(q) for q in queries) > limit:
            raise RequestEntityTooLarge()
    if len(queries) != 1:
        raise QueryError(
            "give exactly one query" if queries else "no query given",
            where="query",
            hint="GET /sparql?query=… or POST query=… (the SPARQL 1.1 Protocol)",
        )
    return queries[0]


class _Forbidden(QueryError):
    def __init__(self):
        super().__init__(
            "SPARQL Update is not allowed: this endpoint is read-only",
            where="update",
            hint="send queries (SELECT, ASK, CONSTRUCT, DESCRIBE) with query=",
        )


def _check_dataset(s: Site) -> None:
    """The protocol's dataset parameters are accepted when they name the whole dataset, as a
    client that lists our graphs sends them (kgtool's own remote engine, for one); a part of it
    is refused: the default graph is always the union of every graph."""
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if request.values.getlist(name):
            raise QueryError(f"{name} belongs to SPARQL Update, which this endpoint does not run", where=name)
    for name in ("default-graph-uri", "named-graph-uri"):
        given = set(request.values.getlist(name))
        if given and given != {str(g) for g in s.store.graphs()}:
            raise QueryError(
                f"{name} may only name the whole dataset: the default graph is the union of every graph",
                where=name,
                hint="use GRAPH <…> { } inside the query to name one graph",
            )


def _run(sparql: str) -> Result:
    s = site()
    _check_dataset(s)
    if s.runner is not None:
        return s.runner.run(sparql, timeout=s.timeout, max_rows=s.max_rows)
    checked(sparql)  # what run_query does first, under the app's parse lock
    return s.store.query(sparql, timeout=s.timeout, max_rows=s.max_rows)


def _description_form() -> str | None:
    """What a GET without a query asks for: "html" (a person: the editor), an RDF syntax of the
    service description, or None (a results client that forgot the query: the usual 400).

    An explicit ``?format=`` decides; else the Accept header, where a bare ``*/*`` (curl)
    gets Turtle, as the Service Description recommendation has an endpoint answer; no Accept
    header at all is read the same way.
    """
    for value in _format_args():
        if GRAPH_NAMES.get(value) in (*service.DESCRIPTION_FORMATS, "html"):
            return GRAPH_NAMES[value]
    if not request.accept_mimetypes.provided:
        return "turtle"
    offered: dict[str, str | None] = {media: name for name, media in service.DESCRIPTION_FORMATS.items()}
    offered |= {"text/html": "html", "application/sparql-results+json": None, "application/sparql-results+xml": None}
    return offered.get(request.accept_mimetypes.best_match(list(offered)) or "")


def _description(fmt: str):
    """The SPARQL 1.1 Service Description of this endpoint in an RDF syntax."""
    body = service.serialize(describe(), fmt)
    response = current_app.response_class(body, mimetype=service.DESCRIPTION_FORMATS[fmt])
    if fmt in ("turtle", "nt"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response


def describe() -> service.ServiceFacts:
    """The facts of this endpoint, at its absolute URL on this request's host."""
    return service.service_facts(url_for("sparql.endpoint", _external=True), RESULT_NAMES.values(), GRAPH_NAMES.values())


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    if request.method == "GET" and "update" not in request.args and not request.args.get("query"):
        form = _description_form()
        if form == "html":
            return redirect(url_for("sparql.editor"))
        if form is not None and "query" not in request.args:
            return _description(form)
    try:
        sparql = _query_text()
    except _Forbidden as exc:
        response = _error(403, exc)
        return response
    result = _run(sparql)
    kind = result.kind if result.kind == "graph" else "select"
    fmt = choose_format(kind)
    if fmt == "html":
        response = current_app.make_response(render_template("sparql/result.html", result=result, sparql=sparql))
    elif result.kind == "graph":
        response = current_app.response_class(serialize_graph(result.graph, fmt), mimetype=GRAPH_FORMATS[fmt])
    else:
        response = current_app.response_class(serialize_results(result, fmt), mimetype=RESULT_MEDIA[fmt])
    if (response.mimetype or "").startswith("text/") or fmt == "nt":
        response.mimetype_params["charset"] = "utf-8"
    if result.truncated:
        response.headers["X-SPARQL-MaxRows"] = str(site().max_rows)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    response.cache_control.no_store = True
    return response


def _error(status: int, exc: KgtoolError):
    from kgtool.web.i18n import t
    from kgtool.web.responses import error_response

    response = error_response(status, t("bad_request") if status == 400 else "Forbidden", exc.message, where=exc.where, hint=exc.hint)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/sparql/editor")
def editor():
    initial = request.args.get("query") or (
        "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p not in ("id", "sh", "eli", "odrl", "oa"))
        + "\nSELECT ?post ?label ?role WHERE {\n  ?post a wsa:Post ;\n        rdfs:label ?label ;\n"
        "        org:role ?role .\n}\nLIMIT 20\n"
    )
    from kgtool.web.responses import allow_inline_styles

    allow_inline_styles()
    return render_template(
        "sparql/editor.html",
        initial=initial,
        endpoint=url_for("sparql.endpoint"),
        service=describe(),
        description_formats=service.DESCRIPTION_FORMATS,
    )
