"""kgtool.gaps and shapes/: the gap report on the five real documents, each gap kind shown
firing (on the real texts, or on a mutated copy where the texts do not show it), each integrity
shape shown firing on a small broken graph, the shapes themselves valid SHACL, and the report
rendered in every format."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from kgtool.errors import KgtoolError, ShapesError
from kgtool.gaps import Finding, Report, load_data, load_shapes, render_report, validate
from kgtool.vocab import ID, ORG, SH, WSA, concept

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "shapes"
ONTOLOGY = ROOT / "ontology"
WSASH = Namespace("https://w3id.org/wsa/shapes#")
EX = Namespace("https://example.org/kgtool-test/")


@pytest.fixture(scope="module")
def data() -> Graph:
    return load_data(ROOT)


@pytest.fixture(scope="module")
def report(data: Graph) -> Report:
    return validate(data, shapes_dir=SHAPES)


def fired(report: Report, shape: str, *, focus: str | None = None, label: str | None = None, doc: str | None = None) -> list[Finding]:
    """Findings of one shape (local name), narrowed to a focus IRI suffix, a label prefix or a document."""
    return [
        f
        for f in report.findings
        if f.shape == str(WSASH[shape])
        and (focus is None or f.focus.endswith(focus))
        and (label is None or (f.focus_label or "").startswith(label))
        and (doc is None or f.document == str(ID[doc]))
    ]


def doc_graph(slug: str) -> Graph:
    """One document's RDF plus places, for fast mutation tests (validated with the ontology)."""
    graph = Graph()
    graph.parse(ROOT / "data" / f"{slug}.ttl", format="turtle")
    graph.parse(ROOT / "data" / "places.ttl", format="turtle")
    return graph


def check(graph: Graph) -> Report:
    return validate(graph, shapes_dir=SHAPES, ontology_dir=ONTOLOGY)


# ------------------------------------------------------------------------- the real documents


def test_real_data_has_no_violation(report: Report) -> None:
    violations = [f"{f.shape} {f.focus} {f.path} {f.value}: {f.message_en}" for f in report.findings if f.severity == "Violation"]
    assert report.violations == 0, "\n".join(violations)


#: Findings judged real on reading the texts: (document, shape, severity, focus IRI suffix or
#: label prefix). A label prefix of a duty is the start of its text.
REAL_GAPS = [
    # Bazhong's duty table lists the radio-management office, whose two duties are radio work only.
    ("bazhong-econ-2018", "NoSafetyDuty", "Warning", "无线电管理办公室"),
    # The commission leader leading special inspections has no frequency for them.
    # "定期听取安全工作汇报": regularly, with no number.
    ("bazhong-econ-2018", "VagueFrequency", "Info", "定期听取安全工作汇报"),
    # Only catch-alls. Tongchuan 六、1: staff are told "在抓好业务的同时要抓好业务工作所涉及的安全生产工作";
    # Mianyang 第四条: "全体干部职工均应…认真履行与本岗位相关的安全职责" and the units' heads "负责本部门单位日常安全工作".
    ("tongchuan-town-2022", "CatchAllOnly", "Warning", "具体工作人员"),
    ("mianyang-union-2020", "CatchAllOnly", "Warning", "全体干部职工"),
    ("mianyang-union-2020", "CatchAllOnly", "Warning", "部门单位主要负责人"),
    # The town head and Party secretary: meetings and inspections "适时" / "经常", never counted.
    ("tongchuan-town-2022", "LeadershipWithoutFrequency", "Warning", "/post/main.government_head"),
    ("tongchuan-town-2022", "LeadershipWithoutFrequency", "Warning", "/post/main.party_secretary"),
    ("tongchuan-town-2022", "VagueFrequency", "Info", "适时主持召开安全生产领导小组成员会议"),
    # The safety leading group is set up with a leader and members but given no duty.
    ("tongchuan-town-2022", "PostWithoutDuty", "Warning", "/post/bc600e7b.leading_group_leader"),
    # "其他从业人员对安全生产负岗位责任": nothing but a level, which stands as the post's one catch-all duty
    # (every level sits on a post with duties, shapes/integrity.ttl), so the gap shows as catch-all only.
    ("tongchuan-town-2022", "CatchAllOnly", "Warning", "其他从业人员"),
    # Wuxi's regulation puts the town head in charge of safety but names no first responsible person.
    ("wuxi-towns-2021", "NoFirstResponsible", "Warning", "id/wuxi-towns-2021"),
    # Mianyang art. 12 (fire safety, with a yearly drill) says nothing of who must do it.
    ("mianyang-union-2020", "UnassignedDuty", "Warning", "消防安全。"),
    # Benxi 第九条: the zone's deputy in charge of safety (one post in the Party working committee and the
    # management committee) organises inspections, 巡查 and 考核 with no frequency at all.
    ("benxi-hitech-2019", "LeadershipWithoutFrequency", "Warning", "高新区党工委、管委会分管安全生产的领导干部"),
    ("benxi-hitech-2019", "VagueFrequency", "Info", "组织制定领导干部年度安全生产重点工作责任清单并定期检查考核"),
]


@pytest.mark.parametrize(("doc", "shape", "severity", "key"), REAL_GAPS, ids=[f"{d}-{s}-{k[-12:]}" for d, s, _, k in REAL_GAPS])
def test_real_gap_is_found(report: Report, doc: str, shape: str, severity: str, key: str) -> None:
    by_focus = fired(report, shape, focus=key, doc=doc)
    by_label = fired(report, shape, label=key, doc=doc)
    found = by_focus or by_label
    assert found, f"{shape} did not fire on {key} in {doc}"
    assert {f.severity for f in found} == {severity}


def test_no_gap_where_the_text_is_complete(report: Report) -> None:
    """Counter-checks: posts whose duties are concrete and timed raise no gap."""
    # Bazhong's principal head meets quarterly and inspects half-yearly.
    assert not [f for f in report.findings if f.focus == str(ID["bazhong-econ-2018/post/main.principal_head"])]
    # Mianyang's safety deputy inspects at least twice a year.
    assert not fired(report, "LeadershipWithoutFrequency", focus="/post/main.safety_deputy", doc="mianyang-union-2020")
    # Every other document names a first responsible person.
    assert {f.document for f in fired(report, "NoFirstResponsible")} == {str(ID["wuxi-towns-2021"])}
    # Every document names a concrete sanction; Tongchuan, whose 五、责任追究 only says 追究相关人员的责任, names
    # them elsewhere: 三（五）5 报区政府实施关闭 and 依法对其处罚, 四（六）1 实行一把手责任追究制.
    assert not fired(report, "DocumentWithoutSanction")


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Wuxi 三（三）names who must do it: 各地要将…工作制度落实情况纳入年度安全生产考核评价重要内容 (各地: the "
        "cities, counties and districts the notice is addressed to, 各市(县)、区人民政府; gold WX-B08); the "
        "reader leaves the duty without a holder"
    ),
)
def test_wuxi_names_who_assesses_the_towns(report: Report) -> None:
    assert not fired(report, "UnassignedDuty", doc="wuxi-towns-2021")


def test_listed_departments_get_duties_through_their_group(report: Report, data: Graph) -> None:
    """Benxi lists ten supervisory and seven other departments by name; the duties of the two
    groups' posts (principal head, deputies) reach every listed department, so no gap."""
    members = set(data.subjects(WSA.memberOfGroup, None))
    assert len(members) >= 17
    assert not fired(report, "ListedHolderWithoutDuty")


def test_findings_carry_context(report: Report) -> None:
    radio = fired(report, "NoSafetyDuty", label="无线电管理办公室")[0]
    assert radio.jurisdiction_label == "巴中市"
    assert radio.document == str(ID["bazhong-econ-2018"])
    assert "安全生产" in radio.message_zh and "work safety" in radio.message_en
    assert radio.source_passage and "无线电" in radio.source_passage
    duty = fired(report, "UnassignedDuty", label="消防安全。")[0]
    assert duty.source_passage.startswith("消防安全。") and duty.path == "^wsa:hasDuty|wsa:dutyOf"
    wuxi = fired(report, "NoFirstResponsible")[0]
    assert wuxi.jurisdiction_label == "无锡市" and wuxi.focus_label.startswith("市政府办公室关于印发")
    assert all(f.message_zh and f.message_en for f in report.findings)


def test_report_shape(report: Report) -> None:
    assert report.conforms is False  # SHACL's own sense: warnings are results too
    assert report.violations == sum(1 for f in report.findings if f.severity == "Violation")
    assert report.warnings > 0 and report.infos > 0
    assert report.seconds > 0
    assert len(set(report.findings)) == len(report.findings)
    top = list(report.report_graph.objects(None, SH.result))
    assert len(top) == len(report.findings)


# ------------------------------------------------------------------------- mutations


def _one(graph: Graph, query: str):
    rows = list(
        graph.query(
            "PREFIX wsa: <https://w3id.org/wsa/ontology#> PREFIX org: <http://www.w3.org/ns/org#>\n"
            "PREFIX role: <https://w3id.org/wsa/concept/role/>\n" + query
        )
    )
    assert len(rows) == 1, rows
    return rows[0][0]


@pytest.fixture(scope="module")
def wuxi() -> Report:
    """Wuxi's document validated alone: what a mutated copy is compared with."""
    return check(doc_graph("wuxi-towns-2021"))


def unassigned(report: Report) -> set[str]:
    return {f.focus for f in fired(report, "UnassignedDuty")}


def test_mutation_removing_duties_leaves_a_post_without_duty(wuxi: Report) -> None:
    graph = doc_graph("wuxi-towns-2021")
    post = _one(graph, "SELECT ?p WHERE { ?p a wsa:Post ; org:role role:government_head }")
    duties = list(graph.objects(post, WSA.hasDuty))
    assert len(duties) == 12 and not fired(wuxi, "PostWithoutDuty")
    graph.remove((post, WSA.hasDuty, None))
    after = check(graph)
    assert fired(after, "PostWithoutDuty", focus=str(post))
    assert unassigned(after) - unassigned(wuxi) == {str(d) for d in duties}


def test_mutation_dropping_frequencies_leaves_a_leader_without_one(report: Report) -> None:
    graph = doc_graph("wuxi-towns-2021")
    post = _one(graph, "SELECT ?p WHERE { ?p a wsa:Post ; org:role role:government_head }")
    assert not fired(report, "LeadershipWithoutFrequency", focus=str(post))
    for duty in graph.objects(post, WSA.hasDuty):
        graph.remove((duty, WSA.frequency, None))
    assert fired(check(graph), "LeadershipWithoutFrequency", focus=str(post))


def test_mutation_an_unassigned_duty_is_found(wuxi: Report) -> None:
    graph = doc_graph("wuxi-towns-2021")
    doc, provision = ID["wuxi-towns-2021"], ID["wuxi-towns-2021/provision/s2.p3"]
    duty = ID["wuxi-towns-2021/duty/planted"]
    graph.add((duty, RDF.type, WSA.Duty))
    graph.add((duty, WSA.text, Literal("充实本级安委办力量。", lang="zh")))
    graph.add((duty, WSA.dutyType, concept("dutytype", "staffing_funding")))
    graph.add((duty, WSA.definedIn, doc))
    graph.add((duty, PROV.wasDerivedFrom, provision))
    after = check(graph)
    assert unassigned(after) == unassigned(wuxi) | {str(duty)}
    assert after.violations == 0


def test_mutation_deleting_the_first_responsible_level(report: Report) -> None:
    graph = doc_graph("mianyang-union-2020")
    assert not fired(report, "NoFirstResponsible", doc="mianyang-union-2020")
    graph.remove((None, WSA.responsibilityLevel, concept("level", "first_responsible")))
    assert fired(check(graph), "NoFirstResponsible", focus="id/mianyang-union-2020")


def test_mutation_a_listed_department_with_no_duty_anywhere() -> None:
    """Benxi's supervisory departments owe their duties to the group's posts: take those away
    and every listed department (and the group) is a duty holder in name only."""
    graph = doc_graph("benxi-hitech-2019")
    group = _one(graph, "SELECT DISTINCT ?g WHERE { ?b wsa:memberOfGroup ?g . ?g a wsa:SupervisoryDepartment }")
    for post in list(graph.subjects(ORG.postIn, group)):
        graph.remove((post, WSA.hasDuty, None))
    after = check(graph)
    found = {f.focus for f in fired(after, "ListedHolderWithoutDuty")}
    members = {str(m) for m in graph.subjects(WSA.memberOfGroup, group)}
    assert len(members) == 10 and members <= found
    assert str(group) in found
    # The other group (departments without direct supervision duties) keeps its posts' duties.
    assert not found & {str(m) for m in graph.subjects(WSA.memberOfGroup, None)} - members


def test_mutation_catch_all_and_unsafe_duties() -> None:
    graph = doc_graph("wuxi-towns-2021")
    post = _one(graph, "SELECT ?p WHERE { ?p a wsa:Post ; org:role role:government_head }")
    for duty in graph.objects(post, WSA.hasDuty):
        graph.remove((duty, WSA.dutyType, None))
        graph.add((duty, WSA.dutyType, concept("dutytype", "other")))
    assert fired(check(graph), "CatchAllOnly", focus=str(post))
    for duty in graph.objects(post, WSA.hasDuty):
        graph.set((duty, WSA.text, Literal("做好本单位日常管理工作。", lang="zh")))
    assert fired(check(graph), "NoSafetyDuty", focus=str(post))


def test_mutation_naming_no_concrete_sanction() -> None:
    """Holding to account in general (追究责任) or rewarding (评先评优) is no concrete sanction: a
    Tongchuan left with only those names none."""
    graph = doc_graph("tongchuan-town-2022")
    doc = ID["tongchuan-town-2022"]
    for sanction in list(graph.objects(doc, WSA.providesSanction)):
        if sanction not in (concept("sanction", "accountability"), concept("sanction", "model_selection")):
            graph.remove((doc, WSA.providesSanction, sanction))
    assert set(graph.objects(doc, WSA.providesSanction)) == {concept("sanction", "accountability"), concept("sanction", "model_selection")}
    assert fired(check(graph), "DocumentWithoutSanction", focus="id/tongchuan-town-2022")
    graph.add((doc, WSA.providesSanction, concept("sanction", "assessment_published")))  # 通报 of 考核结果
    assert not fired(check(graph), "DocumentWithoutSanction")


def test_validate_accepts_a_dataset_of_named_graphs(wuxi: Report) -> None:
    """Per-document named graphs are merged first: concepts in the ontology graph still resolve."""
    dataset = rdflib.Dataset()
    dataset.graph(URIRef("https://w3id.org/wsa/graph/wuxi-towns-2021")).parse(ROOT / "data" / "wuxi-towns-2021.ttl", format="turtle")
    dataset.graph(URIRef("https://w3id.org/wsa/graph/places")).parse(ROOT / "data" / "places.ttl", format="turtle")
    ontology = dataset.graph(URIRef("https://w3id.org/wsa/graph/ontology"))
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        ontology.parse(path, format="turtle")
    result = validate(dataset, shapes_dir=SHAPES, ontology_dir=None)
    assert result.violations == 0
    assert str(ID["wuxi-towns-2021"]) in {f.focus for f in fired(result, "NoFirstResponsible")}
    assert {(f.shape, f.focus) for f in result.findings} == {(f.shape, f.focus) for f in wuxi.findings}


# ------------------------------------------------------------------------- integrity shapes

INTEGRITY_TEMPLATE = """
@prefix ex: <https://example.org/kgtool-test/> .
@prefix wsa: <https://w3id.org/wsa/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix role: <https://w3id.org/wsa/concept/role/> .
@prefix level: <https://w3id.org/wsa/concept/level/> .
@prefix dutytype: <https://w3id.org/wsa/concept/dutytype/> .
@prefix principle: <https://w3id.org/wsa/concept/principle/> .
@prefix sanction: <https://w3id.org/wsa/concept/sanction/> .
@prefix adminlevel: <https://w3id.org/wsa/concept/adminlevel/> .

ex:j§ a wsa:Jurisdiction ; rdfs:label "测试市"@zh ; wsa:adminLevel adminlevel:city .
ex:doc§ a wsa:PolicyDocument ; wsa:documentNumber "测政发〔2024〕§号" ; dcterms:creator ex:body§ ;
    dcterms:issued "2024-01-01"^^xsd:date ; dcterms:title "测试市安全生产责任规定"@zh ; wsa:jurisdiction ex:j§ ;
    wsa:invokesPrinciple principle:dual_responsibility ; wsa:providesSanction sanction:notice .
ex:prov§ a wsa:Provision ; dcterms:isPartOf ex:doc§ ; wsa:charStart 0 ; wsa:charEnd 30 ;
    wsa:text "第一条 市长是安全生产第一责任人，每季度至少召开一次安全生产会议。"@zh .
ex:body§ a wsa:GovernmentBody ; rdfs:label "测试市人民政府"@zh ; wsa:definedIn ex:doc§ ; prov:wasDerivedFrom ex:prov§ .
ex:post§ a wsa:Post ; rdfs:label "市长"@zh ; org:postIn ex:body§ ; org:role role:government_head ;
    wsa:responsibilityLevel level:first_responsible ; wsa:definedIn ex:doc§ ; prov:wasDerivedFrom ex:prov§ ;
    wsa:hasDuty ex:duty§ .
ex:duty§ a wsa:Duty ; wsa:text "每季度至少召开一次安全生产会议。"@zh ; wsa:dutyType dutytype:meeting ;
    wsa:definedIn ex:doc§ ; prov:wasDerivedFrom ex:prov§ ; wsa:frequency ex:freq§ .
ex:freq§ a wsa:FrequencyRequirement ; wsa:period "P3M"^^xsd:duration ; wsa:minOccurrences 1 ;
    wsa:timesPerYear 4.0 ; wsa:action dutytype:meeting ; wsa:definedIn ex:doc§ .
"""


def _unit(n: int) -> dict[str, URIRef]:
    return {k: EX[f"{k}{n}"] for k in ("j", "doc", "prov", "body", "post", "duty", "freq")}


def _swap(p, o):
    """A mutation replacing every value of p on the unit's node with o."""

    def mutate(g: Graph, node: URIRef) -> None:
        g.remove((node, p, None))
        if o is not None:
            g.add((node, p, o))

    return mutate


#: (shape that must fire, the unit node that breaks, how it breaks)
BREAKS = [
    ("PolicyDocument-documentNumber", "doc", _swap(WSA.documentNumber, None)),
    ("PolicyDocument-creator", "doc", _swap(DCTERMS.creator, None)),
    ("PolicyDocument-issued", "doc", _swap(DCTERMS.issued, Literal("2024-01-01"))),
    ("PolicyDocument-title", "doc", _swap(DCTERMS.title, None)),
    ("PolicyDocument-titleZh", "doc", _swap(DCTERMS.title, Literal("Rules", lang="en"))),
    ("PolicyDocument-jurisdiction", "doc", _swap(WSA.jurisdiction, None)),
    ("Provision-isPartOf", "prov", _swap(DCTERMS.isPartOf, None)),
    ("Provision-charStart", "prov", _swap(WSA.charStart, Literal(40))),
    ("Provision-charEnd", "prov", _swap(WSA.charEnd, Literal("30"))),
    ("Body-definedIn", "body", _swap(WSA.definedIn, None)),
    ("Body-wasDerivedFrom", "body", _swap(PROV.wasDerivedFrom, None)),
    ("Post-postIn", "post", _swap(ORG.postIn, None)),
    ("Post-role", "post", _swap(ORG.role, None)),
    ("Post-definedIn", "post", _swap(WSA.definedIn, None)),
    ("Post-wasDerivedFrom", "post", _swap(PROV.wasDerivedFrom, EX.nowhere)),
    ("LevelOnPostWithDuty", "post", _swap(WSA.hasDuty, EX.prov0)),
    ("Duty-text", "duty", _swap(WSA.text, None)),
    ("Duty-dutyType", "duty", _swap(WSA.dutyType, None)),
    ("Duty-definedIn", "duty", _swap(WSA.definedIn, None)),
    ("Duty-wasDerivedFrom", "duty", _swap(PROV.wasDerivedFrom, EX.body0)),
    ("Duty-frequency", "duty", _swap(WSA.frequency, EX.prov0)),
    ("FrequencyRequirement-period", "freq", _swap(WSA.period, Literal("P4M", datatype=XSD.duration))),
    ("FrequencyRequirement-minOccurrences", "freq", _swap(WSA.minOccurrences, Literal(0))),
    ("FrequencyRequirement-timesPerYear", "freq", _swap(WSA.timesPerYear, None)),
    ("FrequencyRequirement-action", "freq", _swap(WSA.action, None)),
    ("FrequencyRequirement-timesPerYearAgrees", "freq", _swap(WSA.timesPerYear, Literal("12.0", datatype=XSD.decimal))),
    ("LabelLanguage", "body", _swap(RDFS.label, Literal("测试市人民政府"))),
    ("TextLanguage", "prov", _swap(WSA.text, Literal("第一条"))),
    ("TitleLanguage", "doc", _swap(DCTERMS.title, Literal("测试市安全生产责任规定"))),
    ("RoleInScheme", "post", _swap(ORG.role, concept("dutytype", "meeting"))),
    ("LevelInScheme", "post", _swap(WSA.responsibilityLevel, concept("role", "staff"))),
    ("DutyTypeInScheme", "duty", _swap(WSA.dutyType, concept("level", "post"))),
    ("ActionInScheme", "freq", _swap(WSA.action, concept("principle", "safety_first"))),
    ("PrincipleInScheme", "doc", _swap(WSA.invokesPrinciple, concept("sanction", "notice"))),
    ("SanctionInScheme", "doc", _swap(WSA.providesSanction, concept("dutytype", "other"))),
    ("AdminLevelInScheme", "j", _swap(WSA.adminLevel, concept("level", "post"))),
]


@pytest.fixture(scope="module")
def broken() -> Report:
    """Unit 0 is whole; unit n (1..) carries break n-1. One validation run for all cases."""
    graph = Graph()
    for n in range(len(BREAKS) + 1):
        graph.parse(data=INTEGRITY_TEMPLATE.replace("§", str(n)), format="turtle")
    for n, (_, node, mutate) in enumerate(BREAKS, start=1):
        mutate(graph, _unit(n)[node])
    return check(graph)


def test_whole_unit_has_no_finding(broken: Report) -> None:
    whole = {str(v) for v in _unit(0).values()}
    assert not [f for f in broken.findings if f.focus in whole]


@pytest.mark.parametrize(("shape", "node", "mutate"), BREAKS, ids=[b[0] for b in BREAKS])
def test_integrity_shape_fires(broken: Report, shape: str, node: str, mutate) -> None:
    n = 1 + [b[0] for b in BREAKS].index(shape)
    focus = str(_unit(n)[node])
    found = [f for f in broken.findings if f.shape == str(WSASH[shape]) and f.focus == focus]
    assert found, f"{shape} did not fire on {focus}: {[(f.shape, f.focus) for f in broken.findings]}"
    assert {f.severity for f in found} == {"Violation"}


def test_every_integrity_shape_has_a_breaking_case() -> None:
    shapes = Graph().parse(SHAPES / "integrity.ttl", format="turtle")
    named = {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    named |= {s for s in shapes.subjects(SH.sparql, None) if isinstance(s, URIRef)}
    assert {str(WSASH[b[0]]) for b in BREAKS} >= {str(s) for s in named}


# ------------------------------------------------------------------------- the shapes as SHACL


def test_shapes_are_valid_shacl() -> None:
    """SHACL-for-SHACL (pySHACL meta_shacl): raises if any shape is malformed."""
    conforms, _, text = pyshacl_validate(Graph(), shacl_graph=load_shapes(SHAPES), meta_shacl=True, inference="none")
    assert conforms, text


def test_meta_shacl_catches_a_malformed_shape() -> None:
    shapes = Graph()
    shapes.add((WSASH.Broken, RDF.type, SH.PropertyShape))
    shapes.add((WSASH.Broken, SH.path, WSA.hasDuty))
    shapes.add((WSASH.Broken, SH.minCount, Literal("one")))
    with pytest.raises(Exception, match="MetaSHACL"):
        pyshacl_validate(Graph(), shacl_graph=shapes, meta_shacl=True, inference="none")


def test_gap_shapes_explain_themselves_in_both_languages() -> None:
    shapes = Graph().parse(SHAPES / "gaps.ttl", format="turtle")
    gaps = set(shapes.subjects(SH.severity, None))
    assert len(gaps) >= 9
    for shape in gaps:
        assert shapes.value(shape, SH.severity) in (SH.Warning, SH.Info), shape
        for prop in (SH.message, RDFS.comment, RDFS.label):
            langs = {o.language for o in shapes.objects(shape, prop)}
            assert {"zh", "en"} <= langs, (shape, prop)
    integrity = Graph().parse(SHAPES / "integrity.ttl", format="turtle")
    assert set(integrity.objects(None, SH.severity)) <= {SH.Violation}


# ------------------------------------------------------------------------- rendering


def test_render_text_groups_and_quotes(report: Report) -> None:
    text = render_report(report, "text")
    order = [text.index(f"== {j} ==") for j in ("巴中市", "无锡市", "本溪高新区", "绵阳市", "铜川镇")]
    assert order == sorted(order)
    bazhong = text[text.index("== 巴中市 ==") : text.index("== 无锡市 ==")]
    assert bazhong.index("-- Warning") < bazhong.index("-- Info")
    block = bazhong[bazhong.index("* 无线电管理办公室") :]
    block = block[: block.index("\n* ")]
    assert "该岗位或机构的职责均未涉及安全生产" in block and "None of the duties" in block
    assert "「" in block and "无线电管理" in block.split("「", 1)[1]
    only = render_report(report, "text", severities=["Info"])
    assert "-- Warning" not in only and "-- Info" in only


def test_render_json(report: Report) -> None:
    rows = json.loads(render_report(report, "json"))
    assert len(rows) == len(report.findings)
    assert set(rows[0]) == {f.name for f in fields(Finding)}
    radio = next(r for r in rows if r["focus_label"] == "无线电管理办公室")
    assert radio["jurisdiction_label"] == "巴中市" and "无线电" in radio["source_passage"]
    assert radio["severity"] == "Warning" and radio["shape"] == str(WSASH.NoSafetyDuty)


def test_render_ttl_is_the_validation_report(report: Report) -> None:
    graph = Graph().parse(data=render_report(report, "ttl"), format="turtle")
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert len(list(graph.objects(reports[0], SH.result))) == len(report.findings)
    infos = Graph().parse(data=render_report(report, "ttl", severities=["Info"]), format="turtle")
    kept = {infos.value(r, SH.resultSeverity) for r in infos.objects(None, SH.result)}
    assert kept == {SH.Info}


def test_render_html_escapes_everything() -> None:
    graph = doc_graph("wuxi-towns-2021")
    post = EX.planted
    graph.add((post, RDF.type, WSA.Post))
    graph.add((post, RDFS.label, Literal("<script>alert('x')</script>", lang="zh")))
    graph.add((post, ORG.postIn, ID["wuxi-towns-2021/body/d175bd34"]))
    graph.add((post, ORG.role, concept("role", "staff")))
    graph.add((post, WSA.definedIn, ID["wuxi-towns-2021"]))
    graph.add((post, PROV.wasDerivedFrom, ID["wuxi-towns-2021/provision/s2"]))
    page = render_report(check(graph), "html")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and "<blockquote" in page and "无锡市" in page


def test_render_rejects_unknown_format_and_severity(report: Report) -> None:
    with pytest.raises(KgtoolError):
        render_report(report, "pdf")
    with pytest.raises(KgtoolError):
        render_report(report, "text", severities=["Fatal"])


def test_missing_or_broken_shapes_are_a_shapes_error(tmp_path: Path) -> None:
    with pytest.raises(ShapesError, match="no shapes"):
        validate(Graph(), shapes_dir=tmp_path)
    (tmp_path / "bad.ttl").write_text("wsash:Oops a sh:NodeShape", encoding="utf-8")
    with pytest.raises(ShapesError, match="cannot parse"):
        validate(Graph(), shapes_dir=tmp_path)
