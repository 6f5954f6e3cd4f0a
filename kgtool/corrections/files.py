"""Corrections on disk: `data/corrections/<slug>/<provision>.yaml`, one file per provision.

Why one file per provision: two analysts who correct different provisions of a document write
different files, so their branches merge in git without a conflict whatever the order of their
work; within a file, entries are keyed by a hash of what they do and kept sorted, every field on
a line of its own, so a rewrite changes only the lines of the entry that changed. (One file per
document would not do: two new entries land between the same two neighbours, and git calls that
a conflict.) The YAML is read with PyYAML's safe loader, anchors and aliases refused, and every
error names the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kgtool.atomic import write_atomic
from kgtool.corrections.model import SPEC, Correction, CorrectionError, check_entry, spec_key

#: A document's id and a provision's, as they may appear in a path.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
PROVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: Largest corrections file read: thousands of corrections of one provision would be a mistake.
MAX_BYTES = 1_000_000
HEADER = (
    "# Analysts' corrections of {slug}, provision {provision}: applied by `kgtool build` after the reader\n"
    "# (docs/corrections.md). Written by `kgtool correct`; entries sorted by key, one provision per file.\n"
)


def folder(root: Path, slug: str) -> Path:
    """Where a document's corrections live."""
    if not SLUG.fullmatch(slug):
        raise CorrectionError(f"{slug!r} is no document id", where="SLUG", hint="e.g. wuxi-towns-2021")
    return Path(root) / "data" / "corrections" / slug


def path_for(root: Path, slug: str, provision: str) -> Path:
    if not PROVISION.fullmatch(provision):
        raise CorrectionError(f"{provision!r} is no provision id", where="--provision", hint="e.g. a.s3.i4")
    return folder(root, slug) / f"{provision}.yaml"


def read_corrections(root: Path, slug: str) -> list[Correction]:
    """Every correction of a document, in the order they apply (when made, then file and line).

    Raises:
        CorrectionError: a file that is not a corrections file (the message names file and line).
    """
    here = folder(root, slug)
    if not here.is_dir():
        return []
    found = [c for path in sorted(here.iterdir()) if path.suffix == ".yaml" for c in read_file(path, slug)]
    strays = [p.name for p in here.iterdir() if p.suffix != ".yaml" and not p.name.startswith(".")]
    if strays:
        raise CorrectionError(
            f"not a corrections file: {strays[0]}", where=str(here), hint="data/corrections/<slug>/ holds <provision>.yaml files only"
        )
    return sorted(found, key=Correction.order)


def read_file(path: Path, slug: str) -> list[Correction]:
    """The corrections of one provision file, each checked.

    Raises:
        CorrectionError: unreadable, not YAML, not the layout, or a correction that is malformed.
    """
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CorrectionError(f"larger than {MAX_BYTES // 1000} KB", where=str(path))
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CorrectionError("not UTF-8 text", where=str(path)) from None
    except OSError as exc:
        raise CorrectionError(f"cannot read: {exc.strerror}", where=str(path)) from None
    loader = yaml.SafeLoader(text)
    try:
        _refuse_aliases(text, path)
        root = loader.get_single_node()
        if root is None:
            return []
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CorrectionError(f"not YAML: {problem}", where=where) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise CorrectionError("a corrections file is a mapping: provision, corrections", where=str(path))
    unknown = sorted(map(str, set(data) - {"provision", "corrections"}))
    if unknown:
        raise CorrectionError(
            f"unknown key(s) {', '.join(unknown)}", where=str(path), hint="a corrections file has provision and corrections"
        )
    provision = data.get("provision")
    if provision != path.stem:
        raise CorrectionError(
            f"provision {provision!r} is not this file's ({path.stem!r})",
            where=f"{path}:1",
            hint="a file <provision>.yaml holds the corrections of that provision",
        )
    entries = data.get("corrections") or {}
    if not isinstance(entries, dict):
        raise CorrectionError("corrections must be a mapping of key: correction", where=str(path))
    lines = _entry_lines(root)
    found = []
    for key, raw in entries.items():
        line = lines.get(str(key), 1)
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise CorrectionError(f"{key!r} is no correction key (letters, digits, - . _)", where=f"{path}:{line}")
        if not isinstance(raw, dict):
            raise CorrectionError(f"{key}: a correction is a mapping of fields", where=f"{path}:{line}")
        anchor = raw.get("fingerprint")
        if not isinstance(anchor, str) or not re.fullmatch(r"sha256:[0-9a-f]{16}", anchor):
            raise CorrectionError(f"{key}: fingerprint must be sha256: and 16 hex digits (of the provision's text)", where=f"{path}:{line}")
        body = {k: v for k, v in raw.items() if k != "fingerprint"}
        found.append(check_entry(body, key=key, slug=slug, provision=provision, fingerprint_=anchor, file=path, line=line))
    return found


def _refuse_aliases(text: str, path: Path) -> None:
    """No anchors or aliases: a corrections file has no use for them, and they can blow up."""
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            raise CorrectionError(
                "anchors and aliases (&, *) are not taken in a corrections file", where=f"{path}:{token.start_mark.line + 1}"
            )


def _entry_lines(root: yaml.MappingNode) -> dict[str, int]:
    """Each correction key's line (1-based), from the composed YAML."""
    for key_node, value in root.value:
        if key_node.value == "corrections" and isinstance(value, yaml.MappingNode):
            return {k.value: k.start_mark.line + 1 for k, _ in value.value}
    return {}


# --- writing ---------------------------------------------------------------------------------------


def entry_fields(correction: Correction) -> dict[str, Any]:
    """A correction as its file keeps it: kind first, its fields in their order, then who, when, why."""
    out: dict[str, Any] = {"kind": correction.kind}
    if correction.kind == "add":
        out["what"] = correction.fields["what"]
    for name in SPEC[spec_key(correction.kind, correction.fields.get("what"))]:
        if name in correction.fields:
            out[name] = correction.fields[name]
    out["fingerprint"] = correction.fingerprint
    if correction.passage:
        out["passage"] = correction.passage
    out.update(by=correction.by, when=correction.when, why=correction.why)
    return out


def render(slug: str, provision: str, corrections: list[Correction]) -> bytes:
    """A provision's corrections file: the same bytes for the same corrections, whatever their order."""
    body = {"provision": provision, "corrections": {c.id: entry_fields(c) for c in sorted(corrections, key=lambda c: c.id)}}
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1_000_000, indent=2)
    return (HEADER.format(slug=slug, provision=provision) + text).encode("utf-8")


def write_correction(root: Path, slug: str, correction: Correction) -> Path:
    """Adds a correction to its provision's file, atomically (temp file, then rename).

    Raises:
        CorrectionError: the file holds a correction of that key already, or is malformed.
    """
    path = path_for(root, slug, correction.provision)
    kept = read_file(path, slug) if path.exists() else []
    if any(c.id == correction.id for c in kept):
        raise CorrectionError(f"this correction is in force already ({correction.id})", where=str(path))
    write_atomic(path, render(slug, correction.provision, [*kept, correction]))
    return path


def withdraw_correction(root: Path, slug: str, key: str) -> Path:
    """Removes a correction by its key from whichever provision file holds it (the file goes
    when it is left empty).

    Raises:
        CorrectionError: no correction of that key.
    """
    for path in sorted(folder(root, slug).glob("*.yaml")):
        kept = read_file(path, slug)
        if any(c.id == key for c in kept):
            rest = [c for c in kept if c.id != key]
            if rest:
                write_atomic(path, render(slug, path.stem, rest))
            else:
                path.unlink()
            return path
    raise CorrectionError(f"no correction {key!r} of {slug}", where="KEY", hint=f"`kgtool review {slug}` lists them")


def orphans(root: Path, slugs: set[str]) -> list[Path]:
    """Corrections folders of documents the project no longer has (reported, never dropped silently)."""
    top = Path(root) / "data" / "corrections"
    return sorted(p for p in top.iterdir() if p.is_dir() and p.name not in slugs) if top.is_dir() else []
