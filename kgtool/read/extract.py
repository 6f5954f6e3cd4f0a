"""Provision tree + lexicon -> RDF: bodies, posts, duties, frequencies, principles, sanctions.

Every Body, Post and Duty gets wsa:definedIn and prov:wasDerivedFrom the provision it was
read from. Wordings come from ontology/lexicon.ttl and rules/extract.yaml; no document is
special-cased here, so a new text of the same kind goes through the same code.

This module runs one document through the stages, in order: the document's own facts (front
matter, jurisdiction, issuer, provisions, principles, sanctions, legal basis) here; who holds
what in holders, duties, levels and rosters; the minted nodes in minting.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kgtool.read.duties import distribute_collectives, read_duties
from kgtool.read.frequencies import times_per_year
from kgtool.read.frontmatter import front_matter
from kgtool.read.holders import read_prose_portfolios
from kgtool.read.levels import accountable_posts, level_duties, read_levels
from kgtool.read.lexicon import Lexicon
from kgtool.read.minting import Extraction, Summary, mint_body, provision_iri, rules
from kgtool.read.places import place_units
from kgtool.read.rosters import read_appointments, read_body_lists, read_rosters
from kgtool.read.sanctions import sanctions
from kgtool.read.structure import Provision
from kgtool.read.triples import DCTERMS, PROV, RDF, RDFS, SKOS, WSA, XSD, Triples
from kgtool.vocab import concept, iri_for, short_hash

__all__ = ["Summary", "Triples", "extract", "times_per_year"]


def run(ex: Extraction, source_path: str) -> Triples:
    """The document through every stage, in order (each later one reads what the earlier minted),
    and the counts for `kgtool ingest`."""
    g, doc = ex.g, ex.doc
    head_end = ex.tree.children[0].char_start if ex.tree.children else len(ex.text)
    meta = front_matter(ex.text[:head_end])
    g.add((doc, RDF.type, WSA.PolicyDocument))
    g.add((doc, WSA.sourceText, Literal(ex.text)))
    g.add((doc, DCTERMS.source, Literal(source_path)))
    if meta.title:
        g.add((doc, DCTERMS.title, Literal(meta.title, lang="zh")))
    if meta.number:
        g.add((doc, WSA.documentNumber, Literal(meta.number)))
    if meta.issued:
        g.add((doc, DCTERMS.issued, Literal(meta.issued, datatype=XSD.date)))
    ex.principal = None
    ex.territorial = False
    place = jurisdiction(ex, meta.creator or meta.title or "")
    if place is not None:
        g.add((doc, WSA.jurisdiction, place))
    provisions(ex, ex.tree, doc)
    for p in ex.tree.walk():
        ex.summary.explanation.at(p.id, p.heading)
    first = ex.tree.children[0] if ex.tree.children else ex.tree
    if meta.creator:
        creator = meta.creator
        parent = next(
            (creator[: -len(s)] for s in rules()["issuer_office_suffixes"] if creator.endswith(s) and len(creator) > len(s) + 1), None
        )
        ex.principal = mint_body(ex, parent or creator, first, cls=ex.lex.suffix_class(parent or creator) or WSA.GovernmentBody)
        creator_node = mint_body(ex, creator, first) if parent else ex.principal
        g.add((doc, DCTERMS.creator, creator_node))
    else:
        ex.summary.unplaced.append("issuer: no signature or 制发机关 found")
        ex.principal = mint_body(ex, "本文件适用机关", first, cls=WSA.Body)
    g.add((doc, WSA.appliesTo, ex.principal))
    principal_name = str(ex.g.value(ex.principal, RDFS.label))
    ex.territorial = (
        principal_name.endswith(tuple(rules()["territorial_suffixes"]))
        or principal_name == ex.jurisdiction_label
        or ex.g.value(ex.principal, RDF.type) == WSA.LeadingGroup
    )
    principles_and_sanctions(ex)
    legal_basis(ex)
    read_prose_portfolios(ex)
    read_duties(ex, ex.tree, None)
    read_levels(ex)
    read_body_lists(ex)
    read_rosters(ex)
    read_appointments(ex)
    distribute_collectives(ex)
    level_duties(ex)
    accountable_posts(ex)
    return g


def jurisdiction(ex: Extraction, name: str) -> Node | None:
    """The most specific place of the gazetteer named in the issuer (or title)."""
    best: tuple[int, Node, str] | None = None
    for place, label in ex.places.subject_objects(RDFS.label | SKOS.altLabel):
        if getattr(label, "language", None) == "zh" and str(label) in name:
            depth = len(list(ex.places.transitive_objects(place, WSA.within)))
            if best is None or depth > best[0]:
                best = (depth, place, str(label))
    if best is None:
        return jurisdiction_from_name(ex, name)
    ex.jurisdiction_label = best[2]
    return best[1]


def jurisdiction_from_name(ex: Extraction, name: str) -> URIRef | None:
    """A jurisdiction the gazetteer lacks, made from the places the issuer's name opens with
    ("石桥县人民政府办公室": 石桥县, a county), each within the one before; reported, so that an
    analyst can add it to data/places.ttl with the province it lies in."""
    units = place_units(name)
    if not units:
        ex.summary.unplaced.append(f"jurisdiction: no place of data/places.ttl, and none named, in {name!r}")
        return None
    parent = None
    for label, level in units:
        node = iri_for("place", local_id=f"new-{short_hash(label)}")
        ex.g.add((node, RDF.type, WSA.Jurisdiction))
        ex.g.add((node, RDFS.label, Literal(label, lang="zh")))
        ex.g.add((node, WSA.adminLevel, concept("adminlevel", level)))
        ex.g.add((node, PROV.wasDerivedFrom, provision_iri(ex, ex.tree)))
        if parent is not None:
            ex.g.add((node, WSA.within, parent))
        parent = node
    ex.jurisdiction_label = units[-1][0]
    ex.summary.unplaced.append(
        f"jurisdiction: {' > '.join(label for label, _ in units)} is not in data/places.ttl: made from the "
        f"issuer's name ({units[-1][1]}); add it there with the place it lies in to compare it by province"
    )
    return parent


def provisions(ex: Extraction, node: Provision, parent: URIRef) -> None:
    """Each provision as RDF; the root stands for the text before the first one (front matter, preamble)."""
    if node is ex.tree:
        end = node.children[0].char_start if node.children else node.char_end
        front = Provision(node.id, "front", node.lead, 0, end)
        provisions(ex, Provision("", "document", "", 0, 0, children=(front,)), parent)
    for child in node.children:
        iri = provision_iri(ex, child)
        g = ex.g
        g.add((iri, RDF.type, WSA.Provision))
        g.add((iri, DCTERMS.isPartOf, parent))
        g.add((iri, WSA.text, Literal(child.text, lang="zh")))
        g.add((iri, WSA.charStart, Literal(child.char_start)))
        g.add((iri, WSA.charEnd, Literal(child.char_end)))
        if child.heading:
            g.add((iri, WSA.heading, Literal(child.heading, lang="zh")))
        if child.marker:
            g.add((iri, WSA.marker, Literal(child.marker)))
        if child.ordinal is not None:
            g.add((iri, WSA.ordinal, Literal(child.ordinal)))
        provisions(ex, child, iri)


def principles_and_sanctions(ex: Extraction) -> None:
    """The principles the document invokes and the sanctions it provides, anywhere in its text."""
    for m in ex.lex.find(ex.text, "principle"):
        for iri in m.iris:
            ex.g.add((ex.doc, WSA.invokesPrinciple, iri))
    for mention in sanctions(ex.text, ex.lex):
        ex.g.add((ex.doc, WSA.providesSanction, mention.concept))


def legal_basis(ex: Extraction) -> None:
    """The laws a sentence cites as the document's basis (依据《…》)."""
    cues = rules()["legal_basis_cues"]
    for sentence in re.findall(r"[^。\n]+", ex.text):
        if any(c in sentence for c in cues):
            for m in re.finditer(r"《[^》]+》(?:[（(][^）)]*〔\d{4}〕\d+号[）)])?", sentence):
                ex.g.add((ex.doc, WSA.legalBasis, Literal(m.group(0), lang="zh")))


def extract(doc_id: str, text: str, tree: Provision, lexicon: Lexicon, places: Graph, *, source_path: str = "") -> tuple[Triples, Summary]:
    """The RDF of one document, and a summary of what was recognised and what was not.

    Args:
        doc_id: the document's slug, used in every IRI minted for it.
        text: the normalised text that the provisions' offsets point into.
        tree: the provision tree from structure.parse.
        lexicon: the wordings from ontology/.
        places: the gazetteer (data/places.ttl) used to find the jurisdiction.
        source_path: the source file, recorded as dcterms:source.
    """
    ex = Extraction(doc_id, text, tree, lexicon, places)
    return run(ex, source_path), ex.summary
