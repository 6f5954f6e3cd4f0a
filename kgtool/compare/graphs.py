"""Structure: one networkx graph per document, the measures read off it, and GraphML.

Takes `Facts`; gives ``dict[slug, nx.DiGraph]`` (bodies, posts, duties and the links between
them), `StructureMeasures` per document (posts, bodies, depth, duties per post, shares), made
from `StructureCounts` (what a profile keeps, and what a group of documents sums), and the
graphs as one GraphML file. The similarity kernel reads the same graphs.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import networkx as nx

from kgtool.compare.facts import Facts, facts_for
from kgtool.compare.model import CATCH_ALL, Jurisdiction, decimal_or_none
from kgtool.read.extract import times_per_year
from kgtool.store import Store
from kgtool.vocab import local_name

# The links whose longest chain is a document's depth.
_CHAIN_LINKS = ("subOrganizationOf", "postIn")


@dataclass(frozen=True)
class StructureMeasures:
    """What an analyst reads off one document's organisation graph.

    ``depth`` is the longest chain of org:postIn / org:subOrganizationOf links, in links
    (post → town → city government = 2), and ``depth_chain`` its labels. ``idle_posts`` are
    posts with no duty or only catch-all (dutytype:other) duties, by the label as written.
    """

    jurisdiction: Jurisdiction
    posts: int
    bodies: int
    duties: int
    depth: int
    depth_chain: tuple[str, ...]
    duties_per_post: float
    frequency_share: float
    idle_post_share: float
    idle_posts: tuple[str, ...]
    body_duty_share: float


def structure_graphs_from(facts: Facts) -> dict[str, nx.DiGraph]:
    graphs = {j.slug: nx.DiGraph(document=j.document, jurisdiction=j.text, slug=j.slug) for j in facts.juris}
    tpy: dict[str, Decimal] = {}
    for row in facts.frequency_rows():
        value = decimal_or_none(row.get("tpy"))
        if value is None and row.get("period") is not None:
            value = times_per_year(str(row["period"]), int(row["min"]) if row.get("min") is not None else 1)
        if value is not None:
            tpy[str(row["f"])] = max(value, tpy.get(str(row["f"]), value))
    for body in facts.bodies.values():
        cls = facts.vocab.most_specific(body.types)
        graphs[body.slug].add_node(
            body.iri, kind="body", label=body.label or local_name(body.iri), **{"class": local_name(cls)}, document=body.slug
        )
    for post in facts.posts.values():
        attrs: dict[str, Any] = {
            "kind": "post",
            "label": post.label or local_name(post.iri),
            "role": ";".join(r.id for r in post.roles),
            "document": post.slug,
        }
        if post.levels:
            attrs["level"] = ";".join(sorted(local_name(v) for v in post.levels))
        if post.alts:
            attrs["written"] = ";".join(sorted(post.alts))
        graphs[post.slug].add_node(post.iri, **attrs)
    for duty in facts.duties.values():
        attrs = {
            "kind": "duty",
            "label": duty.text[:40] + ("…" if len(duty.text) > 40 else ""),
            "text": duty.text,
            "duty_types": ";".join(sorted(local_name(t) for t in duty.types)),
            "document": duty.slug,
        }
        rates = [tpy[f] for f in duty.freqs if f in tpy]
        if rates:
            attrs["times_per_year"] = float(max(rates))
        graphs[duty.slug].add_node(duty.iri, **attrs)
    for slug, s, link, o in facts.links:
        graph = graphs[slug]
        if s in graph and o in graph:  # links to things outside the document stay out
            graph.add_edge(s, o, relation=link)
    return graphs


def structure_graphs(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> dict[str, nx.DiGraph]:
    """One networkx DiGraph per document: bodies, posts and duties, and the links between them.

    Nodes are IRIs with ``kind`` (body, post, duty), ``label``, ``document`` and, by kind,
    ``class``, ``role``, ``level``, ``duty_types``, ``times_per_year``; edges carry ``relation``
    (subOrganizationOf, postIn, hasDuty, memberOfGroup, supervisedBy). Five queries in all.
    """
    return structure_graphs_from(facts_for(store, selected))


def _depth(graph: nx.DiGraph) -> list[str]:
    """The longest postIn / subOrganizationOf chain, as its nodes."""
    chain = nx.DiGraph()
    chain.add_edges_from((u, v) for u, v, rel in graph.edges(data="relation") if rel in _CHAIN_LINKS)
    if chain.number_of_edges() == 0:
        return []
    if not nx.is_directed_acyclic_graph(chain):  # a cycle in the data: measure its condensation
        condensed = nx.condensation(chain)
        path = nx.dag_longest_path(condensed)
        return [sorted(condensed.nodes[c]["members"])[0] for c in path]
    return nx.dag_longest_path(chain)


@dataclass(frozen=True)
class StructureCounts:
    """What the measures of one or more documents are made of: counts, so that a group of
    documents (`kgtool.compare.profile.merge`) sums them before dividing."""

    posts: int
    bodies: int
    duties: int
    depth: int
    depth_chain: tuple[str, ...]
    held_by_posts: int  # (post, duty) holdings
    with_frequency: int  # duties with a times-per-year figure
    idle_posts: tuple[str, ...]
    held_by_bodies: int  # duties some body holds itself


def count_graph(graph: nx.DiGraph) -> StructureCounts:
    """The counts of one document's structure graph."""
    kinds = nx.get_node_attributes(graph, "kind")
    posts = [n for n, k in kinds.items() if k == "post"]
    bodies = [n for n, k in kinds.items() if k == "body"]
    duties = [n for n, k in kinds.items() if k == "duty"]
    held = {n: [v for _, v, rel in graph.out_edges(n, data="relation") if rel == "hasDuty"] for n in graph}

    def catch_all(duty: str) -> bool:
        types = set(filter(None, graph.nodes[duty].get("duty_types", "").split(";")))
        return types <= {CATCH_ALL}

    idle = [p for p in posts if all(catch_all(d) for d in held[p])]
    by_bodies = {d for b in bodies for d in held[b]}
    chain = _depth(graph)
    return StructureCounts(
        posts=len(posts),
        bodies=len(bodies),
        duties=len(duties),
        depth=max(len(chain) - 1, 0),
        depth_chain=tuple(graph.nodes[n].get("label", n) for n in chain),
        held_by_posts=sum(len(held[p]) for p in posts),
        with_frequency=sum(1 for d in duties if "times_per_year" in graph.nodes[d]),
        idle_posts=tuple(sorted(graph.nodes[p].get("label", p) for p in idle)),
        held_by_bodies=len(by_bodies),
    )


def measures_of(counts: StructureCounts, jurisdiction: Jurisdiction) -> StructureMeasures:
    """The measures an analyst reads, from the counts (shares are of posts or of duties)."""
    c = counts
    return StructureMeasures(
        jurisdiction=jurisdiction,
        posts=c.posts,
        bodies=c.bodies,
        duties=c.duties,
        depth=c.depth,
        depth_chain=c.depth_chain,
        duties_per_post=(c.held_by_posts / c.posts) if c.posts else 0.0,
        frequency_share=(c.with_frequency / c.duties) if c.duties else 0.0,
        idle_post_share=(len(c.idle_posts) / c.posts) if c.posts else 0.0,
        idle_posts=c.idle_posts,
        body_duty_share=(c.held_by_bodies / c.duties) if c.duties else 0.0,
    )


def measure_graph(graph: nx.DiGraph, jurisdiction: Jurisdiction) -> StructureMeasures:
    return measures_of(count_graph(graph), jurisdiction)


def structure(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> list[StructureMeasures]:
    """Structure measures per document (posts, bodies, depth, duties per post, shares)."""
    facts = facts_for(store, selected)
    graphs = structure_graphs_from(facts)
    return [measure_graph(graphs[j.slug], j) for j in facts.juris]


def structure_graphml(graphs: Mapping[str, nx.DiGraph]) -> bytes:
    """The structure graphs as one GraphML file (for Gephi or Cytoscape); ``document`` tells them apart."""
    union = nx.DiGraph(name="kgtool structure", documents=";".join(graphs))
    for graph in graphs.values():
        union.add_nodes_from(graph.nodes(data=True))
        union.add_edges_from(graph.edges(data=True))
    buffer = io.BytesIO()
    nx.write_graphml(union, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()
