"""Diff: what one jurisdiction demands that another does not, role by role.

Takes `Facts` for exactly two documents (through the matrices and the frequency table);
gives a `PairDiff`: per holder a `RoleDiff` (labels as written, levels, duty types only on one
side, a `FrequencyDiff` per action), and the principles and sanctions only one side invokes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from kgtool.compare.facts import Facts, jurisdictions
from kgtool.compare.frequencies import frequency_table_from
from kgtool.compare.matrices import concept_matrices_from, role_duty_matrix_from
from kgtool.compare.model import Jurisdiction, Term, num
from kgtool.errors import QueryError
from kgtool.store import Store

# 5. Pair diff


@dataclass(frozen=True)
class FrequencyDiff:
    """One action of a holder: each side's binding minimum per year and its wording."""

    action: Term
    a: Decimal | None
    b: Decimal | None
    text_a: tuple[str, ...]
    text_b: tuple[str, ...]

    @property
    def stricter(self) -> str | None:
        """ "a", "b", or None when equal (or one side states no number: see a / b)."""
        if self.a is not None and (self.b is None or self.a > self.b):
            return "a"
        if self.b is not None and (self.a is None or self.b > self.a):
            return "b"
        return None


@dataclass(frozen=True)
class RoleDiff:
    """One holder (role or body class) in two jurisdictions."""

    holder: Term
    in_a: bool
    in_b: bool
    written_a: tuple[str, ...]
    written_b: tuple[str, ...]
    levels_a: tuple[Term, ...]
    levels_b: tuple[Term, ...]
    types_a: dict[str, int]  # duty type id -> distinct duties
    types_b: dict[str, int]
    only_a: tuple[Term, ...]  # duty types only a demands of this holder
    only_b: tuple[Term, ...]
    both: tuple[Term, ...]
    frequencies: tuple[FrequencyDiff, ...]

    @property
    def same(self) -> bool:
        """True when both demand the same duty types at the same frequencies and levels."""
        return not self.only_a and not self.only_b and self.levels_a == self.levels_b and all(f.a == f.b for f in self.frequencies)


@dataclass(frozen=True)
class PairDiff:
    """What jurisdiction ``a`` demands that ``b`` does not, and the reverse, role by role."""

    a: Jurisdiction
    b: Jurisdiction
    roles: tuple[RoleDiff, ...]
    principles_only_a: tuple[Term, ...]
    principles_only_b: tuple[Term, ...]
    sanctions_only_a: tuple[Term, ...]
    sanctions_only_b: tuple[Term, ...]

    def role(self, holder: str) -> RoleDiff | None:
        return next((r for r in self.roles if r.holder.id == holder), None)

    def demands(self, side: str) -> list[str]:
        """Plain sentences of what one side ("a" or "b") demands and the other does not."""
        me, other = (self.a, self.b) if side == "a" else (self.b, self.a)
        lines = []
        for r in self.roles:
            mine, theirs = (r.in_a, r.in_b) if side == "a" else (r.in_b, r.in_a)
            types = r.only_a if side == "a" else r.only_b
            name = r.holder.text
            if mine and not theirs:
                what = "body" if r.holder.kind == "body" else "post"
                lines.append(f"{me.short} has {name}; {other.short} has no such {what}")
            elif types:
                lines.append(f"{name}: {me.short} also demands " + ", ".join(t.text for t in types))
            for f in r.frequencies:
                if f.stricter == side:
                    mine_v, theirs_v = (f.a, f.b) if side == "a" else (f.b, f.a)
                    lines.append(
                        f"{name}: {f.action.text} at least {num(mine_v)}/yr in {me.short}"
                        f" (vs {num(theirs_v) + '/yr' if theirs_v is not None else 'no number'})"
                    )
        for kind, terms in (
            ("principle", self.principles_only_a if side == "a" else self.principles_only_b),
            ("sanction", self.sanctions_only_a if side == "a" else self.sanctions_only_b),
        ):
            if terms:
                lines.append(f"{kind}s only in {me.short}: " + ", ".join(t.text for t in terms))
        return lines


def diff_from(facts: Facts) -> PairDiff:
    a, b = facts.juris
    matrix = role_duty_matrix_from(facts)
    freq = frequency_table_from(facts)
    invoked = concept_matrices_from(facts)
    types = {t.id: t for t in matrix.duty_types}
    levels: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for post in facts.posts.values():
        for role in post.roles:
            levels[role.id][post.slug].update(post.levels)
    holders = list(matrix.holders)
    for row in freq.rows:
        if row.holder not in holders:
            holders.append(row.holder)
    out = []
    for h in holders:
        ta = matrix.counts.get(h.id, {}).get(a.slug, {})
        tb = matrix.counts.get(h.id, {}).get(b.slug, {})
        freqs = []
        for row in freq.rows:
            if row.holder.id == h.id:
                freqs.append(
                    FrequencyDiff(
                        row.action,
                        row.values.get(a.slug),
                        row.values.get(b.slug),
                        tuple(r.text for r in row.requirements.get(a.slug, ())),
                        tuple(r.text for r in row.requirements.get(b.slug, ())),
                    )
                )
        out.append(
            RoleDiff(
                holder=h,
                in_a=a.slug in matrix.present.get(h.id, ()) or bool(ta),
                in_b=b.slug in matrix.present.get(h.id, ()) or bool(tb),
                written_a=matrix.labels.get(h.id, {}).get(a.slug, ()),
                written_b=matrix.labels.get(h.id, {}).get(b.slug, ()),
                levels_a=tuple(facts.vocab.term(v, "level") for v in sorted(levels[h.id][a.slug])),
                levels_b=tuple(facts.vocab.term(v, "level") for v in sorted(levels[h.id][b.slug])),
                types_a=dict(ta),
                types_b=dict(tb),
                only_a=tuple(types[t] for t in types if t in ta and t not in tb),
                only_b=tuple(types[t] for t in types if t in tb and t not in ta),
                both=tuple(types[t] for t in types if t in ta and t in tb),
                frequencies=tuple(freqs),
            )
        )

    def only(kind: str, x: str, y: str) -> tuple[Term, ...]:
        m = invoked[kind]
        return tuple(c for c in m.concepts if m.invokes(x, c.id) and not m.invokes(y, c.id))

    return PairDiff(
        a,
        b,
        tuple(out),
        only("principle", a.slug, b.slug),
        only("principle", b.slug, a.slug),
        only("sanction", a.slug, b.slug),
        only("sanction", b.slug, a.slug),
    )


def diff(store: Store, a: str | Jurisdiction, b: str | Jurisdiction) -> PairDiff:
    """What one jurisdiction demands that the other does not: posts, duty types, frequencies, levels.

    Args:
        store: any `kgtool.store.Store`.
        a, b: one document each (a slug, place id or label that selects exactly one document).

    Raises:
        QueryError: if either selects no document or several, or both select the same one.
    """
    picked = []
    for side in (a, b):
        found = jurisdictions(store, [side])
        if len(found) != 1:
            raise QueryError(
                f"{side!r} selects {len(found)} documents; a diff compares exactly two",
                where="jurisdiction",
                hint="name each side by its document id, e.g. wuxi-towns-2021",
            )
        picked.append(found[0])
    if picked[0].document == picked[1].document:
        raise QueryError(f"both sides select {picked[0].slug}", where="jurisdiction", hint="name two different documents")
    return diff_from(Facts(store, picked))


pair_diff = diff  # compare_command_output's ``diff`` flag shadows the function's name
