"""Search for the web: labels and duty texts containing a phrase, with facets to narrow by.

The embedded store answers through its text index (`kgtool.store.textindex`, milliseconds);
any other store by a SPARQL scan, with the same hits.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from kgtool.errors import EngineError
from kgtool.store import EmbeddedStore, textindex
from kgtool.vocab import PREFIXES, WSA
from kgtool.web.site import Site

#: An RDF term from a result row (rows may hold None for unbound cells).
Term = Any

SEARCH_LIMIT = 500
FACETS = ("jurisdiction", "role", "dutytype")


def search(site: Site, q: str, filters: dict[str, list[str]]) -> dict:
    """Labels and duty texts containing ``q`` (case-insensitive substring), with facet counts.

    ``filters`` maps a facet (jurisdiction, role, dutytype) to IRIs a hit must have. An
    embedded store is searched through its text index (kgtool.store.textindex: milliseconds, where
    the SPARQL CONTAINS scan takes half a second at a million triples); a remote engine
    keeps the scan. Both give the same hits.
    """
    index = textindex.index_for(site.store)
    hits = _scanned_hits(site, q) if index is None else _indexed_hits(site, index, q)
    wanted = {f: {URIRef(v) for v in filters.get(f, [])} for f in FACETS}
    chosen = [h for h in hits.values() if all(wanted[f] <= h[f] for f in FACETS if wanted[f])]
    facets = {}
    for f in FACETS:
        counter: dict[Term, int] = defaultdict(int)
        for h in chosen:
            for v in h[f]:
                counter[v] += 1
        facets[f] = sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
    chosen.sort(key=lambda h: (not h["is_text"] and WSA.Duty not in h["types"], _kind_rank(h["types"]), str(h["iri"])))
    for h in chosen:
        h["snippets"] = [_split(text, q) for text in h["texts"][:3]]
    return {"hits": chosen[:SEARCH_LIMIT], "total": len(chosen), "facets": facets, "cut": len(chosen) > SEARCH_LIMIT}


#: The label properties searched (with wsa:text of duties), as in the scan below.
_SEARCH_LABELS = tuple(str(p) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name, DCTERMS.title))
#: Subjects per facet query (VALUES block), so a frequent word does not make one huge query.
_FACET_BATCH = 2000
_FACET_QUERY = """
SELECT ?x ?k ?v WHERE {
  VALUES ?x { %s }
  { ?x a ?v . BIND("types" AS ?k) }
  UNION { { ?x wsa:definedIn ?d } UNION { ?x a wsa:PolicyDocument . BIND(?x AS ?d) }
          ?d wsa:jurisdiction ?v . BIND("jurisdiction" AS ?k) }
  UNION { { ?x org:role ?v } UNION { ?holder wsa:hasDuty ?x ; org:role ?v } BIND("role" AS ?k) }
  UNION { ?x wsa:dutyType ?v . BIND("dutytype" AS ?k) }
}"""


def _new_hit(x: Term) -> dict:
    return {"iri": x, "texts": [], "types": set(), "jurisdiction": set(), "role": set(), "dutytype": set(), "is_text": False}


def _scanned_hits(site: Site, q: str) -> dict[Term, dict]:
    """The hits of ``search`` by a SPARQL CONTAINS scan (remote engines; the reference)."""
    result = site.query(
        """
        SELECT ?x ?text ?prop ?type ?jurisdiction ?role ?dutytype WHERE {
          { ?x rdfs:label|skos:prefLabel|skos:altLabel|foaf:name|dcterms:title ?text .
            BIND("label" AS ?prop) }
          UNION { ?x a wsa:Duty ; wsa:text ?text . BIND("text" AS ?prop) }
          FILTER(isIRI(?x) && CONTAINS(LCASE(STR(?text)), LCASE(?q)))
          OPTIONAL { ?x a ?type }
          OPTIONAL { { ?x wsa:definedIn ?d } UNION { ?x a wsa:PolicyDocument . BIND(?x AS ?d) }
                     ?d wsa:jurisdiction ?jurisdiction }
          OPTIONAL { { ?x org:role ?role } UNION { ?holder wsa:hasDuty ?x ; org:role ?role } }
          OPTIONAL { ?x wsa:dutyType ?dutytype }
        }""",
        {"q": Literal(q)},
        max_rows=50_000,
    )
    hits: dict[Term, dict] = {}
    for row in result.dicts():
        x = row["x"]
        hit = hits.setdefault(x, _new_hit(x))
        text = str(row["text"])
        if text not in hit["texts"]:
            hit["texts"].append(text)
        if row.get("prop") == Literal("text"):
            hit["is_text"] = True
        for facet, key in (("types", "type"), ("jurisdiction", "jurisdiction"), ("role", "role"), ("dutytype", "dutytype")):
            if key in row:
                hit[facet].add(row[key])
    return hits


def _indexed_hits(site: Site, index: textindex.TextIndex, q: str) -> dict[Term, dict]:
    """The hits of ``search`` from the text index, facets read for just those subjects.

    Labels count for any subject, wsa:text only for a wsa:Duty (as in the scan); texts keep
    the index's order (property, then text) without repeats.
    """
    found: dict[str, list[tuple[bool, str]]] = {}
    for m in index.search(q, predicates=(*_SEARCH_LABELS, str(WSA.text))):
        found.setdefault(m.subject, []).append((m.predicate == str(WSA.text), m.text))
    facets = _facets_of(site, list(found))
    hits: dict[Term, dict] = {}
    for subject, matches in found.items():
        x = URIRef(subject)
        hit = _new_hit(x)
        for facet, values in facets.get(subject, {}).items():
            hit[facet] = values
        is_duty = WSA.Duty in hit["types"]
        for is_text, text in matches:
            if is_text and not is_duty:
                continue
            hit["is_text"] = hit["is_text"] or is_text
            if text not in hit["texts"]:
                hit["texts"].append(text)
        if hit["texts"]:
            hits[x] = hit
    return hits


def _facets_of(site: Site, subjects: list[str]) -> dict[str, dict[str, set]]:
    """Types, jurisdictions, roles and duty types of these IRIs, straight from the embedded store.

    The query text is fixed but for a VALUES block of IRIs taken from the store itself, so it
    skips the web guard's parse (slow for thousands of IRIs) and runs on pyoxigraph directly,
    in batches, within the app's query timeout.
    """
    if not isinstance(site.store, EmbeddedStore):  # textindex.index_for gives only these an index
        raise TypeError(f"search facets need an embedded store, not {type(site.store).__name__}")
    oxstore = site.store.ox
    deadline = time.monotonic() + site.timeout if site.timeout else None
    out: dict[str, dict[str, set]] = {}
    for i in range(0, len(subjects), _FACET_BATCH):
        if deadline is not None and time.monotonic() > deadline:
            raise EngineError(f"the search ran longer than {site.timeout:g} s", where="embedded store", hint="search for a longer phrase")
        values = " ".join(str(ox.NamedNode(s)) for s in subjects[i : i + _FACET_BATCH])
        solutions = oxstore.query(_FACET_QUERY % values, prefixes=PREFIXES, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)  # a SELECT answers with solutions
        for row in solutions:
            v = row["v"]
            term = (
                URIRef(v.value)
                if isinstance(v, ox.NamedNode)
                else BNode(v.value)
                if isinstance(v, ox.BlankNode)
                else Literal(v.value, lang=v.language, datatype=None if v.language else URIRef(v.datatype.value))
            )
            out.setdefault(row["x"].value, {}).setdefault(row["k"].value, set()).add(term)
    return out


def _kind_rank(types: set) -> int:
    order = [WSA.PolicyDocument, WSA.Jurisdiction, WSA.Post, WSA.Duty]
    for i, t in enumerate(order):
        if t in types:
            return i
    return len(order)


def _split(text: str, q: str) -> list[tuple[str, bool]]:
    """Text cut around matches of q, as (piece, is_match) pairs; long stretches shortened.

    >>> _split("每季度至少1次", "季度")
    [('每', False), ('季度', True), ('至少1次', False)]
    """
    low, ql = text.lower(), q.lower()
    pieces, i = [], 0
    while ql:
        j = low.find(ql, i)
        if j < 0:
            break
        if j > i:
            pieces.append((text[i:j], False))
        pieces.append((text[j : j + len(q)], True))
        i = j + len(q)
    if i < len(text):
        pieces.append((text[i:], False))
    short = []
    for k, (piece, match) in enumerate(pieces):
        if not match and len(piece) > 80:
            if k == 0:
                piece = "…" + piece[-60:]
            elif k == len(pieces) - 1:
                piece = piece[:60] + "…"
            else:
                piece = piece[:35] + "…" + piece[-35:]
        short.append((piece, match))
    return short
