"""What one document's extraction has minted, and the minting itself: bodies, posts, duties, persons.

The other reading stages (holders, duties, levels, rosters) decide who holds what; they mint
through the functions here, which keep one node per body, per office and per duty, so that
every mention of the same body or office in a document merges into one. Every node minted gets
wsa:definedIn the document and prov:wasDerivedFrom each provision it was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kgtool.read.duty_types import duty_types
from kgtool.read.explain import DutyNote, Explanation
from kgtool.read.frequencies import frequencies, times_per_year
from kgtool.read.lexicon import Lexicon
from kgtool.read.structure import Provision
from kgtool.read.triples import FOAF, ORG, PROV, RDF, RDFS, SKOS, WSA, XSD, Triples
from kgtool.read.wordings import load
from kgtool.vocab import concept, iri_for, local_name, short_hash

SENTENCE = re.compile(r"[^。；;\n]+[。；;]?")
PRINCIPAL_HEAD = concept("role", "principal_head")
#: The heads of a jurisdiction: in an organisation that is not a territory they are one principal head.
TOP_ROLES = {"principal_head", "government_head", "party_secretary"}


def rules() -> dict:
    """The extraction wordings (rules/extract.yaml)."""
    return load("extract")


@cache
def rule_pattern(*names: str) -> re.Pattern[str]:
    """The regex of rules/extract.yaml entries (several joined by |), compiled once."""
    return re.compile("|".join(rules()[name] for name in names))


@dataclass(frozen=True, slots=True)
class Holder:
    """Who a passage's duties belong to: an office (role, portfolio, in one or more bodies), a
    body itself (role None), or all the leaders of a body (collective)."""

    body: URIRef
    role: URIRef | None
    label: str
    bodies: tuple[URIRef, ...] = ()
    portfolio: str | None = None
    extra_roles: tuple[URIRef, ...] = ()
    collective: bool = False
    known: bool = True


@dataclass
class Summary:
    """What extraction could not place, and why it read what it did (`kgtool ingest [--explain]`);
    the counts are the graph's own (kgtool/counts.py)."""

    unplaced: list[str] = field(default_factory=list)
    explanation: Explanation = field(default_factory=Explanation)


@dataclass
class Extraction:
    """One document's extraction so far: its input, and the bodies, posts and provisions minted
    (so that mentions merge), with what later stages need from earlier ones."""

    doc_id: str
    text: str
    tree: Provision
    lex: Lexicon
    places: Graph
    doc: URIRef = field(init=False)
    g: Triples = field(default_factory=Triples)
    summary: Summary = field(default_factory=Summary)
    bodies: dict[str, URIRef] = field(default_factory=dict)
    posts: dict[tuple[str, URIRef, str | None], URIRef] = field(default_factory=dict)  # (scope, role, portfolio) -> post
    provision_iris: dict[str, URIRef] = field(default_factory=dict)
    #: provision id -> the holders of the passage it stands in
    context: dict[str, list[Holder]] = field(default_factory=dict)
    collective_duties: dict[tuple[URIRef, ...], list[tuple[Holder, URIRef, Provision]]] = field(default_factory=dict)
    level_remainders: dict[URIRef, tuple[Holder, Provision, str]] = field(default_factory=dict)
    jurisdiction_label: str | None = None
    prose_portfolios: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (body, title) -> portfolio
    #: the issuer (the jurisdiction's own body), once read, and whether it is a territory
    principal: URIRef | None = None
    territorial: bool = False

    def __post_init__(self) -> None:
        self.doc = iri_for("document", self.doc_id)

    @property
    def principal_body(self) -> URIRef:
        """The principal once it is read, as every stage after the issuer's may assume."""
        if self.principal is None:
            raise ValueError(f"{self.doc_id}: the issuer is not read yet")
        return self.principal


def provision_iri(ex: Extraction, provision: Provision) -> URIRef:
    """A provision's IRI, minted once per provision of the document."""
    if provision.id not in ex.provision_iris:
        ex.provision_iris[provision.id] = iri_for("provision", ex.doc_id, provision.id)
    return ex.provision_iris[provision.id]


def mark_defined(ex: Extraction, node: URIRef, provision: Provision) -> None:
    """Records where a node was minted: in this document, from this provision."""
    ex.g.add((node, WSA.definedIn, ex.doc))
    ex.g.add((node, PROV.wasDerivedFrom, provision_iri(ex, provision)))


def mint_body(ex: Extraction, name: str, provision: Provision, cls: Node | None = None) -> URIRef:
    """The body of this name in this document, minted on first mention. A bare class word
    of a class whose members are many (企业, 企业单位, 各类生产经营单位) names them all: one body
    per class, whatever the wording."""
    label = key = re.sub(r"\s+", "", name)
    bare = re.sub(r"^(各类|各|全)", "", key)
    kind = local_name(ex.lex.suffix_class(bare)) if ex.lex.is_class_label(bare) else None
    if kind is not None and kind in rules()["generic_member_classes"]:
        key = kind
    if key not in ex.bodies:
        node = iri_for("body", ex.doc_id, short_hash(key))
        ex.bodies[key] = node
        ex.g.add((node, RDF.type, cls or ex.lex.suffix_class(label) or WSA.Body))
        ex.g.add((node, RDFS.label, Literal(label, lang="zh")))
        mark_defined(ex, node, provision)
        if ex.principal is not None and node != ex.principal:
            ex.g.add((node, ORG.subOrganizationOf, ex.principal))
    node = ex.bodies[key]
    ex.g.add((node, PROV.wasDerivedFrom, provision_iri(ex, provision)))
    return node


def mint_post(ex: Extraction, holder: Holder, provision: Provision) -> URIRef:
    """The post of an office; later wordings of the same office become skos:altLabel.

    One office, one post: an office is its role, its portfolio and where it sits, either the
    jurisdiction's own leadership (党委, 政府, the issuing organisation) or named bodies. A
    plain principal head (主要负责人) of a named body takes its class's head role
    (wsa:headRole): the 主要负责人 of a 管委会 heads its government. In an organisation that
    is not a territory (a commission, a trade union, a bureau), its administrative head is its
    principal head (see issuer_head_roles); its party-group secretary is too where one person
    holds both (党组书记、局长, read by the designation grammar), and stays the party secretary
    where the text names the two apart (党组书记与局长共同为…第一责任人, a row for each).
    """
    bodies = holder.bodies or (holder.body,)
    role = holder.role
    if role is None:
        raise ValueError(f"{holder.label}: a holder without a role is a body, and holds its duties itself")
    if role == PRINCIPAL_HEAD and bodies != (ex.principal,):
        role = ex.lex.head_role(ex.g.value(bodies[0], RDF.type)) or role
    scope = scope_of(ex, bodies)
    if scope == "main" and not ex.territorial and local_name(role) in issuer_head_roles(ex):
        role = PRINCIPAL_HEAD
    portfolio = holder.portfolio if holder.portfolio not in (None, "safety", "business") else None
    key = (scope, role, portfolio)
    label = re.sub(r"\s+", "", holder.label)
    wording = Literal(label, lang="zh")
    if key not in ex.posts:
        suffix = f".{short_hash(portfolio)}" if portfolio else ""
        node = iri_for("post", ex.doc_id, f"{scope}.{local_name(role)}{suffix}")
        ex.posts[key] = node
        ex.g.add((node, RDF.type, WSA.Post))
        ex.g.add((node, RDFS.label, wording))
        for b in bodies:
            ex.g.add((node, ORG.postIn, b))
        ex.g.add((node, ORG.role, role))
        if portfolio:
            ex.g.add((node, WSA.portfolio, Literal(portfolio, lang="zh")))
        mark_defined(ex, node, provision)
        if not holder.known:
            ex.summary.unplaced.append(f"{provision.id}: {label}: a post the grammar cannot place (role other)")
    node = ex.posts[key]
    for extra in holder.extra_roles:
        if extra != role and local_name(extra) not in TOP_ROLES | {"deputy_head"}:
            ex.g.add((node, ORG.role, extra))
    if (node, RDFS.label, wording) not in ex.g:
        ex.g.add((node, SKOS.altLabel, wording))
    ex.g.add((node, PROV.wasDerivedFrom, provision_iri(ex, provision)))
    return node


def issuer_head_roles(ex: Extraction) -> set[str]:
    """The roles that, in the issuer's own leadership, name the head of an issuer that is not a
    territory: a government head (主任 of a commission, 主席 of a trade union) and the head role
    of its class (局长 of a 局: wsa:headRole department_head)."""
    head = ex.lex.head_role(ex.g.value(ex.principal, RDF.type)) if ex.principal is not None else None
    return {"principal_head", "government_head"} | ({local_name(head)} if head else set())


def scope_of(ex: Extraction, bodies: tuple[URIRef, ...]) -> str:
    """Where an office sits: "main" for the jurisdiction's own leadership, else its bodies."""
    if any(at_jurisdiction_level(ex, b) for b in bodies):
        return "main"
    return ".".join(sorted(local_name(b) for b in bodies))


def at_jurisdiction_level(ex: Extraction, body: URIRef) -> bool:
    """Whether a body is the jurisdiction's own party committee or government (or the
    issuing organisation), not a department, unit or lower level: 高新区党工委 in Benxi,
    党组 in a commission, but not 街道办事处."""
    if body == ex.principal:
        return True
    if ex.g.value(body, RDF.type) not in (WSA.PartyOrganization, WSA.GovernmentBody):
        return False
    name = str(ex.g.value(body, RDFS.label) or "")
    qualifier = name_qualifier(ex, name)
    place = ex.jurisdiction_label or ""
    return qualifier.removeprefix("本") == "" or (bool(place) and (place.endswith(qualifier) or place in qualifier))


def holder_node(ex: Extraction, holder: Holder, provision: Provision) -> URIRef:
    """The node that holds a holder's duties: the body itself, or the post of its office."""
    if holder.role is None:
        return holder.body
    return mint_post(ex, holder, provision)


def name_qualifier(ex: Extraction, name: str) -> str:
    """What precedes a name's class wording: "高新区" in "高新区党工委"."""
    for label in sorted(filter(name.endswith, ex.lex.class_labels()), key=len, reverse=True):
        return name[: -len(label)]
    return ""


def mint_duty(ex: Extraction, p: Provision, local: str, text: str, owners: list[Holder]) -> None:
    """A duty and its frequencies, typed by what it asks; a collective's duty waits for its leader
    posts (see duties.distribute_collectives), every other owner holds it now."""
    g = ex.g
    node = iri_for("duty", ex.doc_id, local)
    g.add((node, RDF.type, WSA.Duty))
    g.add((node, WSA.text, Literal(text, lang="zh")))
    mark_defined(ex, node, p)
    decided = duty_types(text, ex.lex)
    for t in sorted({concept("dutytype", d.concept) for d in decided} or {concept("dutytype", "other")}):
        g.add((node, WSA.dutyType, t))
    found = frequencies(text)
    ex.summary.explanation.at(p.id).duties.append(
        DutyNote(
            local,
            text,
            list(dict.fromkeys(o.label for o in owners)),
            [(d.concept, d.evidence) for d in decided] or [("other", "")],
            [f.wording for f in found],
        )
    )
    for owner in owners:
        if owner.collective:
            ex.collective_duties.setdefault(collective_key(owner), []).append((owner, node, p))
        else:
            g.add((holder_node(ex, owner, p), WSA.hasDuty, node))
    for k, f in enumerate(found, start=1):
        fnode = iri_for("freq", ex.doc_id, f"{local}-{k}")
        g.add((node, WSA.frequency, fnode))
        g.add((fnode, RDF.type, WSA.FrequencyRequirement))
        g.add((fnode, WSA.period, Literal(f.period, datatype=XSD.duration)))
        g.add((fnode, WSA.minOccurrences, Literal(f.minimum)))
        rate = times_per_year(f.period, f.minimum)
        assert rate is not None, f.period  # frequencies() writes only periods with a yearly rate
        per_year = rate.quantize(Decimal("0.0001")).normalize()
        g.add((fnode, WSA.timesPerYear, Literal(per_year, datatype=XSD.decimal)))
        g.add((fnode, WSA.text, Literal(f.wording, lang="zh")))
        # the action counted: the one the wording names, else what the duty asks (每月至少调度1次…)
        action = f.action or (decided[0].concept if decided else "other")
        g.add((fnode, WSA.action, concept("dutytype", action)))
        mark_defined(ex, fnode, p)


def collective_key(holder: Holder) -> tuple[URIRef, ...]:
    """The bodies whose leaders a collective holder names, as one key."""
    return tuple(sorted(holder.bodies or (holder.body,)))


def mint_person(ex: Extraction, name: str, p: Provision) -> URIRef:
    """A person named as holding a post (a roster line, an appointment)."""
    person = iri_for("person", ex.doc_id, short_hash(name))
    ex.g.add((person, RDF.type, FOAF.Person))
    ex.g.add((person, FOAF.name, Literal(name, lang="zh")))
    mark_defined(ex, person, p)
    return person
