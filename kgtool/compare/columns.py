"""What a comparison's columns are, and where their profiles come from.

Takes a store, the selectors and, for the embedded store, the project folder; gives a
`kgtool.compare.profile_tables.Profiled`. The columns are the chosen documents, or with a
``level`` the places of that level they lie in (every city, county or town), each the merge of
its documents' profiles (`kgtool.compare.profile.merge`). Profiles come from data/profiles/
(`kgtool.compare.profiles.load_profiles`, made again where stale) when the project folder is
known, else from the store: the selected documents' facts, read once and split by document
(`kgtool.compare.facts.DocumentFacts`), as for a remote endpoint.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from kgtool.compare.facts import DocumentFacts, Facts, jurisdictions, places_at
from kgtool.compare.model import Jurisdiction
from kgtool.compare.profile import Profile, merge, profile_of
from kgtool.compare.profile_tables import Profiled
from kgtool.compare.profiles import load_profiles
from kgtool.errors import QueryError
from kgtool.store import Store

#: Levels documents can be grouped by (ids of the adminlevel concepts of ontology/wsa.ttl).
LEVELS = ("province", "city", "county", "town", "development_zone")


def document_profiles(
    store: Store, juris: Sequence[Jurisdiction], root: Path | None = None, *, keep: bool = True, processes: bool = True
) -> dict[str, Profile]:
    """The profiles of the chosen documents: kept ones under ``root``, else read from the store."""
    found = load_profiles(root, juris, keep=keep, processes=processes) if root is not None else None
    if found is not None:
        return found
    facts = Facts(store, juris)
    return {j.slug: profile_of(DocumentFacts(facts, j)) for j in juris}


def columns(
    store: Store,
    selectors: Sequence[str | Jurisdiction] | None = None,
    *,
    root: Path | None = None,
    level: str | None = None,
    keep: bool = True,
    processes: bool = True,
) -> Profiled:
    """The comparison of the chosen documents, one column per document or per place of ``level``.

    Raises:
        QueryError: a selector matches nothing, an unknown level, or no chosen document lies in
            a place of that level.
    """
    if level is not None and level not in LEVELS:
        raise QueryError(f"unknown level {level!r}", where="--by-level", hint="one of: " + ", ".join(LEVELS))
    juris = jurisdictions(store, list(selectors) if selectors else None)
    profiles = document_profiles(store, juris, root, keep=keep, processes=processes)
    if level is None:
        return Profiled(juris, profiles)
    groups: dict[str, tuple[Jurisdiction, list[Jurisdiction]]] = {}
    left_out = []
    where = places_at(store, juris, level)
    for j in juris:
        place = where[j.slug]
        if place is None:
            left_out.append(j)
            continue
        groups.setdefault(place.slug, (place, []))[1].append(j)
    if not groups:
        raise QueryError(
            f"no chosen document lies in a place of level {level!r}",
            where="--by-level",
            hint="choose documents of places at or below that level, or another level",
        )
    cols, merged = [], {}
    for place, members in groups.values():
        column = dataclasses.replace(place, title=f"{len(members)} documents: " + ", ".join(m.slug for m in members))
        cols.append(column)
        merged[column.slug] = merge(column.slug, column.document, [profiles[m.slug] for m in members])
    return Profiled(cols, merged, left_out)
