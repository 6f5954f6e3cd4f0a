"""shapes/ are portable: Apache Jena's SHACL engine finds what pySHACL finds.

Same data, same shapes, compared as sets of (focus node, source shape, severity): on the five
real documents, on the broken integrity units of test_validate, and on a Benxi copy whose
supervisory departments lose their duties (the one gap kind the real texts do not show).
Jena comes from Debian (libapache-jena-java, see kgtool/gaps/jena.py); without it the tests skip,
except under CI, where a missing Jena is a failure.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kgtool.gaps import Report, jena, load_data, load_shapes, validate
from kgtool.vocab import ORG, WSA
from test_validate import BREAKS, INTEGRITY_TEMPLATE, ONTOLOGY, ROOT, SHAPES, _unit

pytestmark = pytest.mark.jena

Key = tuple[str, str, str]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = jena.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Apache Jena: {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("jena")
    load_shapes(SHAPES).serialize(folder / "shapes.ttl", format="turtle", encoding="utf-8")
    return folder


def pyshacl_keys(report: Report) -> set[Key]:
    return {(f.focus, f.shape, f.severity) for f in report.findings}


def jena_keys(report: Graph) -> set[Key]:
    return {
        (
            str(report.value(r, SH.focusNode)),
            str(report.value(r, SH.sourceShape)),
            str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
        )
        for r in report.objects(None, SH.result)
    }


def compare(graph: Graph, workdir: Path, name: str, record_property) -> set[Key]:
    """Validate graph (which already holds the ontology) with both engines; return pySHACL's keys."""
    started = time.perf_counter()
    ours = validate(graph, shapes_dir=SHAPES)
    py_seconds = time.perf_counter() - started
    data = workdir / f"{name}.nt"
    graph.serialize(data, format="nt", encoding="utf-8")
    started = time.perf_counter()
    theirs = jena.shacl_validate(workdir / "shapes.ttl", data, workdir=workdir)
    jena_seconds = time.perf_counter() - started
    record_property(f"{name}_seconds", {"pyshacl": round(py_seconds, 2), "jena": round(jena_seconds, 2)})
    expected, got = pyshacl_keys(ours), jena_keys(theirs)
    assert got == expected, f"only Jena: {sorted(got - expected)}\nonly pySHACL: {sorted(expected - got)}"
    conforms = theirs.value(next(theirs.subjects(SH.conforms, None)), SH.conforms)
    assert conforms.toPython() is ours.conforms
    return expected


def test_jena_agrees_on_the_real_documents(workdir: Path, record_property) -> None:
    keys = compare(load_data(ROOT), workdir, "real", record_property)
    assert {severity for *_, severity in keys} >= {"Warning", "Info"}


def test_jena_agrees_on_broken_integrity_units(workdir: Path, record_property) -> None:
    graph = Graph()
    for n in range(len(BREAKS) + 1):
        graph.parse(data=INTEGRITY_TEMPLATE.replace("§", str(n)), format="turtle")
    for n, (_, node, mutate) in enumerate(BREAKS, start=1):
        mutate(graph, _unit(n)[node])
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        graph.parse(path, format="turtle")
    keys = compare(graph, workdir, "broken", record_property)
    assert sum(1 for *_, severity in keys if severity == "Violation") >= len(BREAKS)


def test_jena_agrees_on_a_group_without_duties(workdir: Path, record_property) -> None:
    graph = Graph()
    for path in [*sorted(ONTOLOGY.glob("*.ttl")), ROOT / "data" / "benxi-hitech-2019.ttl", ROOT / "data" / "places.ttl"]:
        graph.parse(path, format="turtle")
    groups = {g for g in graph.objects(None, WSA.memberOfGroup)}
    for group in groups:
        for post in list(graph.subjects(ORG.postIn, group)):
            graph.remove((post, WSA.hasDuty, None))
    keys = compare(graph, workdir, "groups", record_property)
    listed = {focus for focus, shape, _ in keys if shape.endswith("#ListedHolderWithoutDuty")}
    assert len(listed) >= 17
