"""Review in the browser (`kgtool serve --review`): forms beside what was read, writing corrections.

Registered only when the app is made with ``REVIEW`` (the public server has none of these
routes, so it has no route that writes). Every write is a POST carrying the app's CSRF token
(an HMAC of a secret made at start, so another site cannot forge one), answered by the same
checks and files as `kgtool correct` (`kgtool.review.correct`); a refused correction is a 400
page and nothing is written. Who may review: on 127.0.0.1 (the default, and the only address
allowed without a token) any request whose Host names this machine (a page of another site that
rebinds its name to 127.0.0.1 cannot post or read tokens); with ``REVIEW_TOKEN``, only a browser
that opened the site once with ``?token=SECRET`` (kept as an HMAC in an HttpOnly cookie).
After a correction the document's Turtle is rebuilt and the store, labels, report and pages the
app keeps are loaded again, so the next page shows the corrected graph.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, current_app, redirect, request
from rdflib import URIRef
from werkzeug.wrappers import Response

from kgtool.errors import KgtoolError
from kgtool.review import make_correction, review, withdraw
from kgtool.vocab import CONCEPT
from kgtool.web import i18n
from kgtool.web.site import Site, site

bp = Blueprint("review", __name__)
COOKIE = "kgtool_review"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: Form fields that may repeat (a multiple select).
LISTS = ("duties", "bodies", "wordings", "levels", "add", "remove", "types")
#: The concept schemes the forms offer, and the form field each fills.
SCHEMES = ("role", "level", "dutytype", "principle", "sanction")


def configure(app) -> None:
    """Review mode on ``app``: a secret for its tokens; no cached pages and no worker processes
    (both would keep answering from the graph as it was before a correction)."""
    app.config["REVIEW_SECRET"] = secrets.token_bytes(32)
    app.config["RESPONSE_CACHE_ENTRIES"] = 0
    app.config["SPARQL_WORKERS"] = 0


def enabled() -> bool:
    """Whether this request may see and use the review forms."""
    if not current_app.config.get("REVIEW"):
        return False
    token = current_app.config.get("REVIEW_TOKEN")
    if token:
        return _same(request.cookies.get(COOKIE, ""), _sign(f"token:{token}"))
    return urlsplit(f"//{request.host}").hostname in LOOPBACK


def csrf_token() -> str:
    return _sign("csrf")


def _same(given: str, expected: str) -> bool:
    """A constant-time comparison that takes any text a client sends (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _sign(what: str) -> str:
    return hmac.new(current_app.config["REVIEW_SECRET"], what.encode("utf-8"), hashlib.sha256).hexdigest()


@bp.before_app_request
def _take_token() -> Response | None:
    """``?token=SECRET`` once: the token becomes a cookie and leaves the address bar."""
    token = current_app.config.get("REVIEW_TOKEN")
    given = request.args.get("token")
    if not token or given is None:
        return None
    if not _same(given, token):
        abort(403, description=i18n.t("review_bad_token"))
    args = request.args.to_dict(flat=False)
    args.pop("token")
    target = request.path + ("?" + urlencode(args, doseq=True) if args else "")
    response = redirect(target, code=303)
    response.set_cookie(COOKIE, _sign(f"token:{token}"), httponly=True, samesite="Strict", max_age=12 * 3600)
    return response


def _checked_post() -> None:
    """A write is refused unless it comes from a reviewer's page of this site."""
    if not enabled():
        abort(403, description=i18n.t("review_forbidden"))
    if not _same(request.form.get("csrf", ""), csrf_token()):
        abort(403, description=i18n.t("review_bad_csrf"))
    origin = request.headers.get("Origin")
    if origin and origin.split("://", 1)[-1] != request.host:
        abort(403, description=i18n.t("review_bad_csrf"))


@bp.post("/review/<slug>/correct")
def correct(slug: str):
    _checked_post()
    form = request.form
    kind = form.get("kind", "")
    fields = _fields(kind, form)
    by = (form.get("by") or current_app.config.get("ANALYST") or "").strip()
    if not by:
        raise KgtoolError(i18n.t("review_who"), where="by")
    made = make_correction(
        site().root,
        slug,
        kind,
        fields,
        by=by,
        why=form.get("why", ""),
        passage=form.get("passage") or None,
        provision=form.get("provision") or None,
    )
    _after_write(site())
    return redirect(f"/id/{slug}?corrected={made.correction.id}#review-{made.correction.provision}", code=303)


@bp.post("/review/<slug>/withdraw")
def take_back(slug: str):
    _checked_post()
    withdraw(site().root, slug, request.form.get("key", ""))
    _after_write(site())
    return redirect(f"/id/{slug}?withdrawn={request.form.get('key', '')}#review", code=303)


def _fields(kind: str, form) -> dict[str, Any]:
    """The correction's own fields from a form, as `kgtool.corrections.model.SPEC` names them."""
    from kgtool.corrections.model import SPEC, spec_key

    what = form.get("what") or None
    spec = SPEC.get(spec_key(kind, what))
    if spec is None:
        raise KgtoolError(f"no correction of kind {kind!r}" + (f" ({what})" if what else ""), where="kind")
    fields: dict[str, Any] = {"what": what} if kind == "add" else {}
    for name, (kind_of, _) in spec.items():
        if kind_of == "statement":
            parts = [form.get(f"statement_{k}", "").strip() for k in ("subject", "predicate", "object")]
            if all(parts):
                fields[name] = dict(zip(("subject", "predicate", "object"), parts, strict=True))
            continue
        values = [v.strip() for v in form.getlist(name) if v.strip()]
        if not values:
            continue
        if name in LISTS or kind_of in ("refs", "strs") or kind_of.startswith("ids:"):
            fields[name] = values
        elif kind_of == "int":
            try:
                fields[name] = int(values[0])
            except ValueError:
                raise KgtoolError(f"{values[0]!r} is no whole number", where=name) from None
        else:
            fields[name] = values[0]
    return fields


def _after_write(s: Site) -> None:
    """The document's Turtle was rebuilt: describe the dataset again and answer from the new graph."""
    from kgtool.publish.void import files_store, write_description
    from kgtool.store import EmbeddedStore, load_files

    described = files_store(s.root)
    try:
        write_description(s.root, described, check=False)
    finally:
        described.close()
    fresh = EmbeddedStore(timeout=s.timeout)
    load_files(fresh, s.root)
    s.store = fresh  # pages already answering finish on the old store
    s._labels = None
    s._report = None
    s.texts.clear()
    s.body_types.clear()
    s.responses.clear()


def panel(slug: str) -> dict | None:
    """What the document page shows a reviewer: the review, the names forms may use, the token."""
    if not enabled():
        return None
    s = site()
    return {
        "r": review(s.root, slug),
        "csrf": csrf_token(),
        "analyst": current_app.config.get("ANALYST") or "",
        "concepts": _concepts(s),
        "slug": slug,
        "done": request.args.get("corrected") or request.args.get("withdrawn"),
    }


def _concepts(s: Site) -> dict[str, list[tuple[str, str]]]:
    """Each scheme's concepts as (id, Chinese label), for the forms' choices."""
    out: dict[str, list[tuple[str, str]]] = {name: [] for name in SCHEMES}
    rows = s.query("""SELECT ?c ?l WHERE { ?c skos:inScheme ?scheme ; skos:prefLabel ?l .
                      FILTER(LANGMATCHES(LANG(?l), "zh")) } ORDER BY ?c""")
    for c, label in rows.rows:
        scheme, _, ident = str(c)[len(str(CONCEPT)) :].partition("/")
        if scheme in out and isinstance(c, URIRef):
            out[scheme].append((ident, str(label)))
    return out
