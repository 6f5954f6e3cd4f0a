"""The comparison tables made from profiles instead of SPARQL: the same dataclasses, the same answers.

Takes the compared columns (documents, or places whose documents were merged,
`kgtool.compare.columns`) with one `kgtool.compare.profile.Profile` each; gives
`RoleDutyMatrix`, `FrequencyTable`, the principle and sanction `ConceptMatrix` values,
`StructureMeasures`, `Similarity` and `Neighbours`. Each function follows its SPARQL
counterpart (`role_duty_matrix_from`, `frequency_table_from`, `concept_matrices_from`,
`measure_graph`, `similarity_from`) step for step over the profiles' lists, in the order that
counterpart meets things in, so the JSON is byte-identical (tests/test_profiles.py). Work grows
with the columns; only `Profiled.similarity` (every pair, for a handful of columns) grows with
their pairs, and `Profiled.neighbours` does not.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kgtool.compare.frequencies import FrequencyTable, Requirement, frequency_rows
from kgtool.compare.graphs import StructureMeasures, measures_of
from kgtool.compare.matrices import ConceptMatrix, RoleDutyMatrix
from kgtool.compare.model import DUTY_ORDER, Jurisdiction, Term, order_holders, order_terms
from kgtool.compare.nearest import cosine, jaccard, nearest
from kgtool.compare.profile import Profile
from kgtool.compare.similarities import WL_ITERATIONS, Similarity, explain_pairs, grouped


@dataclass(frozen=True)
class Neighbour:
    """One of a column's nearest: how alike, and the pairs behind it as "holder id:duty type id"
    (as the CSV writes them: thousands of neighbours stay small)."""

    slug: str
    jaccard: float
    wl: float
    shared: tuple[str, ...]
    only_a: tuple[str, ...]  # pairs only the column has
    only_b: tuple[str, ...]  # pairs only the neighbour has


@dataclass(frozen=True)
class Neighbours:
    """Each column's ``k`` nearest others, closest first (Jaccard over (holder, duty type) pairs,
    then the Weisfeiler-Lehman cosine, then the other's id): what `Similarity` says of its
    closest pairs, without the pairs that are far."""

    jurisdictions: tuple[Jurisdiction, ...]
    k: int
    iterations: int
    holders: dict[str, Term]
    duty_types: dict[str, Term]
    nearest: dict[str, tuple[Neighbour, ...]]

    def terms(self, pairs: Iterable[str]) -> tuple[tuple[Term, Term], ...]:
        """ "holder:duty type" pairs as pairs of terms, for `kgtool.compare.similarities.grouped`."""
        known = self._pairs
        out = []
        for pair in pairs:
            terms = known.get(pair)
            if terms is None:
                holder, duty_type = pair.rsplit(":", 1)  # a holder id may have a colon (body:Department)
                terms = known[pair] = (self.holders[holder], self.duty_types[duty_type])
            out.append(terms)
        return tuple(out)

    @functools.cached_property
    def _pairs(self) -> dict[str, tuple[Term, Term]]:
        """Pairs already looked up: a few hundred distinct ones behind tens of thousands of neighbours."""
        return {}

    @functools.cached_property
    def _short(self) -> dict[str, str]:
        return {j.slug: j.short for j in self.jurisdictions}

    def why(self, slug: str, other: Neighbour, limit: tuple[int, int] = (3, 2)) -> str:
        """ "shared: … | only a: … | only b: …", the holders that share most and differ most."""
        short = self._short
        return (
            f"shared: {grouped(self.terms(other.shared), limit[0])} | only {short[slug]}: "
            f"{grouped(self.terms(other.only_a), limit[1])} | only {short[other.slug]}: "
            f"{grouped(self.terms(other.only_b), limit[1])}"
        )


class Profiled:
    """The tables of a comparison whose columns each have a profile.

    ``left_out`` names documents chosen but in no column (grouping by a level they are above).
    """

    def __init__(self, juris: Sequence[Jurisdiction], profiles: Mapping[str, Profile], left_out: Sequence[Jurisdiction] = ()):
        self.juris = tuple(juris)
        self.profiles = tuple(profiles[j.slug] for j in self.juris)
        self.left_out = tuple(left_out)
        self._order = {j.slug: i for i, j in enumerate(self.juris)}
        self._matrices: dict[bool, RoleDutyMatrix] = {}

    def _columns(self) -> Iterable[tuple[str, Profile]]:
        return zip((j.slug for j in self.juris), self.profiles)

    def role_duty_matrix(self, include_bodies: bool = True) -> RoleDutyMatrix:
        """As `kgtool.compare.matrices.role_duty_matrix_from` (made once: similarity needs it too)."""
        if include_bodies not in self._matrices:
            self._matrices[include_bodies] = self._role_duty_matrix(include_bodies)
        return self._matrices[include_bodies]

    def _role_duty_matrix(self, include_bodies: bool) -> RoleDutyMatrix:
        terms: dict[str, Term] = {}
        seen_types: dict[str, Term] = {}
        classes: dict[str, Term] = {}
        cells: list[tuple[str, str, str, int]] = []
        totals: list[tuple[str, str, int]] = []
        for slug, p in self._columns():
            for h in p.duty_holders:
                if include_bodies:
                    classes.setdefault(h, p.holders[h])
            for h, n in p.totals.items():
                if include_bodies or p.holders[h].kind != "body":
                    terms[h] = p.holders[h]
                    totals.append((h, slug, n))
                    for t, count in p.counts.get(h, {}).items():
                        seen_types.setdefault(t, p.types[t])
                        cells.append((h, slug, t, count))
        counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for h, slug, t, n in sorted(cells):
            counts[h][slug][t] = n
        by_holder: dict[str, dict[str, int]] = defaultdict(dict)
        for h, slug, n in sorted(totals):
            by_holder[h][slug] = n
        present: dict[str, set[str]] = defaultdict(set)
        labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for slug, p in self._columns():
            for roles, written in p.posts:
                for role in roles:
                    terms.setdefault(role, p.holders[role])
                    present[role].add(slug)
                    for text in written:
                        if text not in labels[role][slug]:
                            labels[role][slug].append(text)
        rank = {holder: i for i, holder in enumerate(classes)}  # each body under its classes in this order
        for slug, p in self._columns():
            for written, member_of in p.bodies:
                for holder in sorted((h for h in member_of if h in rank), key=rank.__getitem__):
                    present[holder].add(slug)
                    for text in written:
                        if text not in labels[holder][slug]:
                            labels[holder][slug].append(text)
        return RoleDutyMatrix(
            jurisdictions=self.juris,
            holders=tuple(order_holders(terms.values())),
            duty_types=tuple(order_terms(seen_types.values(), DUTY_ORDER)),
            counts={h: {s: dict(c) for s, c in by.items()} for h, by in counts.items()},
            totals={h: dict(by) for h, by in by_holder.items()},
            present={h: tuple(sorted(s, key=self._order.__getitem__)) for h, s in present.items()},
            labels={h: {s: tuple(v) for s, v in by.items()} for h, by in labels.items()},
        )

    def frequency_table(self) -> FrequencyTable:
        """As `kgtool.compare.frequencies.frequency_table_from`."""
        found: dict[tuple[str, str], dict[str, list[Requirement]]] = defaultdict(lambda: defaultdict(list))
        holder_terms: dict[str, Term] = {}
        action_terms: dict[str, Term] = {}
        for slug, p in self._columns():
            for r in p.requirements:
                holder_terms[r.holder.id], action_terms[r.action.id] = r.holder, r.action
                found[(r.holder.id, r.action.id)][slug].append(r)
        return frequency_rows(self.juris, found, holder_terms, action_terms)

    def concept_matrices(self) -> dict[str, ConceptMatrix]:
        """As `kgtool.compare.matrices.concept_matrices_from`: "principle" and "sanction"."""
        out = {}
        for kind in ("principle", "sanction"):
            found: dict[str, set[str]] = defaultdict(set)
            terms: dict[str, Term] = {}
            for slug, p in self._columns():
                for term in p.principles if kind == "principle" else p.sanctions:
                    terms[term.iri] = term
                    found[term.iri].add(slug)
            concepts = sorted((terms[i] for i in found), key=lambda t: (-len(found[t.iri]), t.id))
            out[kind] = ConceptMatrix(
                kind, self.juris, tuple(concepts), {terms[i].id: tuple(sorted(s, key=self._order.__getitem__)) for i, s in found.items()}
            )
        return out

    def structure(self) -> list[StructureMeasures]:
        """As `kgtool.compare.graphs.measure_graph`, per column."""
        return [measures_of(p.structure, j) for j, p in zip(self.juris, self.profiles)]

    def _pairs(self, include_bodies: bool) -> tuple[dict[str, Term], dict[str, Term], list[frozenset]]:
        matrix = self.role_duty_matrix(include_bodies)
        return ({h.id: h for h in matrix.holders}, {t.id: t for t in matrix.duty_types}, [p.pairs(include_bodies) for p in self.profiles])

    def similarity(self, iterations: int = WL_ITERATIONS, include_bodies: bool = True) -> Similarity:
        """As `kgtool.compare.similarities.similarity_from`: every pair, explained (a few columns)."""
        by_id, types, pairs = self._pairs(include_bodies)
        hist = [p.histogram(iterations) for p in self.profiles]
        jac, wl = jaccard(pairs).tolist(), cosine(hist).tolist()
        explained = explain_pairs(self.juris, jac, wl, pairs, hist, by_id, types)
        return Similarity(self.juris, tuple(map(tuple, jac)), tuple(map(tuple, wl)), explained, iterations)

    def neighbours(self, k: int, iterations: int = WL_ITERATIONS, include_bodies: bool = True) -> Neighbours:
        """Each column's ``k`` nearest (ties: the other's id), with the pairs behind each."""
        by_id, types, pairs = self._pairs(include_bodies)
        slugs = [j.slug for j in self.juris]
        k = max(min(k, len(slugs) - 1), 0)  # as many as there are others
        tie = {s: i for i, s in enumerate(sorted(slugs))}
        found = nearest(pairs, [p.histogram(iterations) for p in self.profiles], k, [tie[s] for s in slugs])
        rank = {t.id: i for i, t in enumerate(order_holders(by_id.values()))}
        # pairs as numbers in display order, so each neighbour's shared and own pairs sort as integers
        ordered = sorted({pair for column in pairs for pair in column}, key=lambda p: (rank[p[0]], p[1]))
        number = {pair: i for i, pair in enumerate(ordered)}
        shown = [f"{h}:{t}" for h, t in ordered]
        coded = [frozenset(number[pair] for pair in column) for column in pairs]

        def ids(codes: frozenset[int]) -> tuple[str, ...]:
            return tuple(shown[c] for c in sorted(codes))

        return Neighbours(
            self.juris,
            k,
            iterations,
            by_id,
            types,
            {
                slugs[i]: tuple(
                    Neighbour(slugs[o], jac, wl, ids(coded[i] & coded[o]), ids(coded[i] - coded[o]), ids(coded[o] - coded[i]))
                    for o, jac, wl in row
                )
                for i, row in enumerate(found)
            },
        )
