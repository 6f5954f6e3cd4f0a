"""The gap report at /gaps: SHACL findings, filterable by jurisdiction and severity.

Validation takes seconds, so the report is computed once per app (`Site.report`) from the
files under ROOT (data/, ontology/, shapes/). If kgtool.gaps is not importable the page
says so and every other page still works.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from pathlib import Path

from flask import Blueprint, render_template, request
from rdflib import URIRef

from kgtool.web.links import valid_iri
from kgtool.web.site import site

bp = Blueprint("report", __name__)


def compute_report(root):
    """The gap report of ROOT's files, by the fastest engine installed (`kgtool.gaps`).

    Computed in a child process at low priority: at a million triples part of it runs for
    minutes in pySHACL, and in this process it would hold the interpreter lock that every
    page request needs.
    """
    import concurrent.futures
    import multiprocessing

    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_lower_priority) as pool:
        return pool.submit(_validate, Path(root)).result()


def _lower_priority() -> None:
    with contextlib.suppress(OSError):
        os.nice(10)


def _validate(root: Path):
    from kgtool.gaps import gap_report

    return gap_report(root, shapes_dir=root / "shapes")


def get_report():
    """The app's cached report, or None when kgtool.gaps is not available."""
    try:
        import kgtool.gaps  # noqa: F401
    except ImportError:
        return None
    s = site()
    return s.report(lambda: compute_report(s.root))


@bp.route("/gaps")
def gaps():
    report = get_report()
    if report is None:
        return render_template("report/gaps.html", report=None, module="kgtool.gaps")
    jurisdiction = request.args.get("jurisdiction") or None
    severity = request.args.get("severity") or None
    findings = [
        f
        for f in report.findings
        if (jurisdiction is None or (f.jurisdiction_label or "") == jurisdiction) and (severity is None or f.severity == severity)
    ]
    by_jurisdiction = Counter(f.jurisdiction_label or "" for f in report.findings if severity is None or f.severity == severity)
    by_severity = Counter(f.severity for f in report.findings if jurisdiction is None or (f.jurisdiction_label or "") == jurisdiction)
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return render_template(
        "report/gaps.html",
        report=report,
        findings=findings,
        jurisdiction=jurisdiction,
        severity=severity,
        by_jurisdiction=sorted(by_jurisdiction.items()),
        module="kgtool.gaps",
        by_severity=sorted(by_severity.items(), key=lambda kv: order.get(kv[0], 9)),
        iri=lambda value: URIRef(value) if value and valid_iri(value) else None,
    )
