"""Frequencies: the minimum times per year of each (holder, action), per jurisdiction.

Takes `Facts`; gives a `FrequencyTable` of `FrequencyRow` values, each with the binding
minimum per jurisdiction, every `Requirement` as written, and the strictest and laxest
jurisdiction. Rates are normalised (每季度至少1次 = 4, 每半年 = 2, 每三年 = 0.33).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kgtool.compare.facts import Facts, facts_for
from kgtool.compare.model import DUTY_ORDER, NONE_HOLDER, Jurisdiction, Term, decimal_or_none, order_holders, order_terms
from kgtool.read.extract import times_per_year
from kgtool.store import Store


@dataclass(frozen=True)
class Requirement:
    """One frequency requirement as a document states it."""

    jurisdiction: str  # slug
    holder: Term
    holder_written: str  # the post or body as the document names it
    body: str  # for a post, the body it is in, as the document names it
    action: Term
    times_per_year: Decimal
    period: str | None  # ISO 8601 duration, e.g. "P3M"
    min_occurrences: int | None
    text: str  # the wording, e.g. 每季度至少1次系统听取安全生产工作情况汇报
    provision: str | None  # IRI of the provision it was read from
    marker: str | None  # the provision's marker, e.g. "(一)"
    iri: str = ""


@dataclass(frozen=True)
class FrequencyRow:
    """One (holder, action): the binding minimum per jurisdiction and who is strictest.

    ``values[slug]`` is the highest of that jurisdiction's minima for the row (at least two
    topical meetings a year binds harder than at least one), and ``requirements[slug]`` all of
    them. ``strictest`` and ``laxest`` name the jurisdictions with the highest and lowest value
    among those that state one; a jurisdiction that states no number is in neither.
    """

    holder: Term
    action: Term
    values: dict[str, Decimal]
    requirements: dict[str, tuple[Requirement, ...]]
    strictest: tuple[str, ...]
    laxest: tuple[str, ...]


@dataclass(frozen=True)
class FrequencyTable:
    """Minimum times per year, normalised (每季度至少1次 = 4, 每半年 = 2, 每三年 = 0.33)."""

    jurisdictions: tuple[Jurisdiction, ...]
    rows: tuple[FrequencyRow, ...]

    def value(self, holder: str, action: str, slug: str) -> Decimal | None:
        """The binding minimum of a (holder id, action id) row in a jurisdiction, if stated."""
        for row in self.rows:
            if row.holder.id == holder and row.action.id == action:
                return row.values.get(slug)
        return None

    def row(self, holder: str, action: str) -> FrequencyRow | None:
        return next((r for r in self.rows if r.holder.id == holder and r.action.id == action), None)

    def requirements(self) -> list[Requirement]:
        return [req for row in self.rows for reqs in row.requirements.values() for req in reqs]


def frequency_table_from(facts: Facts) -> FrequencyTable:
    rows = facts.frequency_rows()
    holders_of: dict[str, list[str]] = defaultdict(list)
    for holding_iri, held_iri in facts.holdings:
        holders_of[held_iri].append(holding_iri)
    seen: dict[str, dict[str, Any]] = {}
    duty_of: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        f = str(row["f"])
        seen.setdefault(f, row)
        if row.get("duty") is not None:
            duty_of[f].add(str(row["duty"]))
    found: dict[tuple[str, str], dict[str, list[Requirement]]] = defaultdict(lambda: defaultdict(list))
    holder_terms: dict[str, Term] = {}
    action_terms: dict[str, Term] = {}  # apart: the role "other" and the duty type "other" share an id
    for f, row in seen.items():
        period = str(row["period"]) if row.get("period") is not None else None
        count = int(row["min"]) if row.get("min") is not None else None
        tpy = decimal_or_none(row.get("tpy"))
        if tpy is None and period:
            tpy = times_per_year(period, count or 1)
        if tpy is None or row.get("action") is None:
            continue
        action = facts.vocab.term(str(row["action"]), "dutytype")
        slug = facts.slug_of[str(row["doc"])]
        holding = [h for d in sorted(duty_of.get(f, ())) for h in holders_of.get(d, [])]
        done: set[str] = set()
        pairs = [(h, t) for h in holding for t in facts.holders(h)] if holding else [("", NONE_HOLDER)]
        for holder_iri, holder in pairs:
            if holder.id in done:
                continue
            done.add(holder.id)
            holder_terms[holder.id], action_terms[action.id] = holder, action
            written = facts.written(holder_iri)
            post = facts.posts.get(holder_iri)
            body = facts.bodies.get(post.body) if post is not None and post.body else None
            found[(holder.id, action.id)][slug].append(
                Requirement(
                    jurisdiction=slug,
                    holder=holder,
                    holder_written=written[0] if written else "",
                    body=body.label if body is not None else "",
                    action=action,
                    times_per_year=tpy,
                    period=period,
                    min_occurrences=count,
                    text=str(row.get("text", "")),
                    provision=str(row["prov"]) if row.get("prov") is not None else None,
                    marker=str(row["marker"]) if row.get("marker") is not None else None,
                    iri=f,
                )
            )
    return frequency_rows(facts.juris, found, holder_terms, action_terms)


def frequency_rows(
    juris: Sequence[Jurisdiction],
    found: Mapping[tuple[str, str], Mapping[str, list[Requirement]]],
    holder_terms: Mapping[str, Term],
    action_terms: Mapping[str, Term],
) -> FrequencyTable:
    """The table from the requirements found per (holder id, action id) and column: rows in
    holder then action order, each column's strictest requirement first (from SPARQL rows or
    from profiles alike)."""
    holder_rank = {t.id: i for i, t in enumerate(order_holders([holder_terms[h] for h, _ in found]))}
    if NONE_HOLDER.id in {h for h, _ in found}:
        holder_rank[NONE_HOLDER.id] = len(holder_rank)
    action_rank = {t.id: i for i, t in enumerate(order_terms([action_terms[a] for _, a in found], DUTY_ORDER))}
    out = []
    for h, a in sorted(found, key=lambda k: (holder_rank[k[0]], action_rank[k[1]])):
        by_slug = found[(h, a)]
        reqs = {s: tuple(sorted(v, key=lambda r: (-r.times_per_year, r.text))) for s, v in by_slug.items()}
        values: dict[str, Decimal] = {s: max(r.times_per_year for r in v) for s, v in reqs.items()}
        order = [j.slug for j in juris if j.slug in values]
        top, bottom = max(values.values()), min(values.values())
        out.append(
            FrequencyRow(
                holder=holder_terms[h],
                action=action_terms[a],
                values={s: values[s] for s in order},
                requirements={s: reqs[s] for s in order},
                strictest=tuple(s for s in order if values[s] == top),
                laxest=tuple(s for s in order if values[s] == bottom),
            )
        )
    return FrequencyTable(tuple(juris), tuple(out))


def frequency_table(store: Store, selected: Sequence[str | Jurisdiction] | None = None) -> FrequencyTable:
    """Minimum times per year of each (holder, action) per jurisdiction, with the wording.

    Args:
        store: any `kgtool.store.Store`.
        selected: jurisdictions as for `jurisdictions` (default: all documents).

    Returns:
        A `FrequencyTable`; requirements tied to no post or body are under the holder
        "unassigned" (e.g. an annual drill stated for the whole organisation).
    """
    return frequency_table_from(facts_for(store, selected))
