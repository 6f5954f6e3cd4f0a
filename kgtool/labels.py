"""The names people read before IRIs (query tables, `kgtool reason`), from a store or from graphs.

A post's IRI (``…/post/4484bf11.other_leader``) says little; its label (其他领导) says what it
is, and the IRI after it tells apart two posts of the same name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import FOAF, RDFS, SKOS
from rdflib.term import Node

from kgtool.store import Store
from kgtool.vocab import WSA

#: Properties that name a resource, best first; a duty or provision, which has no name, is
#: known by the beginning of its text.
NAME_PROPERTIES = (SKOS.prefLabel, RDFS.label, FOAF.name, WSA.text)
#: Languages, best first: the documents are Chinese.
LANGUAGES = ("zh", "en")
#: Characters of a name kept (a duty's text runs to hundreds).
NAME_CHARS = 24
#: IRIs asked about in one query.
BATCH = 500


def best(names: Iterable[tuple[Node | None, Node | None]]) -> str | None:
    """The name to show among (property, literal) pairs: Chinese first, then English, then any;
    within a language the better property; clipped to NAME_CHARS. Other pairs are passed over."""

    def rank(pair: tuple[Node | None, Literal]) -> tuple[int, int, str]:
        prop, text = pair
        language = (text.language or "").split("-")[0].lower()
        order = LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES)
        return order, NAME_PROPERTIES.index(prop), str(text)

    found = sorted(((p, o) for p, o in names if p in NAME_PROPERTIES and isinstance(o, Literal)), key=rank)
    if not found:
        return None
    text = " ".join(str(found[0][1]).split())
    return text if len(text) <= NAME_CHARS else text[: NAME_CHARS - 1] + "…"


def in_store(store: Store, iris: Iterable[URIRef]) -> dict[URIRef, str]:
    """The best name of each IRI that has one, asked in batches of VALUES."""
    todo = sorted(set(iris), key=str)
    found: dict[URIRef, list[tuple[Node | None, Node | None]]] = defaultdict(list)
    props = " ".join(p.n3() for p in NAME_PROPERTIES)
    for start in range(0, len(todo), BATCH):
        values = " ".join(iri.n3() for iri in todo[start : start + BATCH])
        result = store.query(f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ {props} }} ?x ?p ?l }}")
        for x, p, label in result.rows:
            if isinstance(x, URIRef):  # always: ?x is bound by VALUES to the IRIs asked about
                found[x].append((p, label))
    return {x: name for x, pairs in found.items() if (name := best(pairs))}


def in_graphs(graphs: Iterable[rdflib.Graph], iris: Iterable[URIRef]) -> dict[URIRef, str]:
    """The best name of each IRI that has one in any of the graphs."""
    graphs = list(graphs)
    names = {iri: best((p, o) for g in graphs for p in NAME_PROPERTIES for o in g.objects(iri, p)) for iri in set(iris)}
    return {iri: name for iri, name in names.items() if name}
