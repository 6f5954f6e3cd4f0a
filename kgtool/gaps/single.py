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

import time
from pathlib import Path

import rdflib
from rdflib import Graph

from kgtool.errors import KgtoolError, ShapesError
from kgtool.gaps.findings import WSASH, Report, finding_order, read_findings
from kgtool.gaps.tuning import ParsedOnce
from kgtool.vocab import PREFIXES

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
    graph = new_graph()
    _parse_dir(graph, root / "ontology", "ontology")
    _parse_dir(graph, root / "data", "data")
    return graph


def load_shapes(shapes_dir: Path) -> Graph:
    """Every shapes/*.ttl in one shapes graph.

    Raises:
        ShapesError: if there are no shapes or a file does not parse.
    """
    return _parse_dir(new_graph(), shapes_dir, "shapes")


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph.bind("wsash", str(WSASH))
    return graph


def _flatten(data: Graph | rdflib.Dataset) -> Graph:
    """One plain graph: pySHACL validates each named graph of a Dataset on its own, which would
    cut a document off from the concept schemes in the ontology graph."""
    if isinstance(data, rdflib.graph.ConjunctiveGraph):  # rdflib.Dataset is one
        flat = new_graph()
        for s, p, o, _ in data.quads((None, None, None, None)):
            flat.add((s, p, o))
        return flat
    return data


# ------------------------------------------------------------------------------- validating


def run_shapes(graph: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """pySHACL as kgtool runs it, over the whole data or one document unit: the graph read once
    (`ParsedOnce`), no inference (the ontology is in the data), every result, no meta-SHACL.
    Returns whether the data conforms, and the report graph."""
    from pyshacl import validate as shacl_validate

    conforms, report, _ = shacl_validate(
        ParsedOnce(graph),
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_infos=False,
        allow_warnings=False,
        advanced=False,
        meta_shacl=False,
    )
    return bool(conforms), report


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
    shapes = load_shapes(shapes_dir)
    graph = _flatten(data)
    if ontology_dir is not None:
        if graph is data:
            graph = new_graph()
            graph += data
        _parse_dir(graph, ontology_dir, "ontology")
    started = time.perf_counter()
    try:
        conforms, report_graph = run_shapes(graph, shapes)
    except Exception as exc:  # pySHACL's ReportableRuntimeError, ShapeLoadError, …
        raise ShapesError(f"pySHACL could not run the shapes: {exc}", where=str(shapes_dir)) from exc
    seconds = time.perf_counter() - started
    for prefix, namespace in shapes.namespaces():
        report_graph.bind(prefix, namespace, override=False)
    findings = tuple(sorted(read_findings(report_graph, graph), key=finding_order))
    return Report(conforms=bool(conforms), findings=findings, report_graph=report_graph, seconds=seconds)
