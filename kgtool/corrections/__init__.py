"""Analysts' corrections as data: kept beside the reader's output, applied on every build.

An analyst who finds a misreading does not edit the generated Turtle (the next build would
overwrite it): they write a correction, `data/corrections/<slug>/<provision>.yaml`, which
`kgtool build` applies after the reader and before the Turtle is written. Kinds: merge two posts,
split a post, move duties to another holder, set or remove duty types, add a post, duty, level,
frequency, principle or sanction the reader missed, reject a statement. Each is anchored to its
provision by the provision's id and a fingerprint of its text, and says who made it, when and why.

Modules: `kgtool.corrections.model` (what a correction is, its fields, how it names things),
`kgtool.corrections.files` (the YAML files, read with line numbers and written atomically),
`kgtool.corrections.apply` (the statements each adds and removes, what no longer applies, and
the provenance the graph keeps).
"""

from __future__ import annotations

from pathlib import Path

from kgtool.corrections.apply import Applied, Outcome, Stale, apply_corrections, correction_iri
from kgtool.corrections.files import read_corrections, withdraw_correction, write_correction
from kgtool.corrections.model import ADDS, KINDS, Correction, CorrectionError, fingerprint
from kgtool.read.lexicon import Lexicon
from kgtool.read.triples import Triples

__all__ = [
    "ADDS",
    "KINDS",
    "Applied",
    "Correction",
    "CorrectionError",
    "Outcome",
    "Stale",
    "apply_corrections",
    "correct",
    "correction_iri",
    "fingerprint",
    "read_corrections",
    "withdraw_correction",
    "write_correction",
]


def correct(root: Path, slug: str, triples: Triples, lexicon: Lexicon | None = None) -> Outcome:
    """A document's reading with its corrections applied, in place (`kgtool.build.build_one` calls it).

    Raises:
        CorrectionError: a corrections file that cannot be read (named, with its line).
    """
    return apply_corrections(slug, triples, read_corrections(root, slug), lexicon)
