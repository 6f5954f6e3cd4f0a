"""The ontology keeps the contract of DESIGN.md: every fixed name is declared, labelled in
Chinese and English, and aligned with the standards it reuses.

Saved queries, shapes and the extractor's lexicon rely on these names, so a rename or a
lost label must fail here rather than as an empty query result later.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, PROV

ONTOLOGY_FILE = Path(__file__).resolve().parents[1] / "ontology" / "wsa.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/wsa/ontology")
WSA = rdflib.Namespace("https://w3id.org/wsa/ontology#")
CONCEPT = "https://w3id.org/wsa/concept/"
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
ELI = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
ODRL = rdflib.Namespace("http://www.w3.org/ns/odrl/2/")
SCHEMA = rdflib.Namespace("http://schema.org/")

CLASSES = [
    "PolicyDocument",
    "Provision",
    "Jurisdiction",
    "Body",
    "PartyOrganization",
    "GovernmentBody",
    "LeadingGroup",
    "WorkingOffice",
    "Department",
    "SupervisoryDepartment",
    "NonSupervisoryDepartment",
    "AffiliatedUnit",
    "VillageCommittee",
    "Enterprise",
    "Post",
    "Duty",
    "FrequencyRequirement",
    "FirstResponsiblePost",
    "LeadershipPost",
    "PostWithPeriodicDuty",
    "DutyWithFrequency",
    "LeadershipLevel",
    "FirstResponsibleLevel",
]
DEFINED_CLASSES = ["FirstResponsiblePost", "LeadershipPost", "PostWithPeriodicDuty", "DutyWithFrequency"]

OBJECT_PROPERTIES = [
    "jurisdiction",
    "invokesPrinciple",
    "providesSanction",
    "adminLevel",
    "within",
    "responsibilityLevel",
    "definedIn",
    "hasDuty",
    "dutyOf",
    "dutyType",
    "frequency",
    "action",
    "memberOfGroup",
    "supervisedBy",
    "appliesTo",
]
DATATYPE_PROPERTIES = [
    "documentNumber",
    "legalBasis",
    "sourceText",
    "heading",
    "text",
    "marker",
    "ordinal",
    "charStart",
    "charEnd",
    "period",
    "minOccurrences",
    "timesPerYear",
]
REUSED_PROPERTIES = [
    (DCTERMS.title, OWL.DatatypeProperty),
    (DCTERMS.issued, OWL.DatatypeProperty),
    (DCTERMS.creator, OWL.ObjectProperty),
    (DCTERMS.isPartOf, OWL.ObjectProperty),
    (ORG.postIn, OWL.ObjectProperty),
    (ORG.hasPost, OWL.ObjectProperty),
    (ORG.role, OWL.ObjectProperty),
    (ORG.heldBy, OWL.ObjectProperty),
    (ORG.holds, OWL.ObjectProperty),
    (ORG.subOrganizationOf, OWL.ObjectProperty),
    (PROV.wasDerivedFrom, OWL.ObjectProperty),
]

# The ids of DESIGN.md, plus the ones the lexicon needs; "exactly" is the contract.
SCHEMES: dict[str, set[str]] = {
    "role": {
        "party_secretary",
        "government_head",
        "principal_head",
        "safety_deputy",
        "business_deputy",
        "department_head",
        "staff",
        "enforcement_officer",
        "enterprise_head",
        "village_head",
        "leading_group_leader",
        "leading_group_executive_deputy",
        "leading_group_deputy",
        "leading_group_member",
        "office_director",
        "deputy_head",
        "other_leader",
        "discipline_secretary",
        "people_congress_chair",
        "village_party_secretary",
        "vice_party_secretary",
        "party_committee_member",
        "other",  # a post given duties whose designation fits no other role (包村领导), flagged for review
    },
    "level": {
        "first_responsible",
        "general_charge",
        "second_responsible",
        "overall_leadership",
        "lead_leadership",
        "direct_leadership",
        "special_leadership",
        "leadership",
        "post",
        "supervision",
    },
    "dutytype": {
        "implement_policy",
        "meeting",
        "hear_report",
        "inspection",
        "responsibility_system",
        "assessment",
        "staffing_funding",
        "training_publicity",
        "hazard_control",
        "emergency",
        "accident",
        "planning",
        "supervision",
        "reporting",
        "other",
    },
    "principle": {
        "party_government_same_responsibility",
        "dual_responsibility",
        "joint_management",
        "accountability_for_failure",
        "three_musts_industry",
        "three_musts_business",
        "three_musts_production",
        "occupational_health",
        "in_charge_responsible",
        "approver_responsible",
        "tiered_responsibility",
        "territorial_management",
        "safety_first",
        "one_vote_veto",
        "people_first",
        "who_inspects_responsible",
        "who_signs_responsible",
        "who_is_in_charge_responsible",
        "life_first",
        "same_plan_deploy_inspect",
        "five_implementations",
        "five_levels_five_coverage",
        "territorial_first_hand",
    },
    "sanction": {
        "notice",
        "admonition",
        "suspension",
        "reassignment",
        "ordered_resignation",
        "demotion",
        "dismissal",
        "disciplinary_action",
        "interview",
        "record_in_file",
        "veto",
        "warning_prompt",
        "disqualification",
        "no_promotion",
        "heavier_accountability",
        "lighter_accountability",
        "criticism",
        "rectification_order",
        "praise",
        # the three top concepts (kinds), and the forms the five documents provide besides
        "accountability",
        "reward",
        "mitigation",
        "assessment_reward_penalty",
        "assessment_inclusion",
        "assessment_for_appointment",
        "assessment_published",
        "public_exposure",
        "rectification_notice",
        "supervisory_investigation",
        "departure_no_exemption",
        "closure",
        "penalty",
        "investigate_responsible_unit",
        "top_leader_accountability",
        "model_selection",
        "exemption",
        "referral",
        "duty_report",
    },
    "adminlevel": {"province", "city", "county", "town", "development_zone"},
}

# Chinese prefLabels that must match the documents' own wording (the lexicon keys on them).
ZH_PREFLABELS = [
    ("level", "first_responsible", "第一责任人"),
    ("level", "general_charge", "负总责"),
    ("level", "overall_leadership", "全面领导责任"),
    ("level", "direct_leadership", "直接领导责任"),
    ("level", "supervision", "监管责任"),
    ("principle", "party_government_same_responsibility", "党政同责"),
    ("principle", "dual_responsibility", "一岗双责"),
    ("principle", "three_musts_industry", "管行业必须管安全"),
    ("principle", "safety_first", "安全第一、预防为主、综合治理"),
    ("principle", "who_signs_responsible", "谁签字谁负责"),
    ("sanction", "notice", "通报"),
    ("sanction", "admonition", "诫勉"),
    ("sanction", "suspension", "停职检查"),
    ("sanction", "reassignment", "调整职务"),
    ("sanction", "ordered_resignation", "责令辞职"),
    ("sanction", "demotion", "降职"),
    ("sanction", "dismissal", "免职"),
    ("sanction", "disciplinary_action", "处分"),
    ("sanction", "interview", "约谈"),
    ("sanction", "record_in_file", "记入档案"),
    ("sanction", "veto", "一票否决"),
    ("sanction", "warning_prompt", "警示提示"),
    ("sanction", "rectification_order", "限期整改"),
]

ALIGNMENTS = [
    (WSA.PolicyDocument, RDFS.subClassOf, ELI.LegalResource),
    (WSA.Provision, RDFS.subClassOf, ELI.LegalResourceSubdivision),
    (WSA.Body, RDFS.subClassOf, ORG.Organization),
    (WSA.Body, SKOS.closeMatch, ORG.FormalOrganization),
    (WSA.Body, SKOS.closeMatch, URIRef("http://data.europa.eu/m8g/PublicOrganisation")),
    (WSA.Body, SKOS.closeMatch, SCHEMA.GovernmentOrganization),
    (WSA.Department, RDFS.subClassOf, WSA.Body),
    (WSA.Department, RDFS.subClassOf, ORG.OrganizationalUnit),
    (WSA.SupervisoryDepartment, RDFS.subClassOf, WSA.Department),
    (WSA.NonSupervisoryDepartment, RDFS.subClassOf, WSA.Department),
    (WSA.Post, RDFS.subClassOf, ORG.Post),
    (WSA.Duty, RDFS.subClassOf, ODRL.Duty),
    (WSA.Duty, SKOS.closeMatch, URIRef("http://docs.oasis-open.org/legalruleml/ns/v1.0/Obligation")),
    (WSA.FrequencyRequirement, SKOS.closeMatch, ODRL.Constraint),
    (WSA.dutyOf, RDFS.subPropertyOf, ODRL.assignee),
    (WSA.hasDuty, OWL.inverseOf, WSA.dutyOf),
    (ORG.postIn, OWL.inverseOf, ORG.hasPost),
    (ORG.heldBy, OWL.inverseOf, ORG.holds),
]

DISJOINT = [
    WSA.PolicyDocument,
    WSA.Provision,
    WSA.Jurisdiction,
    WSA.Body,
    WSA.Post,
    WSA.Duty,
    WSA.FrequencyRequirement,
    FOAF.Person,
    SKOS.Concept,
]


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


def langs(graph: rdflib.Graph, subject: URIRef, predicate: URIRef) -> list[str]:
    """Language tags of the literal values ("" for an untagged one)."""
    return [o.language or "" for o in graph.objects(subject, predicate) if isinstance(o, Literal)]


def concept_iri(scheme: str, ident: str) -> URIRef:
    return URIRef(f"{CONCEPT}{scheme}/{ident}")


def test_parses_as_one_ontology_without_imports(onto: rdflib.Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert set(onto.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY_IRI}
    assert not list(onto.triples((None, OWL.imports, None)))
    assert {"zh", "en"} <= set(langs(onto, ONTOLOGY_IRI, RDFS.label))


def test_no_hash_comment_lines() -> None:
    """Explanations belong in rdfs:comment, which tools keep; `#` lines are lost."""
    hashed = [n for n, line in enumerate(ONTOLOGY_FILE.read_text("utf-8").splitlines(), 1) if line.lstrip().startswith("#")]
    assert not hashed, f"'#' comment lines at {hashed}"


@pytest.mark.parametrize("name", CLASSES)
def test_class_declared_and_documented(onto: rdflib.Graph, name: str) -> None:
    term = WSA[name]
    assert (term, RDF.type, OWL.Class) in onto
    assert sorted(langs(onto, term, RDFS.label)) == ["en", "zh"]
    assert sorted(langs(onto, term, RDFS.comment)) == ["en", "zh"]
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in onto


@pytest.mark.parametrize(
    "name,kind", [(p, OWL.ObjectProperty) for p in OBJECT_PROPERTIES] + [(p, OWL.DatatypeProperty) for p in DATATYPE_PROPERTIES]
)
def test_property_declared_and_documented(onto: rdflib.Graph, name: str, kind: URIRef) -> None:
    term = WSA[name]
    assert (term, RDF.type, kind) in onto
    assert sorted(langs(onto, term, RDFS.label)) == ["en", "zh"]
    assert sorted(langs(onto, term, RDFS.comment)) == ["en", "zh"]
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in onto


@pytest.mark.parametrize("term,kind", REUSED_PROPERTIES, ids=lambda t: str(t).rsplit("/", 1)[-1])
def test_reused_property_declared_with_labels(onto: rdflib.Graph, term: URIRef, kind: URIRef) -> None:
    """Declared so the file is OWL 2 DL alone; labelled so the web shows Chinese names."""
    assert (term, RDF.type, kind) in onto
    assert {"zh", "en"} <= set(langs(onto, term, RDFS.label))
    assert {"zh", "en"} <= set(langs(onto, term, RDFS.comment))


def test_every_wsa_term_used_is_declared(onto: rdflib.Graph) -> None:
    """A misspelt wsa: name in an axiom would otherwise pass silently."""
    used = {t for triple in onto for t in triple if isinstance(t, URIRef) and t.startswith(WSA)}
    undeclared = sorted(t for t in used if (t, RDF.type, None) not in onto)
    assert not undeclared


def test_every_concept_iri_used_is_a_declared_concept(onto: rdflib.Graph) -> None:
    used = {t for triple in onto for t in triple if isinstance(t, URIRef) and t.startswith(CONCEPT)}
    schemes = {URIRef(CONCEPT + s) for s in SCHEMES}
    undeclared = sorted(t for t in used - schemes if (t, RDF.type, SKOS.Concept) not in onto)
    assert not undeclared


def test_every_declared_class_has_zh_and_en_comment(onto: rdflib.Graph) -> None:
    named = [c for c in onto.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)]
    missing = sorted(str(c) for c in named if not {"zh", "en"} <= set(langs(onto, c, RDFS.comment)))
    assert not missing


@pytest.mark.parametrize("name", DEFINED_CLASSES)
def test_defined_class_has_equivalent_class(onto: rdflib.Graph, name: str) -> None:
    assert list(onto.objects(WSA[name], OWL.equivalentClass))


def test_leadership_levels(onto: rdflib.Graph) -> None:
    """LeadershipPost needs a level in wsa:LeadershipLevel; these are its members."""
    expected = {
        "first_responsible",
        "general_charge",
        "second_responsible",
        "overall_leadership",
        "lead_leadership",
        "direct_leadership",
        "special_leadership",
        "leadership",
    }
    members = set(onto.subjects(RDF.type, WSA.LeadershipLevel))
    members |= set(onto.subjects(RDF.type, WSA.FirstResponsibleLevel))
    assert members == {concept_iri("level", i) for i in expected}
    assert set(onto.subjects(RDF.type, WSA.FirstResponsibleLevel)) == {concept_iri("level", "first_responsible")}
    assert (WSA.FirstResponsibleLevel, RDFS.subClassOf, WSA.LeadershipLevel) in onto


def test_no_nominals(onto: rdflib.Graph) -> None:
    """owl:oneOf and owl:hasValue make HermiT several times slower on the whole graph."""
    assert not list(onto.triples((None, OWL.oneOf, None)))
    assert not list(onto.triples((None, OWL.hasValue, None)))


@pytest.mark.parametrize("triple", ALIGNMENTS, ids=lambda t: f"{t[0].fragment}-{t[2].rsplit('/', 1)[-1]}")
def test_alignment(onto: rdflib.Graph, triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple in onto


def test_top_classes_pairwise_disjoint(onto: rdflib.Graph) -> None:
    member_sets = [
        set(Collection(onto, members))
        for axiom in onto.subjects(RDF.type, OWL.AllDisjointClasses)
        if (members := onto.value(axiom, OWL.members)) is not None
    ]
    assert any(set(DISJOINT) <= members for members in member_sets)
    assert (WSA.SupervisoryDepartment, OWL.disjointWith, WSA.NonSupervisoryDepartment) in onto


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_scheme_declared_with_exactly_its_concepts(onto: rdflib.Graph, scheme: str) -> None:
    scheme_iri = URIRef(CONCEPT + scheme)
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in onto
    assert sorted(langs(onto, scheme_iri, RDFS.label)) == ["en", "zh"]
    members = {str(c)[len(f"{CONCEPT}{scheme}/") :] for c in onto.subjects(SKOS.inScheme, scheme_iri)}
    assert members == SCHEMES[scheme]


@pytest.mark.parametrize("scheme,ident", [(s, i) for s, ids in sorted(SCHEMES.items()) for i in sorted(ids)])
def test_concept(onto: rdflib.Graph, scheme: str, ident: str) -> None:
    c = concept_iri(scheme, ident)
    assert (c, RDF.type, SKOS.Concept) in onto
    assert (c, RDF.type, OWL.NamedIndividual) in onto
    assert list(onto.objects(c, SKOS.inScheme)) == [URIRef(CONCEPT + scheme)]
    # one prefLabel per language (SKOS integrity condition S14)
    assert sorted(langs(onto, c, SKOS.prefLabel)) == ["en", "zh"]
    assert set(langs(onto, c, SKOS.definition)) & {"zh", "en"}


def test_role_concepts_are_org_roles(onto: rdflib.Graph) -> None:
    for ident in SCHEMES["role"]:
        assert (concept_iri("role", ident), RDF.type, ORG.Role) in onto


def test_concept_iris_follow_the_pattern(onto: rdflib.Graph) -> None:
    for c in onto.subjects(RDF.type, SKOS.Concept):
        scheme = onto.value(c, SKOS.inScheme)
        assert str(c).startswith(f"{scheme}/"), c


@pytest.mark.parametrize("scheme,ident,label", ZH_PREFLABELS)
def test_zh_preflabel_uses_the_documents_wording(onto: rdflib.Graph, scheme: str, ident: str, label: str) -> None:
    assert Literal(label, lang="zh") in set(onto.objects(concept_iri(scheme, ident), SKOS.prefLabel))


def test_no_alt_or_hidden_labels_here(onto: rdflib.Graph) -> None:
    """Wordings for the extractor live in the lexicon file, not in the ontology."""
    assert not list(onto.triples((None, SKOS.altLabel, None)))
    assert not list(onto.triples((None, SKOS.hiddenLabel, None)))


def test_chinese_literals_are_simplified(onto: rdflib.Graph) -> None:
    opencc = pytest.importorskip("opencc")
    to_simplified = opencc.OpenCC("t2s")
    traditional = sorted(
        str(o) for o in onto.objects() if isinstance(o, Literal) and o.language == "zh" and to_simplified.convert(str(o)) != str(o)
    )
    assert not traditional


def test_no_xsd_date_or_duration_in_formal_ranges(onto: rdflib.Graph) -> None:
    """Both lie outside the OWL 2 datatype map; HermiT and DL checkers reject them."""
    ranges = set(onto.objects(None, RDFS.range))
    assert not ranges & {rdflib.XSD.date, rdflib.XSD.duration, RDF.langString}
    assert (WSA.period, SCHEMA.rangeIncludes, rdflib.XSD.duration) in onto
    assert (DCTERMS.issued, SCHEMA.rangeIncludes, rdflib.XSD.date) in onto


def test_functional_properties(onto: rdflib.Graph) -> None:
    for name in [
        "documentNumber",
        "sourceText",
        "marker",
        "ordinal",
        "charStart",
        "charEnd",
        "adminLevel",
        "definedIn",
        "period",
        "minOccurrences",
        "timesPerYear",
    ]:
        assert (WSA[name], RDF.type, OWL.FunctionalProperty) in onto, name
    assert (WSA.within, RDF.type, OWL.TransitiveProperty) in onto
