"""The gap report: pySHACL runs shapes/ over ontology/ + data/ and findings come back readable.

Integrity shapes (sh:Violation) say the data or the extractor is wrong; gap shapes (sh:Warning,
sh:Info) say where a document leaves work-safety responsibility unallocated or unmeasurable.
Each finding carries what an analyst needs to judge it without opening the graph: the focus
node's label, its document and jurisdiction, the message in Chinese and English, and the
source passage it was read from.

No RDFS inference is run: it costs several times the validation and changes the findings
(an rdfs:range can turn a body into a post and hide a gap). The shapes follow subclasses
themselves, through sh:targetClass over the ontology's rdfs:subClassOf triples.
"""
from __future__ import annotations

import html
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import rdflib
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from kgtool.errors import KgtoolError, ShapesError
from kgtool.vocab import PREFIXES, SH, WSA

#: The shapes' own names (shapes/*.ttl), as in the report's sourceShape.
WSASH = Namespace("https://w3id.org/wsa/shapes#")

#: Severities in the order reports list them.
SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")

#: Output formats of render_report.
FORMATS: tuple[str, ...] = ("text", "json", "ttl", "html")

_NO_JURISDICTION = "(无辖区 / no jurisdiction)"


@dataclass(frozen=True)
class Finding:
    """One validation result, with enough context to be judged without opening the graph."""

    focus: str
    focus_label: str | None
    document: str | None
    jurisdiction_label: str | None
    shape: str
    severity: str
    message_zh: str
    message_en: str
    path: str | None
    value: str | None
    source_passage: str | None


@dataclass(frozen=True)
class Report:
    """What validate() found; `conforms` is SHACL's (any result at all makes it False)."""

    conforms: bool
    findings: tuple[Finding, ...] = field(repr=False)
    report_graph: Graph = field(repr=False, compare=False)
    seconds: float
    notes: tuple[str, ...] = field(default=(), compare=False)  # how it was made, when not as asked

    @property
    def violations(self) -> int:
        """Number of sh:Violation findings: integrity failures, the CLI's exit-code signal."""
        return sum(1 for f in self.findings if f.severity == "Violation")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "Warning")

    @property
    def infos(self) -> int:
        return sum(1 for f in self.findings if f.severity == "Info")


# ------------------------------------------------------------------------------- loading

def _parse_dir(graph: Graph, folder: Path, what: str) -> Graph:
    error = ShapesError if what == "shapes" else KgtoolError
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise error(f"no {what} (*.ttl) found", where=str(folder))
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise error(f"cannot parse {what} file: {exc}", where=str(path)) from exc
    return graph


def load_data(root: Path) -> Graph:
    """ontology/*.ttl + data/*.ttl in one graph: what the shapes are meant to see together.

    The concept schemes live in ontology/, so a concept reference can only be checked when
    both are loaded.

    Raises:
        KgtoolError: if a folder holds no Turtle file or a file does not parse.
    """
    graph = _new_graph()
    _parse_dir(graph, root / "ontology", "ontology")
    _parse_dir(graph, root / "data", "data")
    return graph


def load_shapes(shapes_dir: Path) -> Graph:
    """Every shapes/*.ttl in one shapes graph.

    Raises:
        ShapesError: if there are no shapes or a file does not parse.
    """
    return _parse_dir(_new_graph(), shapes_dir, "shapes")


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph.bind("wsash", str(WSASH))
    return graph


class _ParsedOnce(Graph):
    """The same triples (a view on the graph's store) with each SPARQL text parsed only once.

    pySHACL hands a SHACL-SPARQL constraint to Graph.query as a string for every focus node,
    and rdflib parses it anew each time (about 0.1 s): 3 s for the frequency shape alone.
    """

    def __init__(self, graph: Graph):
        super().__init__(store=graph.store, identifier=graph.identifier,
                         namespace_manager=graph.namespace_manager)
        self._prepared: dict[str, object] = {}

    def query(self, query_object, *args, **kwargs):  # type: ignore[override]
        if isinstance(query_object, str):
            from rdflib.plugins.sparql import prepareQuery

            from kgtool.store import PARSE_LOCK

            if query_object not in self._prepared:
                with PARSE_LOCK:
                    self._prepared[query_object] = prepareQuery(query_object)
            query_object = self._prepared[query_object]
        return super().query(query_object, *args, **kwargs)


def _flatten(data: Graph | rdflib.Dataset) -> Graph:
    """One plain graph: pySHACL validates each named graph of a Dataset on its own, which would
    cut a document off from the concept schemes in the ontology graph."""
    if isinstance(data, rdflib.graph.ConjunctiveGraph):  # rdflib.Dataset is one
        flat = _new_graph()
        for s, p, o, _ in data.quads((None, None, None, None)):
            flat.add((s, p, o))
        return flat
    return data


# ------------------------------------------------------------------------------- validating

def validate(data: Graph | rdflib.Dataset, *, shapes_dir: Path, ontology_dir: Path | None = None) -> Report:
    """Run the SHACL shapes in shapes_dir over data (plus ontology_dir, if given).

    Args:
        data: the documents' RDF; a Dataset is merged into one graph first.
        shapes_dir: folder of SHACL shapes in Turtle (shapes/).
        ontology_dir: folder of the ontology (ontology/), added to the data so concept
            schemes and subclass axioms are visible; None when data already holds it.

    Returns:
        A Report whose findings are sorted by jurisdiction, severity, shape and focus node.

    Raises:
        ShapesError: if the shapes cannot be read or pySHACL rejects them.
    """
    from pyshacl import validate as shacl_validate

    shapes = load_shapes(shapes_dir)
    graph = _flatten(data)
    if ontology_dir is not None:
        if graph is data:
            graph = _new_graph()
            graph += data
        _parse_dir(graph, ontology_dir, "ontology")
    started = time.perf_counter()
    try:
        conforms, report_graph, _ = shacl_validate(
            _ParsedOnce(graph), shacl_graph=shapes, inference="none", abort_on_first=False,
            allow_infos=False, allow_warnings=False, advanced=False, meta_shacl=False,
        )
    except Exception as exc:  # pySHACL's ReportableRuntimeError, ShapeLoadError, …
        raise ShapesError(f"pySHACL could not run the shapes: {exc}", where=str(shapes_dir)) from exc
    seconds = time.perf_counter() - started
    for prefix, namespace in shapes.namespaces():
        report_graph.bind(prefix, namespace, override=False)
    findings = tuple(sorted(_findings(report_graph, graph), key=_sort_key))
    return Report(conforms=bool(conforms), findings=findings, report_graph=report_graph, seconds=seconds)


def _sort_key(f: Finding) -> tuple:
    return (f.jurisdiction_label is None, f.jurisdiction_label or "", SEVERITIES.index(f.severity),
            f.shape, f.focus, f.path or "", f.value or "")


def _findings(report: Graph, data: Graph) -> list[Finding]:
    found: dict[tuple, Finding] = {}
    # Only top-level results: nested sh:detail results explain a parent, they are not findings.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        shape = report.value(result, SH.sourceShape)
        severity = report.value(result, SH.resultSeverity)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        zh, en = _messages(report, result)
        document = _document_of(data, focus)
        finding = Finding(
            focus=str(focus),
            focus_label=_label(data, focus),
            document=str(document) if document is not None else None,
            jurisdiction_label=_jurisdiction_label(data, document, focus),
            shape=_shape_name(shape),
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            message_zh=zh,
            message_en=en,
            path=_path_text(report, path) if path is not None else None,
            value=str(value) if value is not None else None,
            source_passage=_source_passage(data, focus),
        )
        key = (finding.focus, finding.shape, finding.severity, finding.path, finding.value)
        found.setdefault(key, finding)
    return list(found.values())


def _messages(report: Graph, result) -> tuple[str, str]:
    """The result's message in Chinese and in English (an untagged one stands in for either)."""
    by_lang: dict[str, str] = {}
    for message in report.objects(result, SH.resultMessage):
        if isinstance(message, Literal):
            by_lang.setdefault((message.language or "").split("-")[0].lower(), str(message))
    plain = by_lang.get("")
    zh = by_lang.get("zh") or plain or ""
    en = by_lang.get("en") or plain or zh
    return zh or en, en


def _pick(literals: Iterable, prefer: str = "zh") -> str | None:
    """The preferred-language literal, else an untagged one, else any.

    >>> _pick([Literal("Post", lang="en"), Literal("岗位", lang="zh")])
    '岗位'
    """
    chosen: dict[str, str] = {}
    for lit in literals:
        if isinstance(lit, Literal):
            chosen.setdefault((lit.language or "").split("-")[0].lower(), str(lit))
    for lang in (prefer, "", "en"):
        if lang in chosen:
            return chosen[lang]
    return next(iter(chosen.values()), None)


def _shorten(text: str, limit: int = 40) -> str:
    """One line, at most `limit` characters.

    >>> _shorten("负责无线电管理综合协调工作，负责编制无线电管理发展规划并组织实施。", 10)
    '负责无线电管理综合协…'
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _label(data: Graph, node) -> str | None:
    for prop in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
        label = _pick(data.objects(node, prop))
        if label:
            return label
    text = _pick(data.objects(node, WSA.text))
    return _shorten(text) if text else None


def _document_of(data: Graph, node) -> URIRef | None:
    """The policy document a node belongs to: itself, its wsa:definedIn, or up dcterms:isPartOf."""
    seen = set()
    while node is not None and node not in seen:
        seen.add(node)
        if (node, RDF.type, WSA.PolicyDocument) in data:
            return node
        document = data.value(node, WSA.definedIn)
        if document is not None:
            return document
        node = data.value(node, DCTERMS.isPartOf)
    return None


def _jurisdiction_label(data: Graph, document, focus=None) -> str | None:
    """The label of the document's jurisdiction, or of the focus if it is a jurisdiction itself."""
    jurisdiction = data.value(document, WSA.jurisdiction) if document is not None else None
    if jurisdiction is None and focus is not None and (focus, RDF.type, WSA.Jurisdiction) in data:
        jurisdiction = focus
    return _pick(data.objects(jurisdiction, RDFS.label)) if jurisdiction is not None else None


def _source_passage(data: Graph, node) -> str | None:
    """The text the focus was read from: its own wsa:text if it is a provision or duty, else
    the wsa:text of the provision it prov:wasDerivedFrom."""
    types = set(data.objects(node, RDF.type))
    if types & {WSA.Provision, WSA.Duty}:
        own = _pick(data.objects(node, WSA.text))
        if own:
            return own
    passages = []  # the first in the document, whatever order the graph lists them in
    for provision in data.objects(node, PROV.wasDerivedFrom):
        text = _pick(data.objects(provision, WSA.text))
        if text:
            start = data.value(provision, WSA.charStart)
            passages.append((int(start) if start is not None else sys.maxsize, str(provision), text))
    return min(passages)[2] if passages else None


def _shape_name(shape) -> str:
    return str(shape) if shape is not None else ""


def _path_text(report: Graph, path) -> str:
    """A SHACL property path in SPARQL syntax with prefixed names, e.g. ^wsa:hasDuty|wsa:dutyOf."""
    if isinstance(path, URIRef):
        return _qname(report, path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(report, inverse)
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_text(report, m) for m in Collection(report, alternatives))
    if (path, RDF.first, None) in report:
        return "/".join(_path_text(report, m) for m in Collection(report, path))
    for prop, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = report.value(path, prop)
        if inner is not None:
            return f"({_path_text(report, inner)}){suffix}"
    return str(path)


def _qname(graph: Graph, iri) -> str:
    try:
        return graph.namespace_manager.normalizeUri(iri)
    except Exception:  # noqa: BLE001 - rdflib's failures here vary; the full IRI always serves
        return f"<{iri}>"


# ------------------------------------------------------------------------------- rendering

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
        jurisdiction = f.jurisdiction_label or _NO_JURISDICTION
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
    return f"{prefix}:{iri[len(best):]}"


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
                    lines.append(f"  原文 / source: 「{_shorten(f.source_passage, 160)}」")
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
