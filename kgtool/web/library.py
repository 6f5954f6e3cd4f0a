"""The saved-query library: /queries lists queries/*.rq, /queries/<name> runs one with a form.

Each query page is also a download: ``?format=csv|tsv|json|xml`` (SELECT/ASK) or
``turtle|nt|json-ld|xml`` (CONSTRUCT/DESCRIBE), with the same parameters. The folder is
re-read when a file changes, so a new .rq file shows without a restart.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request
from rdflib import URIRef

from kgtool.errors import KgtoolError, QueryError
from kgtool.query.paging import Page
from kgtool.query.saved import SavedQuery, bind, parse_file
from kgtool.render import GRAPH_FORMATS
from kgtool.render import graph as serialize_graph
from kgtool.render import results as serialize_results
from kgtool.web.cache import cached
from kgtool.web.site import responses, site

bp = Blueprint("library", __name__)

DOWNLOADS = {
    "csv": ("text/csv", "csv"),
    "tsv": ("text/tab-separated-values", "tsv"),
    "json": ("application/sparql-results+json", "srj"),
    "xml": ("application/sparql-results+xml", "srx"),
}
GRAPH_DOWNLOADS = {"turtle": "ttl", "nt": "nt", "json-ld": "jsonld", "xml": "rdf"}

#: Suggestions for resource parameters, by parameter name: a class or a concept scheme.
SUGGEST = {
    "jurisdiction": "SELECT DISTINCT ?x WHERE { ?x a wsa:Jurisdiction }",
    "document": "SELECT DISTINCT ?x WHERE { ?x a wsa:PolicyDocument }",
    "role": "SELECT DISTINCT ?x WHERE { ?x skos:inScheme ?s . FILTER(STRENDS(STR(?s), '/role')) }",
    "dutytype": "SELECT DISTINCT ?x WHERE { ?x skos:inScheme ?s . FILTER(STRENDS(STR(?s), '/dutytype')) }",
    "duty_type": "SELECT DISTINCT ?x WHERE { ?x skos:inScheme ?s . FILTER(STRENDS(STR(?s), '/dutytype')) }",
    "principle": "SELECT DISTINCT ?x WHERE { ?x skos:inScheme ?s . FILTER(STRENDS(STR(?s), '/principle')) }",
    "sanction": "SELECT DISTINCT ?x WHERE { ?x skos:inScheme ?s . FILTER(STRENDS(STR(?s), '/sanction')) }",
    "level": "SELECT DISTINCT ?x WHERE { ?x skos:inScheme ?s . FILTER(STRENDS(STR(?s), '/level')) }",
}

#: Rows a saved-query page shows at a time; the downloads carry all of them.
PAGE_ROWS = 200

_cache_lock = threading.Lock()


def load_library() -> tuple[dict[str, SavedQuery], list[KgtoolError]]:
    """Every readable saved query by name, and the errors of those that are not (cached by mtime)."""
    folder = Path(current_app.config["ROOT"]) / "queries"
    files = sorted(folder.glob("*.rq")) if folder.is_dir() else []
    signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    cache = current_app.extensions.setdefault("kgtool_library", {})
    with _cache_lock:
        if cache.get("signature") != signature:
            queries, errors = {}, []
            for path in files:
                try:
                    q = parse_file(path)
                    queries[q.name] = q
                except KgtoolError as exc:
                    errors.append(exc)
            cache.update(signature=signature, queries=queries, errors=errors)
        return cache["queries"], cache["errors"]


@bp.route("/queries")
def index():
    queries, errors = load_library()
    return render_template("library/index.html", queries=sorted(queries.values(), key=lambda q: q.name), errors=errors)


def _suggestions(query: SavedQuery) -> dict[str, list[URIRef]]:
    out = {}
    for param in query.params:
        sparql = SUGGEST.get(param.name)
        if param.type == "resource" and sparql:
            out[param.name] = sorted((r[0] for r in site().query(sparql).rows if isinstance(r[0], URIRef)), key=str)
    return out


def _query_file() -> Path:
    """The saved query's file: an edited .rq file is never answered from the cache.

    The page does not depend on Accept (downloads are named by ?format=, part of the key).
    """
    return Path(current_app.config["ROOT"]) / "queries" / f"{(request.view_args or {}).get('name', '')}.rq"


@bp.route("/queries/<name>")
@cached(lambda: "", responses, source=_query_file)
def query(name: str):
    queries, _ = load_library()
    q = queries.get(name)
    if q is None:
        abort(404)
    values = {p.name: request.args.get(p.name, "").strip() for p in q.params}
    given = {k: v for k, v in values.items() if v}
    fmt = request.args.get("format")
    s = site()
    error, result, shown, status = None, None, None, 200
    try:
        bindings = bind(s.store, q, given)
        if fmt:
            result = s.query(q.sparql, bindings)
        else:
            shown = s.page(q.sparql, bindings, _page_number(), PAGE_ROWS)
            result = shown.result
    except QueryError as exc:
        if fmt:
            raise
        error, status = exc, 400
    if fmt and result is not None:
        return _download(q, result, fmt)
    graph_text = result.graph.serialize(format="turtle") if result is not None and result.graph is not None else ""
    page = _page(shown) if shown is not None and shown.result.kind == "select" else None
    if page is not None and shown is not None and shown.total is not None:
        result = dataclasses.replace(shown.result, truncated=False)  # cut into pages, not at the row limit
    return render_template(
        "library/query.html",
        q=q,
        values=values,
        result=result,
        error=error,
        page=page,
        graph_text=graph_text,
        max_rows=s.max_rows,
        suggestions=_suggestions(q),
        downloads=list(GRAPH_DOWNLOADS if result is not None and result.kind == "graph" else DOWNLOADS),
    ), status


def _page_number() -> int:
    """``?page=`` (from 1); anything else is the first page."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _page(shown: Page) -> dict:
    """The page's rows and where the neighbouring pages are: a page of HTML, not 23,000 rows."""
    from kgtool.web.responses import url_with

    number = shown.number
    return {
        "rows": shown.result.rows,
        "first": shown.first,
        "last": shown.last,
        "total": shown.total if shown.total is not None else shown.last,
        "previous": url_with(page=number - 1 if number > 2 else None) if number > 1 else None,
        "next": url_with(page=number + 1) if shown.has_next else None,
    }


def _download(q: SavedQuery, result, fmt: str):
    if result.kind == "graph":
        if fmt not in GRAPH_DOWNLOADS:
            raise QueryError(
                f"{q.name} gives a graph: format {fmt!r} does not fit", where="?format", hint="one of: " + ", ".join(GRAPH_DOWNLOADS)
            )
        body, media, ext = serialize_graph(result.graph, fmt), GRAPH_FORMATS[fmt], GRAPH_DOWNLOADS[fmt]
    else:
        if fmt not in DOWNLOADS:
            raise QueryError(f"unknown format {fmt!r}", where="?format", hint="one of: " + ", ".join(DOWNLOADS))
        (media, ext), body = DOWNLOADS[fmt], serialize_results(result, fmt)
    response = current_app.response_class(body, mimetype=media)
    if media.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{q.name}.{ext}"'
    if result.truncated:
        response.headers["X-SPARQL-MaxRows"] = str(site().max_rows)
    return response
