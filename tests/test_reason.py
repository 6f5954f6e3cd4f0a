"""HermiT through owlready2: the ontology is consistent, the defined classes pick up the
posts and duties they should, and an inconsistent graph is a result, never a traceback.

Each HermiT run starts a JVM (about 2 s), so the graphs are small and each is reasoned
over once per module.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, XSD, Literal, Namespace
from rdflib.namespace import DCTERMS, FOAF

from kgtool.errors import EngineError
from kgtool.gaps.reasoning import Reasoning, _merge, reason

ONTOLOGY_FILE = Path(__file__).resolve().parents[1] / "ontology" / "wsa.ttl"
WSA = Namespace("https://w3id.org/wsa/ontology#")
LEVEL = Namespace("https://w3id.org/wsa/concept/level/")
ADMIN = Namespace("https://w3id.org/wsa/concept/adminlevel/")
ORG = Namespace("http://www.w3.org/ns/org#")
T = Namespace("https://w3id.org/wsa/id/test-doc/")

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


def sample_data() -> rdflib.Graph:
    """A document with the kinds of literal the extractor writes, and four posts."""
    g = rdflib.Graph()
    g.add((T.doc, RDF.type, WSA.PolicyDocument))
    g.add((T.doc, DCTERMS.title, Literal("测试实施方案", lang="zh")))
    g.add((T.doc, DCTERMS.issued, Literal("2022-04-24", datatype=XSD.date)))
    g.add((T.doc, WSA.documentNumber, Literal("测政发〔2022〕1号")))
    g.add((T.doc, WSA.legalBasis, Literal("《安全生产法》", lang="zh")))
    g.add((T.art1, RDF.type, WSA.Provision))
    g.add((T.art1, DCTERMS.isPartOf, T.doc))
    g.add((T.art1, WSA.text, Literal("镇长为镇安全生产工作第一责任人", lang="zh")))
    g.add((T.art1, WSA.charStart, Literal(10)))
    g.add((T.art1, WSA.charEnd, Literal(25)))
    g.add((T.gov, RDF.type, WSA.GovernmentBody))
    # first responsible, and so also a leadership post
    g.add((T.head, RDF.type, WSA.Post))
    g.add((T.head, WSA.responsibilityLevel, LEVEL.first_responsible))
    g.add((T.head, WSA.definedIn, T.doc))
    g.add((T.head, WSA.hasDuty, T.duty1))
    g.add((T.duty1, RDF.type, WSA.Duty))
    g.add((T.duty1, WSA.text, Literal("每季度至少召开一次会议", lang="zh")))
    g.add((T.duty1, WSA.frequency, T.freq1))
    g.add((T.freq1, RDF.type, WSA.FrequencyRequirement))
    g.add((T.freq1, WSA.period, Literal("P3M", datatype=XSD.duration)))
    g.add((T.freq1, WSA.minOccurrences, Literal(1)))
    g.add((T.freq1, WSA.timesPerYear, Literal("4", datatype=XSD.decimal)))
    g.add((T.freq1, WSA.text, Literal("每季度至少召开一次", lang="zh")))
    g.add((T.head, ORG.heldBy, T.person1))
    g.add((T.person1, RDF.type, FOAF.Person))
    g.add((T.person1, FOAF.name, Literal("张三", lang="zh")))
    # a leadership post that is not first responsible
    g.add((T.deputy, RDF.type, WSA.Post))
    g.add((T.deputy, WSA.responsibilityLevel, LEVEL.direct_leadership))
    # a periodic duty whose Duty type comes from wsa:frequency's domain
    g.add((T.officer, RDF.type, WSA.Post))
    g.add((T.officer, WSA.hasDuty, T.duty2))
    g.add((T.duty2, WSA.frequency, T.freq2))
    g.add((T.freq2, RDF.type, WSA.FrequencyRequirement))
    # post responsibility is not leadership; a duty without frequency is not periodic
    g.add((T.worker, RDF.type, WSA.Post))
    g.add((T.worker, WSA.responsibilityLevel, LEVEL.post))
    g.add((T.worker, WSA.hasDuty, T.duty3))
    g.add((T.duty3, RDF.type, WSA.Duty))
    # already asserted: not reported as newly inferred
    g.add((T.chair, RDF.type, WSA.FirstResponsiblePost))
    g.add((T.chair, WSA.responsibilityLevel, LEVEL.first_responsible))
    return g


@pytest.fixture(scope="module")
def ontology_alone(onto: rdflib.Graph) -> Reasoning:
    return reason(onto)


@pytest.fixture(scope="module")
def with_data(onto: rdflib.Graph) -> Reasoning:
    return reason([onto, sample_data()])


@pytest.mark.slow
@needs_java
def test_ontology_alone_is_consistent(ontology_alone: Reasoning) -> None:
    assert ontology_alone.consistent
    assert ontology_alone.explanation is None  # no unsatisfiable class either
    assert set(ontology_alone.inferred) == {
        str(WSA.FirstResponsiblePost),
        str(WSA.LeadershipPost),
        str(WSA.PostWithPeriodicDuty),
        str(WSA.DutyWithFrequency),
    }
    assert not any(ontology_alone.inferred.values())


@pytest.mark.slow
@needs_java
def test_sample_data_is_consistent(with_data: Reasoning) -> None:
    assert with_data.consistent, with_data.explanation
    assert with_data.explanation is None


@pytest.mark.slow
@needs_java
@pytest.mark.parametrize(
    "defined_class,members",
    [
        ("FirstResponsiblePost", ["head"]),
        ("LeadershipPost", ["chair", "deputy", "head"]),
        ("PostWithPeriodicDuty", ["head", "officer"]),
        ("DutyWithFrequency", ["duty1", "duty2"]),
    ],
)
def test_inferred_members(with_data: Reasoning, defined_class: str, members: list[str]) -> None:
    assert with_data.inferred[str(WSA[defined_class])] == sorted(str(T[m]) for m in members)


@pytest.mark.slow
@needs_java
@pytest.mark.parametrize("clash", ["post_and_body", "two_admin_levels"])
def test_inconsistent_graph_is_reported_not_raised(onto: rdflib.Graph, clash: str) -> None:
    g = rdflib.Graph()
    if clash == "post_and_body":
        g.add((T.x, RDF.type, WSA.Post))
        g.add((T.x, RDF.type, WSA.Body))
    else:  # a functional property with two concepts declared different
        g.add((T.x, RDF.type, WSA.Jurisdiction))
        g.add((T.x, WSA.adminLevel, ADMIN.town))
        g.add((T.x, WSA.adminLevel, ADMIN.county))
    before = set(Path(tempfile.gettempdir()).glob("tmp*"))
    result = reason([onto, g])
    assert not result.consistent
    assert result.inferred == {}
    assert result.explanation and "inconsistent" in result.explanation
    if clash == "post_and_body":  # the asserted clash is named
        assert str(T.x) in result.explanation
    # owlready2 leaves its copy of the input behind when HermiT fails; reason() removes it
    left = [p for p in set(Path(tempfile.gettempdir()).glob("tmp*")) - before if p.is_file() and str(T.x).encode() in p.read_bytes()]
    assert not left


@pytest.mark.slow
@needs_java
def test_infer_false_reports_consistency_only(onto: rdflib.Graph) -> None:
    result = reason(onto, infer=False)
    assert result == Reasoning(True, None, {})


def test_missing_java_is_an_engine_error(onto: rdflib.Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "no-such-java-for-kgtool")
    with pytest.raises(EngineError) as info:
        reason(onto)
    assert "default-jre-headless" in str(info.value)
    assert info.value.exit_code == 3


def test_merge_reads_every_named_graph_of_a_dataset() -> None:
    ds = rdflib.Dataset()
    ds.graph(T.g1).add((T.a, RDF.type, WSA.Post))
    ds.graph(T.g2).add((T.b, RDF.type, WSA.Body))
    plain = rdflib.Graph()
    plain.add((T.c, RDF.type, WSA.Duty))
    merged = _merge([ds, plain])
    assert set(merged) == {(T.a, RDF.type, WSA.Post), (T.b, RDF.type, WSA.Body), (T.c, RDF.type, WSA.Duty)}
    assert set(_merge(plain)) == set(plain)
