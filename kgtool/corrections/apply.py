"""Corrections applied to a document's statements: after the reader, before the Turtle is written.

Each correction, in the order they were made, first proves it still fits the reading: its
provision is there with the text it was made on (the fingerprint), its passage still stands in
that text, and what it names is still there. Then it becomes statements added and statements
removed. One that no longer fits is not applied and comes back as `Stale`, with the reason,
for `kgtool build` to report (never dropped silently); one that would change nothing (the
reader now reads it so itself) is stale too, so that it can go.

What the graph keeps of each: a `wsa:Correction` (a prov:Activity: who, when, why, the provision
it used, the passage and its fingerprint); each statement it added, reified as a
`wsa:CorrectedStatement` (rdf:subject, rdf:predicate, rdf:object) with prov:wasAttributedTo the
analyst and wsa:correction the correction; each statement of the reader it took away, reified as a
`wsa:RetractedStatement`. The statements taken away are gone from the data. Each resource of the
document a correction changed a statement of (as subject or object) says so itself,
wsa:correctedBy the correction: what the gap report and the saved queries look at.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.term import Node

from kgtool.corrections.model import Correction, concept_iri, fingerprint, resolve, statement_object
from kgtool.read.duty_types import duty_types
from kgtool.read.frequencies import frequencies, times_per_year
from kgtool.read.lexicon import Lexicon
from kgtool.read.triples import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, WSA, XSD, Triples
from kgtool.vocab import ID, iri_for, local_name, short_hash

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Stale:
    """A correction that no longer applies, and why: reported by file and line, never dropped."""

    correction: Correction
    reason: str

    def __str__(self) -> str:
        return f"{self.correction.where}: {self.correction.id}: {self.reason}"


@dataclass(frozen=True)
class Applied:
    """A correction in force and what it did to the reading."""

    correction: Correction
    added: frozenset[Triple]
    removed: frozenset[Triple]


@dataclass(frozen=True)
class Outcome:
    """What a document's corrections did: those in force and those that no longer apply."""

    applied: tuple[Applied, ...] = ()
    stale: tuple[Stale, ...] = ()


class _NoLonger(Exception):
    """The reading has changed under a correction: the reason says how."""


def apply_corrections(slug: str, triples: Triples, corrections: Sequence[Correction], lexicon: Lexicon | None = None) -> Outcome:
    """Applies a document's corrections to its statements, in place, with their provenance.

    Args:
        slug: the document's id.
        triples: what the reader read; changed in place.
        corrections: the document's corrections (`kgtool.corrections.files.read_corrections`).
        lexicon: the ontology's concepts, to check that a concept named exists (None: not checked).
    """
    if not corrections:
        return Outcome()
    machine = set(triples)
    applied: list[Applied] = []
    stale: list[Stale] = []
    for correction in sorted(corrections, key=Correction.order):
        try:
            added, removed = _Changes(slug, triples, lexicon, correction).work()
        except _NoLonger as exc:
            stale.append(Stale(correction, str(exc)))
            continue
        added = {t for t in added if t not in triples}
        removed = {t for t in removed if t in triples}
        if not added and not removed:
            stale.append(
                Stale(
                    correction,
                    "changes nothing: the reading says so already (the reader reads it itself now, or another correction does it)",
                )
            )
            continue
        for t in removed:
            triples.discard(t)
        for t in added:
            triples.add(t)
        applied.append(Applied(correction, frozenset(added), frozenset(removed)))
    provenance(slug, triples, machine, applied)
    return Outcome(tuple(applied), tuple(stale))


# --- what each kind changes -----------------------------------------------------------------------


class _Changes:
    """The statements one correction adds and removes, given the reading so far."""

    def __init__(self, slug: str, triples: Triples, lexicon: Lexicon | None, correction: Correction) -> None:
        self.slug, self.g, self.lexicon, self.c = slug, triples, lexicon, correction
        self.doc = iri_for("document", slug)
        self.provision = iri_for("provision", slug, correction.provision)
        self.added: set[Triple] = set()
        self.removed: set[Triple] = set()

    def work(self) -> tuple[set[Triple], set[Triple]]:
        self.text = self._anchor()
        kind = self.c.kind if self.c.kind != "add" else f"add_{self.c.fields['what']}"
        getattr(self, kind)(self.c.fields)
        return self.added, self.removed

    # -- checks

    def _anchor(self) -> str:
        text = self.g.value(self.provision, WSA.text)
        if text is None:
            raise _NoLonger(f"target gone: the reader reads no provision {self.c.provision} any more")
        now = fingerprint(str(text))
        if now != self.c.fingerprint:
            raise _NoLonger(
                f"passage changed: provision {self.c.provision}'s text is not the one corrected "
                f"({self.c.fingerprint}, now {now}); check the correction against the new text"
            )
        if self.c.passage and squash(self.c.passage) not in squash(str(text)):
            raise _NoLonger(f"the passage «{self.c.passage[:40]}» is not in provision {self.c.provision}")
        return str(text)

    def node(self, ref: str, *kinds: str) -> URIRef:
        """A resource of the reading, which must be there (and of one of ``kinds``)."""
        iri = resolve(ref, self.slug)
        if self.g.value(iri, RDF.type) is None:
            raise _NoLonger(f"target gone: {ref} is not in the reading")
        if kinds and self.kind_of(iri) not in kinds:
            raise _NoLonger(f"{ref} is no {' or '.join(kinds)}")
        return iri

    def kind_of(self, iri: Node) -> str | None:
        own = f"{ID}{self.slug}/"
        text = str(iri)
        return text[len(own) :].split("/", 1)[0] if text.startswith(own) else None

    def concept(self, ident: str, scheme: str) -> URIRef:
        iri = concept_iri(ident, scheme)
        if self.lexicon is not None and iri not in self.lexicon.pref:
            raise _NoLonger(f"{ident} is no concept of the {scheme} scheme (ontology/)")
        return iri

    def fresh(self, iri: URIRef) -> URIRef:
        if self.g.value(iri, RDF.type) is not None:
            raise _NoLonger(f"{local_name(iri)} is in the reading already")
        return iri

    def in_text(self, words: str, what: str) -> None:
        if squash(words) not in squash(self.text):
            raise _NoLonger(f"the {what} «{words[:40]}» is not in provision {self.c.provision}")

    def minted(self, node: URIRef, cls: URIRef) -> None:
        self.added |= {(node, RDF.type, cls), (node, WSA.definedIn, self.doc), (node, PROV.wasDerivedFrom, self.provision)}

    # -- the kinds

    def merge(self, f: dict) -> None:
        """Two posts (or bodies) the reader kept apart are one: the first's statements move to the second."""
        gone = self.node(f["post"], "post", "body")
        kept = self.node(f["into"], self.kind_of(gone) or "post")
        name = self.g.value(kept, RDFS.label)
        for p, objects in list(self.g.spo.get(gone, {}).items()):
            for o in objects:
                self.removed.add((gone, p, o))
                if p in (RDF.type, WSA.definedIn) or (p in (RDFS.label, SKOS.altLabel) and o == name):
                    continue
                self.added.add((kept, SKOS.altLabel if p == RDFS.label else p, o))
        for s, p, o in self.pointing_at(gone):
            self.removed.add((s, p, o))
            self.added.add((s, p, kept))
        self.added.add((kept, PROV.wasDerivedFrom, self.provision))

    def split(self, f: dict) -> None:
        """A post that is two offices: a new post takes the wordings, duties and levels named."""
        old = self.node(f["post"], "post")
        new = self.fresh(iri_for("post", self.slug, f"{local_name(old)}.split-{short_hash(f['label'])}"))
        self.minted(new, WSA.Post)
        self.added.add((new, RDFS.label, Literal(f["label"], lang="zh")))
        roles = [self.concept(f["role"], "role")] if "role" in f else self.g.objects(old, ORG.role)
        bodies = [self.node(b, "body") for b in f.get("bodies", ())] or self.g.objects(old, ORG.postIn)
        self.added |= {(new, ORG.role, r) for r in roles} | {(new, ORG.postIn, b) for b in bodies}
        for ref in f.get("duties", ()):
            duty = self.node(ref, "duty")
            self.take(old, new, WSA.hasDuty, duty, f"{f['post']} holds {ref} no longer")
        for wording in f.get("wordings", ()):
            label = Literal(wording, lang="zh")
            if (old, RDFS.label, label) in self.g:
                raise _NoLonger(f"«{wording}» is the name of {f['post']}: split off the wordings it has besides")
            self.take(old, new, SKOS.altLabel, label, f"{f['post']} is not called «{wording}» any more")
            if wording == f["label"]:
                self.added.discard((new, SKOS.altLabel, label))
        for level in f.get("levels", ()):
            self.take(old, new, WSA.responsibilityLevel, self.concept(level, "level"), f"{f['post']} has level {level} no longer")

    def take(self, old: URIRef, new: URIRef, p: URIRef, o: Node, gone: str) -> None:
        if (old, p, o) not in self.g:
            raise _NoLonger(f"target gone: {gone}")
        self.removed.add((old, p, o))
        self.added.add((new, p, o))

    def move(self, f: dict) -> None:
        """Duties the reader gave to the wrong holder, or to none, go to the holder named."""
        to = self.node(f["to"], "post", "body")
        source = self.node(f["from"], "post", "body") if "from" in f else None
        for ref in f["duties"]:
            duty = self.node(ref, "duty")
            holders = set(self.g.subjects(WSA.hasDuty, duty)) | set(self.g.objects(duty, WSA.dutyOf))
            if source is not None and source not in holders:
                raise _NoLonger(f"target gone: {f['from']} holds {ref} no longer")
            for holder in [source] if source is not None else holders - {to}:
                self.removed |= {(holder, WSA.hasDuty, duty), (duty, WSA.dutyOf, holder)}
            self.added.add((to, WSA.hasDuty, duty))

    def type(self, f: dict) -> None:
        """A duty type the reader got wrong: added, removed, or both."""
        duty = self.node(f["duty"], "duty")
        self.added |= {(duty, WSA.dutyType, self.concept(t, "dutytype")) for t in f.get("add", ())}
        self.removed |= {(duty, WSA.dutyType, self.concept(t, "dutytype")) for t in f.get("remove", ())}

    def reject(self, f: dict) -> None:
        """A statement, or everything said about a resource, that the text does not say."""
        if "statement" in f:
            s = f["statement"]
            triple = (resolve(s["subject"], self.slug), resolve(s["predicate"], self.slug), statement_object(s["object"], self.slug))
            if triple not in self.g:
                raise _NoLonger("target gone: the reader does not say this any more")
            self.removed.add(triple)
            return
        node = self.node(f["node"], "post", "body", "duty", "freq", "person")
        nodes = [node, *(self.g.objects(node, WSA.frequency) if self.kind_of(node) == "duty" else ())]
        for n in nodes:
            self.removed |= {(n, p, o) for p, objects in self.g.spo.get(n, {}).items() for o in objects}
            self.removed |= set(self.pointing_at(n))

    def add_post(self, f: dict) -> None:
        """A post the reader missed, in the bodies named."""
        post = self.fresh(iri_for("post", self.slug, f"added.{short_hash(f['label'])}"))
        self.minted(post, WSA.Post)
        self.added |= {(post, RDFS.label, Literal(f["label"], lang="zh")), (post, ORG.role, self.concept(f["role"], "role"))}
        self.added |= {(post, ORG.postIn, self.node(b, "body")) for b in f["bodies"]}
        if "level" in f:
            self.added.add((post, WSA.responsibilityLevel, self.concept(f["level"], "level")))

    def add_duty(self, f: dict) -> None:
        """A duty the reader missed, with its text as the provision words it; typed and timed as the
        reader types and times any duty's text, unless the types are given."""
        text = f["text"]
        self.in_text(text, "duty's text")
        duty = self.fresh(iri_for("duty", self.slug, f"{self.c.provision}.added-{short_hash(text)}"))
        self.minted(duty, WSA.Duty)
        self.added.add((duty, WSA.text, Literal(text, lang="zh")))
        decided = duty_types(text, self.lexicon) if self.lexicon is not None and "types" not in f else []
        types = f.get("types") or [d.concept for d in decided] or ["other"]
        self.added |= {(duty, WSA.dutyType, self.concept(t, "dutytype")) for t in types}
        if "holder" in f:
            self.added.add((self.node(f["holder"], "post", "body"), WSA.hasDuty, duty))
        for k, found in enumerate(frequencies(text), start=1):
            action = found.action or (decided[0].concept if decided else types[0])
            self.frequency(duty, iri_for("freq", self.slug, f"{local_name(duty)}-{k}"), found.period, found.minimum, action, found.wording)

    def add_level(self, f: dict) -> None:
        """A responsibility level the text gives a post and the reader missed."""
        post = self.node(f["post"], "post")
        self.added |= {(post, WSA.responsibilityLevel, self.concept(f["level"], "level")), (post, PROV.wasDerivedFrom, self.provision)}

    def add_frequency(self, f: dict) -> None:
        """How often a duty must be done, as the provision says and the reader missed."""
        duty = self.node(f["duty"], "duty")
        self.in_text(f["wording"], "frequency's wording")
        key = short_hash(f"{f['wording']}|{f['period']}|{f['min']}|{f['action']}")
        node = self.fresh(iri_for("freq", self.slug, f"{local_name(duty)}-c{key}"))
        self.frequency(duty, node, f["period"], f["min"], f["action"], f["wording"])

    def add_principle(self, f: dict) -> None:
        self.added.add((self.doc, WSA.invokesPrinciple, self.concept(f["principle"], "principle")))

    def add_sanction(self, f: dict) -> None:
        self.added.add((self.doc, WSA.providesSanction, self.concept(f["sanction"], "sanction")))

    # -- helpers

    def frequency(self, duty: URIRef, node: URIRef, period: str, minimum: int, action: str, wording: str) -> None:
        rate = times_per_year(period, minimum)
        if rate is None:
            raise _NoLonger(f"{period} has no number of times a year")
        self.minted(node, WSA.FrequencyRequirement)
        self.added |= {
            (duty, WSA.frequency, node),
            (node, WSA.period, Literal(period, datatype=XSD.duration)),
            (node, WSA.minOccurrences, Literal(minimum)),
            (node, WSA.timesPerYear, Literal(rate.quantize(Decimal("0.0001")).normalize(), datatype=XSD.decimal)),
            (node, WSA.text, Literal(wording, lang="zh")),
            (node, WSA.action, self.concept(action, "dutytype")),
        }

    def pointing_at(self, node: Node) -> list[Triple]:
        return [(s, p, node) for s, po in self.g.spo.items() for p, objects in po.items() if node in objects]


def squash(text: str) -> str:
    """Text without white space, as passages are compared (a PDF or a person breaks lines anywhere)."""
    return re.sub(r"\s+", "", text)


# --- provenance ------------------------------------------------------------------------------------


def provenance(slug: str, triples: Triples, machine: set[Triple], applied: Iterable[Applied]) -> None:
    """The corrections in force as PROV activities, and the statements they added and removed, reified."""
    final = set(triples)
    for a in applied:
        c = a.correction
        node = correction_iri(slug, c)
        agent = iri_for("agent", local_id=agent_id(c.by))
        kind = c.kind if c.kind != "add" else f"add {c.fields['what']}"
        for fact in (
            (node, RDF.type, WSA.Correction),
            (node, RDFS.label, Literal(f"更正 {c.id}", lang="zh")),
            (node, RDFS.label, Literal(f"correction {c.id}", lang="en")),
            (node, WSA.correctionKind, Literal(kind)),
            (node, PROV.wasAssociatedWith, agent),
            (node, PROV.endedAtTime, Literal(c.when, datatype=XSD.dateTime)),
            (node, PROV.used, iri_for("provision", slug, c.provision)),
            (node, WSA.rationale, Literal(c.why, lang=language(c.why))),
            (node, WSA.passageFingerprint, Literal(c.fingerprint)),
            (node, DCTERMS.source, Literal(f"data/corrections/{slug}/{c.provision}.yaml")),
            (agent, RDF.type, PROV.Person),
            (agent, RDFS.label, Literal(c.by, lang=language(c.by))),
        ):
            triples.add(fact)
        if c.passage:
            triples.add((node, WSA.passage, Literal(c.passage, lang="zh")))
        touched: set[Node] = set()
        for t in a.added:
            if t in final and t not in machine:
                _reify(slug, triples, t, WSA.CorrectedStatement, node, agent)
                touched |= {t[0], t[2]}
        for t in a.removed:
            if t not in final and t in machine:
                _reify(slug, triples, t, WSA.RetractedStatement, node, None)
                touched |= {t[0], t[2]}
        for resource in touched:  # still there, and the document's own (not a concept, not a literal)
            if isinstance(resource, URIRef) and triples.value(resource, RDF.type) is not None and str(resource).startswith(f"{ID}{slug}"):
                triples.add((resource, WSA.correctedBy, node))


def _reify(slug: str, triples: Triples, t: Triple, cls: URIRef, correction: URIRef, agent: URIRef | None) -> None:
    s, p, o = t
    node = iri_for("statement", slug, hashlib.blake2s(f"{s.n3()} {p.n3()} {o.n3()}".encode(), digest_size=8).hexdigest())
    for x in (
        (node, RDF.type, cls),
        (node, RDF.subject, s),
        (node, RDF.predicate, p),
        (node, RDF.object, o),
        (node, WSA.correction, correction),
    ):
        triples.add(x)
    if agent is not None:
        triples.add((node, PROV.wasAttributedTo, agent))


def correction_iri(slug: str, correction: Correction) -> URIRef:
    return iri_for("correction", slug, f"{correction.provision}.{correction.id}")


def agent_id(name: str) -> str:
    """An analyst's id: the name itself when it is a plain ASCII word, else a hash of it."""
    plain = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return plain if plain and plain.isascii() and len(plain) <= 40 and re.fullmatch(r"[\x20-\x7e]+", name) else short_hash(name)


def language(text: str) -> str:
    """zh for a text with Chinese in it, else en: the language tag of an analyst's reason."""
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"
