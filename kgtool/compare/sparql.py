"""The SPARQL of comparisons: every query text `kgtool.compare` sends, and the one function
that sends them.

Every figure comes from SPARQL over the store (a few queries per table, never one per cell),
so the same comparison runs on the embedded store and on a remote endpoint. Selections reach a
query only as a VALUES block of escaped IRIs (`values`), rows cut by the engine's row limit are
an error rather than a silently partial table (`select`), and `row_key` and `place_rows` give
rows one order whatever the engine's plan. With `kgtool.compare.selection` and
`kgtool.compare.facts`, the only code of the package that talks to a `kgtool.store.Store`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rdflib import URIRef

from kgtool.errors import KgtoolError
from kgtool.store import Store

__all__ = [
    "BODIES",
    "CLASSES",
    "DOCUMENTS",
    "DUTIES",
    "FREQUENCIES",
    "INVOKED",
    "LABELS",
    "LINKS",
    "PLACES",
    "POSTS",
    "fill",
    "lang",
    "norm",
    "place_rows",
    "row_key",
    "select",
    "values",
]


def norm(text: str) -> str:
    """Text as selectors are matched: without spaces, case folded."""
    return re.sub(r"\s+", "", text).casefold()


def lang(literal: Any, tag: str) -> bool:
    """Whether a literal is in language ``tag`` (or a variant of it: zh-Hans is zh)."""
    language = getattr(literal, "language", None) or ""
    return language.lower() == tag or language.lower().startswith(tag + "-")


def select(store: Store, query: str) -> list[dict[str, Any]]:
    """Rows as dicts; an error rather than a silently partial comparison when rows were cut."""
    result = store.query(query)
    if result.truncated:
        raise KgtoolError(
            "the SPARQL engine cut a comparison query short, so the tables would be wrong",
            where="compare",
            hint="raise the endpoint's row limit (Virtuoso: ResultSetMaxRows)",
        )
    return result.dicts()


def row_key(row: dict[str, Any]) -> tuple[tuple[str, str, str, str], ...]:
    """A row's values by variable name: kind of term, text, language, datatype (no two terms tie)."""
    return tuple(
        (name, type(term).__name__, str(term), f"{getattr(term, 'language', None) or ''}^{getattr(term, 'datatype', None) or ''}")
        for name, term in sorted(row.items())
    )


def values(var: str, iris: Iterable[str]) -> str:
    """A VALUES block of escaped IRIs (never spliced text): the one way selections reach SPARQL.

    >>> values("doc", ["https://w3id.org/wsa/id/a"])
    'VALUES ?doc { <https://w3id.org/wsa/id/a> }'
    """
    terms = " ".join(URIRef(i).n3() for i in iris)
    return f"VALUES ?{var} {{ {terms} }}"


def fill(template: str, **blocks: str) -> str:
    """A query text with its {name} blocks (VALUES blocks of `values`) put in."""
    for name, block in blocks.items():
        template = template.replace("{" + name + "}", block)
    return template


def place_rows(store: Store) -> list[dict[str, Any]]:
    """Every place's labels, levels and the places it lies within, in one order whatever the engine.

    The places first, then their statements (a FILTER on the property): with the properties as a
    VALUES block the engine read every label of the corpus first, 1.7 s instead of 0.1 s at a
    million triples.
    """

    def key(row: dict[str, Any]) -> tuple[str, ...]:
        o = row["o"]
        return (
            str(row["place"]),
            str(row["p"]),
            type(o).__name__,
            str(o),
            getattr(o, "language", None) or "",
            str(getattr(o, "datatype", None) or ""),
        )

    return sorted(select(store, PLACES), key=key)


DOCUMENTS = """
SELECT ?doc ?title ?issued ?place WHERE {
  ?doc a wsa:PolicyDocument .
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:issued ?issued }
  OPTIONAL { ?doc wsa:jurisdiction ?place }
}"""

PLACES = """
SELECT ?place ?p ?o WHERE {
  ?place a wsa:Jurisdiction ; ?p ?o .
  FILTER(?p IN (rdfs:label, skos:altLabel, wsa:within, wsa:adminLevel))
}"""

LABELS = """
SELECT ?x ?p ?l WHERE {
  VALUES ?p { skos:prefLabel rdfs:label skos:altLabel }
  ?x ?p ?l .
  FILTER(isIRI(?x) && (STRSTARTS(STR(?x), "https://w3id.org/wsa/concept/")
                       || STRSTARTS(STR(?x), "https://w3id.org/wsa/ontology#")))
}"""

CLASSES = """
SELECT ?c ?s WHERE {
  { ?c rdfs:subClassOf ?s . FILTER(STRSTARTS(STR(?c), "https://w3id.org/wsa/ontology#")) }
  UNION
  { ?c skos:broader ?s . FILTER(STRSTARTS(STR(?c), "https://w3id.org/wsa/concept/")) }
  FILTER(isIRI(?s))
}"""

POSTS = """
SELECT ?doc ?post ?role ?label ?alt ?level ?body WHERE {
  {docs}
  ?post wsa:definedIn ?doc ; a wsa:Post .
  OPTIONAL { ?post org:role ?role }
  OPTIONAL { ?post rdfs:label ?label }
  OPTIONAL { ?post skos:altLabel ?alt }
  OPTIONAL { ?post wsa:responsibilityLevel ?level }
  OPTIONAL { ?post org:postIn ?body }
}"""

BODIES = """
SELECT ?doc ?body ?type ?label WHERE {
  {docs}
  {types}
  ?body wsa:definedIn ?doc ; a ?type .
  OPTIONAL { ?body rdfs:label ?label }
}"""

DUTIES = """
SELECT ?doc ?duty ?type ?freq ?text WHERE {
  {docs}
  ?duty wsa:definedIn ?doc ; a wsa:Duty .
  OPTIONAL { ?duty wsa:dutyType ?type }
  OPTIONAL { ?duty wsa:frequency ?freq }
  OPTIONAL { ?duty wsa:text ?text }
}"""

LINKS = """
SELECT ?doc ?s ?p ?o WHERE {
  {docs}
  VALUES ?p { org:subOrganizationOf org:postIn wsa:hasDuty wsa:memberOfGroup wsa:supervisedBy }
  ?s wsa:definedIn ?doc ; ?p ?o .
}"""

FREQUENCIES = """
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

INVOKED = """
SELECT ?doc ?p ?c WHERE {
  {docs}
  VALUES ?p { wsa:invokesPrinciple wsa:providesSanction }
  ?doc ?p ?c .
}"""
