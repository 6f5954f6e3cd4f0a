"""Compare jurisdictions: who must do what, how often, under which principle, and how alike they are.

Every figure comes from SPARQL over the store (a few queries per table, never one per cell),
so the same comparison runs on the embedded store and on a remote endpoint. The functions
return plain frozen dataclasses that the CLI, the web page and the charts share:

- `role_duty_matrix`: canonical role × duty type, distinct duties per jurisdiction; which
  roles each jurisdiction has and the labels each document writes for them.
- `frequency_table`: minimum times per year for each (role, action), with the wording, and the
  strictest and laxest jurisdiction of each row.
- `principle_matrix` / `sanction_matrix`: which principles and sanctions each document invokes.
- `structure_graphs`, `structure`: a networkx graph per document and measures read off it.
- `similarity`: Jaccard over (role, duty type) pairs and a Weisfeiler-Lehman graph kernel.
- `diff`: what one jurisdiction demands that the other does not, role by role.
- `compare_command_output`: any of these as a table, CSV, JSON, HTML, SVG or GraphML.

Who holds a duty: a post is compared by its canonical role (``org:role``), under each of its
roles when one person holds several titles (党委副书记、镇长: government head and deputy Party
secretary); a body that holds duties itself (the Party group of a commission, a town
government, a section) is compared by its most specific class, shown as e.g. "党组织（机构） /
Party organisation (body)", so a Party group's meeting duty is not lost when a document gives
it to the group, not its secretary.

Sanctions are the forms of holding to account (sanction:accountability and the concepts under
it); rewards (sanction:reward) and mitigations (sanction:mitigation) a document also provides
are not sanctions and are left out of the sanction comparison.
"""
from __future__ import annotations

import csv
import functools
import html
import io
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import networkx as nx
from rdflib import Literal, URIRef

from kgtool import vocab
from kgtool.vocab import local_name
from kgtool.errors import KgtoolError, QueryError
from kgtool.read.extract import times_per_year
from kgtool.render import width
from kgtool.store import Store

__all__ = [
    "FORMATS",
    "VIEWS",
    "ConceptMatrix",
    "FrequencyRow",
    "FrequencyTable",
    "Jurisdiction",
    "PairDiff",
    "PairSimilarity",
    "Requirement",
    "RoleDiff",
    "RoleDutyMatrix",
    "Similarity",
    "StructureMeasures",
    "Term",
    "compare_command_output",
    "diff",
    "frequency_table",
    "jurisdictions",
    "principle_matrix",
    "role_duty_matrix",
    "sanction_matrix",
    "similarity",
    "structure",
    "structure_graphml",
    "structure_graphs",
    "times_per_year",
]

#: What `compare_command_output` can show (``by``), and in which formats.
VIEWS: dict[str, tuple[str, ...]] = {
    "roles": ("table", "csv", "json", "html", "svg"),
    "labels": ("table", "csv", "json", "html"),
    "frequency": ("table", "csv", "json", "html", "svg"),
    "principles": ("table", "csv", "json", "html", "svg"),
    "structure": ("table", "csv", "json", "html", "svg", "graphml"),
    "similarity": ("table", "csv", "json", "html", "svg"),
}
#: Every output format; ``graphml`` gives bytes, the others text.
FORMATS = ("table", "csv", "json", "html", "svg", "graphml")
_VIEW_ALIASES = {"role": "roles", "duties": "roles", "label": "labels", "frequencies": "frequency",
                 "freq": "frequency", "principle": "principles", "sanctions": "principles",
                 "sanction": "principles", "graph": "structure", "similar": "similarity"}

# Display order of known concepts and classes (DESIGN.md order); unknown ones follow by id.
_ROLE_ORDER = ("party_secretary", "vice_party_secretary", "government_head", "principal_head",
               "safety_deputy", "business_deputy", "deputy_head", "other_leader", "discipline_secretary",
               "people_congress_chair", "leading_group_leader", "leading_group_deputy",
               "leading_group_member", "office_director", "department_head", "enforcement_officer",
               "staff", "village_party_secretary", "village_head", "enterprise_head")
_BODY_ORDER = ("PartyOrganization", "GovernmentBody", "LeadingGroup", "WorkingOffice", "Department",
               "SupervisoryDepartment", "NonSupervisoryDepartment", "AffiliatedUnit", "VillageCommittee",
               "Enterprise", "Body")
_DUTY_ORDER = ("implement_policy", "meeting", "hear_report", "inspection", "responsibility_system",
               "assessment", "staffing_funding", "training_publicity", "hazard_control", "emergency",
               "accident", "planning", "supervision", "reporting", "other")
_CATCH_ALL = "other"  # dutytype:other, a catch-all such as "按照…原则抓好…工作"

#: Kinds of sanction-scheme concepts that are not sanctions: commendations and lighter treatment.
_NOT_SANCTIONS = tuple(str(vocab.concept("sanction", kind)) for kind in ("reward", "mitigation"))

_WSA = str(vocab.WSA)
_CONCEPT = str(vocab.CONCEPT)
_ID = str(vocab.ID)
_BODY = str(vocab.WSA.Body)
_POST = str(vocab.WSA.Post)

# The structure graph: which links it keeps, and the names its edges carry.
_LINKS = {str(vocab.ORG.subOrganizationOf): "subOrganizationOf", str(vocab.ORG.postIn): "postIn",
          str(vocab.WSA.hasDuty): "hasDuty", str(vocab.WSA.memberOfGroup): "memberOfGroup",
          str(vocab.WSA.supervisedBy): "supervisedBy"}
_CHAIN_LINKS = ("subOrganizationOf", "postIn")


# --------------------------------------------------------------------------------------
# Small values


@dataclass(frozen=True, slots=True)
class Term:
    """A concept or class with its Chinese and English labels, as the ontology gives them.

    ``kind`` says what it stands for: "role", "body" (a body class holding duties itself),
    "dutytype", "principle", "sanction", "level", or "none".
    """

    iri: str
    id: str
    zh: str
    en: str
    kind: str = ""

    @property
    def text(self) -> str:
        """"中文 / English", or just one of them when the other is missing.

        >>> Term("urn:x", "x", "检查", "Inspection").text
        '检查 / Inspection'
        """
        if self.zh and self.en and self.zh != self.en:
            return f"{self.zh} / {self.en}"
        return self.zh or self.en or self.id


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """One compared column: a policy document and the place it governs."""

    slug: str                  # the document id, e.g. "wuxi-towns-2021"
    document: str              # the document IRI
    title: str
    place: str | None          # the wsa:Jurisdiction IRI
    place_id: str | None       # e.g. "wuxi"
    zh: str                    # place label, e.g. "无锡市"
    en: str                    # e.g. "Wuxi"
    admin_level: str | None    # e.g. "city"
    issued: str | None

    @property
    def text(self) -> str:
        """"无锡市 / Wuxi"."""
        if self.zh and self.en:
            return f"{self.zh} / {self.en}"
        return self.zh or self.en or self.slug

    @property
    def short(self) -> str:
        """The Chinese place name, for narrow table columns."""
        return self.zh or self.en or self.slug


_NONE_HOLDER = Term("", "unassigned", "（未指明责任主体）", "(no holder named)", "none")


def _num(value: Decimal | float | int | None) -> str:
    """A count or rate as people write it.

    >>> _num(Decimal("4.0")), _num(Decimal("0.333333")), _num(None), _num(0.5)
    ('4', '0.33', '', '0.5')
    """
    if value is None:
        return ""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.quantize(Decimal("0.01")).normalize(), "f")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _lang(literal: Any, tag: str) -> bool:
    language = getattr(literal, "language", None) or ""
    return language.lower() == tag or language.lower().startswith(tag + "-")


# --------------------------------------------------------------------------------------
# Queries


def _select(store: Store, sparql: str) -> list[dict[str, Any]]:
    """Rows as dicts; an error rather than a silently partial comparison when rows were cut."""
    result = store.query(sparql)
    if result.truncated:
        raise KgtoolError("the SPARQL engine cut a comparison query short, so the tables would be wrong",
                          where="compare", hint="raise the endpoint's row limit (Virtuoso: ResultSetMaxRows)")
    return result.dicts()


def _values(var: str, iris: Iterable[str]) -> str:
    """A VALUES block of escaped IRIs (never spliced text): the one way selections reach SPARQL.

    >>> _values("doc", ["https://w3id.org/wsa/id/a"])
    'VALUES ?doc { <https://w3id.org/wsa/id/a> }'
    """
    terms = " ".join(URIRef(i).n3() for i in iris)
    return f"VALUES ?{var} {{ {terms} }}"


_Q_DOCUMENTS = """
SELECT ?doc ?title ?issued ?place WHERE {
  ?doc a wsa:PolicyDocument .
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:issued ?issued }
  OPTIONAL { ?doc wsa:jurisdiction ?place }
}"""

_Q_PLACES = """
SELECT ?place ?p ?o WHERE {
  VALUES ?p { rdfs:label skos:altLabel wsa:within wsa:adminLevel }
  ?place a wsa:Jurisdiction ; ?p ?o .
}"""

_Q_LABELS = """
SELECT ?x ?p ?l WHERE {
  VALUES ?p { skos:prefLabel rdfs:label skos:altLabel }
  ?x ?p ?l .
  FILTER(isIRI(?x) && (STRSTARTS(STR(?x), "https://w3id.org/wsa/concept/")
                       || STRSTARTS(STR(?x), "https://w3id.org/wsa/ontology#")))
}"""

_Q_CLASSES = """
SELECT ?c ?s WHERE {
  { ?c rdfs:subClassOf ?s . FILTER(STRSTARTS(STR(?c), "https://w3id.org/wsa/ontology#")) }
  UNION
  { ?c skos:broader ?s . FILTER(STRSTARTS(STR(?c), "https://w3id.org/wsa/concept/")) }
  FILTER(isIRI(?s))
}"""

_Q_POSTS = """
SELECT ?doc ?post ?role ?label ?alt ?level ?body WHERE {
  {docs}
  ?post wsa:definedIn ?doc ; a wsa:Post .
  OPTIONAL { ?post org:role ?role }
  OPTIONAL { ?post rdfs:label ?label }
  OPTIONAL { ?post skos:altLabel ?alt }
  OPTIONAL { ?post wsa:responsibilityLevel ?level }
  OPTIONAL { ?post org:postIn ?body }
}"""

_Q_BODIES = """
SELECT ?doc ?body ?type ?label WHERE {
  {docs}
  {types}
  ?body wsa:definedIn ?doc ; a ?type .
  OPTIONAL { ?body rdfs:label ?label }
}"""

_Q_DUTIES = """
SELECT ?doc ?duty ?type ?freq ?text WHERE {
  {docs}
  ?duty wsa:definedIn ?doc ; a wsa:Duty .
  OPTIONAL { ?duty wsa:dutyType ?type }
  OPTIONAL { ?duty wsa:frequency ?freq }
  OPTIONAL { ?duty wsa:text ?text }
}"""

_Q_LINKS = """
SELECT ?doc ?s ?p ?o WHERE {
  {docs}
  VALUES ?p { org:subOrganizationOf org:postIn wsa:hasDuty wsa:memberOfGroup wsa:supervisedBy }
  ?s wsa:definedIn ?doc ; ?p ?o .
}"""

_Q_FREQUENCIES = """
SELECT ?doc ?f ?action ?period ?min ?tpy ?text ?duty ?prov ?marker WHERE {
  {docs}
  ?f wsa:definedIn ?doc ; a wsa:FrequencyRequirement .
  OPTIONAL { ?f wsa:action ?action }
  OPTIONAL { ?f wsa:period ?period }
  OPTIONAL { ?f wsa:minOccurrences ?min }
  OPTIONAL { ?f wsa:timesPerYear ?tpy }
  OPTIONAL { ?f wsa:text ?text }
  OPTIONAL { ?duty wsa:frequency ?f }
  OPTIONAL { ?f prov:wasDerivedFrom ?prov . OPTIONAL { ?prov wsa:marker ?marker } }
}"""

_Q_INVOKED = """
SELECT ?doc ?p ?c WHERE {
  {docs}
  VALUES ?p { wsa:invokesPrinciple wsa:providesSanction }
  ?doc ?p ?c .
}"""


def _fill(template: str, **blocks: str) -> str:
    for name, block in blocks.items():
        template = template.replace("{" + name + "}", block)
    return template


# --------------------------------------------------------------------------------------
# Jurisdictions


def jurisdictions(store: Store, selectors: Sequence[str | Jurisdiction] | None = None) -> list[Jurisdiction]:
    """The documents to compare, chosen by document id, place id or place label.

    A place selects every document governing it or a place within it: "四川省" or "sichuan"
    selects Mianyang and Bazhong; "Benxi" the Benxi high-tech zone. Labels match in Chinese or
    English, ignoring case and spaces. With no selectors, every document, in id order.

    Args:
        store: any `kgtool.store.Store`.
        selectors: document slugs ("wuxi-towns-2021"), place ids ("wuxi"), labels ("无锡市",
            "Wuxi"), or already resolved `Jurisdiction` values.

    Returns:
        One `Jurisdiction` per document, in the order first selected, without repeats.

    Raises:
        QueryError: if a selector matches no document.
    """
    if selectors and all(isinstance(s, Jurisdiction) for s in selectors):
        return list(dict.fromkeys(selectors))  # type: ignore[arg-type]
    docs = _select(store, _Q_DOCUMENTS)
    places: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in _select(store, _Q_PLACES):
        places[str(row["place"])][local_name(str(row["p"]))].append(row["o"])

    def label(place: str | None, tag: str) -> str:
        for lit in places.get(place or "", {}).get("label", []):
            if _lang(lit, tag):
                return str(lit)
        return ""

    def ancestors(place: str | None) -> list[str]:
        seen: list[str] = []
        todo = [place] if place else []
        while todo:
            here = todo.pop()
            if here in seen:
                continue
            seen.append(here)
            todo.extend(str(p) for p in places.get(here, {}).get("within", []))
        return seen

    found: dict[str, Jurisdiction] = {}
    keys: dict[str, set[str]] = {}
    for row in docs:
        doc = str(row["doc"])
        if doc in found:
            continue
        place = str(row["place"]) if row.get("place") is not None else None
        level = places.get(place or "", {}).get("adminLevel", [])
        slug = doc[len(_ID):] if doc.startswith(_ID) else local_name(doc)
        found[doc] = Jurisdiction(
            slug=slug, document=doc, title=str(row.get("title", "")), place=place,
            place_id=local_name(place) if place else None, zh=label(place, "zh"), en=label(place, "en"),
            admin_level=local_name(str(level[0])) if level else None,
            issued=str(row["issued"]) if row.get("issued") is not None else None)
        names = {_norm(slug), _norm(doc)}
        for anc in ancestors(place):
            names.add(_norm(local_name(anc)))
            names.add(_norm(anc))
            names.update(_norm(str(lit)) for key in ("label", "altLabel") for lit in places.get(anc, {}).get(key, []))
        keys[doc] = names
    every = sorted(found.values(), key=lambda j: j.slug)
    if not selectors:
        return every
    chosen: dict[str, Jurisdiction] = {}
    for selector in selectors:
        if isinstance(selector, Jurisdiction):
            chosen.setdefault(selector.document, selector)
            continue
        wanted = _norm(str(selector))
        hits = [j for j in every if wanted in keys[j.document]]
        if not hits:
            known = ", ".join(f"{j.slug} ({j.zh or j.en})" for j in every) or "none loaded"
            raise QueryError(f"no document or jurisdiction matches {selector!r}", where="jurisdiction",
                             hint=f"use a document id, place id or place name; known: {known}")
        for j in hits:
            chosen.setdefault(j.document, j)
    return list(chosen.values())


# --------------------------------------------------------------------------------------
# Facts: what the queries return, read once per comparison


class _Vocab:
    """Labels of concepts and classes, and the class and concept trees (rdfs:subClassOf,
    skos:broader), from the ontology in the store."""

    def __init__(self, store: Store):
        best: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
        rank = {"prefLabel": 0, "label": 1, "altLabel": 2}
        for row in _select(store, _Q_LABELS):
            iri, lit, prop = str(row["x"]), row["l"], local_name(str(row["p"]))
            for tag in ("zh", "en"):
                if _lang(lit, tag):
                    old = best[iri].get(tag)
                    candidate = (rank[prop], str(lit))
                    if old is None or candidate < old:
                        best[iri][tag] = candidate
        self.labels = {iri: (tags.get("zh", (0, ""))[1], tags.get("en", (0, ""))[1]) for iri, tags in best.items()}
        self.parents: dict[str, set[str]] = defaultdict(set)
        for row in _select(store, _Q_CLASSES):
            self.parents[str(row["c"])].add(str(row["s"]))
        self.body_classes = {c for c in set(self.parents) | {_BODY} if self.is_a(c, _BODY)}

    def is_a(self, cls: str, ancestor: str) -> bool:
        """Whether class ``cls`` is ``ancestor`` or a subclass of it (a concept: narrower than it)."""
        seen, todo = set(), [cls]
        while todo:
            here = todo.pop()
            if here == ancestor:
                return True
            if here not in seen:
                seen.add(here)
                todo.extend(self.parents.get(here, ()))
        return False

    def most_specific(self, types: Iterable[str]) -> str:
        """The most specific body class among ``types`` (ties broken by name)."""
        candidates = sorted(t for t in types if t in self.body_classes)
        if not candidates:
            return _BODY
        leaves = [t for t in candidates if not any(o != t and self.is_a(o, t) for o in candidates)]
        return leaves[0]

    def term(self, iri: str, kind: str = "") -> Term:
        zh, en = self.labels.get(iri, ("", ""))
        return Term(iri, local_name(iri), zh, en or local_name(iri).replace("_", " "), kind)

    def holder_for_class(self, cls: str) -> Term:
        zh, en = self.labels.get(cls, ("", ""))
        name = local_name(cls)
        return Term(cls, f"body:{name}", f"{zh or name}（机构）", f"{en or name} (body)", "body")


def _order(terms: Iterable[Term], preferred: Sequence[str]) -> list[Term]:
    rank = {name: i for i, name in enumerate(preferred)}
    return sorted(set(terms), key=lambda t: (rank.get(local_name(t.iri), len(rank)), t.id))


def _order_holders(terms: Iterable[Term]) -> list[Term]:
    roles = _order([t for t in terms if t.kind == "role"], _ROLE_ORDER)
    bodies = _order([t for t in terms if t.kind == "body"], _BODY_ORDER)
    rest = sorted({t for t in terms if t.kind not in ("role", "body")}, key=lambda t: t.id)
    return roles + bodies + rest


@dataclass
class _Post:
    iri: str
    slug: str
    roles: list[Term] = field(default_factory=list)   # one person may hold several titles
    label: str = ""
    alts: set[str] = field(default_factory=set)
    levels: set[str] = field(default_factory=set)
    body: str | None = None


@dataclass
class _Body:
    iri: str
    slug: str
    types: set[str] = field(default_factory=set)
    label: str = ""


@dataclass
class _Duty:
    iri: str
    slug: str
    types: set[str] = field(default_factory=set)
    freqs: set[str] = field(default_factory=set)
    text: str = ""


class _Facts:
    """The selected documents' posts, bodies, duties and links, each read by one query on demand."""

    def __init__(self, store: Store, juris: Sequence[Jurisdiction], terms: _Vocab | None = None):
        self.store = store
        self.juris = tuple(juris)
        self.slug_of = {j.document: j.slug for j in self.juris}
        self._vocab = terms

    @functools.cached_property
    def vocab(self) -> _Vocab:
        return self._vocab or _Vocab(self.store)

    def _rows(self, template: str, **extra: str) -> list[dict[str, Any]]:
        if not self.juris:
            return []
        return _select(self.store, _fill(template, docs=_values("doc", self.slug_of), **extra))

    @functools.cached_property
    def posts(self) -> dict[str, _Post]:
        out: dict[str, _Post] = {}
        for row in self._rows(_Q_POSTS):
            iri = str(row["post"])
            post = out.setdefault(iri, _Post(iri, self.slug_of[str(row["doc"])]))
            role = self.vocab.term(str(row["role"]), "role") if row.get("role") is not None else None
            if role is not None and role not in post.roles:
                post.roles.append(role)
            if row.get("label") is not None and (not post.label or _lang(row["label"], "zh")):
                post.label = str(row["label"])
            if row.get("alt") is not None:
                post.alts.add(str(row["alt"]))
            if row.get("level") is not None:
                post.levels.add(str(row["level"]))
            if row.get("body") is not None:
                post.body = str(row["body"])
        for post in out.values():
            post.roles = _order(post.roles, _ROLE_ORDER) or [
                Term("", "unknown_role", "（未归类岗位）", "(post without a role)", "role")]
        return out

    @functools.cached_property
    def bodies(self) -> dict[str, _Body]:
        out: dict[str, _Body] = {}
        rows = self._rows(_Q_BODIES, types=_values("type", sorted(self.vocab.body_classes)))
        for row in rows:
            iri = str(row["body"])
            body = out.setdefault(iri, _Body(iri, self.slug_of[str(row["doc"])]))
            body.types.add(str(row["type"]))
            if row.get("label") is not None and (not body.label or _lang(row["label"], "zh")):
                body.label = str(row["label"])
        return out

    @functools.cached_property
    def duties(self) -> dict[str, _Duty]:
        out: dict[str, _Duty] = {}
        for row in self._rows(_Q_DUTIES):
            iri = str(row["duty"])
            duty = out.setdefault(iri, _Duty(iri, self.slug_of[str(row["doc"])]))
            if row.get("type") is not None:
                duty.types.add(str(row["type"]))
            if row.get("freq") is not None:
                duty.freqs.add(str(row["freq"]))
            if row.get("text") is not None:
                duty.text = str(row["text"])
        return out

    @functools.cached_property
    def links(self) -> list[tuple[str, str, str, str]]:
        """(slug, subject, link name, object) for the structural links of `_LINKS`."""
        return [(self.slug_of[str(r["doc"])], str(r["s"]), _LINKS[str(r["p"])], str(r["o"]))
                for r in self._rows(_Q_LINKS)]

    @functools.cached_property
    def holdings(self) -> list[tuple[str, str]]:
        """(holder, duty) pairs."""
        return [(s, o) for _, s, link, o in self.links if link == "hasDuty"]

    def holders(self, iri: str) -> list[Term]:
        """The roles of a post, or the class of a body, that holds duties under ``iri``."""
        if iri in self.posts:
            return self.posts[iri].roles
        if iri in self.bodies:
            return [self.vocab.holder_for_class(self.vocab.most_specific(self.bodies[iri].types))]
        return []

    def written(self, iri: str) -> list[str]:
        """The labels a document writes for a post or body: its label, then its other wordings."""
        if iri in self.posts:
            post = self.posts[iri]
            return [post.label] + sorted(post.alts - {post.label}) if post.label else sorted(post.alts)
        if iri in self.bodies:
            return [self.bodies[iri].label] if self.bodies[iri].label else []
        return []


def _context(store: Store, selected: Sequence[str | Jurisdiction] | None) -> _Facts:
    return _Facts(store, jurisdictions(store, selected))


# --------------------------------------------------------------------------------------
# 1. Role × duty type


@dataclass(frozen=True)
class RoleDutyMatrix:
    """Distinct duties of each (holder, duty type) per jurisdiction, and who exists where.

    ``counts[holder id][slug][duty type id]`` counts distinct duties (a duty with two types
    counts under both); ``totals[holder id][slug]`` counts each duty once. A holder absent
    from a jurisdiction has no entry there (shown "—"), unlike one present with no duty (0).
    ``labels[holder id][slug]`` lists the labels the document writes, e.g. 分管安全生产工作的负责人.
    """

    jurisdictions: tuple[Jurisdiction, ...]
    holders: tuple[Term, ...]
    duty_types: tuple[Term, ...]
    counts: dict[str, dict[str, dict[str, int]]]
    totals: dict[str, dict[str, int]]
    present: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, tuple[str, ...]]]

    def count(self, holder: str, slug: str, duty_type: str) -> int | None:
        """Distinct duties of a type, 0 if the holder has none of it, None if the holder is absent."""
        if slug not in self.present.get(holder, ()):
            return None
        return self.counts.get(holder, {}).get(slug, {}).get(duty_type, 0)

    def pairs(self, slug: str) -> frozenset[tuple[str, str]]:
        """The (holder id, duty type id) pairs a jurisdiction has at least one duty for."""
        return frozenset((h, t) for h, by_slug in self.counts.items()
                         for t, n in by_slug.get(slug, {}).items() if n)

    def only_in(self) -> dict[str, str]:
        """Holder id -> the one jurisdiction (slug) where it exists, for holders found in exactly one."""
        return {h: slugs[0] for h, slugs in self.present.items() if len(slugs) == 1}

    def missing(self, slug: str) -> list[Term]:
        """Holders that exist in another selected jurisdiction but not in this one."""
        return [h for h in self.holders if self.present.get(h.id) and slug not in self.present[h.id]]

    def rows(self) -> list[dict[str, Any]]:
        """Long format: one dict per (holder, jurisdiction, duty type) with a non-zero count."""
        out = []
        for h in self.holders:
            for j in self.jurisdictions:
                for t in self.duty_types:
                    n = self.count(h.id, j.slug, t.id)
                    if n:
                        out.append({"holder": h.id, "holder_zh": h.zh, "holder_en": h.en,
                                    "jurisdiction": j.slug, "duty_type": t.id, "duty_type_zh": t.zh,
                                    "duty_type_en": t.en, "duties": n})
        return out


def _matrix(facts: _Facts, include_bodies: bool = True) -> RoleDutyMatrix:
    duties = facts.duties
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    seen_types: dict[str, Term] = {}
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    per_holder: dict[tuple[str, str], set[str]] = defaultdict(set)
    per_type: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    terms: dict[str, Term] = {}
    for holder_iri, duty_iri in facts.holdings:
        duty = duties.get(duty_iri)
        if duty is None:
            continue
        for holder in facts.holders(holder_iri):
            if holder.kind == "body" and not include_bodies:
                continue
            terms[holder.id] = holder
            per_holder[(holder.id, duty.slug)].add(duty_iri)
            for t in duty.types:
                term = seen_types.setdefault(t, facts.vocab.term(t, "dutytype"))
                per_type[(holder.id, duty.slug, term.id)].add(duty_iri)
    for (h, slug, t), members in per_type.items():
        counts[h][slug][t] = len(members)
    for (h, slug), members in per_holder.items():
        totals[h][slug] = len(members)
    present: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for post in facts.posts.values():
        for role in post.roles:
            terms.setdefault(role.id, role)
            present[role.id].add(post.slug)
            for text in facts.written(post.iri):
                if text not in labels[role.id][post.slug]:
                    labels[role.id][post.slug].append(text)
    # body classes appear only if some body of the class holds duties somewhere; a body is
    # present under each such class it belongs to (a supervisory department is a department)
    classes = [t for t in terms.values() if t.kind == "body"]
    for body in facts.bodies.values():
        for holder in classes:
            if any(facts.vocab.is_a(t, holder.iri) for t in body.types):
                present[holder.id].add(body.slug)
                for text in facts.written(body.iri):
                    if text not in labels[holder.id][body.slug]:
                        labels[holder.id][body.slug].append(text)
    order = {j.slug: i for i, j in enumerate(facts.juris)}
    return RoleDutyMatrix(
        jurisdictions=facts.juris,
        holders=tuple(_order_holders(terms.values())),
        duty_types=tuple(_order(seen_types.values(), _DUTY_ORDER)),
        counts={h: {s: dict(c) for s, c in by.items()} for h, by in counts.items()},
        totals={h: dict(by) for h, by in totals.items()},
        present={h: tuple(sorted(s, key=order.__getitem__)) for h, s in present.items()},
        labels={h: {s: tuple(v) for s, v in by.items()} for h, by in labels.items()},
    )


def role_duty_matrix(store: Store, selected: Sequence[str | Jurisdiction] | None = None, *,
                     include_bodies: bool = True) -> RoleDutyMatrix:
    """Role × duty type per jurisdiction, with presence and labels as written (three queries).

    Args:
        store: any `kgtool.store.Store`.
        selected: jurisdictions as for `jurisdictions` (default: all documents).
        include_bodies: also compare bodies that hold duties themselves, by body class.

    Returns:
        A `RoleDutyMatrix`.

    Raises:
        QueryError: if a selector matches no document.
    """
    return _matrix(_context(store, selected), include_bodies)


# --------------------------------------------------------------------------------------
# 2. Frequencies


@dataclass(frozen=True)
class Requirement:
    """One frequency requirement as a document states it."""

    jurisdiction: str          # slug
    holder: Term
    holder_written: str        # the post or body as the document names it
    body: str                  # for a post, the body it is in, as the document names it
    action: Term
    times_per_year: Decimal
    period: str | None         # ISO 8601 duration, e.g. "P3M"
    min_occurrences: int | None
    text: str                  # the wording, e.g. 每季度至少1次系统听取安全生产工作情况汇报
    provision: str | None      # IRI of the provision it was read from
    marker: str | None         # the provision's marker, e.g. "(一)"
    iri: str = ""


@dataclass(frozen=True)
class FrequencyRow:
    """One (holder, action): the binding minimum per jurisdiction and who is strictest.

    ``values[slug]`` is the highest of that jurisdiction's minima for the row (at least two
    topical meetings a year binds harder than at least one), and ``requirements[slug]`` all of
    them. ``strictest`` and ``laxest`` name the jurisdictions with the highest and lowest value
    among those that state one; a jurisdiction that states no number is in neither.
    """

    holder: Term
    action: Term
    values: dict[str, Decimal]
    requirements: dict[str, tuple[Requirement, ...]]
    strictest: tuple[str, ...]
    laxest: tuple[str, ...]


@dataclass(frozen=True)
class FrequencyTable:
    """Minimum times per year, normalised (每季度至少1次 = 4, 每半年 = 2, 每三年 = 0.33)."""

    jurisdictions: tuple[Jurisdiction, ...]
    rows: tuple[FrequencyRow, ...]

    def value(self, holder: str, action: str, slug: str) -> Decimal | None:
        """The binding minimum of a (holder id, action id) row in a jurisdiction, if stated."""
        for row in self.rows:
            if row.holder.id == holder and row.action.id == action:
                return row.values.get(slug)
        return None

    def row(self, holder: str, action: str) -> FrequencyRow | None:
        return next((r for r in self.rows if r.holder.id == holder and r.action.id == action), None)

    def requirements(self) -> list[Requirement]:
        return [req for row in self.rows for reqs in row.requirements.values() for req in reqs]


def _decimal(term: Any) -> Decimal | None:
    if term is None:
        return None
    try:
        return Decimal(str(term))
    except InvalidOperation:
        return None


def _frequencies(facts: _Facts) -> FrequencyTable:
    rows = facts._rows(_Q_FREQUENCIES)
    holders_of: dict[str, list[str]] = defaultdict(list)
    for holding_iri, held_iri in facts.holdings:
        holders_of[held_iri].append(holding_iri)
    seen: dict[str, dict[str, Any]] = {}
    duty_of: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        f = str(row["f"])
        seen.setdefault(f, row)
        if row.get("duty") is not None:
            duty_of[f].add(str(row["duty"]))
    found: dict[tuple[str, str], dict[str, list[Requirement]]] = defaultdict(lambda: defaultdict(list))
    terms: dict[str, Term] = {}
    for f, row in seen.items():
        period = str(row["period"]) if row.get("period") is not None else None
        count = int(row["min"]) if row.get("min") is not None else None
        tpy = _decimal(row.get("tpy"))
        if tpy is None and period:
            tpy = times_per_year(period, count or 1)
        if tpy is None or row.get("action") is None:
            continue
        action = facts.vocab.term(str(row["action"]), "dutytype")
        slug = facts.slug_of[str(row["doc"])]
        holding = [h for d in sorted(duty_of.get(f, ())) for h in holders_of.get(d, [])]
        done: set[str] = set()
        pairs = [(h, t) for h in holding for t in facts.holders(h)] if holding else [("", _NONE_HOLDER)]
        for holder_iri, holder in pairs:
            if holder.id in done:
                continue
            done.add(holder.id)
            terms[holder.id], terms[action.id] = holder, action
            written = facts.written(holder_iri)
            post = facts.posts.get(holder_iri)
            body = facts.bodies.get(post.body) if post is not None and post.body else None
            found[(holder.id, action.id)][slug].append(Requirement(
                jurisdiction=slug, holder=holder, holder_written=written[0] if written else "",
                body=body.label if body is not None else "", action=action, times_per_year=tpy, period=period, min_occurrences=count,
                text=str(row.get("text", "")), provision=str(row["prov"]) if row.get("prov") is not None else None,
                marker=str(row["marker"]) if row.get("marker") is not None else None, iri=f))
    holder_rank = {t.id: i for i, t in enumerate(_order_holders([terms[h] for h, _ in found]))}
    if _NONE_HOLDER.id in {h for h, _ in found}:
        holder_rank[_NONE_HOLDER.id] = len(holder_rank)
    action_rank = {t.id: i for i, t in enumerate(_order([terms[a] for _, a in found], _DUTY_ORDER))}
    out = []
    for (h, a) in sorted(found, key=lambda k: (holder_rank[k[0]], action_rank[k[1]])):
        by_slug = found[(h, a)]
        reqs = {s: tuple(sorted(v, key=lambda r: (-r.times_per_year, r.text))) for s, v in by_slug.items()}
        values = {s: max(r.times_per_year for r in v) for s, v in reqs.items()}
        order = [j.slug for j in facts.juris if j.slug in values]
        top, bottom = max(values.values()), min(values.values())
        out.append(FrequencyRow(
            holder=terms[h], action=terms[a], values={s: values[s] for s in order},
            requirements={s: reqs[s] for s in order},
            strictest=tuple(s for s in order if values[s] == top),
            laxest=tuple(s for s in order if values[s] == bottom)))
    return FrequencyTable(facts.juris, tuple(out))


def frequency_table(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> FrequencyTable:
    """Minimum times per year of each (holder, action) per jurisdiction, with the wording.

    Args:
        store: any `kgtool.store.Store`.
        selected: jurisdictions as for `jurisdictions` (default: all documents).

    Returns:
        A `FrequencyTable`; requirements tied to no post or body are under the holder
        "unassigned" (e.g. an annual drill stated for the whole organisation).
    """
    return _frequencies(_context(store, selected))


# --------------------------------------------------------------------------------------
# 3. Principles and sanctions


@dataclass(frozen=True)
class ConceptMatrix:
    """Which concepts (principles or sanctions) each document invokes."""

    kind: str                                  # "principle" or "sanction"
    jurisdictions: tuple[Jurisdiction, ...]
    concepts: tuple[Term, ...]
    present: dict[str, tuple[str, ...]]        # concept id -> slugs invoking it

    def invokes(self, slug: str, concept: str) -> bool:
        return slug in self.present.get(concept, ())

    @property
    def shared_by_all(self) -> tuple[Term, ...]:
        """Concepts every selected document invokes."""
        every = {j.slug for j in self.jurisdictions}
        return tuple(c for c in self.concepts if every and set(self.present.get(c.id, ())) == every)

    @property
    def unique(self) -> dict[str, tuple[Term, ...]]:
        """Slug -> concepts only that document invokes (with two or more documents selected)."""
        out: dict[str, list[Term]] = {j.slug: [] for j in self.jurisdictions}
        if len(self.jurisdictions) < 2:
            return {s: () for s in out}
        for c in self.concepts:
            slugs = self.present.get(c.id, ())
            if len(slugs) == 1:
                out[slugs[0]].append(c)
        return {s: tuple(v) for s, v in out.items()}

    def of(self, slug: str) -> tuple[Term, ...]:
        return tuple(c for c in self.concepts if self.invokes(slug, c.id))


def _invoked(facts: _Facts) -> dict[str, ConceptMatrix]:
    by_kind: dict[str, dict[str, set[str]]] = {"principle": defaultdict(set), "sanction": defaultdict(set)}
    terms: dict[str, Term] = {}
    for row in facts._rows(_Q_INVOKED):
        kind = "principle" if local_name(str(row["p"])) == "invokesPrinciple" else "sanction"
        if kind == "sanction" and any(facts.vocab.is_a(str(row["c"]), k) for k in _NOT_SANCTIONS):
            continue  # a reward (表扬) or a mitigation (从轻追究) is provided for, but is no sanction
        term = facts.vocab.term(str(row["c"]), kind)
        terms[term.iri] = term
        by_kind[kind][term.iri].add(facts.slug_of[str(row["doc"])])
    order = {j.slug: i for i, j in enumerate(facts.juris)}
    out = {}
    for kind, found in by_kind.items():
        # most widely invoked first, so "shared by all" sits on top and "unique" at the bottom
        concepts = sorted((terms[i] for i in found), key=lambda t: (-len(found[t.iri]), t.id))
        out[kind] = ConceptMatrix(kind, facts.juris, tuple(concepts),
                                  {terms[i].id: tuple(sorted(s, key=order.__getitem__)) for i, s in found.items()})
    return out


def principle_matrix(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> ConceptMatrix:
    """Which principles (党政同责, 一岗双责, 管行业必须管安全 …) each document invokes (one query)."""
    return _invoked(_context(store, selected))["principle"]


def sanction_matrix(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> ConceptMatrix:
    """Which sanctions (通报, 诫勉, 约谈 …) each document provides for (one query); not its rewards
    (表扬, 评先评优) or mitigations (从轻、减轻追究, 尽职免责)."""
    return _invoked(_context(store, selected))["sanction"]


# --------------------------------------------------------------------------------------
# 4. Structure


@dataclass(frozen=True)
class StructureMeasures:
    """What an analyst reads off one document's organisation graph.

    ``depth`` is the longest chain of org:postIn / org:subOrganizationOf links, in links
    (post → town → city government = 2), and ``depth_chain`` its labels. ``idle_posts`` are
    posts with no duty or only catch-all (dutytype:other) duties, by the label as written.
    """

    jurisdiction: Jurisdiction
    posts: int
    bodies: int
    duties: int
    depth: int
    depth_chain: tuple[str, ...]
    duties_per_post: float
    frequency_share: float
    idle_post_share: float
    idle_posts: tuple[str, ...]
    body_duty_share: float


def _graphs(facts: _Facts) -> dict[str, nx.DiGraph]:
    graphs = {j.slug: nx.DiGraph(document=j.document, jurisdiction=j.text, slug=j.slug) for j in facts.juris}
    tpy: dict[str, Decimal] = {}
    for row in facts._rows(_Q_FREQUENCIES):
        value = _decimal(row.get("tpy"))
        if value is None and row.get("period") is not None:
            value = times_per_year(str(row["period"]), int(row["min"]) if row.get("min") is not None else 1)
        if value is not None:
            tpy[str(row["f"])] = max(value, tpy.get(str(row["f"]), value))
    for body in facts.bodies.values():
        cls = facts.vocab.most_specific(body.types)
        graphs[body.slug].add_node(body.iri, kind="body", label=body.label or local_name(body.iri),
                                   **{"class": local_name(cls)}, document=body.slug)
    for post in facts.posts.values():
        attrs: dict[str, Any] = {"kind": "post", "label": post.label or local_name(post.iri),
                                 "role": ";".join(r.id for r in post.roles), "document": post.slug}
        if post.levels:
            attrs["level"] = ";".join(sorted(local_name(v) for v in post.levels))
        if post.alts:
            attrs["written"] = ";".join(sorted(post.alts))
        graphs[post.slug].add_node(post.iri, **attrs)
    for duty in facts.duties.values():
        attrs = {"kind": "duty", "label": duty.text[:40] + ("…" if len(duty.text) > 40 else ""),
                 "text": duty.text, "duty_types": ";".join(sorted(local_name(t) for t in duty.types)),
                 "document": duty.slug}
        rates = [tpy[f] for f in duty.freqs if f in tpy]
        if rates:
            attrs["times_per_year"] = float(max(rates))
        graphs[duty.slug].add_node(duty.iri, **attrs)
    for slug, s, link, o in facts.links:
        graph = graphs[slug]
        if s in graph and o in graph:  # links to things outside the document stay out
            graph.add_edge(s, o, relation=link)
    return graphs


def structure_graphs(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> dict[str, nx.DiGraph]:
    """One networkx DiGraph per document: bodies, posts and duties, and the links between them.

    Nodes are IRIs with ``kind`` (body, post, duty), ``label``, ``document`` and, by kind,
    ``class``, ``role``, ``level``, ``duty_types``, ``times_per_year``; edges carry ``relation``
    (subOrganizationOf, postIn, hasDuty, memberOfGroup, supervisedBy). Five queries in all.
    """
    return _graphs(_context(store, selected))


def _depth(graph: nx.DiGraph) -> list[str]:
    """The longest postIn / subOrganizationOf chain, as its nodes."""
    chain = nx.DiGraph()
    chain.add_edges_from((u, v) for u, v, rel in graph.edges(data="relation") if rel in _CHAIN_LINKS)
    if chain.number_of_edges() == 0:
        return []
    if not nx.is_directed_acyclic_graph(chain):  # a cycle in the data: measure its condensation
        condensed = nx.condensation(chain)
        path = nx.dag_longest_path(condensed)
        return [sorted(condensed.nodes[c]["members"])[0] for c in path]
    return nx.dag_longest_path(chain)


def _measure(graph: nx.DiGraph, jurisdiction: Jurisdiction) -> StructureMeasures:
    kinds = nx.get_node_attributes(graph, "kind")
    posts = [n for n, k in kinds.items() if k == "post"]
    bodies = [n for n, k in kinds.items() if k == "body"]
    duties = [n for n, k in kinds.items() if k == "duty"]
    held = {n: [v for _, v, rel in graph.out_edges(n, data="relation") if rel == "hasDuty"] for n in graph}

    def catch_all(duty: str) -> bool:
        types = set(filter(None, graph.nodes[duty].get("duty_types", "").split(";")))
        return types <= {_CATCH_ALL}

    idle = [p for p in posts if all(catch_all(d) for d in held[p])]
    by_bodies = {d for b in bodies for d in held[b]}
    chain = _depth(graph)
    return StructureMeasures(
        jurisdiction=jurisdiction, posts=len(posts), bodies=len(bodies), duties=len(duties),
        depth=max(len(chain) - 1, 0), depth_chain=tuple(graph.nodes[n].get("label", n) for n in chain),
        duties_per_post=(sum(len(held[p]) for p in posts) / len(posts)) if posts else 0.0,
        frequency_share=(sum(1 for d in duties if "times_per_year" in graph.nodes[d]) / len(duties)) if duties else 0.0,
        idle_post_share=(len(idle) / len(posts)) if posts else 0.0,
        idle_posts=tuple(sorted(graph.nodes[p].get("label", p) for p in idle)),
        body_duty_share=(len(by_bodies) / len(duties)) if duties else 0.0)


def structure(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> list[StructureMeasures]:
    """Structure measures per document (posts, bodies, depth, duties per post, shares)."""
    facts = _context(store, selected)
    graphs = _graphs(facts)
    return [_measure(graphs[j.slug], j) for j in facts.juris]


def structure_graphml(graphs: Mapping[str, nx.DiGraph]) -> bytes:
    """The structure graphs as one GraphML file (for Gephi or Cytoscape); ``document`` tells them apart."""
    union = nx.DiGraph(name="kgtool structure", documents=";".join(graphs))
    for graph in graphs.values():
        union.add_nodes_from(graph.nodes(data=True))
        union.add_edges_from(graph.edges(data=True))
    buffer = io.BytesIO()
    nx.write_graphml(union, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Similarity


@dataclass(frozen=True)
class PairSimilarity:
    """Why two jurisdictions are close or far: their shared and distinct (holder, duty type) pairs."""

    a: str
    b: str
    jaccard: float
    wl: float
    shared: tuple[tuple[Term, Term], ...]
    only_a: tuple[tuple[Term, Term], ...]
    only_b: tuple[tuple[Term, Term], ...]
    shared_nodes: tuple[str, ...]  # node labels of the structure graphs found in both (WL iteration 0)

    @property
    def reason(self) -> str:
        """One line: how many pairs are shared, and the holders that share most and differ most."""
        union = len(self.shared) + len(self.only_a) + len(self.only_b)
        return (f"{len(self.shared)}/{union} pairs shared; shared: {_grouped(self.shared)}; "
                f"only {self.a}: {_grouped(self.only_a)}; only {self.b}: {_grouped(self.only_b)}")


@dataclass(frozen=True)
class Similarity:
    """Two similarity matrices over the same jurisdictions (rows and columns in the same order).

    ``jaccard``: |shared (holder, duty type) pairs| / |pairs of either|. ``wl``: cosine of the
    Weisfeiler-Lehman subtree histograms of the structure graphs (node labels: body class,
    post role, duty types; edge labels: the link), so it also weighs how duties hang together.
    Both are symmetric, 1.0 on the diagonal, in [0, 1].
    """

    jurisdictions: tuple[Jurisdiction, ...]
    jaccard: tuple[tuple[float, ...], ...]
    wl: tuple[tuple[float, ...], ...]
    pairs: tuple[PairSimilarity, ...]
    iterations: int

    def pair(self, a: str, b: str) -> PairSimilarity | None:
        for p in self.pairs:
            if {p.a, p.b} == {a, b}:
                return p
        return None

    def value(self, measure: str, a: str, b: str) -> float:
        index = {j.slug: i for i, j in enumerate(self.jurisdictions)}
        return getattr(self, measure)[index[a]][index[b]]


def _grouped(pairs: Sequence[tuple[Term, Term]], limit: int = 4) -> str:
    """Pairs grouped by holder, biggest groups first: "分管安全生产负责人(检查, 会议) …"."""
    if not pairs:
        return "—"
    groups: dict[Term, list[Term]] = defaultdict(list)
    for holder, duty_type in pairs:
        groups[holder].append(duty_type)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0].id))
    parts = [f"{h.zh or h.id}({', '.join(t.zh or t.id for t in ts)})" for h, ts in ranked[:limit]]
    if len(ranked) > limit:
        parts.append(f"+{len(ranked) - limit} more")
    return "; ".join(parts)


def _wl_histogram(graph: nx.DiGraph, iterations: int) -> Counter[str]:
    """Weisfeiler-Lehman subtree features of a structure graph, counted."""
    g = nx.Graph()
    features: Counter[str] = Counter()
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        if kind == "body":
            label = f"body:{data.get('class')}"
            features["0|" + label] += 1
        elif kind == "post":
            label = f"post:{data.get('role')}"
            features["0|" + label] += 1
        else:
            types = sorted(filter(None, data.get("duty_types", "").split(";")))
            label = "duty:" + "+".join(types)
            for t in types or ["untyped"]:  # partial credit for duties sharing some of their types
                features[f"0|duty:{t}"] += 1
        g.add_node(node, wl=label)
    for u, v, rel in graph.edges(data="relation"):
        g.add_edge(u, v, relation=rel)
    if g.number_of_nodes() and iterations > 0:
        hashes = nx.weisfeiler_lehman_subgraph_hashes(g, node_attr="wl", edge_attr="relation",
                                                      iterations=iterations)
        for per_node in hashes.values():
            for depth, digest in enumerate(per_node, start=1):
                features[f"{depth}|{digest}"] += 1
    return features


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine of two count vectors, clamped to [0, 1].

    >>> _cosine(Counter(x=1), Counter(x=2)), _cosine(Counter(x=1), Counter(y=1)), _cosine(Counter(), Counter())
    (1.0, 0.0, 0.0)
    """
    dot = sum(n * b.get(k, 0) for k, n in a.items())
    norm = math.sqrt(sum(n * n for n in a.values())) * math.sqrt(sum(n * n for n in b.values()))
    return min(max(dot / norm, 0.0), 1.0) if norm else 0.0


def _jaccard(a: frozenset, b: frozenset) -> float:
    """|a ∩ b| / |a ∪ b|; two empty sets are not alike (0.0).

    >>> _jaccard(frozenset({1, 2}), frozenset({2, 3}))
    0.3333333333333333
    """
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _similarity(facts: _Facts, iterations: int = 2, include_bodies: bool = True) -> Similarity:
    matrix = _matrix(facts, include_bodies)
    graphs = _graphs(facts)
    juris = facts.juris
    by_id = {h.id: h for h in matrix.holders}
    types = {t.id: t for t in matrix.duty_types}
    pairs = {j.slug: matrix.pairs(j.slug) for j in juris}
    hist = {j.slug: _wl_histogram(graphs[j.slug], iterations) for j in juris}
    n = len(juris)
    jac = [[1.0] * n for _ in range(n)]
    wl = [[1.0] * n for _ in range(n)]
    explained = []

    rank = {t.id: i for i, t in enumerate(_order_holders(by_id.values()))}  # once, not per pair

    def terms(items: Iterable[tuple[str, str]]) -> tuple[tuple[Term, Term], ...]:
        return tuple((by_id[h], types[t]) for h, t in sorted(items, key=lambda p: (rank[p[0]], p[1])))

    for i in range(n):
        for k in range(i + 1, n):
            a, b = juris[i].slug, juris[k].slug
            jac[i][k] = jac[k][i] = _jaccard(pairs[a], pairs[b])
            wl[i][k] = wl[k][i] = _cosine(hist[a], hist[b])
            nodes = sorted(key[2:] for key in set(hist[a]) & set(hist[b]) if key.startswith("0|"))
            explained.append(PairSimilarity(
                a=a, b=b, jaccard=jac[i][k], wl=wl[i][k], shared=terms(pairs[a] & pairs[b]),
                only_a=terms(pairs[a] - pairs[b]), only_b=terms(pairs[b] - pairs[a]), shared_nodes=tuple(nodes)))
    explained.sort(key=lambda p: (-p.jaccard, -p.wl, p.a, p.b))
    return Similarity(juris, tuple(map(tuple, jac)), tuple(map(tuple, wl)), tuple(explained), iterations)


def similarity(store: Store, selected: Sequence[str | Jurisdiction] | None = None, *,
               iterations: int = 2, include_bodies: bool = True) -> Similarity:
    """Similarity of every pair of jurisdictions, two ways, with the reason for each pair.

    Args:
        store: any `kgtool.store.Store`.
        selected: jurisdictions as for `jurisdictions` (default: all documents).
        iterations: Weisfeiler-Lehman refinement rounds (2: a post sees its duties' types and
            its body; its body's other posts one round later would need 3).
        include_bodies: count (body class, duty type) pairs in the Jaccard measure too; the
            graph kernel always sees the whole graph.

    Returns:
        A `Similarity` with both matrices and the pairs sorted from closest to farthest.
    """
    return _similarity(_context(store, selected), iterations, include_bodies)


# --------------------------------------------------------------------------------------
# 5. Pair diff


@dataclass(frozen=True)
class FrequencyDiff:
    """One action of a holder: each side's binding minimum per year and its wording."""

    action: Term
    a: Decimal | None
    b: Decimal | None
    text_a: tuple[str, ...]
    text_b: tuple[str, ...]

    @property
    def stricter(self) -> str | None:
        """"a", "b", or None when equal (or one side states no number: see a / b)."""
        if self.a is not None and (self.b is None or self.a > self.b):
            return "a"
        if self.b is not None and (self.a is None or self.b > self.a):
            return "b"
        return None


@dataclass(frozen=True)
class RoleDiff:
    """One holder (role or body class) in two jurisdictions."""

    holder: Term
    in_a: bool
    in_b: bool
    written_a: tuple[str, ...]
    written_b: tuple[str, ...]
    levels_a: tuple[Term, ...]
    levels_b: tuple[Term, ...]
    types_a: dict[str, int]           # duty type id -> distinct duties
    types_b: dict[str, int]
    only_a: tuple[Term, ...]          # duty types only a demands of this holder
    only_b: tuple[Term, ...]
    both: tuple[Term, ...]
    frequencies: tuple[FrequencyDiff, ...]

    @property
    def same(self) -> bool:
        """True when both demand the same duty types at the same frequencies and levels."""
        return (not self.only_a and not self.only_b and self.levels_a == self.levels_b
                and all(f.a == f.b for f in self.frequencies))


@dataclass(frozen=True)
class PairDiff:
    """What jurisdiction ``a`` demands that ``b`` does not, and the reverse, role by role."""

    a: Jurisdiction
    b: Jurisdiction
    roles: tuple[RoleDiff, ...]
    principles_only_a: tuple[Term, ...]
    principles_only_b: tuple[Term, ...]
    sanctions_only_a: tuple[Term, ...]
    sanctions_only_b: tuple[Term, ...]

    def role(self, holder: str) -> RoleDiff | None:
        return next((r for r in self.roles if r.holder.id == holder), None)

    def demands(self, side: str) -> list[str]:
        """Plain sentences of what one side ("a" or "b") demands and the other does not."""
        me, other = (self.a, self.b) if side == "a" else (self.b, self.a)
        lines = []
        for r in self.roles:
            mine, theirs = (r.in_a, r.in_b) if side == "a" else (r.in_b, r.in_a)
            types = r.only_a if side == "a" else r.only_b
            name = r.holder.text
            if mine and not theirs:
                what = "body" if r.holder.kind == "body" else "post"
                lines.append(f"{me.short} has {name}; {other.short} has no such {what}")
            elif types:
                lines.append(f"{name}: {me.short} also demands " + ", ".join(t.text for t in types))
            for f in r.frequencies:
                if f.stricter == side:
                    mine_v, theirs_v = (f.a, f.b) if side == "a" else (f.b, f.a)
                    lines.append(f"{name}: {f.action.text} at least {_num(mine_v)}/yr in {me.short}"
                                 f" (vs {_num(theirs_v) + '/yr' if theirs_v is not None else 'no number'})")
        for kind, terms in (("principle", self.principles_only_a if side == "a" else self.principles_only_b),
                            ("sanction", self.sanctions_only_a if side == "a" else self.sanctions_only_b)):
            if terms:
                lines.append(f"{kind}s only in {me.short}: " + ", ".join(t.text for t in terms))
        return lines


def _diff(facts: _Facts) -> PairDiff:
    a, b = facts.juris
    matrix = _matrix(facts)
    freq = _frequencies(facts)
    invoked = _invoked(facts)
    types = {t.id: t for t in matrix.duty_types}
    levels: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for post in facts.posts.values():
        for role in post.roles:
            levels[role.id][post.slug].update(post.levels)
    holders = list(matrix.holders)
    for row in freq.rows:
        if row.holder not in holders:
            holders.append(row.holder)
    out = []
    for h in holders:
        ta = matrix.counts.get(h.id, {}).get(a.slug, {})
        tb = matrix.counts.get(h.id, {}).get(b.slug, {})
        freqs = []
        for row in freq.rows:
            if row.holder.id == h.id:
                freqs.append(FrequencyDiff(
                    row.action, row.values.get(a.slug), row.values.get(b.slug),
                    tuple(r.text for r in row.requirements.get(a.slug, ())),
                    tuple(r.text for r in row.requirements.get(b.slug, ()))))
        out.append(RoleDiff(
            holder=h, in_a=a.slug in matrix.present.get(h.id, ()) or bool(ta),
            in_b=b.slug in matrix.present.get(h.id, ()) or bool(tb),
            written_a=matrix.labels.get(h.id, {}).get(a.slug, ()), written_b=matrix.labels.get(h.id, {}).get(b.slug, ()),
            levels_a=tuple(facts.vocab.term(v, "level") for v in sorted(levels[h.id][a.slug])),
            levels_b=tuple(facts.vocab.term(v, "level") for v in sorted(levels[h.id][b.slug])),
            types_a=dict(ta), types_b=dict(tb),
            only_a=tuple(types[t] for t in types if t in ta and t not in tb),
            only_b=tuple(types[t] for t in types if t in tb and t not in ta),
            both=tuple(types[t] for t in types if t in ta and t in tb),
            frequencies=tuple(freqs)))

    def only(kind: str, x: str, y: str) -> tuple[Term, ...]:
        m = invoked[kind]
        return tuple(c for c in m.concepts if m.invokes(x, c.id) and not m.invokes(y, c.id))

    return PairDiff(a, b, tuple(out), only("principle", a.slug, b.slug), only("principle", b.slug, a.slug),
                    only("sanction", a.slug, b.slug), only("sanction", b.slug, a.slug))


def diff(store: Store, a: str | Jurisdiction, b: str | Jurisdiction) -> PairDiff:
    """What one jurisdiction demands that the other does not: posts, duty types, frequencies, levels.

    Args:
        store: any `kgtool.store.Store`.
        a, b: one document each (a slug, place id or label that selects exactly one document).

    Raises:
        QueryError: if either selects no document or several, or both select the same one.
    """
    picked = []
    for side in (a, b):
        found = jurisdictions(store, [side])
        if len(found) != 1:
            raise QueryError(f"{side!r} selects {len(found)} documents; a diff compares exactly two",
                             where="jurisdiction", hint="name each side by its document id, e.g. wuxi-towns-2021")
        picked.append(found[0])
    if picked[0].document == picked[1].document:
        raise QueryError(f"both sides select {picked[0].slug}", where="jurisdiction", hint="name two different documents")
    return _diff(_Facts(store, picked))


_pair_diff = diff  # compare_command_output's ``diff`` flag shadows the function's name


# --------------------------------------------------------------------------------------
# Rendering: sections of rows for table / CSV / HTML; JSON from the dataclasses


@dataclass(frozen=True)
class _Section:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    max_cell: int = 60


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (Decimal, float)):
        return _num(value)
    if isinstance(value, Term):
        return value.text
    return str(value)


def _clip(text: str, limit: int) -> str:
    text = text.replace("\n", " ")
    if width(text) <= limit:
        return text
    while text and width(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def _text_table(section: _Section) -> str:
    cells = [[_clip(_cell(v), section.max_cell) for v in row] for row in section.rows]
    heads = [_clip(h, section.max_cell) for h in section.headers]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(heads)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    out = [section.title, "=" * min(width(section.title), 100)] if section.title else []
    out += [line(heads), line(["-" * w for w in widths])] + [line(r) for r in cells]
    if section.note:
        out.append(section.note)
    return "\n".join(out)


def _csv(section: _Section) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(section.headers)
    writer.writerows([["" if v is None else _cell(v) for v in row] for row in section.rows])
    return buffer.getvalue()


def _html(sections: Sequence[_Section]) -> str:
    parts = ['<div class="kg-compare">']
    for s in sections:
        parts.append("<section>")
        if s.title:
            parts.append(f"<h3>{html.escape(s.title)}</h3>")
        parts.append("<table>")
        parts.append("<thead><tr>" + "".join(f'<th scope="col">{html.escape(h)}</th>' for h in s.headers)
                     + "</tr></thead>")
        parts.append("<tbody>")
        for row in s.rows:
            cells = []
            for i, v in enumerate(row):
                text = html.escape(_cell(v))
                tag = "th" if i == 0 else "td"
                extra = ' scope="row"' if i == 0 else (' class="num"' if isinstance(v, (int, float, Decimal)) else "")
                cells.append(f"<{tag}{extra}>{text}</{tag}>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
        if s.note:
            parts.append(f"<p>{html.escape(s.note)}</p>")
        parts.append("</section>")
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def _legend(juris: Sequence[Jurisdiction]) -> str:
    return "Jurisdictions 辖区: " + "; ".join(f"{j.short} = {j.en or j.slug} ({j.slug})" for j in juris)


def _roles_sections(m: RoleDutyMatrix) -> list[_Section]:
    heads = ("holder 责任主体", "duty type 职责类型") + tuple(j.short for j in m.jurisdictions)
    rows: list[tuple[Any, ...]] = []
    for h in m.holders:
        total = tuple(m.totals.get(h.id, {}).get(j.slug, 0) if j.slug in m.present.get(h.id, ()) else None
                      for j in m.jurisdictions)
        rows.append((h.text, "（全部）/ all duties") + total)
        for t in m.duty_types:
            values = tuple(m.count(h.id, j.slug, t.id) for j in m.jurisdictions)
            if any(values):
                rows.append(("", t.text) + values)
    note = _legend(m.jurisdictions) + ". Distinct duties; — = no such post or body in that document."
    return [_Section("Role × duty type 岗位 × 职责类型", heads, tuple(rows), note)]


def _roles_csv(m: RoleDutyMatrix) -> _Section:
    heads = ("holder", "holder_zh", "holder_en", "duty_type", "duty_type_zh", "duty_type_en") + tuple(
        j.slug for j in m.jurisdictions)
    rows = []
    for h in m.holders:
        rows.append((h.id, h.zh, h.en, "all", "全部", "all duties") + tuple(
            m.totals.get(h.id, {}).get(j.slug, 0) if j.slug in m.present.get(h.id, ()) else None
            for j in m.jurisdictions))
        for t in m.duty_types:
            values = tuple(m.count(h.id, j.slug, t.id) for j in m.jurisdictions)
            if any(values):
                rows.append((h.id, h.zh, h.en, t.id, t.zh, t.en) + values)
    return _Section("", heads, tuple(rows))


def _labels_sections(m: RoleDutyMatrix) -> list[_Section]:
    heads = ("holder 责任主体", "in 出现") + tuple(j.short for j in m.jurisdictions)
    rows = []
    for h in m.holders:
        slugs = m.present.get(h.id, ())
        rows.append((h.text, f"{len(slugs)}/{len(m.jurisdictions)}") + tuple(
            " | ".join(m.labels.get(h.id, {}).get(j.slug, ())) or ("（无）" if j.slug in slugs else None)
            for j in m.jurisdictions))
    only = m.only_in()
    slug_text = {j.slug: j.short for j in m.jurisdictions}
    missing = "; ".join(f"{j.short} lacks {len(m.missing(j.slug))}" for j in m.jurisdictions)
    note = (_legend(m.jurisdictions) + ". Only in one: "
            + (", ".join(f"{h.zh or h.id} ({slug_text[s]})" for h, s in
                         ((next(x for x in m.holders if x.id == k), v) for k, v in only.items()))
               if only and len(m.jurisdictions) > 1 else "—") + f". {missing}.")
    return [_Section("Roles and their labels as written 岗位及原文写法", heads, tuple(rows), note)]


def _frequency_sections(t: FrequencyTable, wording: bool) -> list[_Section]:
    short = {j.slug: j.short for j in t.jurisdictions}
    heads: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    if wording:
        heads = ("holder 责任主体", "action 事项", "jurisdiction 辖区", "times/yr 次/年", "period 周期",
                 "min 次数", "as written 原文岗位", "wording 原文", "provision 条款")
        rows = list((r.holder.text, r.action.text, short[r.jurisdiction], r.times_per_year, r.period,
                      r.min_occurrences, " · ".join(filter(None, (r.holder_written, r.body))), r.text,
                      _provision_id(r.provision))
                     for row in t.rows for s in row.requirements for r in row.requirements[s])
        return [_Section("Frequency requirements 频次要求（原文）", heads, tuple(rows), _legend(t.jurisdictions), 70)]
    heads = ("holder 责任主体", "action 事项") + tuple(j.short for j in t.jurisdictions) + (
        "strictest 最严", "laxest 最宽")
    rows = []
    for row in t.rows:
        cells = []
        for j in t.jurisdictions:
            value = row.values.get(j.slug)
            reqs = row.requirements.get(j.slug, ())
            distinct = sorted({r.times_per_year for r in reqs}, reverse=True)
            cells.append(None if value is None else (
                _num(value) + (f" ({', '.join(_num(v) for v in distinct)})" if len(distinct) > 1 else "")))
        several = len(row.values) > 1
        rows.append((row.holder.text, row.action.text, *cells,
                     ", ".join(short[s] for s in row.strictest) if several else "",
                     ", ".join(short[s] for s in row.laxest) if several else ""))
    note = (_legend(t.jurisdictions) + ". Minimum times per year (每季度 = 4, 每半年 = 2); several requirements "
            "in one document: the highest binds, all in brackets; — = no number stated. --wording shows the text.")
    return [_Section("Minimum times per year 每年最少次数", heads, tuple(rows), note)]


def _provision_id(iri: str | None) -> str:
    """The provision's own id, e.g. "s2.p1" from …/wuxi-towns-2021/provision/s2.p1."""
    return iri.rsplit("/provision/", 1)[-1] if iri else ""


def _frequency_csv(t: FrequencyTable) -> _Section:
    heads = ("holder", "holder_zh", "holder_en", "action", "action_zh", "action_en", "jurisdiction",
             "times_per_year", "binding", "period", "min_occurrences", "holder_as_written", "body_as_written",
             "wording", "provision", "strictest", "laxest")
    rows = []
    for row in t.rows:
        for slug, reqs in row.requirements.items():
            for r in reqs:
                rows.append((row.holder.id, row.holder.zh, row.holder.en, row.action.id, row.action.zh,
                             row.action.en, slug, r.times_per_year, r.times_per_year == row.values[slug],
                             r.period, r.min_occurrences, r.holder_written, r.body, r.text, r.provision,
                             ";".join(row.strictest), ";".join(row.laxest)))
    return _Section("", heads, tuple(rows))


def _principle_sections(matrices: Sequence[ConceptMatrix]) -> list[_Section]:
    out = []
    for m in matrices:
        heads = (f"{m.kind} {'原则' if m.kind == 'principle' else '问责方式'}",) + tuple(
            j.short for j in m.jurisdictions) + ("in 出现",)
        rows = tuple((c.text,) + tuple("✓" if m.invokes(j.slug, c.id) else "" for j in m.jurisdictions)
                     + (f"{len(m.present.get(c.id, ()))}/{len(m.jurisdictions)}",) for c in m.concepts)
        shared = ", ".join(c.zh or c.id for c in m.shared_by_all) or "none 无"
        unique = "; ".join(f"{j.short}: {', '.join(c.zh or c.id for c in m.unique[j.slug])}"
                           for j in m.jurisdictions if m.unique.get(j.slug)) or "none 无"
        title = "Principles invoked 援引的原则" if m.kind == "principle" else "Sanctions provided 规定的问责方式"
        out.append(_Section(title, heads, rows, f"Shared by all 全部共有: {shared}. Unique 独有: {unique}."))
    return out


def _principle_csv(matrices: Sequence[ConceptMatrix]) -> _Section:
    rows = []
    juris = matrices[0].jurisdictions if matrices else ()
    for m in matrices:
        for c in m.concepts:
            rows.append((m.kind, c.id, c.zh, c.en) + tuple(int(m.invokes(j.slug, c.id)) for j in juris)
                        + (len(m.present.get(c.id, ())),))
    return _Section("", ("kind", "concept", "zh", "en") + tuple(j.slug for j in juris) + ("documents",), tuple(rows))


def _structure_sections(measures: Sequence[StructureMeasures]) -> list[_Section]:
    heads = ("jurisdiction 辖区", "posts 岗位", "bodies 机构", "duties 职责", "depth 层级", "duties/post 岗均职责",
             "with frequency 有频次", "idle posts 空岗", "duties on bodies 机构职责", "longest chain 最长链",
             "idle posts as written 无实职岗位")
    rows = tuple((m.jurisdiction.short, m.posts, m.bodies, m.duties, m.depth, round(m.duties_per_post, 2),
                  f"{m.frequency_share:.0%}", f"{m.idle_post_share:.0%}", f"{m.body_duty_share:.0%}",
                  " → ".join(m.depth_chain), " | ".join(m.idle_posts)) for m in measures)
    note = (_legend([m.jurisdiction for m in measures]) + ". Idle: no duty, or only catch-all (其他) duties. "
            "Depth: links in the longest postIn/subOrganizationOf chain.")
    return [_Section("Structure 组织结构", heads, rows, note)]


def _structure_csv(measures: Sequence[StructureMeasures]) -> _Section:
    heads = ("jurisdiction", "posts", "bodies", "duties", "depth", "duties_per_post", "frequency_share",
             "idle_post_share", "body_duty_share", "longest_chain", "idle_posts")
    return _Section("", heads, tuple((m.jurisdiction.slug, m.posts, m.bodies, m.duties, m.depth,
                                      round(m.duties_per_post, 4), round(m.frequency_share, 4),
                                      round(m.idle_post_share, 4), round(m.body_duty_share, 4),
                                      " > ".join(m.depth_chain), ";".join(m.idle_posts)) for m in measures))


def _similarity_sections(s: Similarity) -> list[_Section]:
    short = {j.slug: j.short for j in s.jurisdictions}
    out = []
    for name, title, matrix in (("jaccard", "Jaccard over (role, duty type) pairs 岗位-职责对的Jaccard", s.jaccard),
                                ("wl", f"Weisfeiler-Lehman graph kernel ({s.iterations} rounds, cosine) 图核相似度",
                                 s.wl)):
        heads = ("",) + tuple(j.short for j in s.jurisdictions)
        rows = tuple((j.short,) + tuple(round(v, 2) for v in matrix[i]) for i, j in enumerate(s.jurisdictions))
        out.append(_Section(title, heads, rows))
    heads = ("pair 辖区对", "Jaccard", "WL", "shared 共有", "only first 仅前者", "only second 仅后者", "why 原因")
    rows = tuple((f"{short[p.a]} – {short[p.b]}", round(p.jaccard, 2), round(p.wl, 2), len(p.shared), len(p.only_a),
                  len(p.only_b), f"shared: {_grouped(p.shared, 3)} | only {short[p.a]}: {_grouped(p.only_a, 2)}"
                  f" | only {short[p.b]}: {_grouped(p.only_b, 2)}") for p in s.pairs)
    out.append(_Section("Pairs, closest first 辖区对（由近到远）", heads, rows, _legend(s.jurisdictions), 160))
    return out


def _similarity_csv(s: Similarity) -> _Section:
    def flat(pairs: Sequence[tuple[Term, Term]]) -> str:
        return ";".join(f"{h.id}:{t.id}" for h, t in pairs)

    heads = ("a", "b", "jaccard", "wl", "shared", "only_a", "only_b", "shared_pairs", "only_a_pairs", "only_b_pairs")
    return _Section("", heads, tuple((p.a, p.b, round(p.jaccard, 4), round(p.wl, 4), len(p.shared), len(p.only_a),
                                      len(p.only_b), flat(p.shared), flat(p.only_a), flat(p.only_b)) for p in s.pairs))


def _diff_rows(d: PairDiff) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for r in d.roles:
        if not (r.in_a or r.in_b):
            continue
        name = r.holder.text
        rows.append((name, "as written 原文", " | ".join(r.written_a) or ("（有）" if r.in_a else None),
                     " | ".join(r.written_b) or ("（有）" if r.in_b else None)))
        if r.levels_a or r.levels_b:
            rows.append(("", "level 责任层级", ", ".join(t.text for t in r.levels_a) or None,
                         ", ".join(t.text for t in r.levels_b) or None))
        if r.only_a or r.only_b:
            rows.append(("", "demands only here 独有职责",
                         ", ".join(f"{t.zh} {t.id} ({r.types_a[t.id]})" for t in r.only_a) or None,
                         ", ".join(f"{t.zh} {t.id} ({r.types_b[t.id]})" for t in r.only_b) or None))
        if r.both:
            rows.append(("", "both demand 共有职责", ", ".join(f"{t.zh} {t.id} ({r.types_a[t.id]})" for t in r.both),
                         ", ".join(f"{t.zh} {t.id} ({r.types_b[t.id]})" for t in r.both)))
        for f in r.frequencies:
            word = "stricter 更严" if f.a is not None and f.b is not None else "only here 仅此"
            mark = {"a": (word, ""), "b": ("", word)}.get(f.stricter or "", ("", ""))
            rows.append(("", f"{f.action.text} times/yr 次/年",
                         (_num(f.a) + (f" {mark[0]}" if mark[0] else "")) if f.a is not None else None,
                         (_num(f.b) + (f" {mark[1]}" if mark[1] else "")) if f.b is not None else None))
    for label, pa, pb in (("principles only here 独有原则", d.principles_only_a, d.principles_only_b),
                          ("sanctions only here 独有问责", d.sanctions_only_a, d.sanctions_only_b)):
        rows.append(("(document 文件)", label, ", ".join(f"{t.zh} {t.id}" for t in pa) or None,
                     ", ".join(f"{t.zh} {t.id}" for t in pb) or None))
    return rows


def _diff_sections(d: PairDiff) -> list[_Section]:
    heads = ("holder 责任主体", "aspect 方面", d.a.short, d.b.short)
    note = f"{d.a.short} = {d.a.en} ({d.a.slug}); {d.b.short} = {d.b.en} ({d.b.slug}). — = none / no such post."
    return [_Section(f"{d.a.text}  vs  {d.b.text}", heads, tuple(_diff_rows(d)), note, 100)]


def _diff_csv(d: PairDiff) -> _Section:
    rows: list[tuple[Any, ...]] = []
    for r in d.roles:
        for side, slug, types, written, levels in (("a", d.a.slug, r.only_a, r.written_a, r.levels_a),
                                                   ("b", d.b.slug, r.only_b, r.written_b, r.levels_b)):
            for t in types:
                rows.append((r.holder.id, "duty_type_only_here", slug, t.id, t.zh, t.en,
                             (r.types_a if side == "a" else r.types_b)[t.id]))
        for f in r.frequencies:
            rows.append((r.holder.id, "times_per_year", d.a.slug, f.action.id, f.action.zh, f.action.en, f.a))
            rows.append((r.holder.id, "times_per_year", d.b.slug, f.action.id, f.action.zh, f.action.en, f.b))
        for slug, present in ((d.a.slug, r.in_a), (d.b.slug, r.in_b)):
            if present:
                rows.append((r.holder.id, "present", slug, "", "", "", 1))
    for kind, slug, terms in (("principle_only_here", d.a.slug, d.principles_only_a),
                              ("principle_only_here", d.b.slug, d.principles_only_b),
                              ("sanction_only_here", d.a.slug, d.sanctions_only_a),
                              ("sanction_only_here", d.b.slug, d.sanctions_only_b)):
        rows.extend(("document", kind, slug, t.id, t.zh, t.en, 1) for t in terms)
    return _Section("", ("holder", "aspect", "jurisdiction", "item", "item_zh", "item_en", "value"), tuple(rows))


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Term):
        return {"id": obj.id, "iri": obj.iri, "zh": obj.zh, "en": obj.en, "kind": obj.kind}
    if isinstance(obj, Jurisdiction):
        return {f.name: getattr(obj, f.name) for f in fields(obj)} | {"label": obj.text}
    if is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: _jsonable(getattr(obj, f.name)) for f in fields(obj)}
        for extra in ("reason", "stricter", "shared_by_all", "unique"):
            if hasattr(type(obj), extra):
                out[extra] = _jsonable(getattr(obj, extra))
        return out
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    if isinstance(obj, Literal):
        return obj.toPython()
    return obj


def to_json(obj: Any) -> str:
    """Any result of this module as JSON (Chinese kept readable, Decimals as numbers)."""
    return json.dumps(_jsonable(obj), ensure_ascii=False, indent=2) + "\n"


def _view(by: str) -> str:
    name = _VIEW_ALIASES.get(by.strip().lower(), by.strip().lower())
    if name not in VIEWS:
        raise QueryError(f"unknown comparison {by!r}", where="--by", hint="one of: " + ", ".join(VIEWS))
    return name


def _check_wording(by: str, fmt: str, diff: bool) -> None:
    """--wording only changes the frequency table and HTML: refused where it would be ignored."""
    if diff or _view(by) != "frequency" or fmt == "svg":
        where = "a diff" if diff else "an SVG chart" if fmt == "svg" else f"the {_view(by)} comparison"
        raise QueryError(f"has no effect on {where}", where="--wording",
                         hint="use it with --by frequency, as table or html; csv and json always carry the wording")


def compare_command_output(store: Store, jurisdictions: Sequence[str] | None, by: str = "roles",
                           fmt: str = "table", diff: bool = False, *, wording: bool = False,
                           include_bodies: bool = True) -> str | bytes:
    """Everything `kgtool compare` prints: one comparison in one format.

    Args:
        store: any `kgtool.store.Store`.
        jurisdictions: selectors (document id, place id, zh/en place label); empty or None
            for every document. With ``diff``, exactly two documents.
        by: which comparison: "roles" (role × duty type), "labels" (roles present and their
            labels as written), "frequency" (minimum times per year), "principles"
            (principles and sanctions), "structure" (organisation measures; GraphML of the
            graphs), "similarity" (Jaccard and Weisfeiler-Lehman matrices with reasons).
            Ignored with ``diff``.
        fmt: "table" (aligned, CJK-aware), "csv" (one long table), "json" (the full data),
            "html" (an escaped fragment), "svg" (a chart) or "graphml" (structure only).
        diff: compare two jurisdictions role by role instead (formats table, csv, json, html).
        wording: for "frequency" as table or HTML, one line per requirement with its wording
            (refused elsewhere, where it would change nothing).
        include_bodies: compare bodies that hold duties themselves, by body class.

    Returns:
        Text (``str``), except GraphML (``bytes``, UTF-8 XML).

    Raises:
        QueryError: an unknown view or format, a format the view has no use for, or a selector
            that matches nothing (exit code 2).
        EngineError: the store cannot be reached (exit code 3).
    """
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}", where="--format", hint="one of: " + ", ".join(FORMATS))
    if wording:
        _check_wording(by, fmt, diff)
    selectors = list(jurisdictions or [])
    if diff:
        if fmt not in ("table", "csv", "json", "html"):
            raise QueryError(f"a diff has no {fmt} form", where="--format", hint="use table, csv, json or html")
        if len(selectors) != 2:
            raise QueryError(f"a diff compares exactly two jurisdictions, {len(selectors)} given",
                             where="--diff", hint="e.g. kgtool compare mianyang wuxi --diff")
        d = _pair_diff(store, selectors[0], selectors[1])
        return _emit(fmt, d, _diff_sections(d), _diff_csv(d))
    view = _view(by)
    if fmt not in VIEWS[view]:
        raise QueryError(f"the {view} comparison has no {fmt} form", where="--format",
                         hint="use one of: " + ", ".join(VIEWS[view]))
    facts = _context(store, selectors or None)
    if view in ("roles", "labels"):
        m = _matrix(facts, include_bodies)
        if fmt == "svg":
            from kgtool import charts
            return charts.role_duty_svg(m)
        if view == "roles":
            return _emit(fmt, m, _roles_sections(m), _roles_csv(m))
        return _emit(fmt, m, _labels_sections(m), _labels_csv(m))
    if view == "frequency":
        t = _frequencies(facts)
        if fmt == "svg":
            from kgtool import charts
            return charts.frequency_svg(t)
        return _emit(fmt, t, _frequency_sections(t, wording), _frequency_csv(t))
    if view == "principles":
        inv = _invoked(facts)
        pair = [inv["principle"], inv["sanction"]]
        if fmt == "svg":
            from kgtool import charts
            return charts.principles_svg(*pair)
        return _emit(fmt, {"principles": pair[0], "sanctions": pair[1]}, _principle_sections(pair),
                     _principle_csv(pair))
    if view == "structure":
        graphs = _graphs(facts)
        if fmt == "graphml":
            return structure_graphml(graphs)
        measures = [_measure(graphs[j.slug], j) for j in facts.juris]
        if fmt == "svg":
            from kgtool import charts
            return charts.structure_svg(measures)
        return _emit(fmt, measures, _structure_sections(measures), _structure_csv(measures))
    s = _similarity(facts, include_bodies=include_bodies)
    if fmt == "svg":
        from kgtool import charts
        return charts.similarity_svg(s)
    return _emit(fmt, s, _similarity_sections(s), _similarity_csv(s))


def _labels_csv(m: RoleDutyMatrix) -> _Section:
    heads = ("holder", "holder_zh", "holder_en", "jurisdiction", "present", "labels_as_written")
    rows = tuple((h.id, h.zh, h.en, j.slug, int(j.slug in m.present.get(h.id, ())),
                  ";".join(m.labels.get(h.id, {}).get(j.slug, ()))) for h in m.holders for j in m.jurisdictions)
    return _Section("", heads, rows)


def _emit(fmt: str, data: Any, sections: Sequence[_Section], long: _Section) -> str:
    if fmt == "json":
        return to_json(data)
    if fmt == "csv":
        return _csv(long)
    if fmt == "html":
        return _html(sections)
    return "\n\n".join(_text_table(s) for s in sections) + "\n"
