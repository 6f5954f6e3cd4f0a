"""Document units: the split of the gap report that the unit engines share (pySHACL's,
`kgtool.gaps.per_document`, and Jena's, `kgtool.gaps.jena_units`).

Every shape in shapes/ only looks at a document's own nodes plus the ontology and the places,
so the work splits by document: `plan_units` groups the documents into units of about a given
size of Turtle plus a *context* unit (ontology/ and every data file that holds no
wsa:PolicyDocument, such as places.ttl); a unit engine validates each and keeps the findings
whose focus node is one of its documents' subjects; `merge_outcomes` merges, de-duplicates and
sorts them exactly as `kgtool.gaps.single.validate` does.

That split gives the whole graph's findings only if no shape can walk from one document
into another. It is checked, not assumed: shapes with targets other than classes and
subjects-of (sh:targetNode, sh:targetObjectsOf, SPARQL targets) or with inverse steps over
complex paths make the engines validate everything as one unit (`shape_limits`); and each
unit reports documents that break the split (`check_split`: a subject that is not the
document's own IRI or under ``<document IRI>/``, a link to another document's node, or an
inverse-path predicate pointing outside its unit), and then the whole graph is validated as
one unit (`unsplit`, `whole_unit`). SPARQL-based constraints are assumed to read only triples
about ``$this`` and its own document's nodes (true of shapes/integrity.ttl's only one, which
reads ``$this``'s own values).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kgtool.gaps.findings import Finding, Report, finding_order
from kgtool.gaps.single import new_graph
from kgtool.store.files import graph_files
from kgtool.vocab import SH, WSA

__all__ = [
    "Outcome",
    "Unit",
    "check_split",
    "largest_first",
    "merge_outcomes",
    "plan_units",
    "report_triples",
    "shape_limits",
    "shared_results",
    "unsplit",
    "whole_unit",
]

_POLICY_DOCUMENT = ox.NamedNode(str(WSA.PolicyDocument))
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_ID = "https://w3id.org/wsa/id/"
#: Turtle bytes per unit to aim for: big enough to share pySHACL's start-up, small enough to balance.
_UNIT_BYTES = 1_500_000
_SMALL_UNIT_BYTES = 1_500_000


@dataclass(frozen=True)
class Unit:
    """Files validated together in one worker: documents plus the shared context."""

    documents: tuple[str, ...]  # data files that each hold one or more wsa:PolicyDocument
    context: tuple[str, ...]  # ontology and other data files (places …), loaded in every unit
    keep: str  # "documents": findings about the documents' subjects; "all"


@dataclass(frozen=True)
class Outcome:
    findings: tuple[Finding, ...]
    results: tuple[tuple, ...]  # report-graph triples of the kept results
    result_nodes: tuple[BNode, ...]
    breaks: tuple[str, ...]  # why the per-document split would be wrong, if it would
    error: tuple[str, str] | None = None  # (message, file) when a file cannot be read
    shared: tuple[tuple[str, str], ...] = ()  # (IRI, digest of its statements) of nodes shared with other documents
    shared_results: tuple[tuple[BNode, str], ...] = ()  # kept results whose focus is such a node


def _is_document_file(path: Path) -> bool:
    """Whether a data file holds a wsa:PolicyDocument (read without a full parse when possible)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if "PolicyDocument" not in text:
        return False
    # parsed as a stream, stopping at the type: build writes the document's own statements first
    return any(t.predicate == _RDF_TYPE and t.object == _POLICY_DOCUMENT for t in ox.parse(text, format=ox.RdfFormat.TURTLE))


def plan_units(root: Path, *, workers: int, unit_bytes: int = _UNIT_BYTES) -> tuple[list[Unit], Unit]:
    """Split ontology/ + data/ under root into document units and the context unit.

    Returns:
        (units, context unit). Documents are grouped in file-name order into units of about
        ``unit_bytes`` of Turtle, at least ``3 × workers`` units when there are that many
        documents, so that the pool stays busy to the end.
    """
    context: list[str] = []
    documents: list[Path] = []
    for paths in graph_files(Path(root)).values():
        for path in paths:
            if path.parent.name == "data" and _is_document_file(path):
                documents.append(path)
            else:
                context.append(str(path))
    total = sum(p.stat().st_size for p in documents)
    # small corpora: one unit per worker (each unit re-validates the context); large: 3 per worker
    target = min(unit_bytes, max(1, total // (3 * workers), min(_SMALL_UNIT_BYTES, total // workers)))
    units: list[Unit] = []
    current: list[str] = []
    size = 0
    for path in documents:
        current.append(str(path))
        size += path.stat().st_size
        if size >= target:
            units.append(Unit(tuple(current), tuple(context), "documents"))
            current, size = [], 0
    if current:
        units.append(Unit(tuple(current), tuple(context), "documents"))
    return units, Unit((), tuple(context), "all")


def shape_limits(shapes: Graph) -> tuple[str | None, frozenset[str]]:
    """Why the shapes cannot be split per document (or None), and the inverse-path predicates."""
    for target in (SH.targetNode, SH.targetObjectsOf, SH.target):
        if any(shapes.triples((None, target, None))):
            return f"the shapes use {shapes.namespace_manager.normalizeUri(target)}", frozenset()
    inverse: set[str] = set()
    for _, _, step in shapes.triples((None, SH.inversePath, None)):
        if not isinstance(step, URIRef):
            return "the shapes use an inverse step over a complex path", frozenset()
        inverse.add(str(step))
    return None, frozenset(inverse)


def check_split(triples: list, inverse: frozenset[str], context_subjects: set) -> tuple[list[str], dict[str, str]]:
    """Reasons this document cannot be validated apart from the rest, if any, and the nodes it
    describes that are not its own, each with a digest of what it says of them.

    Every subject must be the document, under ``<document IRI>/``, or a *shared* node (a
    place or an analyst minted outside any document, say) that the context does not describe;
    links into the id namespace must stay inside the document, reach a node it describes, or
    reach the context; an inverse-path predicate must point inside the document. A shared node
    gives the same findings in every unit only if every document says the same of it: the
    caller compares the digests of all units (`unsplit`)."""
    documents = frozenset(
        t.subject.value
        for t in triples
        if t.predicate == _RDF_TYPE and t.object == _POLICY_DOCUMENT and isinstance(t.subject, ox.NamedNode)
    )
    prefixes = tuple(d + "/" for d in documents)

    def own(iri: str) -> bool:
        return iri in documents or iri.startswith(prefixes)

    foreign: dict[str, list[str]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and not own(t.subject.value):
            foreign.setdefault(t.subject.value, []).append(str(t))
    breaks: list[str] = []
    for t in triples:
        s, p, o = t.subject, t.predicate, t.object
        if isinstance(s, ox.NamedNode) and s.value in foreign and s in context_subjects:
            breaks.append(f"{s.value} is described both in a document and in the shared context")
        elif isinstance(o, ox.NamedNode):
            if o.value.startswith(_ID) and not own(o.value) and o.value not in foreign and o not in context_subjects:
                breaks.append(f"{s.value} links to {o.value}, another document's node")
            elif p.value in inverse and not own(o.value):
                breaks.append(f"{s.value} {p.value} {o.value}: an inverse path would leave the document")
        elif isinstance(o, ox.BlankNode) and s.value in foreign:
            breaks.append(f"{s.value} is described with a blank node, which no two documents can share")
        if len(breaks) >= 5:
            break
    shared = {iri: hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest() for iri, lines in foreign.items()}
    return breaks, shared


def report_triples(report: Graph, results: list) -> list[tuple]:
    """The triples of these results and of the blank nodes they lead to."""
    out: list[tuple] = []
    seen: set = set()
    todo = list(results)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for s, p, o in report.triples((node, None, None)):
            out.append((s, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return out


def shared_results(report: Graph, keep: list, shared: list[tuple[str, str]]) -> tuple[tuple[BNode, str], ...]:
    """The kept results whose focus node is a shared node, with its IRI (see `merge_outcomes`)."""
    iris = {iri for iri, _ in shared}
    if not iris:
        return ()
    out = []
    for result in keep:
        focus = report.value(result, SH.focusNode)
        if isinstance(focus, URIRef) and str(focus) in iris:
            out.append((result, str(focus)))
    return tuple(out)


def unsplit(outcomes: Sequence[Outcome]) -> tuple[str, ...]:
    """Why the documents could not be validated apart, as a report's note (none when they could):
    a document that reaches outside itself, or a shared node the documents describe differently."""
    breaks = [b for o in outcomes for b in o.breaks]
    digests: dict[str, set[str]] = {}
    for outcome in outcomes:
        for iri, digest in outcome.shared:
            digests.setdefault(iri, set()).add(digest)
    breaks += [f"{iri} is described differently by several documents" for iri, seen in digests.items() if len(seen) > 1]
    if not breaks:
        return ()
    more = f", and {len(breaks) - 1} more found" if len(breaks) > 1 else ""
    return (f"documents could not be validated apart ({breaks[0]}{more}): validated as one unit",)


def merge_outcomes(outcomes: Sequence[Outcome], shapes: Graph, started: float, *, notes: tuple[str, ...] = ()) -> Report:
    """The units' findings and report graphs as one report, de-duplicated and sorted exactly as
    `kgtool.gaps.single.validate` sorts (whichever engine validated the units)."""
    found: dict[tuple, Finding] = {}
    report = new_graph()
    for prefix, namespace in shapes.namespaces():
        report.bind(prefix, namespace, override=False)
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    claimed: set[str] = set()  # shared nodes whose results a unit gave already (every unit gives the same)
    for outcome in outcomes:
        for finding in outcome.findings:
            found.setdefault((finding.focus, finding.shape, finding.severity, finding.path, finding.value), finding)
        again = {result for result, iri in outcome.shared_results if iri in claimed}
        claimed.update(iri for _, iri in outcome.shared_results)
        dropped = _below(outcome.results, again) - _below(outcome.results, set(outcome.result_nodes) - again)
        for triple in outcome.results:
            if triple[0] not in dropped:
                report.add(triple)
        for result in outcome.result_nodes:
            if result not in again:
                report.add((node, SH.result, result))
    conforms = not any(o.result_nodes for o in outcomes)
    report.add((node, SH.conforms, Literal(conforms)))
    findings = tuple(sorted(found.values(), key=finding_order))
    return Report(conforms=conforms, findings=findings, report_graph=report, seconds=time.perf_counter() - started, notes=notes)


def _below(triples: Sequence[tuple], roots: set) -> set:
    """The roots and the blank nodes they lead to, within these report triples."""
    if not roots:
        return set()
    by_subject: dict = {}
    for s, _, o in triples:
        by_subject.setdefault(s, []).append(o)
    seen, todo = set(), list(roots)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(o for o in by_subject.get(node, ()) if isinstance(o, BNode))
    return seen


def whole_unit(units: list[Unit], context: Unit | None) -> Unit:
    """Every document and the context as one unit, every finding kept: the split's fallback."""
    files = tuple(f for u in units for f in u.documents)
    return Unit(files, context.context if context else units[0].context if units else (), "all")


def largest_first(units: Sequence[Unit]) -> list[int]:
    """The units' indexes, largest first, so that the last to finish is a small one."""
    return sorted(range(len(units)), key=lambda i: -sum(os.path.getsize(f) for f in units[i].documents + units[i].context))
