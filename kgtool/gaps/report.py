"""The gap report written out: text grouped by jurisdiction, JSON, the SHACL report graph as Turtle, HTML."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import asdict

from rdflib import BNode, Graph
from rdflib.namespace import RDF

from kgtool.errors import KgtoolError
from kgtool.gaps.findings import NO_JURISDICTION, SEVERITIES, WSASH, Finding, Report, shorten
from kgtool.vocab import PREFIXES, SH

#: Output formats of render_report.
FORMATS: tuple[str, ...] = ("text", "json", "ttl", "html")


def render_report(report: Report, fmt: str, *, severities: Iterable[str] | None = None) -> str:
    """The report as text, json, ttl (the W3C validation report graph) or html.

    Args:
        report: what validate() returned.
        fmt: one of FORMATS.
        severities: only findings of these severities ("Violation", "Warning", "Info");
            all when None.

    Raises:
        KgtoolError: for an unknown format or severity.
    """
    wanted = _severities(severities)
    findings = [f for f in report.findings if f.severity in wanted]
    if fmt == "text":
        return _render_text(report, findings, wanted)
    if fmt == "json":
        return json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=2) + "\n"
    if fmt == "ttl":
        return _report_subgraph(report.report_graph, wanted).serialize(format="turtle")
    if fmt == "html":
        return _render_html(report, findings, wanted)
    raise KgtoolError(f"unknown report format {fmt!r}", hint="use one of: " + ", ".join(FORMATS))


def _severities(severities: Iterable[str] | None) -> set[str]:
    if severities is None:
        return set(SEVERITIES)
    wanted = {s.strip().capitalize() for s in severities}
    unknown = wanted - set(SEVERITIES)
    if unknown:
        raise KgtoolError(f"unknown severity {sorted(unknown)[0]!r}", hint="use Violation, Warning or Info")
    return wanted


def _grouped(findings: list[Finding]) -> list[tuple[str, list[tuple[str, list[Finding]]]]]:
    """Findings by jurisdiction, then severity, in report order."""
    out: list[tuple[str, list[tuple[str, list[Finding]]]]] = []
    for f in findings:
        jurisdiction = f.jurisdiction_label or NO_JURISDICTION
        if not out or out[-1][0] != jurisdiction:
            out.append((jurisdiction, []))
        groups = out[-1][1]
        if not groups or groups[-1][0] != f.severity:
            groups.append((f.severity, []))
        groups[-1][1].append(f)
    return out


def _short_iri(iri: str) -> str:
    """A prefixed name for the report's common namespaces.

    >>> _short_iri("https://w3id.org/wsa/shapes#PostWithoutDuty")
    'wsash:PostWithoutDuty'
    """
    namespaces = dict(PREFIXES, wsash=str(WSASH))
    best = max((ns for ns in namespaces.values() if iri.startswith(ns)), key=len, default=None)
    if best is None or best == PREFIXES["id"]:
        return iri
    prefix = next(p for p, ns in namespaces.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"


def _shown_value(f: Finding) -> str | None:
    """The offending value, unless it is only the focus node again (node-shape results)."""
    return f.value if f.value and f.value != f.focus else None


def _counts_line(report: Report, wanted: set[str]) -> str:
    """Counts of the whole report, so a filtered view agrees with validate's own summary line,
    then which severities are shown when not all are."""
    counts = ", ".join(f"{sum(1 for f in report.findings if f.severity == s)} {s}" for s in SEVERITIES)
    shown = "" if wanted >= set(SEVERITIES) else "; shown: " + ", ".join(s for s in SEVERITIES if s in wanted)
    return f"{counts} ({report.seconds:.2f} s){shown}"


def _render_text(report: Report, findings: list[Finding], wanted: set[str]) -> str:
    lines = [
        f"SHACL report: {'conforms' if report.conforms else 'does not conform'}; {_counts_line(report, wanted)}",
    ]
    for jurisdiction, groups in _grouped(findings):
        lines += ["", f"== {jurisdiction} =="]
        for severity, items in groups:
            lines.append(f"-- {severity} ({len(items)}) --")
            for f in items:
                label = f.focus_label or _short_iri(f.focus)
                lines.append(f"* {label}  [{_short_iri(f.shape)}]")
                lines.append(f"  {f.focus}")
                lines.append(f"  {f.message_zh}")
                if f.message_en != f.message_zh:
                    lines.append(f"  {f.message_en}")
                if f.path or _shown_value(f):
                    lines.append(f"  path: {f.path or '-'}  value: {_shown_value(f) or '-'}")
                if f.source_passage:
                    lines.append(f"  原文 / source: 「{shorten(f.source_passage, 160)}」")
                if f.correction:
                    lines.append(f"  经分析人员更正 / rests on an analyst's correction: {_short_iri(f.correction)}")
    return "\n".join(lines) + "\n"


_HTML_STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 2em; color: #222; }
h2 { border-bottom: 1px solid #ccc; } .Violation { color: #a40000; } .Warning { color: #8a5a00; }
.Info { color: #205080; } li { margin-bottom: 1em; } code { font-size: 0.85em; color: #555; }
blockquote { margin: 0.3em 0 0 1em; padding-left: 0.8em; border-left: 3px solid #bbb; color: #444; }
"""


def _render_html(report: Report, findings: list[Finding], wanted: set[str]) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        "<title>安全生产责任缺口报告 / Work-safety accountability gap report</title>",
        f"<style>{_HTML_STYLE}</style></head><body>",
        "<h1>安全生产责任缺口报告 <small>Work-safety accountability gap report</small></h1>",
        f"<p>{e('符合' if report.conforms else '不符合')} / {e('conforms' if report.conforms else 'does not conform')}: "
        f"{e(_counts_line(report, wanted))}</p>",
    ]
    for jurisdiction, groups in _grouped(findings):
        parts.append(f"<section><h2>{e(jurisdiction)}</h2>")
        for severity, items in groups:
            parts.append(f'<h3 class="{e(severity)}">{e(severity)} ({len(items)})</h3><ul>')
            for f in items:
                label = f.focus_label or _short_iri(f.focus)
                parts.append(
                    f'<li><strong>{e(label)}</strong> <span class="{e(f.severity)}">[{e(_short_iri(f.shape))}]</span>'
                    f"<br><code>{e(f.focus)}</code>"
                    f'<br><span lang="zh">{e(f.message_zh)}</span>'
                    f'<br><span lang="en">{e(f.message_en)}</span>'
                )
                if f.path or _shown_value(f):
                    parts.append(f"<br><code>path: {e(f.path or '-')} value: {e(_shown_value(f) or '-')}</code>")
                if f.source_passage:
                    parts.append(f'<blockquote lang="zh">{e(f.source_passage)}</blockquote>')
                if f.correction:
                    parts.append(
                        f'<br><em class="corrected">经分析人员更正 / rests on an analyst\'s correction: <code>{e(f.correction)}</code></em>'
                    )
                parts.append("</li>")
            parts.append("</ul>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _report_subgraph(report: Graph, wanted: set[str]) -> Graph:
    """The validation report graph without results of unwanted severities."""
    if wanted == set(SEVERITIES):
        return report
    out = Graph()
    for prefix, namespace in report.namespaces():
        out.bind(prefix, namespace, override=True)
    out += report
    for result in list(out.subjects(RDF.type, SH.ValidationResult)):
        severity = out.value(result, SH.resultSeverity)
        if severity is not None and str(severity).rsplit("#", 1)[-1] not in wanted:
            out.remove((None, SH.result, result))
            _remove_tree(out, result)
    return out


def _remove_tree(graph: Graph, node) -> None:
    """Remove a node's triples and, recursively, blank nodes only it points to."""
    for _, _, obj in list(graph.triples((node, None, None))):
        graph.remove((node, None, obj))
        if isinstance(obj, BNode) and not any(graph.triples((None, None, obj))):
            _remove_tree(graph, obj)
