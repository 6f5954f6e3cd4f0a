"""Which documents a comparison is about: `jurisdictions` resolves selectors (document id,
place id, place label) to `Jurisdiction` values, every document governing the place named or a
place within it; `places_at` finds the place of a level (city, county, town …) each lies in,
for comparisons that sum documents by place; `document_slug` is a document's id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from kgtool import vocab
from kgtool.compare.model import Jurisdiction
from kgtool.compare.sparql import DOCUMENTS, lang, norm, place_rows, select
from kgtool.errors import QueryError
from kgtool.store import Store
from kgtool.vocab import local_name

__all__ = ["document_slug", "jurisdictions", "places_at"]

_ID = str(vocab.ID)


def document_slug(doc: str) -> str:
    """A document's id from its IRI: "wuxi-towns-2021" from id:wuxi-towns-2021."""
    return doc[len(_ID) :] if doc.startswith(_ID) else local_name(doc)


def jurisdictions(store: Store, selectors: Sequence[str | Jurisdiction] | None = None) -> list[Jurisdiction]:
    """The documents to compare, chosen by document id, place id or place label.

    A place selects every document governing it or a place within it: "四川省" or "sichuan"
    selects Mianyang and Bazhong; "Benxi" the Benxi high-tech zone. Labels match in Chinese or
    English, ignoring case and spaces. With no selectors, every document, in id order.

    Args:
        store: any `kgtool.store.Store`.
        selectors: document slugs ("wuxi-towns-2021"), place ids ("wuxi"), labels ("无锡市",
            "Wuxi"), or already resolved `Jurisdiction` values.

    Returns:
        One `Jurisdiction` per document, in the order first selected, without repeats.

    Raises:
        QueryError: if a selector matches no document.
    """
    if selectors and all(isinstance(s, Jurisdiction) for s in selectors):
        return list(dict.fromkeys(selectors))  # type: ignore[arg-type]
    docs = select(store, DOCUMENTS)
    places: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in place_rows(store):
        places[str(row["place"])][local_name(str(row["p"]))].append(row["o"])

    def label(place: str | None, tag: str) -> str:
        for lit in places.get(place or "", {}).get("label", []):
            if lang(lit, tag):
                return str(lit)
        return ""

    def ancestors(place: str | None) -> list[str]:
        seen: list[str] = []
        todo = [place] if place else []
        while todo:
            here = todo.pop()
            if here in seen:
                continue
            seen.append(here)
            todo.extend(str(p) for p in places.get(here, {}).get("within", []))
        return seen

    own_names: dict[str, set[str]] = {}

    def names_of(place: str) -> set[str]:
        """A place's own names (id, IRI, labels), normalised once however many documents it holds."""
        if place not in own_names:
            own_names[place] = {norm(local_name(place)), norm(place)} | {
                norm(str(lit)) for key in ("label", "altLabel") for lit in places.get(place, {}).get(key, [])
            }
        return own_names[place]

    found: dict[str, Jurisdiction] = {}
    keys: dict[str, set[str]] = {}
    for row in docs:
        doc = str(row["doc"])
        if doc in found:
            continue
        place = str(row["place"]) if row.get("place") is not None else None
        level = places.get(place or "", {}).get("adminLevel", [])
        slug = document_slug(doc)
        found[doc] = Jurisdiction(
            slug=slug,
            document=doc,
            title=str(row.get("title", "")),
            place=place,
            place_id=local_name(place) if place else None,
            zh=label(place, "zh"),
            en=label(place, "en"),
            admin_level=local_name(str(level[0])) if level else None,
            issued=str(row["issued"]) if row.get("issued") is not None else None,
        )
        names = {norm(slug), norm(doc)}
        for anc in ancestors(place):
            names |= names_of(anc)
        keys[doc] = names
    every = sorted(found.values(), key=lambda j: j.slug)
    if not selectors:
        return every
    chosen: dict[str, Jurisdiction] = {}
    for selector in selectors:
        if isinstance(selector, Jurisdiction):
            chosen.setdefault(selector.document, selector)
            continue
        wanted = norm(str(selector))
        hits = [j for j in every if wanted in keys[j.document]]
        if not hits:
            known = ", ".join(f"{j.slug} ({j.zh or j.en})" for j in every) or "none loaded"
            raise QueryError(
                f"no document or jurisdiction matches {selector!r}",
                where="jurisdiction",
                hint=f"use a document id, place id or place name; known: {known}",
            )
        for j in hits:
            chosen.setdefault(j.document, j)
    return list(chosen.values())


def places_at(store: Store, juris: Sequence[Jurisdiction], level: str) -> dict[str, Jurisdiction | None]:
    """For each document, the place of ``level`` (an adminlevel concept id: "city", "county",
    "town" …) that its jurisdiction is or lies within, as a `Jurisdiction` column named after
    the place (slug: the place id); None for a document with no place at that level.

    A place within several (rare) counts under the first of them by IRI.
    """
    places: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in place_rows(store):
        places[str(row["place"])][local_name(str(row["p"]))].append(row["o"])

    def label(place: str, tag: str) -> str:
        return next((str(lit) for lit in sorted(places[place].get("label", []), key=str) if lang(lit, tag)), "")

    def at_level(start: str | None) -> str | None:
        seen: set[str] = set()
        todo = [start] if start else []
        while todo:  # breadth first: the nearest place of that level
            here = todo.pop(0)
            if here in seen:
                continue
            seen.add(here)
            if any(local_name(str(v)) == level for v in places.get(here, {}).get("adminLevel", [])):
                return here
            todo.extend(sorted(str(p) for p in places.get(here, {}).get("within", [])))
        return None

    out: dict[str, Jurisdiction | None] = {}
    for j in juris:
        place = at_level(j.place)
        out[j.slug] = (
            None
            if place is None
            else Jurisdiction(
                slug=local_name(place),
                document=place,
                title="",
                place=place,
                place_id=local_name(place),
                zh=label(place, "zh"),
                en=label(place, "en"),
                admin_level=level,
                issued=None,
            )
        )
    return out
