"""What an analyst's correction is: its kind, the fields each kind takes, and how it names things.

A correction is data, written in `data/corrections/<slug>/<provision>.yaml` (`kgtool.corrections.files`)
and applied on every build (`kgtool.corrections.apply`). It names the document's resources the way
their IRIs end (``post/main.party_secretary``, ``duty/a.s3.i4``, ``body/51af2060``), concepts by their
id in the scheme the field implies (``meeting``, ``department_head``), and anything else by a
prefixed name (``wsa:hasDuty``) or a whole IRI. Every field is checked here, so a hand-edited file
with a wrong field is an error naming its line, never a half-applied correction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node
from rdflib.util import from_n3

from kgtool.errors import KgtoolError
from kgtool.vocab import CONCEPT, ID, PREFIXES, concept

KINDS = ("merge", "split", "move", "type", "add", "reject")
#: What `add` adds.
ADDS = ("post", "duty", "level", "frequency", "principle", "sanction")
#: The kinds of resource a document mints, as their IRIs say (id:<slug>/<kind>/<local>).
RESOURCES = ("post", "body", "duty", "freq", "person")
#: Periods a frequency may have: the ones the reader writes (kgtool.read.frequencies).
PERIOD = re.compile(r"P[1-9][0-9]?[MY]")
#: Longest free text taken (a duty's text, a reason): a provision is rarely longer.
MAX_TEXT = 4000
ENTRY_ID = re.compile(r"[a-z]+-[0-9a-f]{8}")


class CorrectionError(KgtoolError):
    """A corrections file or a correction that cannot be taken: malformed, or naming what is not there."""


@dataclass(frozen=True, eq=False)
class Correction:
    """One analyst's correction of one document, anchored to the provision whose text it rests on.

    ``fields`` are the kind's own (see `SPEC`), checked; ``fingerprint`` is the provision text's
    (`fingerprint`) when the correction was made; ``passage`` is the words it rests on, which must
    still stand in that text. ``file`` and ``line`` say where it is written (for reports).
    """

    id: str
    kind: str
    fields: dict[str, Any]
    provision: str
    fingerprint: str
    by: str
    when: str  # ISO 8601, UTC, to the second: 2026-12-01T10:00:00Z
    why: str
    passage: str | None = None
    file: Path | None = None
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file is not None else f"provision {self.provision}"

    def order(self) -> tuple[str, str, int]:
        """Corrections apply in the order they were made (a duty may be moved to a post added before)."""
        return (self.when, str(self.file or ""), self.line)


#: Each kind's fields: name -> (type, required). Types: ref (a document resource), refs (a list
#: of them, or one), id:<scheme> (a concept of that scheme), ids:<scheme>, str, strs, int,
#: period, statement. ``add`` has a ``what`` and the fields of that.
SPEC: dict[str, dict[str, tuple[str, bool]]] = {
    "merge": {"post": ("ref", True), "into": ("ref", True)},
    "split": {
        "post": ("ref", True),
        "label": ("str", True),
        "role": ("id:role", False),
        "bodies": ("refs", False),
        "duties": ("refs", False),
        "wordings": ("strs", False),
        "levels": ("ids:level", False),
    },
    "move": {"duties": ("refs", True), "to": ("ref", True), "from": ("ref", False)},
    "type": {"duty": ("ref", True), "add": ("ids:dutytype", False), "remove": ("ids:dutytype", False)},
    "reject": {"node": ("ref", False), "statement": ("statement", False)},
    "add:post": {"label": ("str", True), "role": ("id:role", True), "bodies": ("refs", True), "level": ("id:level", False)},
    "add:duty": {"text": ("str", True), "holder": ("ref", False), "types": ("ids:dutytype", False)},
    "add:level": {"post": ("ref", True), "level": ("id:level", True)},
    "add:frequency": {
        "duty": ("ref", True),
        "period": ("period", True),
        "min": ("int", True),
        "action": ("id:dutytype", True),
        "wording": ("str", True),
    },
    "add:principle": {"principle": ("id:principle", True)},
    "add:sanction": {"sanction": ("id:sanction", True)},
}
#: What every entry carries besides its kind's fields.
COMMON = ("kind", "what", "passage", "by", "when", "why")
#: Kinds whose passage (the words the correction rests on) must be given.
NEEDS_PASSAGE = {"add:post", "add:level", "add:principle", "add:sanction"}


def spec_key(kind: str, what: str | None) -> str:
    return f"add:{what}" if kind == "add" else kind


def fingerprint(text: str) -> str:
    """The fingerprint of a provision's text: a correction made on one text is not applied to another.

    >>> fingerprint("三、总体要求")
    'sha256:8f6b1abef53a9c7b'
    """
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def entry_id(kind: str, fields: dict[str, Any]) -> str:
    """A correction's key in its file: its kind and a hash of what it does, so the same
    correction made twice is one, and two analysts' different ones never share a key."""
    body = repr(sorted((k, v) for k, v in fields.items()))
    return f"{kind}-{hashlib.blake2s(body.encode('utf-8'), digest_size=4).hexdigest()}"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def moment(value: Any, where: str) -> str:
    """An ISO 8601 date-time (as YAML or a person wrote it) in the one form corrections keep."""
    if isinstance(value, datetime):
        stamp = value
    else:
        try:
            stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise CorrectionError(f"when: {value!r} is no ISO 8601 date-time", where=where, hint="e.g. 2026-12-01T10:00:00Z") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- naming things -------------------------------------------------------------------------------


def resolve(ref: str, slug: str) -> URIRef:
    """A name in a correction as the IRI it stands for.

    >>> str(resolve("post/main.party_secretary", "tongchuan-town-2022"))
    'https://w3id.org/wsa/id/tongchuan-town-2022/post/main.party_secretary'
    >>> str(resolve("id:wuxi-towns-2021/duty/s2.p1", "x")), str(resolve("wsa:hasDuty", "x"))
    ('https://w3id.org/wsa/id/wuxi-towns-2021/duty/s2.p1', 'https://w3id.org/wsa/ontology#hasDuty')
    """
    text = ref.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if re.match(r"https?://\S+$", text):
        return URIRef(text)
    kind, _, rest = text.partition("/")
    if kind in RESOURCES and rest and re.fullmatch(r"[\w.\-]+", rest):
        return ID[f"{slug}/{kind}/{rest}"]
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and re.fullmatch(r"[\w.\-/]*", local):
        return URIRef(PREFIXES[prefix] + local)
    raise ValueError(f"{ref!r} names nothing: give post/…, body/…, duty/…, freq/…, a prefixed name or an IRI")


def shorten(iri: Node, slug: str) -> str:
    """The name a correction file uses for an IRI: the document's own resources by kind/local,
    everything else by a prefixed name when one fits, else the whole IRI."""
    text = str(iri)
    own = f"{ID}{slug}/"
    if text.startswith(own) and text[len(own) :].split("/", 1)[0] in RESOURCES:
        return text[len(own) :]
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if text.startswith(namespace) and re.fullmatch(r"[\w.\-]+", text[len(namespace) :]):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def concept_iri(value: str, scheme: str) -> URIRef:
    """A concept of ``scheme`` by its id (``meeting``) or prefixed name (``dutytype:meeting``)."""
    text = value.strip()
    if ":" in text:
        iri = resolve(text, "")
        if not str(iri).startswith(f"{CONCEPT}{scheme}/"):
            raise ValueError(f"{value!r} is not a concept of the {scheme} scheme")
        return iri
    if not re.fullmatch(r"[a-z][a-z0-9_]*", text):
        raise ValueError(f"{value!r} is no concept id of the {scheme} scheme")
    return concept(scheme, text)


def statement_object(value: str, slug: str) -> Node:
    """The object of a statement named in a correction: a literal as N3 writes it ("…"@zh), else a name."""
    text = value.strip()
    if text.startswith('"'):
        term = from_n3(text)
        if not isinstance(term, Literal):
            raise ValueError(f"{value!r} is not a literal")
        return term
    return resolve(text, slug)


# --- checking an entry -----------------------------------------------------------------------------


def check_entry(raw: Any, *, key: str, slug: str, provision: str, fingerprint_: str, file: Path | None, line: int) -> Correction:
    """An entry of a corrections file (a mapping) as a checked `Correction`.

    Raises:
        CorrectionError: an unknown kind or field, a missing one, a value of the wrong type,
            a name that names nothing; the message names the file and line.
    """
    where = f"{file}:{line}" if file is not None else f"correction {key}"
    if not isinstance(raw, dict):
        raise CorrectionError(f"{key}: a correction is a mapping of fields", where=where)
    kind = raw.get("kind")
    if kind not in KINDS:
        raise CorrectionError(f"{key}: kind {kind!r} is none of {', '.join(KINDS)}", where=where)
    what = raw.get("what")
    if kind == "add" and what not in ADDS:
        raise CorrectionError(f"{key}: add what? {what!r} is none of {', '.join(ADDS)}", where=where)
    if kind != "add" and what is not None:
        raise CorrectionError(f"{key}: 'what' belongs to kind add only", where=where)
    spec = SPEC[spec_key(kind, what)]
    unknown = sorted(set(raw) - set(spec) - set(COMMON))
    if unknown:
        raise CorrectionError(
            f"{key}: unknown field(s) {', '.join(map(str, unknown))} for {spec_key(kind, what)}",
            where=where,
            hint=f"it takes {', '.join(spec)}",
        )
    fields: dict[str, Any] = {"what": what} if kind == "add" else {}
    for name, (kind_of, required) in spec.items():
        value = raw.get(name)
        if value is None or value == [] or value == "":
            if required:
                raise CorrectionError(f"{key}: {spec_key(kind, what)} needs {name}", where=where)
            continue
        try:
            fields[name] = _value(value, kind_of, slug)
        except (ValueError, TypeError) as exc:
            raise CorrectionError(f"{key}: {name}: {exc}", where=where) from None
    _check_together(kind, what, fields, key, where)
    texts = {}
    for name in ("by", "why", "passage"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise CorrectionError(f"{key}: {name} must be text", where=where)
        texts[name] = " ".join(value.split()) if name == "by" and value else (value or "").strip()
        if len(texts[name]) > MAX_TEXT:
            raise CorrectionError(f"{key}: {name} is longer than {MAX_TEXT} characters", where=where)
    if not texts["by"]:
        raise CorrectionError(f"{key}: who made it? give by", where=where)
    if not texts["why"]:
        raise CorrectionError(f"{key}: why? give the reason (why)", where=where)
    if spec_key(kind, what) in NEEDS_PASSAGE and not texts["passage"]:
        raise CorrectionError(f"{key}: {spec_key(kind, what)} needs the passage it comes from", where=where)
    if raw.get("when") is None:
        raise CorrectionError(f"{key}: when was it made? give when", where=where)
    return Correction(
        id=key,
        kind=kind,
        fields=fields,
        provision=provision,
        fingerprint=fingerprint_,
        by=texts["by"],
        when=moment(raw["when"], where),
        why=texts["why"],
        passage=texts["passage"] or None,
        file=file,
        line=line,
    )


def _value(value: Any, kind_of: str, slug: str) -> Any:
    """One field's value, checked, in the form the file keeps (names as written, shortened)."""
    if kind_of == "str":
        if not isinstance(value, str) or not value.strip():
            raise TypeError("must be text")
        if len(value) > MAX_TEXT:
            raise ValueError(f"longer than {MAX_TEXT} characters")
        return value.strip()
    if kind_of == "strs":
        values = value if isinstance(value, list) else [value]
        return [_value(v, "str", slug) for v in values]
    if kind_of == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 1000:
            raise TypeError("must be a whole number from 1 to 999")
        return value
    if kind_of == "period":
        if not isinstance(value, str) or not PERIOD.fullmatch(value):
            raise ValueError(f"{value!r} is no period such as P1M, P3M, P6M, P1Y, P3Y")
        return value
    if kind_of in ("ref", "refs"):
        values = value if isinstance(value, list) and kind_of == "refs" else [value]
        names = []
        for v in values:
            if not isinstance(v, str):
                raise TypeError("must name a resource (post/…, body/…, duty/…)")
            names.append(shorten(resolve(v, slug), slug))
        return names if kind_of == "refs" else names[0]
    if kind_of.startswith(("id:", "ids:")):
        plural, scheme = kind_of.split(":")
        values = value if isinstance(value, list) and plural == "ids" else [value]
        ids = []
        for v in values:
            if not isinstance(v, str):
                raise TypeError(f"must be a concept id of the {scheme} scheme")
            ids.append(str(concept_iri(v, scheme)).rsplit("/", 1)[1])
        return sorted(set(ids)) if plural == "ids" else ids[0]
    if kind_of == "statement":
        if not isinstance(value, dict) or set(value) != {"subject", "predicate", "object"}:
            raise TypeError("a statement is a mapping of subject, predicate and object")
        if not all(isinstance(v, str) for v in value.values()):
            raise TypeError('subject, predicate and object are names (or a literal "…"@zh)')
        statement_object(value["object"], slug)
        return {
            "subject": shorten(resolve(value["subject"], slug), slug),
            "predicate": shorten(resolve(value["predicate"], slug), slug),
            "object": value["object"].strip(),
        }
    raise AssertionError(kind_of)


def _check_together(kind: str, what: str | None, fields: dict[str, Any], key: str, where: str) -> None:
    """Fields that make sense only together."""
    if kind == "merge" and fields["post"] == fields["into"]:
        raise CorrectionError(f"{key}: a post merged into itself", where=where)
    if kind == "split" and not (fields.get("duties") or fields.get("wordings") or fields.get("levels")):
        raise CorrectionError(
            f"{key}: split moves nothing: give duties, wordings or levels for the new post",
            where=where,
            hint="to add a post with nothing of the old one's, use add post",
        )
    if kind == "type" and not (fields.get("add") or fields.get("remove")):
        raise CorrectionError(f"{key}: type changes nothing: give add or remove", where=where)
    if kind == "type" and set(fields.get("add", ())) & set(fields.get("remove", ())):
        raise CorrectionError(f"{key}: a duty type both added and removed", where=where)
    if kind == "reject" and ("node" in fields) == ("statement" in fields):
        raise CorrectionError(f"{key}: reject takes a node or a statement (one of the two)", where=where)
    if kind == "move" and fields.get("from") == fields["to"]:
        raise CorrectionError(f"{key}: a duty moved to the holder it is moved from", where=where)
