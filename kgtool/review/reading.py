"""What was read from a document, provision by provision, and what the analysts changed of it.

The reader is run afresh on the source (so the review is of the text as it is now), its notes
(`kgtool.read.explain`: holders and what named them, duty types and the words that decided them,
sentences not made duties) are put beside the statements after the corrections, and every
holder, type or frequency a correction added or took away is marked as such. Each resource is
named as a correction names it (``duty/a.s3.i4``), so what the review shows can be corrected as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef
from rdflib.term import Node

from kgtool.build import Built, build_one, context, slug_for, sources
from kgtool.corrections import Outcome, apply_corrections, fingerprint, read_corrections
from kgtool.corrections.model import shorten
from kgtool.errors import SourceError
from kgtool.read.lexicon import Lexicon
from kgtool.read.triples import DCTERMS, ORG, RDF, RDFS, SKOS, WSA, Triples
from kgtool.vocab import ID, iri_for, local_name


@dataclass
class Named:
    """A resource as a correction names it, with its label; marked when a correction put it
    there (``corrected``) or took it away (``retracted``)."""

    ref: str
    label: str
    corrected: bool = False
    retracted: bool = False


@dataclass
class DutyView:
    ref: str
    text: str
    holders: list[Named]
    types: list[Named]  # ref: the type id; label: the words that decided it ("" when a correction set it)
    frequencies: list[Named]  # label: "P3M ≥1 meeting «wording»"
    read_by: list[str] = field(default_factory=list)  # the holders the reader named (labels)
    corrected: bool = False  # added by a correction


@dataclass
class PostView:
    ref: str
    label: str
    roles: list[str]
    bodies: list[Named]
    levels: list[Named]
    wordings: list[str]
    corrected: bool = False


@dataclass
class CorrectionView:
    id: str
    kind: str
    provision: str
    summary: str
    by: str
    when: str
    why: str
    passage: str | None
    file: str
    line: int
    status: str  # "in force", or why it no longer applies


@dataclass
class ProvisionView:
    id: str
    marker: str
    heading: str
    text: str
    fingerprint: str
    holders: list[str] = field(default_factory=list)  # who the reader took the provision's duties to be
    why: str = ""  # what named them
    duties: list[DutyView] = field(default_factory=list)
    posts: list[PostView] = field(default_factory=list)
    levels: list[tuple[str, str]] = field(default_factory=list)  # (post, the level's wording), as read
    not_placed: list[tuple[str, str]] = field(default_factory=list)  # (sentence, why it is no duty)
    unresolved: list[str] = field(default_factory=list)
    corrections: list[CorrectionView] = field(default_factory=list)

    def says_anything(self) -> bool:
        return bool(self.holders or self.duties or self.posts or self.levels or self.not_placed or self.unresolved or self.corrections)


@dataclass
class Review:
    slug: str
    title: str
    source: str
    provisions: list[ProvisionView]
    unresolved: list[str]  # what the reader could not place that belongs to no provision
    corrections: list[CorrectionView]
    holders: list[Named]  # every post and body, the names a correction may use

    @property
    def in_force(self) -> int:
        return sum(1 for c in self.corrections if c.status == "in force")

    @property
    def stale(self) -> int:
        return len(self.corrections) - self.in_force


@dataclass(frozen=True)
class Reading:
    """A document read afresh: the reader's own statements, the same with the corrections applied,
    and what the corrections did."""

    built: Built
    corrected: Triples
    outcome: Outcome
    lexicon: Lexicon

    @property
    def machine(self) -> Triples:
        return self.built.triples


def source_of(root: Path, slug: str) -> Path:
    """The source file of a document of the project.

    Raises:
        SourceError: no document of that id.
    """
    found = [p for p in sources(root) if slug_for(p) == slug]
    if not found:
        known = ", ".join(sorted(slug_for(p) for p in sources(root)))
        raise SourceError(f"no document {slug!r}", where="SLUG", hint=f"one of: {known}")
    return found[0]


def read(root: Path, slug: str) -> Reading:
    """The document read by the reader alone, then corrected (both kept)."""
    lexicon, places = context(root)
    built = build_one(source_of(root, slug), root, lexicon, places, corrections=False)
    corrected = copy(built.triples)
    outcome = apply_corrections(slug, corrected, read_corrections(root, slug), lexicon)
    return Reading(built, corrected, outcome, lexicon)


def copy(triples: Triples) -> Triples:
    out = Triples()
    for t in triples:
        out.add(t)
    return out


def review(root: Path, slug: str, reading: Reading | None = None) -> Review:
    """The review of one document: every provision with what was read there and the corrections in force."""
    reading = reading or read(root, slug)
    g, m = reading.corrected, reading.machine
    doc = iri_for("document", slug)
    name = _Names(slug, g, m)
    notes = reading.built.summary.explanation.notes
    views: dict[str, ProvisionView] = {}
    for pid, note in notes.items():
        iri = iri_for("provision", slug, pid)
        text = str(m.value(iri, WSA.text) or "")
        views[pid] = ProvisionView(
            id=pid,
            marker=str(m.value(iri, WSA.marker) or ""),
            heading=str(m.value(iri, WSA.heading) or note.heading or ""),
            text=text,
            fingerprint=fingerprint(text),
            holders=list(note.holders),
            why=note.why,
            levels=list(note.levels),
            not_placed=list(note.skipped),
        )
        for d in note.duties:
            duty = iri_for("duty", slug, d.id)
            if g.value(duty, RDF.type) is None and m.value(duty, RDF.type) is None:
                continue
            views[pid].duties.append(_duty(name, g, m, duty, dict(d.types), d.holders))
    for added in sorted(set(g.subjects(RDF.type, WSA.Duty)) - set(m.subjects(RDF.type, WSA.Duty)), key=str):
        pid = _provision_id(slug, g.value(added, _DERIVED))
        if pid in views:
            views[pid].duties.append(_duty(name, g, m, added, {}, [], corrected=True))
    order = {pid: k for k, pid in enumerate(views)}
    for post in sorted(g.subjects(RDF.type, WSA.Post), key=str):  # each post once, where it is first read
        found = [pid for pid in (_provision_id(slug, s) for s in g.objects(post, _DERIVED)) if pid in views]
        if found:
            views[min(found, key=order.__getitem__)].posts.append(_post(name, g, m, post))
    unresolved = []
    for line in reading.built.summary.unplaced:
        pid, sep, rest = line.partition(": ")
        if sep and pid in views:
            views[pid].unresolved.append(rest)
        else:
            unresolved.append(line)
    corrections = _corrections(root, reading.outcome, g, slug)
    for c in corrections:
        if c.provision in views:
            views[c.provision].corrections.append(c)
        else:
            unresolved.append(f"correction {c.id} names provision {c.provision}, which the reader no longer reads")
    holders = [name.of(n) for cls in (WSA.Post, None) for n in _holders(g, cls)]
    return Review(
        slug=slug,
        title=str(g.value(doc, DCTERMS.title) or slug),
        source=str(g.value(doc, DCTERMS.source) or ""),
        provisions=list(views.values()),
        unresolved=unresolved,
        corrections=corrections,
        holders=holders,
    )


_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")


def _provision_id(slug: str, iri: Node | None) -> str:
    prefix = f"{ID}{slug}/provision/"
    return str(iri)[len(prefix) :] if iri is not None and str(iri).startswith(prefix) else ""


def _holders(g: Triples, cls: URIRef | None) -> list[Node]:
    """Posts (cls wsa:Post), or bodies (None: what has a /body/ IRI), by label."""
    found = g.subjects(RDF.type, cls) if cls is not None else [s for s in g.spo if "/body/" in str(s) and g.value(s, RDF.type) is not None]
    return sorted(found, key=lambda n: (str(g.value(n, RDFS.label) or ""), str(n)))


class _Names:
    """Names and labels of a document's resources, and whether a statement is the analysts'."""

    def __init__(self, slug: str, g: Triples, machine: Triples) -> None:
        self.slug, self.g, self.m = slug, g, machine

    def label(self, node: Node) -> str:
        value = self.g.value(node, RDFS.label) or self.m.value(node, RDFS.label) or self.g.value(node, SKOS.prefLabel)
        return str(value) if value is not None else local_name(node)

    def of(self, node: Node, *, corrected: bool = False, retracted: bool = False) -> Named:
        return Named(shorten(node, self.slug), self.label(node), corrected, retracted)

    def changed(self, triple: tuple[Node, Node, Node]) -> tuple[bool, bool]:
        """(added by a correction, taken away by one)."""
        return triple in self.g and triple not in self.m, triple in self.m and triple not in self.g


def _duty(
    name: _Names, g: Triples, m: Triples, duty: Node, evidence: dict[str, str], read_by: list[str], *, corrected: bool = False
) -> DutyView:
    holders = []
    for h in dict.fromkeys([*g.subjects(WSA.hasDuty, duty), *m.subjects(WSA.hasDuty, duty)]):
        added, taken = name.changed((h, WSA.hasDuty, duty))
        holders.append(name.of(h, corrected=added, retracted=taken))
    types = []
    for t in dict.fromkeys([*g.objects(duty, WSA.dutyType), *m.objects(duty, WSA.dutyType)]):
        added, taken = name.changed((duty, WSA.dutyType, t))
        types.append(Named(local_name(t), evidence.get(local_name(t), ""), added, taken))
    frequencies = []
    for f in dict.fromkeys([*g.objects(duty, WSA.frequency), *m.objects(duty, WSA.frequency)]):
        added, taken = name.changed((duty, WSA.frequency, f))
        source = g if g.value(f, RDF.type) is not None else m
        said = (
            f"{source.value(f, WSA.period)} ≥{source.value(f, WSA.minOccurrences)} "
            f"{local_name(source.value(f, WSA.action) or '')} «{source.value(f, WSA.text) or ''}»"
        )
        frequencies.append(Named(shorten(f, name.slug), said, added, taken))
    text = str(g.value(duty, WSA.text) or m.value(duty, WSA.text) or "")
    return DutyView(
        shorten(duty, name.slug), text, holders, types, frequencies, list(read_by), corrected=corrected or m.value(duty, RDF.type) is None
    )


def _post(name: _Names, g: Triples, m: Triples, post: Node) -> PostView:
    levels = []
    for level in dict.fromkeys([*g.objects(post, WSA.responsibilityLevel), *m.objects(post, WSA.responsibilityLevel)]):
        added, taken = name.changed((post, WSA.responsibilityLevel, level))
        levels.append(Named(local_name(level), name.label(level), added, taken))
    bodies = [name.of(b, corrected=name.changed((post, ORG.postIn, b))[0]) for b in g.objects(post, ORG.postIn)]
    return PostView(
        shorten(post, name.slug),
        name.label(post),
        [local_name(r) for r in g.objects(post, ORG.role)],
        bodies,
        levels,
        [str(w) for w in g.objects(post, SKOS.altLabel)],
        corrected=m.value(post, RDF.type) is None,
    )


def _corrections(root: Path, outcome: Outcome, g: Triples, slug: str) -> list[CorrectionView]:
    out = []
    stale = {id(s.correction): s.reason for s in outcome.stale}
    everything = [a.correction for a in outcome.applied] + [s.correction for s in outcome.stale]
    for c in sorted(everything, key=lambda c: c.order()):
        file = str(c.file.relative_to(root)) if c.file is not None and c.file.is_relative_to(root) else str(c.file)
        out.append(
            CorrectionView(
                id=c.id,
                kind=c.kind if c.kind != "add" else f"add {c.fields['what']}",
                provision=c.provision,
                summary=summary(c.kind, c.fields),
                by=c.by,
                when=c.when,
                why=c.why,
                passage=c.passage,
                file=file,
                line=c.line,
                status=f"no longer applies: {stale[id(c)]}" if id(c) in stale else "in force",
            )
        )
    return out


def summary(kind: str, f: dict) -> str:
    """What a correction does, in a line."""
    if kind == "merge":
        return f"{f['post']} merged into {f['into']}"
    if kind == "split":
        moved = [*f.get("duties", ()), *(f"«{w}»" for w in f.get("wordings", ())), *f.get("levels", ())]
        return f"{f['post']} split: «{f['label']}» takes {', '.join(moved)}"
    if kind == "move":
        return f"{', '.join(f['duties'])} → {f['to']}" + (f" (from {f['from']})" if "from" in f else "")
    if kind == "type":
        return f"{f['duty']}: " + ", ".join([*(f"+{t}" for t in f.get("add", ())), *(f"-{t}" for t in f.get("remove", ()))])
    if kind == "reject":
        if "node" in f:
            return f"{f['node']} rejected"
        s = f["statement"]
        return f"rejected: {s['subject']} {s['predicate']} {s['object']}"
    what = f["what"]
    detail = {
        "post": lambda: f"«{f['label']}» ({f['role']}) in {', '.join(f['bodies'])}",
        "duty": lambda: f"«{f['text'][:30]}»" + (f" of {f['holder']}" if "holder" in f else ""),
        "level": lambda: f"{f['post']}: {f['level']}",
        "frequency": lambda: f"{f['duty']}: {f['period']} ≥{f['min']} {f['action']} «{f['wording']}»",
        "principle": lambda: f["principle"],
        "sanction": lambda: f["sanction"],
    }[what]()
    return f"add {what}: {detail}"
