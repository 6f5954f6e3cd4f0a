"""Facts from my reading of the five documents, pinned against the committed RDF.

`kgtool build --check` (run first by scripts/test) guarantees data/*.ttl is what the
extractor makes from data/sources/ today, so these tests pin the extractor's behaviour.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgtool.vocab import sparql_prefixes

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kg() -> ox.Store:
    store = ox.Store()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"urn:g:{path.stem}"))
    return store


def rows(kg: ox.Store, query: str) -> list[tuple]:
    out = []
    for solution in kg.query(sparql_prefixes() + query, use_default_graph_as_union=True):
        out.append(tuple(None if t is None else _py(t) for t in solution))
    return out


def _py(term):
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith("#integer"):
            return int(term.value)
        if dt.endswith("#decimal"):
            return Decimal(term.value)
        return term.value
    return term.value


def one(kg, query):
    r = rows(kg, query)
    assert len(r) == 1, r
    return r[0]


def doc(slug: str) -> str:
    return f"<https://w3id.org/wsa/id/{slug}>"


@pytest.mark.parametrize(
    "slug,number,issued,place,creator",
    [
        ("mianyang-union-2020", "绵工办发〔2020〕75号", "2020-10-23", "mianyang", "绵阳市总工会办公室"),
        ("bazhong-econ-2018", "巴市经信发〔2018〕23号", "2018-03-21", "bazhong", "巴中市经济和信息化委员会"),
        ("tongchuan-town-2022", "铜政发〔2022〕12号", "2022-04-24", "tongchuan", "鄂尔多斯市东胜区铜川镇人民政府"),
        ("wuxi-towns-2021", "锡政办发〔2021〕85号", "2021-12-31", "wuxi", "无锡市人民政府办公室"),
        ("benxi-hitech-2019", "本高党政办发〔2019〕58号", "2019-07-20", "benxi-hitech", "本溪高新区党政综合办公室"),
    ],
)
def test_document_metadata(kg, slug, number, issued, place, creator):
    got = one(
        kg,
        f"""SELECT ?n ?d ?j ?c ?t WHERE {{ {doc(slug)} wsa:documentNumber ?n ; dcterms:issued ?d ;
        wsa:jurisdiction ?j ; dcterms:creator/rdfs:label ?c ; dcterms:title ?t }}""",
    )
    assert got[:4] == (number, issued, f"https://w3id.org/wsa/id/place/{place}", creator)
    assert "关于" in got[4] and got[4].endswith("的通知")


def duties_of(kg, slug: str, label: str) -> int:
    return one(
        kg,
        f"""SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{
        ?h wsa:definedIn {doc(slug)} ; rdfs:label|skos:altLabel "{label}"@zh ; wsa:hasDuty ?d }}""",
    )[0]


@pytest.mark.parametrize(
    "slug,label,role,count",
    [
        ("mianyang-union-2020", "主要负责人", "principal_head", 6),
        ("mianyang-union-2020", "分管安全生产工作的负责人", "safety_deputy", 6),
        ("mianyang-union-2020", "分管业务工作的负责人", "business_deputy", 5),
        ("wuxi-towns-2021", "镇(街道、园区)行政主要负责人", "government_head", 12),  # 二、(一)-(十二)
        ("tongchuan-town-2022", "铜川镇安全生产执法员", "enforcement_officer", 7),  # 三（六）1.-7.
        ("tongchuan-town-2022", "铜川镇分管安全生产领导", "safety_deputy", 7),  # 三（三）1.-7.
        # 四（七）1.-8.; 四（五）对本单位的安全生产全面负责 is its level, not a duty
        ("tongchuan-town-2022", "企业单位主要负责人", "enterprise_head", 8),
        ("benxi-hitech-2019", "各级党组织主要负责人", "party_secretary", 7),
        # 四（二）: six clauses split on ；/。, and the duty table's cell 负责本系统安全生产的全面领导管理 (附件)
        ("bazhong-econ-2018", "委主要负责人", "principal_head", 7),
    ],
)
def test_post_duty_counts(kg, slug, label, role, count):
    got = one(
        kg,
        f"""SELECT ?role WHERE {{ ?p a wsa:Post ; wsa:definedIn {doc(slug)} ;
                                           rdfs:label|skos:altLabel "{label}"@zh ; org:role ?role }}""",
    )
    assert got[0].endswith(f"/role/{role}")
    assert duties_of(kg, slug, label) == count


@pytest.mark.parametrize(
    "slug,label,cls,count",
    [
        ("mianyang-union-2020", "党组", "PartyOrganization", 7),
        ("bazhong-econ-2018", "委党组", "PartyOrganization", 7),
        # 第十条's five numbered duties (gold MY-B04) and 第十七条 "安全生产工作领导小组办公室要组织…经常性的监督检查"
        ("mianyang-union-2020", "安全生产工作领导小组办公室", "WorkingOffice", 6),
        ("bazhong-econ-2018", "经济运行科", "Department", 14),
        ("bazhong-econ-2018", "无线电管理办公室", "WorkingOffice", 2),
    ],
)
def test_body_duty_counts(kg, slug, label, cls, count):
    one(kg, f"""SELECT ?b WHERE {{ ?b a wsa:{cls} ; wsa:definedIn {doc(slug)} ; rdfs:label "{label}"@zh }}""")
    assert duties_of(kg, slug, label) == count


def test_tongchuan_village_committees_hold_their_items_but_the_second(kg):
    """四（六）村委员会安全责任: items 1, 3 and 4 are the committees' own (1. 各村委员会要组织开展安全生产宣传教育活动…;
    3. 抓好各项安全生产工作的落实…; 4. 要求：发现问题，不留死角…); item 2 is laid on others: 包村领导和中心负责人责任挂钩，
    要认真督促各村做好安全隐患排查工作."""

    def items(cls: str, label: str) -> set[str]:
        return {
            m
            for (m,) in rows(
                kg,
                f"""SELECT DISTINCT ?m WHERE {{
            ?h a {cls} ; wsa:definedIn {doc("tongchuan-town-2022")} ; rdfs:label "{label}"@zh .
            ?h wsa:hasDuty/prov:wasDerivedFrom/dcterms:isPartOf* ?item .
            ?item dcterms:isPartOf ?section ; wsa:marker ?m .
            ?section wsa:marker "（六）" ; dcterms:isPartOf/wsa:marker "四、" }}""",
            )
        }

    assert items("wsa:VillageCommittee", "村委员会") == {"1.", "3.", "4."}
    assert items("wsa:Post", "包村领导") == {"2."}


@pytest.mark.parametrize(
    "slug,label,period,minimum,per_year,action",
    [
        ("wuxi-towns-2021", "镇(街道、园区)行政主要负责人", "P3M", 1, 4, "hear_report"),  # 每季度至少1次系统听取…汇报
        ("wuxi-towns-2021", "镇(街道、园区)行政主要负责人", "P1Y", 1, 1, "inspection"),  # 每年至少1次专题检查督查各专委会
        ("mianyang-union-2020", "主要负责人", "P1Y", 2, 2, "inspection"),
        ("mianyang-union-2020", "分管安全生产工作的负责人", "P1Y", 2, 2, "inspection"),
        ("mianyang-union-2020", "党组", "P1Y", 1, 1, "meeting"),
        ("mianyang-union-2020", "党组", "P1Y", 2, 2, "meeting"),
        ("bazhong-econ-2018", "委主要负责人", "P3M", 1, 4, "meeting"),
        ("bazhong-econ-2018", "委主要负责人", "P6M", 1, 2, "inspection"),
        ("bazhong-econ-2018", "分管安全生产负责人", "P3M", 1, 4, "inspection"),
        ("bazhong-econ-2018", "分管安全生产负责人", "P1Y", 1, 1, "emergency"),
        ("tongchuan-town-2022", "企业单位的主要负责人", "P1M", 1, 12, "inspection"),
        ("benxi-hitech-2019", "各级党组织主要负责人", "P6M", 1, 2, "meeting"),
        ("benxi-hitech-2019", "各级党组织主要负责人", "P6M", 1, 2, "inspection"),
        ("benxi-hitech-2019", "其他负责人", "P3M", 1, 4, "meeting"),
    ],
)
def test_frequency_requirements(kg, slug, label, period, minimum, per_year, action):
    found = rows(
        kg,
        f"""SELECT ?period ?min ?tpy ?action WHERE {{
        ?h wsa:definedIn {doc(slug)} ; rdfs:label|skos:altLabel "{label}"@zh ; wsa:hasDuty/wsa:frequency ?f .
        ?f wsa:period ?period ; wsa:minOccurrences ?min ; wsa:timesPerYear ?tpy ; wsa:action ?action }}""",
    )
    assert (period, minimum, Decimal(per_year), f"https://w3id.org/wsa/concept/dutytype/{action}") in found


def test_three_yearly_inspection_is_a_third_per_year(kg):
    got = one(
        kg,
        f"""SELECT ?tpy WHERE {{ ?f wsa:definedIn {doc("benxi-hitech-2019")} ; wsa:period "P3Y"^^xsd:duration ;
        wsa:timesPerYear ?tpy }}""",
    )
    assert got[0] == Decimal("0.3333")


@pytest.mark.parametrize(
    "slug,label,level",
    [
        ("mianyang-union-2020", "分管安全生产工作的负责人", "second_responsible"),
        ("mianyang-union-2020", "党组书记、副主席", "first_responsible"),  # 第四条 党组书记、副主席是安全工作第一责任人
        ("tongchuan-town-2022", "镇长", "first_responsible"),
        ("tongchuan-town-2022", "镇长", "overall_leadership"),
        ("tongchuan-town-2022", "镇党委书记", "general_charge"),
        ("tongchuan-town-2022", "其他副科级以上领导", "direct_leadership"),
        ("bazhong-econ-2018", "委党组书记、主任", "overall_leadership"),
        ("bazhong-econ-2018", "分管安全生产负责人", "lead_leadership"),
        ("bazhong-econ-2018", "分管或协助分管产业（业务）负责人", "direct_leadership"),
        ("benxi-hitech-2019", "党政主要负责人", "first_responsible"),
    ],
)
def test_responsibility_levels(kg, slug, label, level):
    found = rows(
        kg,
        f"""SELECT ?l WHERE {{ ?p a wsa:Post ; wsa:definedIn {doc(slug)} ;
        rdfs:label|skos:altLabel "{label}"@zh ; wsa:responsibilityLevel ?l }}""",
    )
    assert (f"https://w3id.org/wsa/concept/level/{level}",) in found


def test_principal_head_of_a_named_body_takes_its_head_role(kg):
    """ "高新区管委会、街道办事处主要负责人" are heads of government (wsa:headRole of wsa:GovernmentBody)."""
    got = rows(
        kg,
        f"""SELECT ?b (COUNT(?d) AS ?n) WHERE {{ ?p wsa:definedIn {doc("benxi-hitech-2019")} ;
        org:role role:government_head ; org:postIn/rdfs:label ?b ; wsa:hasDuty ?d }} GROUP BY ?b ORDER BY ?b""",
    )
    assert got == [("街道办事处", 7), ("高新区管委会", 7)]


def test_tongchuan_leading_group_names_its_members(kg):
    held = rows(
        kg,
        f"""SELECT ?name ?post WHERE {{ ?p org:heldBy ?who ; wsa:definedIn {doc("tongchuan-town-2022")} ;
        rdfs:label ?post . ?who foaf:name ?name }}""",
    )
    assert ("刘世文", "组长") in held and ("刘世文", "铜川镇党委书记") in held
    assert ("闫旻", "常务副组长") in held
    assert ("刘燕军", "综合行政执法局局长") in held
    assert one(kg, f"""SELECT (COUNT(?x) AS ?n) WHERE {{ ?x a foaf:Person ; wsa:definedIn {doc("tongchuan-town-2022")} }}""")[0] == 24
    group = one(kg, f"""SELECT ?l WHERE {{ ?g a wsa:LeadingGroup ; wsa:definedIn {doc("tongchuan-town-2022")} ; rdfs:label ?l }}""")
    assert group == ("安全生产领导小组",)


@pytest.mark.parametrize("cls,count", [("SupervisoryDepartment", 10), ("NonSupervisoryDepartment", 7)])
def test_benxi_department_lists(kg, cls, count):
    members = rows(
        kg,
        f"""SELECT ?l WHERE {{ ?d wsa:memberOfGroup ?g ; rdfs:label ?l ; a wsa:{cls} .
        ?g wsa:definedIn {doc("benxi-hitech-2019")} }}""",
    )
    assert len(members) == count
    if cls == "SupervisoryDepartment":
        assert ("安全生产监督管理局",) in members and ("经济发展局",) in members


@pytest.mark.parametrize(
    "slug,present,absent",
    [
        (
            "mianyang-union-2020",
            {
                "dual_responsibility",
                "three_musts_business",
                "three_musts_production",
                "in_charge_responsible",
                "tiered_responsibility",
                "territorial_management",
                "safety_first",
                "people_first",
                "accountability_for_failure",
            },
            {"three_musts_industry"},
        ),
        (
            "bazhong-econ-2018",
            {
                "party_government_same_responsibility",
                "occupational_health",
                "approver_responsible",
                "three_musts_industry",
                "five_implementations",
                "one_vote_veto",
            },
            {"people_first"},
        ),
        (
            "tongchuan-town-2022",
            {"in_charge_responsible", "who_inspects_responsible", "who_signs_responsible", "people_first", "territorial_management"},
            {"occupational_health"},
        ),
        ("wuxi-towns-2021", {"territorial_management"}, {"dual_responsibility"}),
        ("benxi-hitech-2019", {"three_musts_industry", "life_first", "joint_management", "one_vote_veto"}, {"approver_responsible"}),
    ],
)
def test_principles(kg, slug, present, absent):
    found = {r[0].rsplit("/", 1)[-1] for r in rows(kg, f"SELECT ?p WHERE {{ {doc(slug)} wsa:invokesPrinciple ?p }}")}
    assert present <= found and not (absent & found)


@pytest.mark.parametrize(
    "slug,present",
    [
        (
            "benxi-hitech-2019",
            {
                "notice",
                "admonition",
                "suspension",
                "reassignment",
                "ordered_resignation",
                "demotion",
                "dismissal",
                "disciplinary_action",
                "veto",
                "disqualification",
                "no_promotion",
            },
        ),
        ("mianyang-union-2020", {"criticism", "rectification_order", "disciplinary_action", "record_in_file"}),
        ("bazhong-econ-2018", {"veto", "interview", "no_promotion"}),
        ("wuxi-towns-2021", {"warning_prompt", "interview", "notice"}),
    ],
)
def test_sanctions(kg, slug, present):
    found = {r[0].rsplit("/", 1)[-1] for r in rows(kg, f"SELECT ?s WHERE {{ {doc(slug)} wsa:providesSanction ?s }}")}
    assert present <= found


def test_legal_basis(kg):
    basis = {r[0] for r in rows(kg, f"SELECT ?b WHERE {{ {doc('bazhong-econ-2018')} wsa:legalBasis ?b }}")}
    assert "《四川省安全生产“党政同责”暂行规定》（川委办〔2014〕20号）" in basis
    tong = rows(kg, f"SELECT ?b WHERE {{ {doc('tongchuan-town-2022')} wsa:legalBasis ?b }}")
    assert tong == [("《内蒙古自治区安全生产监督管理条例》",)]


def test_unassigned_duties_are_kept(kg):
    """A frequency stated with no duty holder (第十二条 消防安全: 每年至少组织一次应急演练) is still a Duty."""
    found = rows(
        kg,
        f"""SELECT ?t WHERE {{ ?d a wsa:Duty ; wsa:definedIn {doc("mianyang-union-2020")} ; wsa:text ?t
        FILTER NOT EXISTS {{ ?h wsa:hasDuty ?d }} }}""",
    )
    assert any("每年至少组织一次应急演练" in t for (t,) in found)


def test_every_body_post_duty_points_to_its_provision(kg):
    missing = rows(
        kg,
        """SELECT ?x WHERE { VALUES ?c { wsa:Body wsa:Post wsa:Duty wsa:Department wsa:PartyOrganization
        wsa:GovernmentBody wsa:LeadingGroup wsa:WorkingOffice wsa:Enterprise wsa:VillageCommittee wsa:AffiliatedUnit }
        ?x a ?c . FILTER NOT EXISTS { ?x wsa:definedIn ?d ; prov:wasDerivedFrom ?p . ?p a wsa:Provision } }""",
    )
    assert missing == []


def test_provision_spans_quote_the_source(kg):
    """charStart/charEnd cut the provision's passage out of the document's normalised text."""
    for slug, text in rows(kg, "SELECT ?d ?t WHERE { ?d a wsa:PolicyDocument ; wsa:sourceText ?t }"):
        for start, end, marker in rows(
            kg,
            f"""SELECT ?s ?e ?m WHERE {{ ?p dcterms:isPartOf+ <{slug}> ;
                wsa:charStart ?s ; wsa:charEnd ?e ; wsa:marker ?m }}""",
        ):
            assert text[start:end].lstrip("\t").startswith(marker.strip()), (slug, start, marker)
