"""Matrices: role × duty type per jurisdiction, and the principles and sanctions each invokes.

Takes `Facts` (see `kgtool.compare.facts`); gives `RoleDutyMatrix` and `ConceptMatrix`, plain
frozen dataclasses. Who holds a duty: a post is compared by its canonical role (``org:role``),
under each of its roles when one person holds several titles; a body that holds duties itself
is compared by its most specific class, e.g. "党组织（机构） / Party organisation (body)".
Sanctions are the forms of holding to account; rewards (sanction:reward) and mitigations
(sanction:mitigation) a document also provides are no sanctions and are left out.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kgtool import vocab
from kgtool.compare.facts import Facts, facts_for
from kgtool.compare.model import DUTY_ORDER, Jurisdiction, Term, order_holders, order_terms
from kgtool.store import Store
from kgtool.vocab import local_name

#: Kinds of sanction-scheme concepts that are not sanctions: commendations and lighter treatment.
NOT_SANCTIONS = tuple(str(vocab.concept("sanction", kind)) for kind in ("reward", "mitigation"))


@dataclass(frozen=True)
class RoleDutyMatrix:
    """Distinct duties of each (holder, duty type) per jurisdiction, and who exists where.

    ``counts[holder id][slug][duty type id]`` counts distinct duties (a duty with two types
    counts under both); ``totals[holder id][slug]`` counts each duty once. A holder absent
    from a jurisdiction has no entry there (shown "—"), unlike one present with no duty (0).
    ``labels[holder id][slug]`` lists the labels the document writes, e.g. 分管安全生产工作的负责人.
    """

    jurisdictions: tuple[Jurisdiction, ...]
    holders: tuple[Term, ...]
    duty_types: tuple[Term, ...]
    counts: dict[str, dict[str, dict[str, int]]]
    totals: dict[str, dict[str, int]]
    present: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, tuple[str, ...]]]

    @functools.cached_property
    def _present(self) -> dict[str, frozenset[str]]:
        """``present`` as sets: a table of thousands of columns asks once per cell."""
        return {h: frozenset(slugs) for h, slugs in self.present.items()}

    def has(self, holder: str, slug: str) -> bool:
        """Whether the holder exists in that jurisdiction."""
        return slug in self._present.get(holder, ())

    def count(self, holder: str, slug: str, duty_type: str) -> int | None:
        """Distinct duties of a type, 0 if the holder has none of it, None if the holder is absent."""
        if slug not in self._present.get(holder, ()):
            return None
        return self.counts.get(holder, {}).get(slug, {}).get(duty_type, 0)

    def pairs(self, slug: str) -> frozenset[tuple[str, str]]:
        """The (holder id, duty type id) pairs a jurisdiction has at least one duty for."""
        return frozenset((h, t) for h, by_slug in self.counts.items() for t, n in by_slug.get(slug, {}).items() if n)

    def only_in(self) -> dict[str, str]:
        """Holder id -> the one jurisdiction (slug) where it exists, for holders found in exactly one."""
        return {h: slugs[0] for h, slugs in self.present.items() if len(slugs) == 1}

    def missing(self, slug: str) -> list[Term]:
        """Holders that exist in another selected jurisdiction but not in this one."""
        return [h for h in self.holders if self.present.get(h.id) and slug not in self._present[h.id]]

    def rows(self) -> list[dict[str, Any]]:
        """Long format: one dict per (holder, jurisdiction, duty type) with a non-zero count."""
        out = []
        for h in self.holders:
            for j in self.jurisdictions:
                for t in self.duty_types:
                    n = self.count(h.id, j.slug, t.id)
                    if n:
                        out.append(
                            {
                                "holder": h.id,
                                "holder_zh": h.zh,
                                "holder_en": h.en,
                                "jurisdiction": j.slug,
                                "duty_type": t.id,
                                "duty_type_zh": t.zh,
                                "duty_type_en": t.en,
                                "duties": n,
                            }
                        )
        return out


def role_duty_matrix_from(facts: Facts, include_bodies: bool = True) -> RoleDutyMatrix:
    duties = facts.duties
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    seen_types: dict[str, Term] = {}
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    per_holder: dict[tuple[str, str], set[str]] = defaultdict(set)
    per_type: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    terms: dict[str, Term] = {}
    for holder_iri, duty_iri in facts.holdings:
        duty = duties.get(duty_iri)
        if duty is None:
            continue
        for holder in facts.holders(holder_iri):
            if holder.kind == "body" and not include_bodies:
                continue
            terms[holder.id] = holder
            per_holder[(holder.id, duty.slug)].add(duty_iri)
            for t in duty.types:
                term = seen_types.setdefault(t, facts.vocab.term(t, "dutytype"))
                per_type[(holder.id, duty.slug, term.id)].add(duty_iri)
    for (h, slug, t), members in sorted(per_type.items()):  # sorted: the same JSON on every run
        counts[h][slug][t] = len(members)
    for (h, slug), members in sorted(per_holder.items()):
        totals[h][slug] = len(members)
    present: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for post in facts.posts.values():
        for role in post.roles:
            terms.setdefault(role.id, role)
            present[role.id].add(post.slug)
            for text in facts.written(post.iri):
                if text not in labels[role.id][post.slug]:
                    labels[role.id][post.slug].append(text)
    # body classes appear only if some body of the class holds duties somewhere; a body is
    # present under each such class it belongs to (a supervisory department is a department)
    classes = [t for t in terms.values() if t.kind == "body"]
    for body in facts.bodies.values():
        for holder in classes:
            if any(facts.vocab.is_a(t, holder.iri) for t in body.types):
                present[holder.id].add(body.slug)
                for text in facts.written(body.iri):
                    if text not in labels[holder.id][body.slug]:
                        labels[holder.id][body.slug].append(text)
    order = {j.slug: i for i, j in enumerate(facts.juris)}
    return RoleDutyMatrix(
        jurisdictions=facts.juris,
        holders=tuple(order_holders(terms.values())),
        duty_types=tuple(order_terms(seen_types.values(), DUTY_ORDER)),
        counts={h: {s: dict(c) for s, c in by.items()} for h, by in counts.items()},
        totals={h: dict(by) for h, by in totals.items()},
        present={h: tuple(sorted(s, key=order.__getitem__)) for h, s in present.items()},
        labels={h: {s: tuple(v) for s, v in by.items()} for h, by in labels.items()},
    )


def role_duty_matrix(store: Store, selected: Sequence[str | Jurisdiction] | None = None, *, include_bodies: bool = True) -> RoleDutyMatrix:
    """Role × duty type per jurisdiction, with presence and labels as written (three queries).

    Args:
        store: any `kgtool.store.Store`.
        selected: jurisdictions as for `jurisdictions` (default: all documents).
        include_bodies: also compare bodies that hold duties themselves, by body class.

    Returns:
        A `RoleDutyMatrix`.

    Raises:
        QueryError: if a selector matches no document.
    """
    return role_duty_matrix_from(facts_for(store, selected), include_bodies)


@dataclass(frozen=True)
class ConceptMatrix:
    """Which concepts (principles or sanctions) each document invokes."""

    kind: str  # "principle" or "sanction"
    jurisdictions: tuple[Jurisdiction, ...]
    concepts: tuple[Term, ...]
    present: dict[str, tuple[str, ...]]  # concept id -> slugs invoking it

    @functools.cached_property
    def _present(self) -> dict[str, frozenset[str]]:
        return {c: frozenset(slugs) for c, slugs in self.present.items()}

    def invokes(self, slug: str, concept: str) -> bool:
        return slug in self._present.get(concept, ())

    @functools.cached_property
    def shared_by_all(self) -> tuple[Term, ...]:
        """Concepts every selected document invokes."""
        every = {j.slug for j in self.jurisdictions}
        return tuple(c for c in self.concepts if every and set(self.present.get(c.id, ())) == every)

    @functools.cached_property
    def unique(self) -> dict[str, tuple[Term, ...]]:
        """Slug -> concepts only that document invokes (with two or more documents selected)."""
        out: dict[str, list[Term]] = {j.slug: [] for j in self.jurisdictions}
        if len(self.jurisdictions) < 2:
            return {s: () for s in out}
        for c in self.concepts:
            slugs = self.present.get(c.id, ())
            if len(slugs) == 1:
                out[slugs[0]].append(c)
        return {s: tuple(v) for s, v in out.items()}

    def of(self, slug: str) -> tuple[Term, ...]:
        return tuple(c for c in self.concepts if self.invokes(slug, c.id))


def concept_matrices_from(facts: Facts) -> dict[str, ConceptMatrix]:
    by_kind: dict[str, dict[str, set[str]]] = {"principle": defaultdict(set), "sanction": defaultdict(set)}
    terms: dict[str, Term] = {}
    for row in facts.invoked_rows():
        kind = "principle" if local_name(str(row["p"])) == "invokesPrinciple" else "sanction"
        if kind == "sanction" and any(facts.vocab.is_a(str(row["c"]), k) for k in NOT_SANCTIONS):
            continue  # a reward (表扬) or a mitigation (从轻追究) is provided for, but is no sanction
        term = facts.vocab.term(str(row["c"]), kind)
        terms[term.iri] = term
        by_kind[kind][term.iri].add(facts.slug_of[str(row["doc"])])
    order = {j.slug: i for i, j in enumerate(facts.juris)}
    out = {}
    for kind, found in by_kind.items():
        # most widely invoked first, so "shared by all" sits on top and "unique" at the bottom
        concepts = sorted((terms[i] for i in found), key=lambda t: (-len(found[t.iri]), t.id))
        out[kind] = ConceptMatrix(
            kind, facts.juris, tuple(concepts), {terms[i].id: tuple(sorted(s, key=order.__getitem__)) for i, s in found.items()}
        )
    return out


def principle_matrix(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> ConceptMatrix:
    """Which principles (党政同责, 一岗双责, 管行业必须管安全 …) each document invokes (one query)."""
    return concept_matrices_from(facts_for(store, selected))["principle"]


def sanction_matrix(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> ConceptMatrix:
    """Which sanctions (通报, 诫勉, 约谈 …) each document provides for (one query); not its rewards
    (表扬, 评先评优) or mitigations (从轻、减轻追究, 尽职免责)."""
    return concept_matrices_from(facts_for(store, selected))["sanction"]
