"""The two sections pyLODE's page lacks: the concept schemes (each concept with its Chinese and
English label and definition, and the wordings the extractor recognises) and the alignments to
the standards the ontology reuses (ORG, ODRL, PROV, ELI …).
"""

from __future__ import annotations

from dominate.tags import code, div, h2, h3, p, span, sup, table, tbody, td, th, thead, tr
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kgtool.publish.ontology_terms import LANGS, Linker, comments, curie, html_lang, in_languages, labels, literal_values
from kgtool.vocab import WSA

#: How a term of this ontology relates to another standard's.
ALIGNMENTS = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)
#: The declarations that make a standard's term one the ontology uses as it is.
DECLARED = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
#: The standards the ontology aligns with, by namespace.
STANDARDS = {
    "http://www.w3.org/ns/org#": "W3C Organization Ontology (ORG)",
    "http://www.w3.org/ns/odrl/2/": "W3C ODRL Information Model",
    "http://www.w3.org/ns/prov#": "W3C PROV Ontology (PROV-O)",
    "http://data.europa.eu/eli/ontology#": "European Legislation Identifier (ELI)",
    "http://purl.org/dc/terms/": "DCMI Metadata Terms",
    "http://www.w3.org/2004/02/skos/core#": "W3C SKOS",
    "http://xmlns.com/foaf/0.1/": "FOAF",
    "http://schema.org/": "schema.org",
    "http://data.europa.eu/m8g/": "SEMIC Core Public Organisation Vocabulary",
    "http://docs.oasis-open.org/legalruleml/ns/v1.0/": "OASIS LegalRuleML",
    "http://www.w3.org/ns/oa#": "W3C Web Annotation Vocabulary",
    "http://purl.org/vocab/vann/": "VANN",
}


def _concept_order(graph: Graph, concepts: set) -> list[tuple[URIRef, int]]:
    """Concepts depth-first from the top ones (those with no broader concept in the scheme), each with its depth."""
    children: dict = {concept: set() for concept in concepts}
    for concept in concepts:
        for broader in set(graph.objects(concept, SKOS.broader)) | set(graph.subjects(SKOS.narrower, concept)):
            if broader in concepts:
                children[broader].add(concept)
    has_parent = {child for kids in children.values() for child in kids}
    ordered: list[tuple[URIRef, int]] = []
    seen: set = set()

    def visit(concept, depth: int) -> None:
        if concept in seen:
            return
        seen.add(concept)
        ordered.append((concept, depth))
        for child in sorted(children[concept], key=str):
            visit(child, depth + 1)

    for top in sorted(concepts - has_parent, key=str):
        visit(top, 0)
    for rest in sorted(concepts - seen, key=str):  # a cycle of broader links: shown flat, not lost
        visit(rest, 0)
    return ordered


def _wordings(graph: Graph, concept) -> str:
    """The Chinese wordings the extractor recognises besides the preferred label (not the hidden ones)."""
    found = sorted({str(o) for o in graph.objects(concept, SKOS.altLabel) if isinstance(o, Literal) and (o.language or "").lower() == "zh"})
    return "、".join(found)


def _scheme_block(graph: Graph, scheme: URIRef, ids: dict[URIRef, str], link: Linker):
    concepts = {
        c for c in set(graph.subjects(SKOS.inScheme, scheme)) | set(graph.subjects(SKOS.topConceptOf, scheme)) if isinstance(c, URIRef)
    }
    grid = table(tr(th("IRI"), td(code(str(scheme)))), _class="scheme")
    if comments(graph, scheme):
        grid.add(tr(th("Description"), td(literal_values(comments(graph, scheme)))))
    grid.add(tr(th("Concepts"), td(str(len(concepts)))))
    rows = tbody()
    for concept, depth in _concept_order(graph, concepts):
        names = {lit.language: lit for lit in labels(graph, concept) if lit.language in LANGS}
        broader = sorted((b for b in graph.objects(concept, SKOS.broader) if isinstance(b, URIRef)), key=str)
        rows.add(
            tr(
                td(code(curie(concept, link.names)), _class=f"depth-{min(depth, 3)}"),
                td(span(str(names["zh"]), lang="zh-Hans") if "zh" in names else ""),
                td(span(str(names["en"]), lang="en") if "en" in names else ""),
                td([p(str(text), **html_lang(text)) for text in comments(graph, concept)]),
                td([link(b) for b in broader]),
                td(_wordings(graph, concept), lang="zh-Hans", _class="wordings"),
                id=ids[concept],
            )
        )
    concepts_table = table(
        thead(tr(th("Concept"), th("中文"), th("English"), th("Definition"), th("Broader"), th("Other wordings"))), rows, _class="concepts"
    )
    return div(
        h3(*in_languages(labels(graph, scheme)), sup("cs", _class="sup-c", title="SKOS Concept Scheme")),
        grid,
        concepts_table,
        id=ids[scheme],
        _class="entity",
    )


def concept_schemes(graph: Graph, ids: dict[URIRef, str], link: Linker) -> tuple[div, list[tuple[str, str]]]:
    """The concept schemes, each with its concepts' Chinese and English labels and definitions."""
    schemes = sorted(s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef))
    parts = sorted(str(s) for s in graph.subjects(RDF.type, OWL.Ontology) if s != URIRef(str(WSA).rstrip("#")))
    intro = p(
        "The controlled vocabularies of the ontology: each concept with its Chinese and English name and "
        "definition. The other wordings are the Chinese ones the extractor also recognises ",
        *[code(part) for part in parts],
        "; wordings for recognition only (skos:hiddenLabel) are left out.",
    )
    section = div(h2("Concept Schemes"), intro, id="conceptschemes", _class="section")
    toc = []
    for scheme in schemes:
        section.add(_scheme_block(graph, scheme, ids, link))
        names = labels(graph, scheme)
        toc.append((str(next((n for n in names if n.language == "en"), names[0] if names else scheme)), "#" + ids[scheme]))
    return section, toc


def _standard(iri: URIRef) -> str | None:
    text = str(iri)
    return next((ns for ns in sorted(STANDARDS, key=len, reverse=True) if text.startswith(ns)), None)


def alignments(graph: Graph, ids: dict[URIRef, str], link: Linker) -> tuple[div, list[tuple[str, str]]]:
    """Per standard: how ``wsa:`` terms relate to its terms, and which of its terms are used as they are."""
    by_standard: dict[str, list[tuple]] = {}
    wsa = str(WSA)
    for prop in ALIGNMENTS:
        for s, o in graph.subject_objects(prop):
            standard = _standard(o) if isinstance(o, URIRef) else None
            if isinstance(s, URIRef) and str(s).startswith(wsa) and standard:
                by_standard.setdefault(standard, []).append((s, prop, o))
    for iri in ids:
        standard = _standard(iri)
        if standard and any((iri, RDF.type, kind) in graph for kind in DECLARED):
            by_standard.setdefault(standard, []).append((None, None, iri))
    section = div(
        h2("Alignments"),
        p(
            "The ontology aligns with these standards without importing them: its terms point to theirs with "
            "rdfs:subClassOf, rdfs:subPropertyOf, owl:equivalentClass and skos:closeMatch, and the terms it "
            "uses as they are (declared here so that the ontology alone is OWL 2 DL) are listed as used directly."
        ),
        id="alignments",
        _class="section",
    )
    toc = []
    for standard in sorted(by_standard, key=lambda ns: (STANDARDS[ns], ns)):
        prefix = next((name for name, ns in sorted(link.names.items()) if ns == standard), "ns")
        rows = tbody()
        ordered = sorted(by_standard[standard], key=lambda t: (t[0] is None, str(t[0]), str(t[1]), str(t[2])))
        for subject, prop, target in ordered:
            rows.add(
                tr(
                    td(link(subject)) if subject is not None else td(),
                    td(code(curie(prop, link.names)) if prop is not None else span("used directly", _class="cardinality")),
                    td(link(target)),
                )
            )
        anchor = f"align-{prefix}"
        section.add(
            div(
                h3(STANDARDS[standard], " ", code(f"{prefix}:")),
                table(thead(tr(th("Term"), th("Relation"), th("Term of the standard"))), rows, _class="alignments"),
                id=anchor,
                _class="entity",
            )
        )
        toc.append((STANDARDS[standard], "#" + anchor))
    return section, toc
