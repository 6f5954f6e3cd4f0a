"""Making a correction: checked against the reading and the integrity shapes, then written atomically.

`kgtool correct` and the review pages (`kgtool serve --review`) both come here, so a correction
made either way is the same file. Before anything is written: the provision is found (named, or
the one whose text holds the passage, or the one the duty was read from), its text fingerprinted,
the correction applied on top of those in force and required to change something and to name only
what is there, and the corrected document validated with shapes/integrity.ttl (`kgtool.gaps`):
a correction that would make the graph break an integrity rule is refused. Then the corrections
file is written (temp file, then rename) and data/<slug>.ttl rebuilt, as `kgtool build` would.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from kgtool.atomic import write_atomic
from kgtool.build import build_one
from kgtool.corrections import Correction, CorrectionError, Stale, apply_corrections, fingerprint, write_correction
from kgtool.corrections.apply import squash
from kgtool.corrections.files import path_for, read_corrections
from kgtool.corrections.model import check_entry, entry_id, now, resolve
from kgtool.read.triples import PROV, RDF, WSA, Triples
from kgtool.review.reading import Reading, copy, read, source_of
from kgtool.vocab import ID, iri_for


@dataclass(frozen=True)
class Made:
    """A correction written: where, the data file rebuilt with it, and the document's other
    corrections that no longer apply (to be reported)."""

    correction: Correction
    file: Path
    data: Path
    stale: tuple[Stale, ...]


def make_correction(
    root: Path,
    slug: str,
    kind: str,
    fields: dict[str, Any],
    *,
    by: str,
    why: str,
    passage: str | None = None,
    provision: str | None = None,
    when: str | None = None,
) -> Made:
    """Checks a correction and writes it; see the module's docstring for the checks.

    Args:
        fields: the kind's fields (`kgtool.corrections.model.SPEC`); for ``add``, ``what`` too.

    Raises:
        CorrectionError: a field that is wrong, a target that is not there, a correction that
            changes nothing or breaks an integrity rule. Nothing is written then.
    """
    reading = read(root, slug)
    provision = provision or find_provision(reading, slug, kind, fields, passage)
    text = reading.machine.value(iri_for("provision", slug, provision), WSA.text)
    if text is None:
        raise CorrectionError(
            f"no provision {provision!r} in {slug}", where="--provision", hint=f"`kgtool review {slug}` lists the provisions"
        )
    raw = {"kind": kind, **fields, "passage": passage, "by": by, "when": when or now(), "why": why}
    checked = check_entry(raw, key="new", slug=slug, provision=provision, fingerprint_=fingerprint(str(text)), file=None, line=0)
    own = {k: v for k, v in checked.fields.items()}
    correction = dataclasses.replace(checked, id=entry_id(kind, own))
    existing = read_corrections(root, slug)
    if any(c.id == correction.id and c.provision == provision for c in existing):
        raise CorrectionError(f"this correction is in force already ({correction.id})", where=str(path_for(root, slug, provision)))
    trial = copy(reading.machine)
    outcome = apply_corrections(slug, trial, [*existing, correction], reading.lexicon)
    refused = next((s for s in outcome.stale if s.correction is correction), None)
    if refused is not None:
        raise CorrectionError(refused.reason, where=f"kgtool correct {slug} {kind}")
    broken = integrity(root, trial) - integrity(root, reading.corrected)
    if broken:
        first = sorted(broken)[0]
        raise CorrectionError(
            f"the corrected graph would break an integrity rule: {first[2]} ({first[1]})",
            where=f"kgtool correct {slug} {kind}",
            hint="shapes/integrity.ttl; nothing was written",
        )
    written = write_correction(root, slug, correction)
    data = rebuild(root, slug)
    others = tuple(s for s in outcome.stale if s.correction is not correction)
    return Made(dataclasses.replace(correction, file=written), written, data, others)


def rebuild(root: Path, slug: str) -> Path:
    """data/<slug>.ttl as `kgtool build` writes it, with the corrections now in force."""
    from kgtool.build import context

    lexicon, places = context(root)
    built = build_one(source_of(root, slug), root, lexicon, places)
    target = root / "data" / f"{slug}.ttl"
    write_atomic(target, built.turtle)
    return target


def find_provision(reading: Reading, slug: str, kind: str, fields: dict[str, Any], passage: str | None) -> str:
    """The provision a correction rests on, when it is not named: the one whose text holds the
    passage (the innermost), else the one its duty was read from.

    Raises:
        CorrectionError: none found, or the passage stands in several places.
    """
    words = passage or fields.get("text") or fields.get("wording")
    g = reading.machine
    if words:
        holding = [s for s in g.subjects(RDF.type, WSA.Provision) if squash(str(words)) in squash(str(g.value(s, WSA.text) or ""))]
        innermost = [p for p in holding if not any(q != p and _inside(g, q, p) for q in holding)]
        if len(innermost) == 1:
            return _local(slug, innermost[0])
        if len(innermost) > 1:
            where = ", ".join(sorted(_local(slug, p) for p in innermost)[:4])
            raise CorrectionError(f"the passage stands in several provisions ({where})", where="--passage", hint="give --provision")
        raise CorrectionError(
            f"no provision of {slug} holds «{str(words)[:40]}»", where="--passage", hint="copy the words from the text, or give --provision"
        )
    target = fields.get("duty") or (fields.get("duties") or [None])[0] or fields.get("node") or fields.get("post")
    if isinstance(target, str):
        try:
            node = resolve(target, slug)
        except ValueError as exc:
            raise CorrectionError(str(exc), where="target") from None
        if g.value(node, RDF.type) is None:
            raise CorrectionError(f"{target} is not in the reading of {slug}", where="target", hint=f"`kgtool review {slug}` names what is")
        source = g.value(node, PROV.wasDerivedFrom)
        if source is not None:
            return _local(slug, source)
    raise CorrectionError(
        "which provision does this correction rest on?", where="--provision", hint="give --provision ID or --passage WORDS from the text"
    )


def _inside(g: Triples, inner: Node, outer: Node) -> bool:
    node = g.value(inner, _PART_OF)
    while node is not None:
        if node == outer:
            return True
        node = g.value(node, _PART_OF)
    return False


_PART_OF = URIRef("http://purl.org/dc/terms/isPartOf")


def _local(slug: str, provision: object) -> str:
    return str(provision)[len(f"{ID}{slug}/provision/") :]


def integrity(root: Path, triples: Triples) -> set[tuple[str, str, str]]:
    """The integrity shapes' violations (shape, focus, message) of one document with the ontology
    and data/places.ttl, through `kgtool.gaps.validate` with shapes/integrity.ttl alone."""
    from kgtool.gaps import validate

    graph: Graph = triples.graph()
    places = root / "data" / "places.ttl"
    if places.exists():
        graph.parse(places, format="turtle")
    with tempfile.TemporaryDirectory(prefix="kgtool-integrity-") as tmp:
        shutil.copy(root / "shapes" / "integrity.ttl", Path(tmp) / "integrity.ttl")
        report = validate(graph, shapes_dir=Path(tmp), ontology_dir=root / "ontology")
    return {(f.shape, f.focus, f.message_en) for f in report.findings if f.severity == "Violation"}


def withdraw(root: Path, slug: str, key: str) -> tuple[Path, Path]:
    """Takes a correction back (by its key) and rebuilds data/<slug>.ttl without it.

    Raises:
        CorrectionError: no correction of that key.
    """
    from kgtool.corrections import withdraw_correction

    source_of(root, slug)
    file = withdraw_correction(root, slug, key)
    return file, rebuild(root, slug)
