"""Why the graph says what it says about a document, provision by provision.

The extractor notes, as it reads, whose duties a provision lists and what named them, each
duty with the types and the words that decided them, its frequencies, the levels it assigns,
and every sentence it did not make a duty of, with the reason. `kgtool ingest FILE --explain`
prints these notes, so an analyst can check a reading against the text without opening RDF.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class DutyNote:
    """One duty as read: its text, who holds it, its types with their evidence, its frequencies."""

    id: str
    text: str
    holders: list[str]
    types: list[tuple[str, str]]  # (duty type, the words that decided it; "" for the catch-all)
    frequencies: list[str]


@dataclass
class ProvisionNote:
    """What was read from one provision."""

    id: str
    heading: str = ""
    holders: list[str] = field(default_factory=list)
    why: str = ""  # what named the holders
    duties: list[DutyNote] = field(default_factory=list)
    levels: list[tuple[str, str]] = field(default_factory=list)  # (post, level wording)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, why it is no duty)

    def empty(self) -> bool:
        return not (self.holders or self.duties or self.levels or self.skipped)


@dataclass
class Explanation:
    """The notes of one document, in the order of the text (the extractor opens a note for
    every provision before it reads any)."""

    notes: dict[str, ProvisionNote] = field(default_factory=dict)

    def at(self, provision_id: str, heading: str = "") -> ProvisionNote:
        note = self.notes.get(provision_id)
        if note is None:
            note = self.notes[provision_id] = ProvisionNote(provision_id, heading)
        return note

    def as_json(self) -> list[dict]:
        return [asdict(n) for n in self.notes.values() if not n.empty()]

    def render(self) -> str:
        """Plain text, one block per provision that says anything."""
        lines: list[str] = []
        for note in self.notes.values():
            if note.empty():
                continue
            lines.append(f"[{note.id}]" + (f" {note.heading}" if note.heading else ""))
            if note.holders:
                lines.append(f"  holder: {'、'.join(note.holders)}  ({note.why})")
            for post, level in note.levels:
                lines.append(f"  level: {post} → {level}")
            for d in note.duties:
                lines.append(f"  duty {d.id} of {'、'.join(d.holders) or '(no holder)'}: {d.text}")
                types = ", ".join(f"{t} «{e}»" if e else t for t, e in d.types)
                lines.append(f"    types: {types}")
                for f in d.frequencies:
                    lines.append(f"    frequency: «{f}»")
            for sentence, why in note.skipped:
                lines.append(f"  not a duty ({why}): {sentence}")
        return "\n".join(lines)
