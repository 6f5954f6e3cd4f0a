"""Data access: the SPARQL queries that fetch what is compared, and nothing else.

Every figure comes from SPARQL over the store (a few queries per table, never one per cell),
so the same comparison runs on the embedded store and on a remote endpoint. `jurisdictions`
resolves selectors (document id, place id, place label) to `Jurisdiction` values, and
`places_at` finds the place of a level (city, county, town …) each lies in; `Facts` reads the
selected documents' posts, bodies, duties, links, frequency requirements and invoked concepts,
each by one query on first use, its rows sorted (by document, then value) so that a document
gives the same facts whatever else is asked about and whichever engine answers;
`DocumentFacts` is one document's share of them; `Vocab` holds the ontology's labels and class
tree. This is the only module of the package that talks to a `kgtool.store.Store`.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from kgtool import vocab
from kgtool.compare.model import ROLE_ORDER, Jurisdiction, Term, order_terms
from kgtool.errors import KgtoolError, QueryError
from kgtool.store import Store
from kgtool.vocab import local_name

_WSA = str(vocab.WSA)
_CONCEPT = str(vocab.CONCEPT)
_ID = str(vocab.ID)
_BODY = str(vocab.WSA.Body)
_POST = str(vocab.WSA.Post)

# The structure graph: which links it keeps, and the names its edges carry.
_LINKS = {str(vocab.ORG.subOrganizationOf): "subOrganizationOf", str(vocab.ORG.postIn): "postIn",
          str(vocab.WSA.hasDuty): "hasDuty", str(vocab.WSA.memberOfGroup): "memberOfGroup",
          str(vocab.WSA.supervisedBy): "supervisedBy"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _lang(literal: Any, tag: str) -> bool:
    language = getattr(literal, "language", None) or ""
    return language.lower() == tag or language.lower().startswith(tag + "-")


def _select(store: Store, sparql: str) -> list[dict[str, Any]]:
    """Rows as dicts; an error rather than a silently partial comparison when rows were cut."""
    result = store.query(sparql)
    if result.truncated:
        raise KgtoolError("the SPARQL engine cut a comparison query short, so the tables would be wrong",
                          where="compare", hint="raise the endpoint's row limit (Virtuoso: ResultSetMaxRows)")
    return result.dicts()


def _row_key(row: dict[str, Any]) -> tuple[tuple[str, str, str, str], ...]:
    """A row's values by variable name: kind of term, text, language, datatype (no two terms tie)."""
    return tuple((name, type(term).__name__, str(term), f"{getattr(term, 'language', None) or ''}"
                  f"^{getattr(term, 'datatype', None) or ''}") for name, term in sorted(row.items()))


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
  ?place a wsa:Jurisdiction ; ?p ?o .
  FILTER(?p IN (rdfs:label, skos:altLabel, wsa:within, wsa:adminLevel))
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


def _place_rows(store: Store) -> list[dict[str, Any]]:
    """Every place's labels, levels and the places it lies within, in one order whatever the engine.

    The places first, then their statements (a FILTER on the property): with the properties as a
    VALUES block the engine read every label of the corpus first, 1.7 s instead of 0.1 s at a
    million triples.
    """

    def key(row: dict[str, Any]) -> tuple[str, ...]:
        o = row["o"]
        return (str(row["place"]), str(row["p"]), type(o).__name__, str(o), getattr(o, "language", None) or "",
                str(getattr(o, "datatype", None) or ""))

    return sorted(_select(store, _Q_PLACES), key=key)


def document_slug(doc: str) -> str:
    """A document's id from its IRI: "wuxi-towns-2021" from id:wuxi-towns-2021."""
    return doc[len(_ID):] if doc.startswith(_ID) else local_name(doc)


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
    for row in _place_rows(store):
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

    own_names: dict[str, set[str]] = {}

    def names_of(place: str) -> set[str]:
        """A place's own names (id, IRI, labels), normalised once however many documents it holds."""
        if place not in own_names:
            own_names[place] = {_norm(local_name(place)), _norm(place)} | {
                _norm(str(lit)) for key in ("label", "altLabel") for lit in places.get(place, {}).get(key, [])}
        return own_names[place]

    found: dict[str, Jurisdiction] = {}
    keys: dict[str, set[str]] = {}
    for row in docs:
        doc = str(row["doc"])
        if doc in found:
            continue
        place = str(row["place"]) if row.get("place") is not None else None
        level = places.get(place or "", {}).get("adminLevel", [])
        slug = document_slug(doc)
        found[doc] = Jurisdiction(
            slug=slug, document=doc, title=str(row.get("title", "")), place=place,
            place_id=local_name(place) if place else None, zh=label(place, "zh"), en=label(place, "en"),
            admin_level=local_name(str(level[0])) if level else None,
            issued=str(row["issued"]) if row.get("issued") is not None else None)
        names = {_norm(slug), _norm(doc)}
        for anc in ancestors(place):
            names |= names_of(anc)
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


def places_at(store: Store, juris: Sequence[Jurisdiction], level: str) -> dict[str, Jurisdiction | None]:
    """For each document, the place of ``level`` (an adminlevel concept id: "city", "county",
    "town" …) that its jurisdiction is or lies within, as a `Jurisdiction` column named after
    the place (slug: the place id); None for a document with no place at that level.

    A place within several (rare) counts under the first of them by IRI.
    """
    places: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in _place_rows(store):
        places[str(row["place"])][local_name(str(row["p"]))].append(row["o"])

    def label(place: str, tag: str) -> str:
        return next((str(lit) for lit in sorted(places[place].get("label", []), key=str) if _lang(lit, tag)), "")

    def at_level(start: str | None) -> str | None:
        seen: set[str] = set()
        todo = [start] if start else []
        while todo:  # breadth first: the nearest place of that level
            here = todo.pop(0)
            if here in seen:
                continue
            seen.add(here)
            if any(local_name(str(v)) == level for v in places.get(here, {}).get("adminLevel", [])):
                return here
            todo.extend(sorted(str(p) for p in places.get(here, {}).get("within", [])))
        return None

    out: dict[str, Jurisdiction | None] = {}
    for j in juris:
        place = at_level(j.place)
        out[j.slug] = None if place is None else Jurisdiction(
            slug=local_name(place), document=place, title="", place=place, place_id=local_name(place),
            zh=label(place, "zh"), en=label(place, "en"), admin_level=level, issued=None)
    return out


class Vocab:
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


class Facts:
    """The selected documents' posts, bodies, duties and links, each read by one query on demand."""

    def __init__(self, store: Store, juris: Sequence[Jurisdiction], terms: Vocab | None = None):
        self.store = store
        self.juris = tuple(juris)
        self.slug_of = {j.document: j.slug for j in self.juris}
        self._vocab = terms

    @functools.cached_property
    def vocab(self) -> Vocab:
        return self._vocab or Vocab(self.store)

    def _rows(self, template: str, **extra: str) -> list[dict[str, Any]]:
        """Rows in one order whatever the engine's plan: by document as selected, then by value.

        The order rows come in decides ties (the labels of a cell, a post's body when it names
        several, the longest chain among equally long ones), and an engine orders rows by its
        plan, which changes with the number of documents asked about: sorted, a document gives
        the same answer alone, among others, and from its profile (`kgtool.compare.profile`).
        """
        if not self.juris:
            return []
        rows = _select(self.store, _fill(template, docs=_values("doc", self.slug_of), **extra))
        index = {doc: i for i, doc in enumerate(self.slug_of)}
        return sorted(rows, key=lambda row: (index[str(row["doc"])], _row_key(row)))

    def frequency_rows(self) -> list[dict[str, Any]]:
        """Every frequency requirement of the selected documents, with its duty and provision (one query)."""
        return self._frequency_rows

    def invoked_rows(self) -> list[dict[str, Any]]:
        """(doc, wsa:invokesPrinciple or wsa:providesSanction, concept) rows (one query)."""
        return self._invoked_rows

    @functools.cached_property
    def _frequency_rows(self) -> list[dict[str, Any]]:
        return self._rows(_Q_FREQUENCIES)

    @functools.cached_property
    def _invoked_rows(self) -> list[dict[str, Any]]:
        return self._rows(_Q_INVOKED)

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
            post.roles = order_terms(post.roles, ROLE_ORDER) or [
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
            return [post.label, *sorted(post.alts - {post.label})] if post.label else sorted(post.alts)
        if iri in self.bodies:
            return [self.bodies[iri].label] if self.bodies[iri].label else []
        return []


class DocumentFacts(Facts):
    """One document's share of `Facts` read for many: the same rows, in the same order, as
    `Facts` gives for that document alone, without asking the store again."""

    def __init__(self, facts: Facts, juris: Jurisdiction):
        super().__init__(facts.store, [juris], facts.vocab)
        self.whole = facts

    def frequency_rows(self) -> list[dict[str, Any]]:
        doc = self.juris[0].document
        return [row for row in self.whole.frequency_rows() if str(row["doc"]) == doc]

    def invoked_rows(self) -> list[dict[str, Any]]:
        doc = self.juris[0].document
        return [row for row in self.whole.invoked_rows() if str(row["doc"]) == doc]

    @functools.cached_property
    def posts(self) -> dict[str, _Post]:
        return {k: v for k, v in self.whole.posts.items() if v.slug == self.juris[0].slug}

    @functools.cached_property
    def bodies(self) -> dict[str, _Body]:
        return {k: v for k, v in self.whole.bodies.items() if v.slug == self.juris[0].slug}

    @functools.cached_property
    def duties(self) -> dict[str, _Duty]:
        return {k: v for k, v in self.whole.duties.items() if v.slug == self.juris[0].slug}

    @functools.cached_property
    def links(self) -> list[tuple[str, str, str, str]]:
        return [link for link in self.whole.links if link[0] == self.juris[0].slug]


def facts_for(store: Store, selected: Sequence[str | Jurisdiction] | None) -> Facts:
    return Facts(store, jurisdictions(store, selected))
