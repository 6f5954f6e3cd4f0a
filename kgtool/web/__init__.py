"""The web app: a browser over the graph, the saved queries, a read-only SPARQL endpoint.

``create_app(config)`` builds it (tests pass their own config, as the Flask tutorial does);
``kgtool.web.serve.serve`` runs it with waitress. One Blueprint per page family:
``browse`` (home, resources, documents, search), ``sparql`` (endpoint and editor),
``library`` (saved queries), ``report`` (gaps), ``compare``, ``dataset`` (the dataset's
VoID description and dumps), ``ontology`` (the ontology's documentation, with conneg).

Safety, since the endpoint may face the internet: templates autoescape everything and never
mark data safe; a Content-Security-Policy allows scripts only from our own static files
(data reaches them through ``application/json`` script tags and ``data-`` attributes);
nothing is read from disk by user input except through Flask's ``safe_join``; limits on
query time, result rows and request bodies come from `kgtool.settings`.
"""

from __future__ import annotations

import atexit
import logging
from pathlib import Path

from flask import Flask, g, request
from werkzeug.exceptions import HTTPException

from kgtool.errors import EngineError, KgtoolError
from kgtool.settings import project_root, setting
from kgtool.web import i18n
from kgtool.web.links import compact_name, href, label_for
from kgtool.web.responses import allow_inline_styles, app_response, error_response, lang_url, url_with, wants_json

__all__ = [
    "CSP",
    "allow_inline_styles",
    "app_response",
    "create_app",
    "error_response",
    "lang_url",
    "url_with",
    "wants_json",
]

#: No inline script anywhere: every script is a static file of ours.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: The same, for the pages whose vendored widgets set style attributes (YASGUI, Cytoscape.js):
#: inline *styles* only; scripts stay our static files.
CSP_INLINE_STYLES = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

log = logging.getLogger(__name__)


def _defaults() -> dict:
    return {
        "ROOT": project_root(),
        "ENDPOINT": None,
        "QUERY_TIMEOUT_S": float(setting("query_timeout_s")),
        "MAX_ROWS": int(setting("max_rows")),
        "MAX_BODY_BYTES": int(setting("max_body_bytes")),
        "SPARQL_WORKERS": 2,
        "RESPONSE_CACHE_ENTRIES": 4000,
        "RESPONSE_CACHE_BYTES": 256_000_000,
        "JSON_AS_ASCII": False,
    }


def create_app(config: dict | None = None) -> Flask:
    """Build the app.

    Args:
        config: overrides: ``ROOT`` (project folder with ontology/, data/, queries/, shapes/),
            ``ENDPOINT`` (a SPARQL endpoint URL; None: $KGTOOL_ENDPOINT or the embedded
            store; "": the embedded store), ``QUERY_TIMEOUT_S``, ``MAX_ROWS``,
            ``MAX_BODY_BYTES``, ``SPARQL_WORKERS`` (processes for ad-hoc queries on the
            embedded store; 0 runs them in-process with only a soft time limit),
            ``RESPONSE_CACHE_ENTRIES`` / ``RESPONSE_CACHE_BYTES`` (bounds of the cache of
            resource and saved-query pages on the embedded store, answered in front of Flask
            by `kgtool.web.cache.FrontCache`; 0 turns it off),
            ``DUMPS_DIR`` (where the dumps of /dumps/ are written; default a temporary folder),
            ``REVIEW`` (True: the review forms of `kgtool.web.review`, which write corrections),
            ``REVIEW_TOKEN`` (the secret a reviewer opens the site with), ``ANALYST`` (the forms' default "by").

    Raises:
        KgtoolError: if the store cannot be opened (bad data, unreachable engine).
    """
    app = Flask(__name__)
    app.config.update(_defaults())
    app.config.update(config or {})
    app.config["ROOT"] = Path(app.config["ROOT"])
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_BODY_BYTES"])
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if app.config.get("REVIEW"):  # kgtool serve --review: forms that write corrections (kgtool.web.review)
        from kgtool.web import review

        review.configure(app)

    from kgtool.web.site import open_site

    site = open_site(app.config)
    app.extensions["kgtool"] = site
    atexit.register(site.close)

    from kgtool.web import browse, compare, dataset, library, ontology, report, sparql

    for module in (browse, sparql, library, report, compare, dataset, ontology):
        app.register_blueprint(module.bp)
    if app.config.get("REVIEW"):  # the only routes that write; the public server has none of them
        app.register_blueprint(review.bp)

    _register_helpers(app)
    _register_errors(app)
    app.after_request(_after_request)
    from kgtool.web.cache import FrontCache

    app.wsgi_app = FrontCache(app.wsgi_app, lambda: site.responses)  # type: ignore[method-assign]
    return app


def _register_helpers(app: Flask) -> None:
    @app.context_processor
    def globals_() -> dict:
        return {
            "t": i18n.t,
            "lang": i18n.current(),
            "href": href,
            "label": label_for,
            "compact": compact_name,
            "url_with": url_with,
            "lang_url": lang_url,
        }

    app.jinja_env.filters["n3"] = lambda term: "" if term is None else term.n3()
    app.jinja_env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}


def _after_request(response):
    style_sources = getattr(g, "style_sources", ())  # exactly these inline <style> elements, by hash
    if style_sources:
        response.headers.setdefault(
            "Content-Security-Policy", CSP.replace("style-src 'self'", "style-src 'self' " + " ".join(style_sources))
        )
    if getattr(g, "inline_styles", False):
        response.headers.setdefault("Content-Security-Policy", CSP_INLINE_STYLES)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    asked = request.args.get("lang")
    if asked in i18n.LANGS and request.cookies.get(i18n.COOKIE) != asked:
        response.set_cookie(i18n.COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    if "lang" not in response.vary and response.mimetype == "text/html":
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
    return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(KgtoolError)
    def kgtool_error(exc: KgtoolError):
        status = 503 if isinstance(exc, EngineError) else 400
        title = i18n.t("unavailable") if status == 503 else i18n.t("bad_request")
        return error_response(status, title, exc.message, where=exc.where, hint=exc.hint)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if status == 404:
            title, message = i18n.t("not_found"), i18n.t("not_found_body")
        elif status == 413:
            title, message = i18n.t("too_large"), i18n.t("too_large_body", n=app.config["MAX_CONTENT_LENGTH"])
        elif status == 405:
            title, message = i18n.t("method_not_allowed"), exc.description or ""
        else:
            title, message = exc.name, exc.description or ""
        response = error_response(status, title, message)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error on %s", request.path)
        return error_response(500, i18n.t("server_error"), i18n.t("server_error_body"))
