"""A document's statements as a light triple set, and namespaces whose terms are made once.

Extraction needs only adding, membership and a few lookups; an rdflib Graph made that half of
extraction's time.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Graph, Namespace, URIRef
from rdflib import namespace as rdfns
from rdflib.namespace import DefinedNamespace
from rdflib.term import Node

from kgtool import vocab
from kgtool.vocab import PREFIXES


class _Terms:
    """A namespace whose terms are made once: rdflib makes (and checks) a new URIRef on every
    WSA.x, a sizeable share of extraction's time."""

    def __init__(self, namespace: Namespace | type[DefinedNamespace]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # introspection (pytest, inspect), not a term
            raise AttributeError(name)
        term = self._namespace[name]
        setattr(self, name, term)
        return term


WSA, ORG, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD = (
    _Terms(ns) for ns in (vocab.WSA, vocab.ORG, rdfns.DCTERMS, rdfns.FOAF, rdfns.PROV, rdfns.RDF, rdfns.RDFS, rdfns.SKOS, rdfns.XSD)
)


class Triples:
    """A document's statements: a set of triples, kept by subject and predicate in insertion order.

    Why not an rdflib Graph: adding to its store took nearly half of extraction's time, and
    extraction needs only adding, membership and a few lookups. The order of a subject's objects
    is the order they were added in, as in rdflib's memory store, so lookups answer the same.
    """

    def __init__(self) -> None:
        self.spo: dict[Node, dict[Node, dict[Node, None]]] = {}

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        s, p, o = triple
        po = self.spo.get(s)
        if po is None:
            po = self.spo[s] = {}
        objects = po.get(p)
        if objects is None:
            objects = po[p] = {}
        objects[o] = None  # an object added again keeps its place

    def discard(self, triple: tuple[Node, Node, Node]) -> None:
        """Removes a statement if present (an analyst's correction retracts what was read)."""
        s, p, o = triple
        po = self.spo.get(s)
        if po is None or o not in po.get(p, {}):
            return
        del po[p][o]
        if not po[p]:
            del po[p]
        if not po:
            del self.spo[s]

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        s, p, o = triple
        return o in self.spo.get(s, {}).get(p, {})

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return ((s, p, o) for s, po in self.spo.items() for p, objects in po.items() for o in objects)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return list(self.spo.get(subject, {}).get(predicate, {}))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """The first object added for subject and predicate, as rdflib's Graph.value answers."""
        return next(iter(self.spo.get(subject, {}).get(predicate, {})), None)

    def subjects(self, predicate: Node, obj: Node) -> list[Node]:
        return [s for s, po in self.spo.items() if obj in po.get(predicate, ())]

    def graph(self) -> Graph:
        """The same statements as an rdflib Graph, with the project's prefixes."""
        graph = Graph()
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        graph.addN((s, p, o, graph) for s, p, o in self)
        return graph
