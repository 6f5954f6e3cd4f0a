"""The fixed names of DESIGN.md in one place, and the only place IRIs are minted.

Saved queries, shapes and outside checks rely on these names, so nothing else in the
package spells a namespace out.
"""

from __future__ import annotations

import hashlib
import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

WSA = Namespace("https://w3id.org/wsa/ontology#")
ID = Namespace("https://w3id.org/wsa/id/")
CONCEPT = Namespace("https://w3id.org/wsa/concept/")
GRAPH = Namespace("https://w3id.org/wsa/graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: Prefixes declared for every query and every serialisation.
PREFIXES: dict[str, str] = {
    "wsa": str(WSA),
    "id": str(ID),
    "place": str(ID["place/"]),
    "role": str(CONCEPT["role/"]),
    "level": str(CONCEPT["level/"]),
    "dutytype": str(CONCEPT["dutytype/"]),
    "principle": str(CONCEPT["principle/"]),
    "sanction": str(CONCEPT["sanction/"]),
    "adminlevel": str(CONCEPT["adminlevel/"]),
    "org": str(ORG),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "eli": str(ELI),
    "odrl": str(ODRL),
    "oa": str(OA),
    "foaf": str(FOAF),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
}

#: Named graph that holds ontology/*.ttl in a store.
ONTOLOGY_GRAPH = GRAPH["ontology"]

#: The whole graph as one dataset (void:Dataset, dcat:Dataset): what kgtool.publish describes.
DATASET = URIRef("https://w3id.org/wsa/dataset")


def sparql_prefixes() -> str:
    """PREFIX lines for every predeclared prefix.

    >>> sparql_prefixes().splitlines()[0]
    'PREFIX wsa: <https://w3id.org/wsa/ontology#>'
    """
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def concept(scheme: str, ident: str):
    """IRI of a concept in one of DESIGN.md's schemes.

    >>> str(concept("role", "party_secretary"))
    'https://w3id.org/wsa/concept/role/party_secretary'
    """
    return CONCEPT[f"{scheme}/{ident}"]


def local_name(iri) -> str:
    """The last segment of an IRI: a concept's id, a class's name.

    >>> local_name("https://w3id.org/wsa/concept/role/safety_deputy"), local_name("https://w3id.org/wsa/ontology#Post")
    ('safety_deputy', 'Post')
    """
    return re.split(r"[/#]", str(iri).rstrip("/#"))[-1]


def short_hash(text: str) -> str:
    """Stable 8-hex-digit key for a name written in Chinese, so IRIs survive rebuilds.

    >>> short_hash("经济运行科")
    'd464bea1'
    """
    return hashlib.blake2s(text.encode("utf-8"), digest_size=4).hexdigest()


def iri_for(kind: str, doc_id: str | None = None, local_id: str | None = None) -> URIRef:
    """Mint the IRI of a resource; the one place data IRIs are made.

    Args:
        kind: "document", "graph", "place", "agent" (an analyst who corrects the reading), or a
            resource kind inside a document ("provision", "body", "post", "duty", "freq",
            "person", "correction", "statement").
        doc_id: the document slug, e.g. "mianyang-union-2020".
        local_id: the resource's stable key inside its document.

    >>> str(iri_for("document", "wuxi-towns-2021"))
    'https://w3id.org/wsa/id/wuxi-towns-2021'
    >>> str(iri_for("post", "wuxi-towns-2021", "gov.principal_head"))
    'https://w3id.org/wsa/id/wuxi-towns-2021/post/gov.principal_head'
    """
    if kind in ("place", "agent"):
        return ID[f"{kind}/{local_id}"]
    if doc_id is None:
        raise ValueError(f"iri_for({kind!r}) needs a document")
    if kind == "document":
        return ID[doc_id]
    if kind == "graph":
        return GRAPH[doc_id]
    if local_id is None:
        raise ValueError(f"iri_for({kind!r}) needs a document and a local id")
    return ID[f"{doc_id}/{kind}/{local_id}"]
