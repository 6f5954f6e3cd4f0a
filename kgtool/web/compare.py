"""Comparison of jurisdictions at /compare: the tables and charts of kgtool.compare.

The user picks jurisdictions with checkboxes (``?j=<document id>``, repeated); any name the CLI
takes works too (``?j=mianyang``, ``?j=四川省``). Each view of `kgtool.compare.VIEWS` is shown
as a table (its CSV form read back as rows of dicts) and, where it has one, an SVG chart served
separately as an image, so no markup from the module is ever inserted into the page. If kgtool.compare is not importable the page says so.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict

from flask import Blueprint, abort, current_app, render_template, request

from kgtool.errors import QueryError
from kgtool.web.site import site

bp = Blueprint("compare", __name__)

#: Views shown, in this order (others the module adds follow).
ORDER = ("roles", "frequency", "principles", "structure", "similarity", "labels")
TITLES = {
    "roles": ("角色 × 职责类型", "Role × duty type"),
    "labels": ("各文件中的岗位名称", "Posts as each document names them"),
    "frequency": ("频次要求（每年最少次数）", "Frequency requirements (minimum times a year)"),
    "principles": ("原则与追责方式", "Principles and sanctions"),
    "structure": ("组织结构指标", "Structure measures"),
    "similarity": ("相似度", "Similarity"),
}
_chart_lock = threading.Lock()
CHART_CACHE_SIZE = 64


def _module():
    try:
        import kgtool.compare as module
    except ImportError:
        return None
    return module if hasattr(module, "compare_command_output") and hasattr(module, "VIEWS") else None


def _selection(module) -> tuple[list, list[str]]:
    """Every jurisdiction, and the document ids chosen by ?j=: the names `kgtool compare` takes
    (document id, place id, place name such as 无锡市 or Mianyang, a province for all within it)."""
    options = module.jurisdictions(site().store)
    wanted = [v for v in request.args.getlist("j") if v.strip()]
    if not wanted:
        return options, [j.slug for j in options]
    try:
        chosen = module.jurisdictions(site().store, wanted)
    except QueryError as e:
        raise QueryError(e.message, where="?j", hint=e.hint) from None
    return options, [j.slug for j in chosen]


def _views(module) -> list[str]:
    known = list(module.VIEWS)
    return [v for v in ORDER if v in known] + [v for v in known if v not in ORDER]


def _profiles() -> dict:
    """On the embedded store, documents are compared from their profiles in data/profiles/ (made
    in memory if stale: the app writes nothing)."""
    return {"root": site().root if site().embedded else None, "keep": False}


def table(module, view: str, chosen: list[str]) -> dict:
    """One view as ``{"columns": [...], "rows": [dict, ...]}`` from its CSV form."""
    text = module.compare_command_output(site().store, chosen, by=view, fmt="csv", **_profiles())
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return {"columns": list(reader.fieldnames or []), "rows": rows}


@bp.route("/compare")
def index():
    module = _module()
    if module is None:
        return render_template("compare/index.html", module=None)
    options, chosen = _selection(module)
    views = _views(module)
    tables = {v: table(module, v, chosen) for v in views if "csv" in module.VIEWS[v]}
    return render_template(
        "compare/index.html",
        module=module,
        options=options,
        chosen=chosen,
        views=views,
        tables=tables,
        titles=TITLES,
        charts={v for v in views if "svg" in module.VIEWS[v]},
    )


@bp.route("/compare/chart/<view>.svg")
def chart(view: str):
    module = _module()
    if module is None or view not in module.VIEWS or "svg" not in module.VIEWS[view]:
        abort(404)
    _, chosen = _selection(module)
    cache = current_app.extensions.setdefault("kgtool_charts", OrderedDict())
    key = (view, tuple(chosen))
    with _chart_lock:  # matplotlib's rc settings are global: draw one chart at a time
        svg = cache.get(key)
        if svg is None:
            svg = module.compare_command_output(site().store, chosen, by=view, fmt="svg", **_profiles())
            cache[key] = svg
            while len(cache) > CHART_CACHE_SIZE:
                cache.popitem(last=False)
    response = current_app.response_class(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    response.cache_control.max_age = 300
    return response


@bp.route("/compare/<view>.csv")
def download(view: str):
    module = _module()
    if module is None or view not in module.VIEWS or "csv" not in module.VIEWS[view]:
        abort(404)
    _, chosen = _selection(module)
    text = module.compare_command_output(site().store, chosen, by=view, fmt="csv", **_profiles())
    response = current_app.response_class(text, mimetype="text/csv")
    response.mimetype_params["charset"] = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="compare-{view}.csv"'
    return response
