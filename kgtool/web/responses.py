"""What the pages share to make a response: URLs with changed arguments, the client's
preferred form (JSON, HTML or text), error responses in that form, and the relaxed
Content-Security-Policy for pages whose widgets set style attributes or whose styles are inline.

Below the app (`kgtool.web`) and its blueprints, which all import from here, so that no
blueprint imports the package that registers it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, g, jsonify, render_template, request

from kgtool.web import i18n


def url_with(**changes) -> str:
    """This page's URL with some query arguments changed (None removes one; a list repeats it)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        elif isinstance(value, (list, tuple)):
            args[key] = [str(v) for v in value]
        else:
            args[key] = [str(value)]
    query = urlencode([(k, v) for k, vs in args.items() for v in vs])
    return request.path + ("?" + query if query else "")


def lang_url() -> str:
    """The same page in the other language."""
    other = "en" if i18n.current() == "zh" else "zh"
    return url_with(lang=other)


def allow_inline_styles() -> None:
    """Let this response's page use style attributes (for widgets that set them)."""
    g.inline_styles = True


def allow_style_sources(sources: list[str]) -> None:
    """Let this response's page use exactly these inline <style> elements, given as CSP hash
    sources (``'sha256-…'``): narrower than `allow_inline_styles`, for a page made elsewhere
    (pyLODE's) whose stylesheet is inline."""
    g.style_sources = tuple(sources)


def wants_json() -> bool:
    """Whether the client asked for JSON rather than a page."""
    if request.path.endswith(".json") or request.args.get("format") in ("json", "json-ld"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/sparql-results+json", "application/ld+json"])
    accept = request.accept_mimetypes
    return best is not None and best != "text/html" and accept[best] > accept["text/html"]


def _wants_html() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "text/plain"]) == "text/html"


def error_response(status: int, title: str, message: str, *, where: str | None = None, hint: str | None = None):
    """The same error as JSON, an HTML page or plain text, whichever the client wants."""
    if wants_json():
        body = {"error": title, "message": message, "status": status}
        if where:
            body["where"] = where
        if hint:
            body["hint"] = hint
        response = jsonify(body)
    elif _wants_html():
        response = app_response(render_template("error.html", status=status, title=title, message=message, where=where, hint=hint))
    else:
        text = message + (f"\nwhere: {where}" if where else "") + (f"\nhint: {hint}" if hint else "") + "\n"
        response = app_response(text, mimetype="text/plain")
    response.status_code = status
    return response


def app_response(body, mimetype: str = "text/html"):
    return current_app.response_class(body, mimetype=mimetype)
