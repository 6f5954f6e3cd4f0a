"""OWL reasoning over the ontology and data: is the graph consistent, and what falls into
the defined classes (wsa:FirstResponsiblePost, wsa:PostWithPeriodicDuty …)?

The reasoner is HermiT, run by owlready2 in a Java subprocess. owlready2 cannot read
Turtle and keeps its own quadstore, so each call serialises the rdflib graphs to
N-Triples in a temporary folder and loads them into a fresh, in-memory owlready2 World:
no state survives between calls and nothing touches owlready2's default world.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from rdflib import OWL, RDF, RDFS, BNode, URIRef
from rdflib.collection import Collection
from rdflib.graph import ConjunctiveGraph
from rdflib.term import Node

from kgtool.errors import EngineError

JAVA_HINT = "install a Java runtime, e.g. `apt-get install default-jre-headless`"

#: How many clashing resources an inconsistency explanation names at most.
MAX_CLASHES = 5


@dataclass(frozen=True)
class Reasoning:
    """What HermiT concluded, as plain strings so the CLI and web can show it as is.

    Attributes:
        consistent: False when the graphs have no model (owlready2 reports an
            inconsistent ontology).
        explanation: why it is inconsistent, or which named classes are unsatisfiable
            in a consistent graph; None when there is nothing to say.
        inferred: for each defined class (a named class with owl:equivalentClass), the
            IRIs of the members HermiT inferred that the graphs did not assert, sorted.
            Empty when the graphs are inconsistent or ``infer`` was False.
    """

    consistent: bool
    explanation: str | None = None
    inferred: dict[str, list[str]] = field(default_factory=dict)


def reason(graphs: Iterable[rdflib.Graph] | rdflib.Graph, *, infer: bool = True) -> Reasoning:
    """Check consistency with HermiT and collect inferred members of the defined classes.

    Args:
        graphs: the ontology and data, as one graph or several (a Dataset counts with
            all its named graphs); they are merged before reasoning.
        infer: also report the inferred members of the defined classes; when False
            only consistency (and unsatisfiable classes) is reported.

    Returns:
        A Reasoning. An inconsistent graph is a result, not an error.

    Raises:
        EngineError: if Java is missing, or HermiT or owlready2 fail for another reason.
    """
    merged = _merge(graphs)
    java = _java()
    marker = URIRef(f"urn:uuid:{uuid.uuid4()}")
    with tempfile.TemporaryDirectory(prefix="kgtool-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        merged.serialize(destination=str(path), format="nt", encoding="utf-8")
        with path.open("a", encoding="utf-8") as out:  # lets _remove_leftovers know our file
            out.write(f'{marker.n3()} <{RDFS.comment}> "kgtool.gaps.reasoning input" .\n')
        before = _temp_files()
        try:
            return _run_hermit(path, merged, java=java, infer=infer)
        finally:
            _remove_leftovers(before, str(marker))


def _merge(graphs: Iterable[rdflib.Graph] | rdflib.Graph) -> rdflib.Graph:
    """One triple graph: HermiT sees a single ontology, whatever named graphs held it."""
    if isinstance(graphs, rdflib.Graph):
        graphs = [graphs]
    merged = rdflib.Graph()
    for graph in graphs:
        if isinstance(graph, ConjunctiveGraph):
            for s, p, o, _ in graph.quads((None, None, None, None)):
                merged.add((s, p, o))
        else:
            for triple in graph.triples((None, None, None)):
                merged.add(triple)
    return merged


def _java() -> str:
    """The java executable owlready2 will start, found before HermiT fails obscurely."""
    import owlready2

    java = shutil.which(owlready2.JAVA_EXE)
    if java is None:
        raise EngineError(
            f"HermiT needs Java, and {owlready2.JAVA_EXE!r} was not found on the PATH",
            hint=JAVA_HINT,
        )
    return java


def _run_hermit(path: Path, merged: rdflib.Graph, *, java: str, infer: bool) -> Reasoning:
    """Load one N-Triples file into a fresh World and classify and realise it."""
    import owlready2

    world = owlready2.World()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", owlready2.OwlReadyWarning)
            try:
                world.get_ontology(path.as_uri()).load()
            except Exception as exc:  # owlready2 raises several unrelated classes here
                raise EngineError(f"owlready2 could not load the graph: {exc}", where="kgtool.gaps.reasoning") from exc
            try:
                owlready2.sync_reasoner_hermit(
                    world,
                    infer_property_values=False,
                    debug=0,
                    ignore_unsupported_datatypes=True,  # xsd:date and xsd:duration data
                )
            except owlready2.OwlReadyInconsistentOntologyError as exc:
                return Reasoning(False, _inconsistency(merged, str(exc)), {})
            except FileNotFoundError as exc:
                raise EngineError(f"could not start {java}: {exc}", hint=JAVA_HINT) from exc
            except owlready2.OwlReadyJavaError as exc:
                raise EngineError(f"HermiT failed: {_first_lines(str(exc))}", where="kgtool.gaps.reasoning") from exc
            except Exception as exc:
                raise EngineError(f"owlready2 failed while reasoning: {exc}", where="kgtool.gaps.reasoning") from exc
            unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if isinstance(c, owlready2.ThingClass))
            inferred = _inferred_members(world, merged) if infer else {}
    finally:
        world.close()
    explanation = f"unsatisfiable classes: {', '.join(unsatisfiable)}" if unsatisfiable else None
    return Reasoning(True, explanation, inferred)


def _inferred_members(world: Any, merged: rdflib.Graph) -> dict[str, list[str]]:
    """Members of each defined class that the graphs did not state themselves."""
    import owlready2

    result: dict[str, list[str]] = {}
    for cls_iri in sorted(_defined_classes(merged)):
        cls = world[cls_iri]
        if not isinstance(cls, owlready2.ThingClass):
            continue
        asserted = {str(s) for s in merged.subjects(RDF.type, URIRef(cls_iri))}
        members = {
            ind.iri
            for ind in cls.instances(world=world)
            if getattr(ind, "storid", -1) > 0  # blank nodes have negative storids
        }
        result[cls_iri] = sorted(members - asserted)
    return result


def _defined_classes(graph: rdflib.Graph) -> set[str]:
    """Named classes given by necessary and sufficient conditions (owl:equivalentClass)."""
    found: set[str] = set()
    for s, o in graph.subject_objects(OWL.equivalentClass):
        for node in (s, o):
            if isinstance(node, URIRef) and node != OWL.Nothing and node != OWL.Thing:
                found.add(str(node))
    return found


def _inconsistency(graph: rdflib.Graph, message: str) -> str:
    """A sentence for people: owlready2's own message is usually empty."""
    text = "HermiT found the ontology and data inconsistent (no model satisfies them)"
    if message.strip():
        text += f": {message.strip()}"
    clashes = _asserted_clashes(graph)
    if clashes:
        text += "; resources asserted in disjoint classes: " + "; ".join(clashes)
    return text


def _asserted_clashes(graph: rdflib.Graph) -> list[str]:
    """Resources whose stated types (with told superclasses) are declared disjoint.

    Only the commonest cause, found without a reasoner; clashes that need inference
    (a domain or range, a functional property) are not listed.
    """
    pairs: set[frozenset[URIRef]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add(frozenset((a, b)))
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members_node = graph.value(axiom, OWL.members)
        if members_node is None:
            continue
        members = [m for m in Collection(graph, members_node) if isinstance(m, URIRef)]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add(frozenset((a, b)))
    if not pairs:
        return []
    clashes: list[str] = []
    resources = {s for s in graph.subjects(RDF.type, None) if not isinstance(s, BNode)}
    for resource in sorted(resources, key=str):
        types = _told_superclasses(graph, set(graph.objects(resource, RDF.type)))
        hit = sorted("/".join(sorted(str(c) for c in pair)) for pair in pairs if pair <= types)
        if hit:
            clashes.append(f"{resource} ({hit[0]})")
            if len(clashes) == MAX_CLASHES:
                break
    return clashes


def _told_superclasses(graph: rdflib.Graph, classes: set[Node]) -> set[Node]:
    """The classes and all their stated rdfs:subClassOf ancestors."""
    seen: set[Node] = set()
    todo = [c for c in classes if isinstance(c, URIRef)]
    while todo:
        c = todo.pop()
        if c in seen:
            continue
        seen.add(c)
        todo.extend(p for p in graph.objects(c, RDFS.subClassOf) if isinstance(p, URIRef))
    return seen


def _temp_files() -> set[Path]:
    """Files owlready2 may create: NamedTemporaryFile() in the default temp folder."""
    return set(Path(tempfile.gettempdir()).glob("tmp*"))


def _remove_leftovers(before: set[Path], marker: str) -> None:
    """Delete the copy of our input owlready2 leaves behind when HermiT fails.

    owlready2 skips removing its temporary N-Triples file when HermiT exits with an
    error (an inconsistent ontology included); only new files carrying our marker go.
    """
    needle = marker.encode("ascii")
    for candidate in _temp_files() - before:
        try:
            if candidate.is_file() and needle in candidate.read_bytes():
                candidate.unlink()
        except OSError:
            pass


def _first_lines(text: str, n: int = 3) -> str:
    """Java stack traces are long; the first lines say what went wrong."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("at ")]
    return " ".join(lines[:n])
