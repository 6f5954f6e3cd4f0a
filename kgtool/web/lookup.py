"""The graph questions the browse pages ask, answered as plain Python data for templates.

Every query binds its inputs as RDF terms (never spliced into the text) and runs through
the read-only guard with the app's limits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kgtool.query.counts import KINDS, by_document, counts_query
from kgtool.vocab import WSA
from kgtool.web.site import Site

#: Characters of source text shown either side of a highlighted span.
CONTEXT_CHARS = 120
#: Incoming links listed on a resource page.
MAX_INCOMING = 300
#: Outgoing statements listed on a resource page.
MAX_OUTGOING = 2000

#: The counts (`kgtool.query.counts`) the home page's tables have room for; a document's page shows them all.
COUNT_KINDS = ("provisions", "bodies", "posts", "duties", "frequencies")

#: An RDF term from a result row (rows may hold None for unbound cells).
Term = Any


def _first(rows, key):
    seen: dict[Any, dict] = {}
    for row in rows:
        seen.setdefault(row[key], row)
    return list(seen.values())


# ---------------------------------------------------------------------------------------
# Home


def documents(site: Site) -> list[dict]:
    """Every policy document with its number, date, issuer, jurisdiction and province."""
    result = site.query(
        """
        SELECT ?doc ?title ?number ?issued ?issuer ?jurisdiction ?province WHERE {
          ?doc a wsa:PolicyDocument .
          OPTIONAL { ?doc dcterms:title ?title }
          OPTIONAL { ?doc wsa:documentNumber ?number }
          OPTIONAL { ?doc dcterms:issued ?issued }
          OPTIONAL { ?doc dcterms:creator ?issuer }
          OPTIONAL { ?doc wsa:jurisdiction ?jurisdiction .
                     OPTIONAL { ?jurisdiction wsa:within* ?province .
                                ?province wsa:adminLevel adminlevel:province } }
        } ORDER BY ?issued ?doc""",
        summary=True,
    )
    return _first(result.dicts(), "doc")


def counts_by_document(site: Site) -> dict[Term, dict[str, int]]:
    """Every document's counts (`kgtool.query.counts`: the saved query that defines them for every view)."""
    return by_document(site.query(counts_query(site.root).sparql, summary=True))


def counts_of_document(site: Site, doc: URIRef) -> dict[str, int]:
    """`counts_by_document` for one document: its own counts only, not a count over the whole graph."""
    result = site.query(counts_query(site.root).sparql, {"document": doc})
    return by_document(result).get(doc, dict.fromkeys(KINDS, 0))


def jurisdictions(site: Site, docs: list[dict] | None = None) -> list[dict]:
    """Every jurisdiction with its level, province, documents and summed counts."""
    result = site.query(
        """
        SELECT ?j ?level ?within ?province WHERE {
          ?j a wsa:Jurisdiction .
          OPTIONAL { ?j wsa:adminLevel ?level }
          OPTIONAL { ?j wsa:within ?within }
          OPTIONAL { ?j wsa:within* ?province . ?province wsa:adminLevel adminlevel:province }
        } ORDER BY ?province ?j""",
        summary=True,
    )
    docs = docs if docs is not None else documents(site)
    counts = counts_by_document(site)
    by_j: dict[Term, list[Term]] = defaultdict(list)
    for d in docs:
        if "jurisdiction" in d:
            by_j[d["jurisdiction"]].append(d["doc"])
    rows = []
    for row in _first(result.dicts(), "j"):
        j = row["j"]
        total = dict.fromkeys(COUNT_KINDS, 0)
        for doc in by_j.get(j, []):
            for kind in COUNT_KINDS:
                total[kind] += counts[doc][kind]
        rows.append({**row, "documents": by_j.get(j, []), "counts": total})
    rows.sort(key=lambda r: (not r["documents"], str(r.get("province", "")), str(r["j"])))
    return rows


# ---------------------------------------------------------------------------------------
# Resources


@dataclass
class Description:
    """What a resource page shows."""

    iri: URIRef
    types: list[Term] = field(default_factory=list)
    outgoing: list[tuple[Term, Term]] = field(default_factory=list)
    incoming: list[tuple[Term, Term]] = field(default_factory=list)
    incoming_cut: bool = False
    labels: list[Literal] = field(default_factory=list)
    duties: list[dict] = field(default_factory=list)
    passages: list[dict] = field(default_factory=list)
    document: Term = None

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming)


_LABEL_PREDICATES = {
    str(p)
    for p in (
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
    )
}


def describe(site: Site, iri: URIRef) -> Description:
    """Outgoing and incoming statements, labels, duties held and source passages of one IRI."""
    out = site.query("SELECT ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o", {"s": iri}, max_rows=MAX_OUTGOING)
    # A class or a concept may have a hundred thousand incoming links: take the first few the
    # index gives (LIMIT, no ORDER BY, so nothing is sorted in full), then order those.
    inc = site.query(f"SELECT ?s ?p WHERE {{ ?s ?p ?o }} LIMIT {MAX_INCOMING + 1}", {"o": iri}, max_rows=MAX_INCOMING + 1)
    incoming = sorted(((s, p) for s, p in inc.rows), key=lambda row: (str(row[1]), str(row[0])))
    desc = Description(iri=iri, incoming=incoming[:MAX_INCOMING], incoming_cut=len(incoming) > MAX_INCOMING)
    for p, o in out.rows:
        if p == RDF.type:
            desc.types.append(o)
        elif str(p) in _LABEL_PREDICATES and isinstance(o, Literal):
            desc.labels.append(o)
        if str(p) == str(WSA.sourceText):
            continue  # the document page shows the text with its provisions
        desc.outgoing.append((p, o))
    desc.document = next((o for p, o in out.rows if p == WSA.definedIn), None)
    if any(p == WSA.hasDuty for p, _ in out.rows):
        desc.duties = duties_of(site, iri)
    desc.passages = passages(site, iri)
    if desc.document is None and desc.passages:
        desc.document = desc.passages[0]["doc"]
    return desc


def duties_of(site: Site, holder: URIRef) -> list[dict]:
    """The duties a post or body holds, in the document's order, with types and frequencies."""
    result = site.query(
        """
        SELECT ?duty ?text ?type ?freq ?times ?start WHERE {
          ?holder wsa:hasDuty ?duty .
          OPTIONAL { ?duty wsa:text ?text }
          OPTIONAL { ?duty wsa:dutyType ?type }
          OPTIONAL { ?duty wsa:frequency ?freq . OPTIONAL { ?freq wsa:timesPerYear ?times } }
          OPTIONAL { ?duty prov:wasDerivedFrom ?prov . ?prov wsa:charStart ?start }
        }""",
        {"holder": holder},
    )
    duties: dict[Term, dict] = {}
    for row in result.dicts():
        d = duties.setdefault(row["duty"], {"duty": row["duty"], "text": row.get("text"), "types": [], "frequencies": {}, "start": None})
        if "type" in row and row["type"] not in d["types"]:
            d["types"].append(row["type"])
        if "freq" in row:
            d["frequencies"][row["freq"]] = row.get("times")
        if "start" in row and (d["start"] is None or int(row["start"]) < d["start"]):
            d["start"] = int(row["start"])
    return sorted(duties.values(), key=lambda d: (d["start"] if d["start"] is not None else 1 << 40, str(d["duty"])))


def source_text(site: Site, doc: Term) -> str:
    """A document's normalised text (cached per app)."""
    cache = site.texts
    if doc not in cache:
        result = site.query("SELECT ?text WHERE { ?doc wsa:sourceText ?text } LIMIT 1", {"doc": doc})
        cache[doc] = str(result.rows[0][0]) if result.rows and result.rows[0][0] is not None else ""
    return cache[doc]


def passages(site: Site, iri: URIRef) -> list[dict]:
    """Source passages of a resource (the provisions it was derived from, or itself if a provision).

    Each is ``{"provision", "doc", "start", "end", "before", "span", "after", "clipped_before",
    "clipped_after"}``: the span is highlighted, ``before``/``after`` give the context.
    """
    result = site.query(
        """
        SELECT DISTINCT ?prov ?doc ?start ?end WHERE {
          { ?x prov:wasDerivedFrom ?prov } UNION { ?x a wsa:Provision . BIND(?x AS ?prov) }
          ?prov wsa:charStart ?start ; wsa:charEnd ?end ; dcterms:isPartOf+ ?doc .
          ?doc a wsa:PolicyDocument .
        } ORDER BY ?doc ?start""",
        {"x": iri},
    )
    out = []
    for prov, doc, start, end in result.rows:
        text = source_text(site, doc)
        s, e = int(str(start)), int(str(end))
        if not (0 <= s <= e <= len(text)):
            out.append(
                {
                    "provision": prov,
                    "doc": doc,
                    "start": s,
                    "end": e,
                    "before": "",
                    "span": "",
                    "after": "",
                    "clipped_before": False,
                    "clipped_after": False,
                    "bad_offsets": True,
                }
            )
            continue
        lo, hi = max(0, s - CONTEXT_CHARS), min(len(text), e + CONTEXT_CHARS)
        out.append(
            {
                "provision": prov,
                "doc": doc,
                "start": s,
                "end": e,
                "before": text[lo:s],
                "span": text[s:e],
                "after": text[e:hi],
                "clipped_before": lo > 0,
                "clipped_after": hi < len(text),
                "bad_offsets": False,
            }
        )
    return out


def provision_anchor(provision: URIRef) -> str:
    """The id of a provision's block on its document page.

    >>> provision_anchor(URIRef("https://w3id.org/wsa/id/wuxi-towns-2021/provision/s2.p1"))
    'p-s2.p1'
    """
    return "p-" + str(provision).rsplit("/provision/", 1)[-1]


# ---------------------------------------------------------------------------------------
# Documents


def body_types(site: Site) -> set[Term]:
    """wsa:Body and its subclasses (cached per app)."""
    cache = site.body_types
    if not cache:
        cache.update(r[0] for r in site.query("SELECT ?c WHERE { ?c rdfs:subClassOf* wsa:Body }").rows)
        cache.add(WSA.Body)
    return cache


def is_document(site: Site, iri: URIRef) -> bool:
    return bool(site.query("ASK { ?doc a wsa:PolicyDocument }", {"doc": iri}).boolean)


def document_view(site: Site, doc: URIRef) -> dict:
    """A document's normalised text cut into nested provision blocks, each with what was read from it.

    Returns ``{"events": [...], "extracted": {provision: [(kind, iri)]}}`` where events are
    ``("open", provision_dict)``, ``("text", str)`` and ``("close", None)`` in reading order.
    """
    text = source_text(site, doc)
    provs = site.query(
        """
        SELECT ?prov ?start ?end ?marker ?heading WHERE {
          ?prov dcterms:isPartOf+ ?doc ; wsa:charStart ?start ; wsa:charEnd ?end .
          OPTIONAL { ?prov wsa:marker ?marker }
          OPTIONAL { ?prov wsa:heading ?heading }
        }""",
        {"doc": doc},
    )
    extracted_rows = site.query(
        """
        SELECT DISTINCT ?x ?prov ?type WHERE { ?x wsa:definedIn ?doc ; prov:wasDerivedFrom ?prov ; a ?type }""",
        {"doc": doc},
    )
    body_classes = body_types(site)
    order = {"body": 0, "post": 1, "duty": 2, "other": 3}
    kinds: dict[tuple[Term, Term], str] = {}
    for x, prov, rdf_type in extracted_rows.rows:
        kind = "post" if rdf_type == WSA.Post else "duty" if rdf_type == WSA.Duty else "body" if rdf_type in body_classes else "other"
        key = (prov, x)
        if key not in kinds or order[kind] < order[kinds[key]]:
            kinds[key] = kind
    extracted: dict[Term, list[tuple[str, Term]]] = defaultdict(list)
    for (prov, x), kind in sorted(kinds.items(), key=lambda kv: (order[kv[1]], str(kv[0][1]))):
        extracted[prov].append((kind, x))

    nodes = []
    for row in _first(provs.dicts(), "prov"):
        s, e = int(row["start"]), int(row["end"])
        if 0 <= s <= e <= len(text):
            nodes.append(
                {
                    "iri": row["prov"],
                    "start": s,
                    "end": e,
                    "marker": row.get("marker"),
                    "heading": row.get("heading"),
                    "anchor": provision_anchor(row["prov"]),
                }
            )
    nodes.sort(key=lambda n: (n["start"], -n["end"], str(n["iri"])))
    events: list[tuple[str, object]] = []
    stack: list[dict] = []
    cursor = 0
    for node in nodes:
        while stack and node["start"] >= stack[-1]["end"]:
            top = stack.pop()
            if cursor < top["end"]:
                events.append(("text", text[cursor : top["end"]]))
                cursor = top["end"]
            events.append(("close", None))
        if stack and node["end"] > stack[-1]["end"]:
            node = {**node, "end": stack[-1]["end"]}  # overlapping: keep the tree well nested
        if node["start"] > cursor:
            events.append(("text", text[cursor : node["start"]]))
            cursor = node["start"]
        node["start"] = max(node["start"], cursor)
        events.append(("open", node))
        stack.append(node)
    while stack:
        top = stack.pop()
        if cursor < top["end"]:
            events.append(("text", text[cursor : top["end"]]))
            cursor = top["end"]
        events.append(("close", None))
    if cursor < len(text):
        events.append(("text", text[cursor:]))
    return {"events": events, "extracted": extracted, "provision_count": len(nodes)}


def orgchart(site: Site, doc: URIRef) -> dict:
    """Cytoscape.js elements for a document: bodies → posts → duties (and sub-bodies)."""
    from kgtool.web.links import href, label_for

    bodies = site.query(
        """
        SELECT DISTINCT ?b ?parent WHERE {
          ?b wsa:definedIn ?doc ; a/rdfs:subClassOf* wsa:Body .
          OPTIONAL { ?b org:subOrganizationOf ?parent }
        }""",
        {"doc": doc},
    )
    posts = site.query(
        """
        SELECT DISTINCT ?p ?b WHERE { ?p wsa:definedIn ?doc ; a wsa:Post . OPTIONAL { ?p org:postIn ?b } }""",
        {"doc": doc},
    )
    duties = site.query(
        """
        SELECT DISTINCT ?d ?h WHERE { ?d wsa:definedIn ?doc ; a wsa:Duty . OPTIONAL { ?h wsa:hasDuty ?d } }""",
        {"doc": doc},
    )
    nodes: dict[str, dict] = {}
    edges: list[dict] = []

    def node(iri, kind):
        key = str(iri)
        if key not in nodes:
            nodes[key] = {"data": {"id": key, "label": label_for(iri), "kind": kind, "href": href(iri)}}

    for b, _ in bodies.rows:
        node(b, "body")
    for b, parent in bodies.rows:
        if parent is not None and str(parent) in nodes:
            edges.append({"data": {"id": f"e{len(edges)}", "source": str(parent), "target": str(b), "kind": "sub"}})
    for p, b in posts.rows:
        node(p, "post")
        if b is not None:
            node(b, "body")
            edges.append({"data": {"id": f"e{len(edges)}", "source": str(b), "target": str(p), "kind": "post"}})
    for d, h in duties.rows:
        node(d, "duty")
        if h is not None and str(h) in nodes:
            edges.append({"data": {"id": f"e{len(edges)}", "source": str(h), "target": str(d), "kind": "duty"}})
    seen, unique = set(), []
    for e in edges:
        k = (e["data"]["source"], e["data"]["target"])
        if k not in seen:
            seen.add(k)
            unique.append(e)
    return {"nodes": list(nodes.values()), "edges": unique}
