"""Findings: a SHACL validation report read back as what an analyst needs to judge each result.

Every engine (one pySHACL run, pySHACL per document, Jena) gives a report graph; the findings
read from it carry the focus node's label, its document and jurisdiction, the message in
Chinese and English and the source passage, and are sorted the same way whatever the engine.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from kgtool.vocab import SH, WSA

#: The shapes' own names (shapes/*.ttl), as in the report's sourceShape.
WSASH = Namespace("https://w3id.org/wsa/shapes#")

#: Severities in the order reports list them.
SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")

NO_JURISDICTION = "(无辖区 / no jurisdiction)"


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
    #: the analysts' correction (a wsa:Correction IRI) the focus rests on: one changed a statement of it
    correction: str | None = None


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


class Lookups(Protocol):
    """What the findings ask of the data graph: an rdflib Graph, or the Jena engine's lookups in a
    pyoxigraph store (kgtool.gaps.jena)."""

    def objects(self, subject: Node | None, predicate: Node) -> Iterator[Node]: ...

    def value(self, subject: Node, predicate: Node) -> Node | None: ...

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool: ...


def finding_order(f: Finding) -> tuple:
    return (
        f.jurisdiction_label is None,
        f.jurisdiction_label or "",
        SEVERITIES.index(f.severity),
        f.shape,
        f.focus,
        f.path or "",
        f.value or "",
    )


def read_findings(report: Graph, data: Lookups) -> list[Finding]:
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
            correction=_correction(data, focus),
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


def shorten(text: str, limit: int = 40) -> str:
    """One line, at most `limit` characters.

    >>> shorten("负责无线电管理综合协调工作，负责编制无线电管理发展规划并组织实施。", 10)
    '负责无线电管理综合协…'
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _label(data: Lookups, node) -> str | None:
    for prop in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
        label = _pick(data.objects(node, prop))
        if label:
            return label
    text = _pick(data.objects(node, WSA.text))
    return shorten(text) if text else None


def _document_of(data: Lookups, node) -> Node | None:
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


def _jurisdiction_label(data: Lookups, document, focus=None) -> str | None:
    """The label of the document's jurisdiction, or of the focus if it is a jurisdiction itself."""
    jurisdiction = data.value(document, WSA.jurisdiction) if document is not None else None
    if jurisdiction is None and focus is not None and (focus, RDF.type, WSA.Jurisdiction) in data:
        jurisdiction = focus
    return _pick(data.objects(jurisdiction, RDFS.label)) if jurisdiction is not None else None


def _source_passage(data: Lookups, node) -> str | None:
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
            passages.append((int(str(start)) if start is not None else sys.maxsize, str(provision), text))
    return min(passages)[2] if passages else None


def _correction(data: Lookups, node) -> str | None:
    """The correction (data/corrections/) that changed a statement of the focus, the first by IRI."""
    found = sorted(str(c) for c in data.objects(node, WSA.correctedBy))
    return found[0] if found else None


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
