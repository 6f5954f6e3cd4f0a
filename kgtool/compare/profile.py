"""One document's comparison profile: all that `kgtool compare` needs of it, computed once.

Takes the `Facts` of one document (read from its own graph and the ontology); gives a
`Profile`: how many distinct duties of each type each holder has (and the labels the document
writes for its posts and bodies), its frequency requirements as written, the principles and
sanctions it invokes, its structure counts and its Weisfeiler-Lehman feature counts. The order
of every list is the order the SPARQL path meets things in (`Facts` sorts its rows), so the
tables made from profiles (`kgtool.compare.profile_tables`) are the ones made from SPARQL, byte
for byte. A profile is plain data: `to_json` and `from_json` give it a stable JSON form
(`kgtool.compare.profiles` keeps it in data/profiles/), and `merge` sums the profiles of a
group of documents into one (a city and everything within it, `kgtool.compare.levels`).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kgtool.compare.facts import Facts
from kgtool.compare.frequencies import Requirement, frequency_table_from
from kgtool.compare.graphs import StructureCounts, count_graph, structure_graphs_from
from kgtool.compare.matrices import NOT_SANCTIONS
from kgtool.compare.model import Term
from kgtool.compare.similarities import WL_ITERATIONS, wl_histogram
from kgtool.vocab import local_name

#: Bumped whenever what a profile holds, or how it is computed, changes: older files are stale.
FORMAT = 1


@dataclass(frozen=True)
class Profile:
    """What one document (or a group of documents, see `merge`) contributes to every comparison.

    ``posts``: each post's roles and the labels the document writes for it, in the order posts
    are met; ``bodies``: each body's written label and the body classes it belongs to (a body class
    is compared only where some body of it holds duties, which depends on the other documents);
    ``duty_holders``: body classes holding duties, in the order first met; ``counts`` and
    ``totals``: distinct duties per holder and duty type, and per holder. ``requirements``:
    frequency requirements as `Requirement` values, ordered as the frequency table lists them.
    ``wl``: Weisfeiler-Lehman subtree features of the structure graph (`WL_ITERATIONS` rounds).
    """

    slug: str
    document: str
    holders: dict[str, Term]  # every holder id below -> its term
    types: dict[str, Term]  # duty types and frequency actions by id
    posts: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    bodies: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    duty_holders: tuple[str, ...]
    counts: dict[str, dict[str, int]]
    totals: dict[str, int]
    requirements: tuple[Requirement, ...]
    principles: tuple[Term, ...]
    sanctions: tuple[Term, ...]
    structure: StructureCounts
    wl: dict[str, int]
    members: tuple[str, ...] = ()  # for a group: the documents merged into it

    def pairs(self, include_bodies: bool = True) -> frozenset[tuple[str, str]]:
        """The (holder id, duty type id) pairs it has at least one duty for (Jaccard's sets)."""
        return frozenset(
            (h, t)
            for h, by_type in self.counts.items()
            for t, n in by_type.items()
            if n and (include_bodies or self.holders[h].kind != "body")
        )

    def histogram(self, iterations: int = WL_ITERATIONS) -> dict[str, int]:
        """The Weisfeiler-Lehman features of up to ``iterations`` rounds (a round's features do not
        depend on the rounds after it, so fewer rounds are a subset)."""
        if iterations > WL_ITERATIONS:
            raise ValueError(f"profiles keep {WL_ITERATIONS} Weisfeiler-Lehman rounds, not {iterations}")
        if iterations == WL_ITERATIONS:
            return self.wl
        return {k: n for k, n in self.wl.items() if int(k.split("|", 1)[0]) <= iterations}


def profile_of(facts: Facts) -> Profile:
    """The profile of the one document ``facts`` was made for.

    Mirrors `kgtool.compare.matrices.role_duty_matrix_from`, `frequency_table_from`,
    `concept_matrices_from` and `kgtool.compare.graphs.count_graph` for that document;
    tests/test_profiles.py checks that the tables agree.
    """
    (juris,) = facts.juris
    slug, vocab = juris.slug, facts.vocab
    holders: dict[str, Term] = {}
    types: dict[str, Term] = {}
    per_holder: dict[str, set[str]] = defaultdict(set)
    per_type: dict[tuple[str, str], set[str]] = defaultdict(set)
    duty_holders: dict[str, None] = {}
    for holder_iri, duty_iri in facts.holdings:
        duty = facts.duties.get(duty_iri)
        if duty is None:
            continue
        for holder in facts.holders(holder_iri):
            holders[holder.id] = holder
            if holder.kind == "body":
                duty_holders.setdefault(holder.id)
            per_holder[holder.id].add(duty_iri)
            for t in duty.types:
                term = types.setdefault(local_name(t), vocab.term(t, "dutytype"))
                per_type[(holder.id, term.id)].add(duty_iri)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for (h, t), members in sorted(per_type.items()):
        counts[h][t] = len(members)
    posts = []
    for post in facts.posts.values():
        for role in post.roles:
            holders.setdefault(role.id, role)
        posts.append((tuple(r.id for r in post.roles), tuple(facts.written(post.iri))))
    bodies = []
    for body in facts.bodies.values():
        classes = sorted(c for c in vocab.body_classes if any(vocab.is_a(t, c) for t in body.types))
        bodies.append((tuple(facts.written(body.iri)), tuple(vocab.holder_for_class(c).id for c in classes)))
    table = frequency_table_from(facts)
    requirements: list[Requirement] = []
    for line in table.rows:
        holders.setdefault(line.holder.id, line.holder)
        types.setdefault(line.action.id, line.action)
        requirements.extend(line.requirements.get(slug, ()))
    invoked: dict[str, dict[str, Term]] = {"principle": {}, "sanction": {}}
    for row in facts.invoked_rows():
        kind = "principle" if local_name(str(row["p"])) == "invokesPrinciple" else "sanction"
        if kind == "sanction" and any(vocab.is_a(str(row["c"]), k) for k in NOT_SANCTIONS):
            continue
        invoked[kind].setdefault(str(row["c"]), vocab.term(str(row["c"]), kind))
    graph = structure_graphs_from(facts)[slug]
    return Profile(
        slug=slug,
        document=juris.document,
        holders=holders,
        types=types,
        posts=tuple(posts),
        bodies=tuple(bodies),
        duty_holders=tuple(duty_holders),
        counts=dict(counts),
        totals={h: len(members) for h, members in sorted(per_holder.items())},
        requirements=tuple(requirements),
        principles=tuple(invoked["principle"].values()),
        sanctions=tuple(invoked["sanction"].values()),
        structure=count_graph(graph),
        wl=dict(sorted(wl_histogram(graph, WL_ITERATIONS).items())),
    )


def merge(slug: str, document: str, profiles: Sequence[Profile]) -> Profile:
    """The profile of a group of documents, as if they were one: counts and features summed,
    labels, requirements, principles and sanctions of each in turn, the deepest chain."""
    holders: dict[str, Term] = {}
    types: dict[str, Term] = {}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    wl: Counter[str] = Counter()
    for p in profiles:
        holders.update(p.holders)
        types.update(p.types)
        for h, by_type in p.counts.items():
            counts[h].update(by_type)
        totals.update(p.totals)
        wl.update(p.wl)
    requirements = tuple(dataclasses.replace(r, jurisdiction=slug) for p in profiles for r in p.requirements)
    deepest = max(profiles, key=lambda p: p.structure.depth, default=None)
    structure = StructureCounts(
        posts=sum(p.structure.posts for p in profiles),
        bodies=sum(p.structure.bodies for p in profiles),
        duties=sum(p.structure.duties for p in profiles),
        depth=deepest.structure.depth if deepest else 0,
        depth_chain=deepest.structure.depth_chain if deepest else (),
        held_by_posts=sum(p.structure.held_by_posts for p in profiles),
        with_frequency=sum(p.structure.with_frequency for p in profiles),
        idle_posts=tuple(sorted(x for p in profiles for x in p.structure.idle_posts)),
        held_by_bodies=sum(p.structure.held_by_bodies for p in profiles),
    )
    return Profile(
        slug=slug,
        document=document,
        holders=holders,
        types=types,
        posts=tuple(x for p in profiles for x in p.posts),
        bodies=tuple(b for p in profiles for b in p.bodies),
        duty_holders=tuple(dict.fromkeys(h for p in profiles for h in p.duty_holders)),
        counts={h: dict(sorted(c.items())) for h, c in sorted(counts.items())},
        totals=dict(sorted(totals.items())),
        requirements=requirements,
        principles=tuple(dict.fromkeys(t for p in profiles for t in p.principles)),
        sanctions=tuple(dict.fromkeys(t for p in profiles for t in p.sanctions)),
        structure=structure,
        wl=dict(sorted(wl.items())),
        members=tuple(p.slug for p in profiles),
    )


# --- JSON: the form kept in data/profiles/ ---------------------------------------------------


def _term(t: Term) -> list[str]:
    return [t.iri, t.id, t.zh, t.en, t.kind]


def _unterm(data: Sequence[str], known: dict[tuple[str, ...], Term]) -> Term:
    """The term of its JSON form, one object per term however many profiles name it."""
    key = tuple(data)
    term = known.get(key)
    if term is None:
        term = known[key] = Term(*key)
    return term


def to_json(profile: Profile) -> dict[str, Any]:
    """The profile as JSON-ready data; every list in the order it matters in, every object sorted."""
    p = profile
    return {
        "format": FORMAT,
        "slug": p.slug,
        "document": p.document,
        "holders": {k: _term(t) for k, t in sorted(p.holders.items())},
        "types": {k: _term(t) for k, t in sorted(p.types.items())},
        "posts": [[list(roles), list(written)] for roles, written in p.posts],
        "bodies": [[list(written), list(classes)] for written, classes in p.bodies],
        "duty_holders": list(p.duty_holders),
        "counts": p.counts,
        "totals": p.totals,
        "requirements": [
            [
                r.holder.id,
                r.action.id,
                r.holder_written,
                r.body,
                str(r.times_per_year),
                r.period,
                r.min_occurrences,
                r.text,
                r.provision,
                r.marker,
                r.iri,
            ]
            for r in p.requirements
        ],
        "principles": [_term(t) for t in p.principles],
        "sanctions": [_term(t) for t in p.sanctions],
        "structure": {f.name: getattr(p.structure, f.name) for f in dataclasses.fields(p.structure)},
        "wl": p.wl,
    }


def from_json(data: dict[str, Any], known: dict[tuple[str, ...], Term] | None = None) -> Profile:
    """A profile back from `to_json`'s data; ``known`` shares terms between profiles read together.

    Raises:
        ValueError: data of another format (older or newer kgtool) or not a profile.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a profile of format {FORMAT}")
    known = {} if known is None else known
    holders = {k: _unterm(v, known) for k, v in data["holders"].items()}
    types = {k: _unterm(v, known) for k, v in data["types"].items()}
    slug = data["slug"]
    requirements = tuple(
        Requirement(
            jurisdiction=slug,
            holder=holders[h],
            holder_written=written,
            body=body,
            action=types[a],
            times_per_year=Decimal(tpy),
            period=period,
            min_occurrences=count,
            text=text,
            provision=provision,
            marker=marker,
            iri=iri,
        )
        for h, a, written, body, tpy, period, count, text, provision, marker, iri in data["requirements"]
    )
    structure = dict(data["structure"])
    for name in ("depth_chain", "idle_posts"):
        structure[name] = tuple(structure[name])
    return Profile(
        slug=slug,
        document=data["document"],
        holders=holders,
        types=types,
        posts=tuple((tuple(r), tuple(w)) for r, w in data["posts"]),
        bodies=tuple((tuple(w), tuple(c)) for w, c in data["bodies"]),
        duty_holders=tuple(data["duty_holders"]),
        counts=data["counts"],
        totals=data["totals"],
        requirements=requirements,
        principles=tuple(_unterm(t, known) for t in data["principles"]),
        sanctions=tuple(_unterm(t, known) for t in data["sanctions"]),
        structure=StructureCounts(**structure),
        wl=data["wl"],
    )
