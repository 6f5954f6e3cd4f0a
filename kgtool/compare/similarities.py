"""Similarity: how alike two jurisdictions are, two ways, with the reason for each pair.

Takes `Facts` (through the role × duty matrix and the structure graphs); gives `Similarity`:
Jaccard over (holder, duty type) pairs and the cosine of Weisfeiler-Lehman subtree histograms
of the structure graphs, with a `PairSimilarity` per pair saying what they share and what not.
To change how similarity is computed, change this module only.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import networkx as nx

from kgtool.compare.facts import Facts, facts_for
from kgtool.compare.graphs import structure_graphs_from
from kgtool.compare.matrices import role_duty_matrix_from
from kgtool.compare.model import Jurisdiction, Term, order_holders
from kgtool.store import Store


@dataclass(frozen=True)
class PairSimilarity:
    """Why two jurisdictions are close or far: their shared and distinct (holder, duty type) pairs."""

    a: str
    b: str
    jaccard: float
    wl: float
    shared: tuple[tuple[Term, Term], ...]
    only_a: tuple[tuple[Term, Term], ...]
    only_b: tuple[tuple[Term, Term], ...]
    shared_nodes: tuple[str, ...]  # node labels of the structure graphs found in both (WL iteration 0)

    @property
    def reason(self) -> str:
        """One line: how many pairs are shared, and the holders that share most and differ most."""
        union = len(self.shared) + len(self.only_a) + len(self.only_b)
        return (
            f"{len(self.shared)}/{union} pairs shared; shared: {grouped(self.shared)}; "
            f"only {self.a}: {grouped(self.only_a)}; only {self.b}: {grouped(self.only_b)}"
        )


@dataclass(frozen=True)
class Similarity:
    """Two similarity matrices over the same jurisdictions (rows and columns in the same order).

    ``jaccard``: |shared (holder, duty type) pairs| / |pairs of either|. ``wl``: cosine of the
    Weisfeiler-Lehman subtree histograms of the structure graphs (node labels: body class,
    post role, duty types; edge labels: the link), so it also weighs how duties hang together.
    Both are symmetric, 1.0 on the diagonal, in [0, 1].
    """

    jurisdictions: tuple[Jurisdiction, ...]
    jaccard: tuple[tuple[float, ...], ...]
    wl: tuple[tuple[float, ...], ...]
    pairs: tuple[PairSimilarity, ...]
    iterations: int

    def pair(self, a: str, b: str) -> PairSimilarity | None:
        for p in self.pairs:
            if {p.a, p.b} == {a, b}:
                return p
        return None

    def value(self, measure: str, a: str, b: str) -> float:
        index = {j.slug: i for i, j in enumerate(self.jurisdictions)}
        return getattr(self, measure)[index[a]][index[b]]


def grouped(pairs: Sequence[tuple[Term, Term]], limit: int = 4) -> str:
    """Pairs grouped by holder, biggest groups first: "分管安全生产负责人(检查, 会议) …"."""
    if not pairs:
        return "—"
    # keyed by the holder's id, a plain string: hashing the Term dataclass (every field, each
    # time) was half the time of the "why" column of 42,000 neighbours
    groups: dict[str, tuple[Term, list[Term]]] = {}
    for holder, duty_type in pairs:
        group = groups.get(holder.id)
        if group is None:
            group = groups[holder.id] = (holder, [])
        group[1].append(duty_type)
    ranked = heapq.nsmallest(limit, groups.values(), key=lambda g: (-len(g[1]), g[0].id))
    parts = [f"{h.zh or h.id}({', '.join(t.zh or t.id for t in ts)})" for h, ts in ranked]
    if len(groups) > limit:
        parts.append(f"+{len(groups) - limit} more")
    return "; ".join(parts)


#: Weisfeiler-Lehman refinement rounds by default (and as many as a profile keeps).
WL_ITERATIONS = 2


def wl_histogram(graph: nx.DiGraph, iterations: int) -> Counter[str]:
    """Weisfeiler-Lehman subtree features of a structure graph, counted: "<round>|<label or hash>"."""
    g = nx.Graph()
    features: Counter[str] = Counter()
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        if kind == "body":
            label = f"body:{data.get('class')}"
            features["0|" + label] += 1
        elif kind == "post":
            label = f"post:{data.get('role')}"
            features["0|" + label] += 1
        else:
            types = sorted(filter(None, data.get("duty_types", "").split(";")))
            label = "duty:" + "+".join(types)
            for t in types or ["untyped"]:  # partial credit for duties sharing some of their types
                features[f"0|duty:{t}"] += 1
        g.add_node(node, wl=label)
    for u, v, rel in graph.edges(data="relation"):
        g.add_edge(u, v, relation=rel)
    if g.number_of_nodes() and iterations > 0:
        hashes = nx.weisfeiler_lehman_subgraph_hashes(g, node_attr="wl", edge_attr="relation", iterations=iterations)
        for per_node in hashes.values():
            for depth, digest in enumerate(per_node, start=1):
                features[f"{depth}|{digest}"] += 1
    return features


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine of two count vectors, clamped to [0, 1].

    >>> _cosine(Counter(x=1), Counter(x=2)), _cosine(Counter(x=1), Counter(y=1)), _cosine(Counter(), Counter())
    (1.0, 0.0, 0.0)
    """
    dot = sum(n * b.get(k, 0) for k, n in a.items())
    norm = math.sqrt(sum(n * n for n in a.values())) * math.sqrt(sum(n * n for n in b.values()))
    return min(max(dot / norm, 0.0), 1.0) if norm else 0.0


def _jaccard(a: frozenset, b: frozenset) -> float:
    """|a ∩ b| / |a ∪ b|; two empty sets are not alike (0.0).

    >>> _jaccard(frozenset({1, 2}), frozenset({2, 3}))
    0.3333333333333333
    """
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def explain_pairs(
    juris: Sequence[Jurisdiction],
    jac: Sequence[Sequence[float]],
    wl: Sequence[Sequence[float]],
    pairs: Sequence[AbstractSet[tuple[str, str]]],
    hist: Sequence[Mapping[str, int]],
    by_id: Mapping[str, Term],
    types: Mapping[str, Term],
) -> tuple[PairSimilarity, ...]:
    """Every pair of columns with what lies behind its two measures: the (holder id, duty type id)
    pairs both have and each has alone, and the structure nodes both have; most alike first.
    Columns are in ``juris`` order in every sequence; the SPARQL path and the profiles share it."""
    rank = {t.id: i for i, t in enumerate(order_holders(by_id.values()))}  # once, not per pair

    def terms(items: Iterable[tuple[str, str]]) -> tuple[tuple[Term, Term], ...]:
        return tuple((by_id[h], types[t]) for h, t in sorted(items, key=lambda p: (rank[p[0]], p[1])))

    explained = [
        PairSimilarity(
            a=juris[i].slug,
            b=juris[k].slug,
            jaccard=jac[i][k],
            wl=wl[i][k],
            shared=terms(pairs[i] & pairs[k]),
            only_a=terms(pairs[i] - pairs[k]),
            only_b=terms(pairs[k] - pairs[i]),
            shared_nodes=tuple(sorted(key[2:] for key in set(hist[i]) & set(hist[k]) if key.startswith("0|"))),
        )
        for i in range(len(juris))
        for k in range(i + 1, len(juris))
    ]
    explained.sort(key=lambda p: (-p.jaccard, -p.wl, p.a, p.b))
    return tuple(explained)


def similarity_from(facts: Facts, iterations: int = WL_ITERATIONS, include_bodies: bool = True) -> Similarity:
    matrix = role_duty_matrix_from(facts, include_bodies)
    graphs = structure_graphs_from(facts)
    juris = facts.juris
    by_id = {h.id: h for h in matrix.holders}
    types = {t.id: t for t in matrix.duty_types}
    pairs = {j.slug: matrix.pairs(j.slug) for j in juris}
    hist = {j.slug: wl_histogram(graphs[j.slug], iterations) for j in juris}
    n = len(juris)
    jac = [[1.0] * n for _ in range(n)]
    wl = [[1.0] * n for _ in range(n)]

    for i in range(n):
        for k in range(i + 1, n):
            a, b = juris[i].slug, juris[k].slug
            jac[i][k] = jac[k][i] = _jaccard(pairs[a], pairs[b])
            wl[i][k] = wl[k][i] = _cosine(hist[a], hist[b])
    explained = explain_pairs(juris, jac, wl, [pairs[j.slug] for j in juris], [hist[j.slug] for j in juris], by_id, types)
    return Similarity(juris, tuple(map(tuple, jac)), tuple(map(tuple, wl)), explained, iterations)


def similarity(
    store: Store, selected: Sequence[str | Jurisdiction] | None = None, *, iterations: int = WL_ITERATIONS, include_bodies: bool = True
) -> Similarity:
    """Similarity of every pair of jurisdictions, two ways, with the reason for each pair.

    Args:
        store: any `kgtool.store.Store`.
        selected: jurisdictions as for `jurisdictions` (default: all documents).
        iterations: Weisfeiler-Lehman refinement rounds (2: a post sees its duties' types and
            its body; its body's other posts one round later would need 3).
        include_bodies: count (body class, duty type) pairs in the Jaccard measure too; the
            graph kernel always sees the whole graph.

    Returns:
        A `Similarity` with both matrices and the pairs sorted from closest to farthest.
    """
    return similarity_from(facts_for(store, selected), iterations, include_bodies)
