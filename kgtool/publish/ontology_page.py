"""pyLODE's page of the ontology, completed where pyLODE (3.4) falls short of this ontology.

pyLODE's OntPub documents classes and properties, but:

- it makes each term's fragment id from its label, so ``wsa:Duty`` was ``#Duty1`` (after
  ``odrl:Duty``) and ``foaf:Agent`` had an empty id: `kgtool.publish.ontology_terms.term_ids`
  gives every ``wsa:`` term its local name (``https://w3id.org/wsa/ontology#Duty`` -> ``#Duty``)
  and every other term its prefixed name (``#org:Post``), before pyLODE runs;
- it declares the page's encoding after a long inline stylesheet, past the first 1024 bytes
  where a browser opening the file looks for it: ``<meta charset>`` comes first instead;
- it runs the Chinese and English labels together ("政策文件Policy document") and gives no
  language: headings and literal values are rebuilt, one ``lang``-tagged element per language,
  Chinese first;
- it draws class expressions from sets of elements (order changing between runs) and links
  nested blank nodes to their internal ids: cells holding a blank node are rebuilt in Manchester
  syntax, in the order of their RDF lists;
- it shows no skos:closeMatch, owl:inverseOf or owl:disjointWith, and no concept schemes: the
  rows are added, and two sections (`kgtool.publish.ontology_sections`);
- its schema.org JSON-LD lists values in hash order: it is written again with sorted keys and
  values, so the page is byte-identical on every run (`kgtool docs --check`).

Everything here edits pyLODE's dominate tree with dominate's own elements, which escape text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from dominate import document
from dominate.tags import a, h4, li, meta, nav, style, td, th, tr, ul
from dominate.util import raw
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kgtool.publish.ontology_sections import alignments, concept_schemes
from kgtool.publish.ontology_terms import Linker, curie, in_languages, labels, values_cell

#: pyLODE's own namespace for the inverse properties it infers (ontdoc:restriction …).
ONTDOC = Namespace("https://w3id.org/profile/ontdoc/")
#: Rows pyLODE leaves out of a term's table: property -> heading.
EXTRA_ROWS = {
    SKOS.exactMatch: "Exact Match",
    SKOS.closeMatch: "Close Match",
    SKOS.broadMatch: "Broad Match",
    SKOS.narrowMatch: "Narrow Match",
    SKOS.relatedMatch: "Related Match",
    OWL.equivalentProperty: "Equivalent Property",
    OWL.inverseOf: "Inverse Of",
    OWL.disjointWith: "Disjoint With",
}
#: Styles of what is added (the page's other styles are pyLODE's own).
CSS = """
#site-nav { margin-bottom: 1em; }
#site-nav a { margin-right: 1.2em; }
.lang-sep { color: grey; margin: 0 0.4em; }
.entity table.concepts, .entity table.alignments { table-layout: auto; border-collapse: collapse; }
.entity table.concepts th, .entity table.alignments th { width: auto; border-bottom: 1px solid navy; padding-bottom: 4px; }
.entity table.concepts td, .entity table.alignments td { padding: 4px 8px 8px 0; vertical-align: top; }
.entity table.concepts td p { margin: 0 0 4px 0; }
.entity table.concepts code { font-size: medium; }
.entity table.concepts th:nth-child(1) { width: 14%; }
.entity table.concepts th:nth-child(2) { width: 11%; }
.entity table.concepts th:nth-child(3) { width: 13%; }
.entity table.concepts th:nth-child(4) { width: 38%; }
.entity table.concepts th:nth-child(5) { width: 10%; }
.concepts td.depth-1 { padding-left: 1.5em; }
.concepts td.depth-2 { padding-left: 3em; }
.concepts td.depth-3 { padding-left: 4.5em; }
.concepts tr:target, .entity:target { background: #fff6d5; }
.wordings { color: #444; }
"""


# --- completing pyLODE's tree ----------------------------------------------------------------------
def _tag(element) -> str:
    """An element's tag name (dominate's classes are named for their tags)."""
    return type(element).__name__


def _row_property(row) -> URIRef | None:
    """The property a pyLODE table row (th, td) or definition pair (dt, dd) shows, from its heading's link."""
    heading = row.children[0] if row.children else None
    if heading is None or not hasattr(heading, "get"):
        return None
    links = heading.get("a", _class="hover_property")
    return URIRef(links[0]["href"]) if links else None


def _row_values(ont: Graph, subject: URIRef, prop: URIRef) -> list:
    if prop == ONTDOC.restriction:
        return [o for o in ont.objects(subject, RDFS.subClassOf) if (o, RDF.type, OWL.Restriction) in ont]
    values = list(ont.objects(subject, prop))
    if prop == RDFS.subClassOf:
        values = [o for o in values if (o, RDF.type, OWL.Restriction) not in ont]
    return values


def _rebuild_cell(cell, values: list, ont: Graph, link: Callable) -> None:
    """Replace a cell's content when pyLODE's would be unstable or untagged: blank nodes, literals."""
    if values and (all(isinstance(v, Literal) for v in values) or any(isinstance(v, BNode) for v in values)):
        cell.clear()
        cell.add(values_cell(ont, values, link))


def _complete_terms(doc: document, ont: Graph, graph: Graph, ids: dict[URIRef, str], link: Linker) -> None:
    by_id = {anchor: iri for iri, anchor in ids.items()}
    seen: set[str] = set()
    for block in doc.get("div", _class="property entity"):
        anchor = block.attributes.get("id")
        iri = by_id.get(anchor)
        if iri is None:
            continue
        if anchor in seen:  # a functional property is shown again under Functional Properties: one id
            del block["id"]
        seen.add(anchor)
        heading = block.children[0]
        names = labels(graph, iri)
        if names:
            kind = [child for child in heading.children if _tag(child) == "sup"]
            heading.clear()
            heading.add(*in_languages(names), *kind)
        grid = next((child for child in block.children if _tag(child) == "table"), None)
        if grid is None:
            continue
        for row in grid.children:
            prop = _row_property(row)
            if prop is not None and len(row.children) > 1:
                _rebuild_cell(row.children[1], _row_values(ont, iri, prop), ont, link)
        for prop, title in EXTRA_ROWS.items():
            values = sorted(graph.objects(iri, prop), key=str)
            if values:
                grid.add(
                    tr(
                        th(a(title, href=str(prop), _class="hover_property", title=curie(prop, link.names))),
                        td(values_cell(graph, values, link)),
                    )
                )


def _complete_toc(doc: document, graph: Graph, ids: dict[URIRef, str]) -> None:
    """pyLODE's contents list a term by its labels run together: one span per language instead."""
    by_id = {anchor: iri for iri, anchor in ids.items()}
    for entry in doc.get("div", id="toc")[0].get("a"):
        iri = by_id.get(entry.attributes.get("href", "")[1:])
        names = labels(graph, iri) if iri is not None else []
        if names:
            entry.clear()
            entry.add(*in_languages(names))


def _complete_metadata(doc: document, ont: Graph, graph: Graph, ontology: URIRef, link: Linker) -> None:
    section = doc.get("div", id="metadata")[0]
    title = section.get("h1")[0]
    title.clear()
    title.add(*in_languages(labels(graph, ontology)))
    for pair in section.get("div"):
        prop = _row_property(pair)
        if prop is not None and len(pair.children) > 1:
            _rebuild_cell(pair.children[1], list(ont.objects(ontology, prop)), ont, link)


def _canonical(value):
    """JSON with every object's keys and every array in one order (JSON-LD arrays here are sets)."""
    if isinstance(value, dict):
        return {key: _canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def _stable_json_ld(doc: document) -> None:
    for script in doc.head.get("script", type="application/ld+json"):
        text = "".join(getattr(child, "text", str(child)) for child in script.children)
        # no "<" at all inside the script: nothing in the data can close it or look like a tag
        body = json.dumps(_canonical(json.loads(text)), ensure_ascii=False, indent=2).replace("<", "\\u003c")
        script.clear()
        script.add(raw("\n" + body + "\n"))


def _insert_before(parent, element, before_id: str) -> None:
    """Put ``element`` into ``parent`` before the child with id ``before_id`` (at the end if none)."""
    at = next(
        (i for i, child in enumerate(parent.children) if getattr(child, "attributes", {}).get("id") == before_id), len(parent.children)
    )
    parent.children.insert(at, element)
    element.parent = parent


def _toc_entry(title: str, href: str, entries: Sequence[tuple[str, str]]):
    return li(h4(a(title, href=href)), ul([li(a(text, href=target)) for text, target in entries], _class="second"))


# --- the whole page --------------------------------------------------------------------------------
def complete(
    doc: document, ont: Graph, graph: Graph, ids: dict[URIRef, str], ontology: URIRef, links: Sequence[tuple[str, str]] = ()
) -> None:
    """Complete pyLODE's page in place.

    Args:
        doc: pyLODE's dominate document, after ``make_html``.
        ont: the graph pyLODE worked on (with its inferences: ontdoc:restriction …).
        graph: the ontology as the files state it (concept schemes, lexicon and all).
        ids: `term_ids`, which pyLODE was given.
        ontology: the ontology's IRI.
        links: (text, href) links to show above the page.
    """
    link = Linker(graph, ids)
    doc.attributes["lang"] = "en"
    doc.title = " / ".join(str(label) for label in labels(graph, ontology)) or str(ontology)
    for old in doc.head.get("meta", http_equiv="Content-Type"):
        doc.head.remove(old)
    doc.head.children.insert(0, meta(charset="utf-8"))
    doc.head.children[0].parent = doc.head
    doc.head.add(style(raw(CSS)))
    _complete_metadata(doc, ont, graph, ontology, link)
    _complete_terms(doc, ont, graph, ids, link)
    _complete_toc(doc, graph, ids)
    _stable_json_ld(doc)
    content = doc.get("div", id="content")[0]
    schemes, schemes_toc = concept_schemes(graph, ids, link)
    aligned, aligned_toc = alignments(graph, ids, link)
    _insert_before(content, schemes, "namespaces")
    _insert_before(content, aligned, "namespaces")
    toc = doc.get("div", id="toc")[0].get("ul", _class="first")[0]
    _toc_insert(toc, _toc_entry("Concept Schemes", "#conceptschemes", schemes_toc))
    _toc_insert(toc, _toc_entry("Alignments", "#alignments", aligned_toc))
    if links:
        content.children.insert(0, nav([a(text, href=href) for text, href in links], id="site-nav"))
        content.children[0].parent = content


def _toc_insert(toc, entry) -> None:
    """Add an entry to pyLODE's table of contents before its Namespaces entry, as the sections are."""

    def heads(child) -> list[str]:
        return [link["href"] for link in child.get("a")] if hasattr(child, "get") else []

    at = next((i for i, child in enumerate(toc.children) if "#namespaces" in heads(child)), len(toc.children))
    toc.children.insert(at, entry)
    entry.parent = toc
