"""The facts compared: `Facts` reads the selected documents' posts, bodies, duties, links,
frequency requirements and invoked concepts, each by one query on first use (the texts are in
`kgtool.compare.sparql`), its rows sorted (by document, then value) so that a document gives the
same facts whatever else is asked about and whichever engine answers; `DocumentFacts` is one
document's share of them; `Vocab` holds the ontology's labels and class tree. Which documents
are selected is `kgtool.compare.selection`'s (its names are importable from here too, as the
comparisons have always imported them).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kgtool import vocab
from kgtool.compare import sparql
from kgtool.compare.model import ROLE_ORDER, Jurisdiction, Term, order_terms
from kgtool.compare.selection import document_slug, jurisdictions, places_at
from kgtool.store import Store
from kgtool.vocab import local_name

__all__ = ["DocumentFacts", "Facts", "Vocab", "document_slug", "facts_for", "jurisdictions", "places_at"]

_BODY = str(vocab.WSA.Body)

# The structure graph: which links it keeps, and the names its edges carry.
_LINKS = {
    str(vocab.ORG.subOrganizationOf): "subOrganizationOf",
    str(vocab.ORG.postIn): "postIn",
    str(vocab.WSA.hasDuty): "hasDuty",
    str(vocab.WSA.memberOfGroup): "memberOfGroup",
    str(vocab.WSA.supervisedBy): "supervisedBy",
}


class Vocab:
    """Labels of concepts and classes, and the class and concept trees (rdfs:subClassOf,
    skos:broader), from the ontology in the store."""

    def __init__(self, store: Store):
        best: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
        rank = {"prefLabel": 0, "label": 1, "altLabel": 2}
        for row in sparql.select(store, sparql.LABELS):
            iri, lit, prop = str(row["x"]), row["l"], local_name(str(row["p"]))
            for tag in ("zh", "en"):
                if sparql.lang(lit, tag):
                    old = best[iri].get(tag)
                    candidate = (rank[prop], str(lit))
                    if old is None or candidate < old:
                        best[iri][tag] = candidate
        self.labels = {iri: (tags.get("zh", (0, ""))[1], tags.get("en", (0, ""))[1]) for iri, tags in best.items()}
        self.parents: dict[str, set[str]] = defaultdict(set)
        for row in sparql.select(store, sparql.CLASSES):
            self.parents[str(row["c"])].add(str(row["s"]))
        self.body_classes = {c for c in set(self.parents) | {_BODY} if self.is_a(c, _BODY)}

    def is_a(self, cls: str, ancestor: str) -> bool:
        """Whether class ``cls`` is ``ancestor`` or a subclass of it (a concept: narrower than it)."""
        seen, todo = set(), [cls]
        while todo:
            here = todo.pop()
            if here == ancestor:
                return True
            if here not in seen:
                seen.add(here)
                todo.extend(self.parents.get(here, ()))
        return False

    def most_specific(self, types: Iterable[str]) -> str:
        """The most specific body class among ``types`` (ties broken by name)."""
        candidates = sorted(t for t in types if t in self.body_classes)
        if not candidates:
            return _BODY
        leaves = [t for t in candidates if not any(o != t and self.is_a(o, t) for o in candidates)]
        return leaves[0]

    def term(self, iri: str, kind: str = "") -> Term:
        zh, en = self.labels.get(iri, ("", ""))
        return Term(iri, local_name(iri), zh, en or local_name(iri).replace("_", " "), kind)

    def holder_for_class(self, cls: str) -> Term:
        zh, en = self.labels.get(cls, ("", ""))
        name = local_name(cls)
        return Term(cls, f"body:{name}", f"{zh or name}（机构）", f"{en or name} (body)", "body")


@dataclass
class _Post:
    iri: str
    slug: str
    roles: list[Term] = field(default_factory=list)  # one person may hold several titles
    label: str = ""
    alts: set[str] = field(default_factory=set)
    levels: set[str] = field(default_factory=set)
    body: str | None = None


@dataclass
class _Body:
    iri: str
    slug: str
    types: set[str] = field(default_factory=set)
    label: str = ""


@dataclass
class _Duty:
    iri: str
    slug: str
    types: set[str] = field(default_factory=set)
    freqs: set[str] = field(default_factory=set)
    text: str = ""


class Facts:
    """The selected documents' posts, bodies, duties and links, each read by one query on demand."""

    def __init__(self, store: Store, juris: Sequence[Jurisdiction], terms: Vocab | None = None):
        self.store = store
        self.juris = tuple(juris)
        self.slug_of = {j.document: j.slug for j in self.juris}
        self._vocab = terms

    @functools.cached_property
    def vocab(self) -> Vocab:
        return self._vocab or Vocab(self.store)

    def _rows(self, template: str, **extra: str) -> list[dict[str, Any]]:
        """Rows in one order whatever the engine's plan: by document as selected, then by value.

        The order rows come in decides ties (the labels of a cell, a post's body when it names
        several, the longest chain among equally long ones), and an engine orders rows by its
        plan, which changes with the number of documents asked about: sorted, a document gives
        the same answer alone, among others, and from its profile (`kgtool.compare.profile`).
        """
        if not self.juris:
            return []
        rows = sparql.select(self.store, sparql.fill(template, docs=sparql.values("doc", self.slug_of), **extra))
        index = {doc: i for i, doc in enumerate(self.slug_of)}
        return sorted(rows, key=lambda row: (index[str(row["doc"])], sparql.row_key(row)))

    def frequency_rows(self) -> list[dict[str, Any]]:
        """Every frequency requirement of the selected documents, with its duty and provision (one query)."""
        return self._frequency_rows

    def invoked_rows(self) -> list[dict[str, Any]]:
        """(doc, wsa:invokesPrinciple or wsa:providesSanction, concept) rows (one query)."""
        return self._invoked_rows

    @functools.cached_property
    def _frequency_rows(self) -> list[dict[str, Any]]:
        return self._rows(sparql.FREQUENCIES)

    @functools.cached_property
    def _invoked_rows(self) -> list[dict[str, Any]]:
        return self._rows(sparql.INVOKED)

    @functools.cached_property
    def posts(self) -> dict[str, _Post]:
        out: dict[str, _Post] = {}
        for row in self._rows(sparql.POSTS):
            iri = str(row["post"])
            post = out.setdefault(iri, _Post(iri, self.slug_of[str(row["doc"])]))
            role = self.vocab.term(str(row["role"]), "role") if row.get("role") is not None else None
            if role is not None and role not in post.roles:
                post.roles.append(role)
            if row.get("label") is not None and (not post.label or sparql.lang(row["label"], "zh")):
                post.label = str(row["label"])
            if row.get("alt") is not None:
                post.alts.add(str(row["alt"]))
            if row.get("level") is not None:
                post.levels.add(str(row["level"]))
            if row.get("body") is not None:
                post.body = str(row["body"])
        for post in out.values():
            post.roles = order_terms(post.roles, ROLE_ORDER) or [
                Term("", "unknown_role", "（未归类岗位）", "(post without a role)", "role")
            ]
        return out

    @functools.cached_property
    def bodies(self) -> dict[str, _Body]:
        out: dict[str, _Body] = {}
        rows = self._rows(sparql.BODIES, types=sparql.values("type", sorted(self.vocab.body_classes)))
        for row in rows:
            iri = str(row["body"])
            body = out.setdefault(iri, _Body(iri, self.slug_of[str(row["doc"])]))
            body.types.add(str(row["type"]))
            if row.get("label") is not None and (not body.label or sparql.lang(row["label"], "zh")):
                body.label = str(row["label"])
        return out

    @functools.cached_property
    def duties(self) -> dict[str, _Duty]:
        out: dict[str, _Duty] = {}
        for row in self._rows(sparql.DUTIES):
            iri = str(row["duty"])
            duty = out.setdefault(iri, _Duty(iri, self.slug_of[str(row["doc"])]))
            if row.get("type") is not None:
                duty.types.add(str(row["type"]))
            if row.get("freq") is not None:
                duty.freqs.add(str(row["freq"]))
            if row.get("text") is not None:
                duty.text = str(row["text"])
        return out

    @functools.cached_property
    def links(self) -> list[tuple[str, str, str, str]]:
        """(slug, subject, link name, object) for the structural links of `_LINKS`."""
        return [(self.slug_of[str(r["doc"])], str(r["s"]), _LINKS[str(r["p"])], str(r["o"])) for r in self._rows(sparql.LINKS)]

    @functools.cached_property
    def holdings(self) -> list[tuple[str, str]]:
        """(holder, duty) pairs."""
        return [(s, o) for _, s, link, o in self.links if link == "hasDuty"]

    def holders(self, iri: str) -> list[Term]:
        """The roles of a post, or the class of a body, that holds duties under ``iri``."""
        if iri in self.posts:
            return self.posts[iri].roles
        if iri in self.bodies:
            return [self.vocab.holder_for_class(self.vocab.most_specific(self.bodies[iri].types))]
        return []

    def written(self, iri: str) -> list[str]:
        """The labels a document writes for a post or body: its label, then its other wordings."""
        if iri in self.posts:
            post = self.posts[iri]
            return [post.label, *sorted(post.alts - {post.label})] if post.label else sorted(post.alts)
        if iri in self.bodies:
            return [self.bodies[iri].label] if self.bodies[iri].label else []
        return []


class DocumentFacts(Facts):
    """One document's share of `Facts` read for many: the same rows, in the same order, as
    `Facts` gives for that document alone, without asking the store again."""

    def __init__(self, facts: Facts, juris: Jurisdiction):
        super().__init__(facts.store, [juris], facts.vocab)
        self.whole = facts

    def frequency_rows(self) -> list[dict[str, Any]]:
        doc = self.juris[0].document
        return [row for row in self.whole.frequency_rows() if str(row["doc"]) == doc]

    def invoked_rows(self) -> list[dict[str, Any]]:
        doc = self.juris[0].document
        return [row for row in self.whole.invoked_rows() if str(row["doc"]) == doc]

    @functools.cached_property
    def posts(self) -> dict[str, _Post]:
        return {k: v for k, v in self.whole.posts.items() if v.slug == self.juris[0].slug}

    @functools.cached_property
    def bodies(self) -> dict[str, _Body]:
        return {k: v for k, v in self.whole.bodies.items() if v.slug == self.juris[0].slug}

    @functools.cached_property
    def duties(self) -> dict[str, _Duty]:
        return {k: v for k, v in self.whole.duties.items() if v.slug == self.juris[0].slug}

    @functools.cached_property
    def links(self) -> list[tuple[str, str, str, str]]:
        return [link for link in self.whole.links if link[0] == self.juris[0].slug]


def facts_for(store: Store, selected: Sequence[str | Jurisdiction] | None) -> Facts:
    return Facts(store, jurisdictions(store, selected))
