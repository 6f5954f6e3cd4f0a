"""`kgtool compare`: one comparison in one format, the single place views meet renderers.

Takes a store and the command's options; computes the view from the columns' profiles
(`kgtool.compare.columns`: documents or places of a level; nearest neighbours instead of every
pair when there are many), then hands the plain result to `kgtool.compare.sections` and
`kgtool.compare.tables` (table, CSV, HTML), to `kgtool.compare.tables.to_json`, to
`kgtool.charts` (SVG) or, for GraphML, reads the documents' graphs from the store.
`comparison_tables` gives the same tables unformatted (the notebook API makes DataFrames of them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgtool.compare.columns import columns
from kgtool.compare.facts import facts_for
from kgtool.compare.graphs import structure_graphml, structure_graphs_from
from kgtool.compare.pairdiff import diff as pair_diff
from kgtool.compare.profile_tables import Neighbours, Profiled
from kgtool.compare.sections import (
    diff_csv,
    diff_sections,
    frequency_csv,
    frequency_sections,
    labels_csv,
    labels_sections,
    neighbours_csv,
    neighbours_sections,
    principle_csv,
    principle_sections,
    roles_csv,
    roles_sections,
    similarity_csv,
    similarity_sections,
    structure_csv,
    structure_sections,
)
from kgtool.compare.tables import Section, csv_text, html_fragment, text_table, to_json
from kgtool.errors import QueryError
from kgtool.store import Store

#: What `compare_command_output` can show (``by``), and in which formats.
VIEWS: dict[str, tuple[str, ...]] = {
    "roles": ("table", "csv", "json", "html", "svg"),
    "labels": ("table", "csv", "json", "html"),
    "frequency": ("table", "csv", "json", "html", "svg"),
    "principles": ("table", "csv", "json", "html", "svg"),
    "structure": ("table", "csv", "json", "html", "svg", "graphml"),
    "similarity": ("table", "csv", "json", "html", "svg"),
}
#: Up to this many columns the similarity view explains every pair; above, each column's nearest.
ALL_PAIRS_UP_TO = 50
#: How many nearest neighbours of each column the similarity view gives above `ALL_PAIRS_UP_TO`.
DEFAULT_TOP = 10
#: Every output format; ``graphml`` gives bytes, the others text.
FORMATS = ("table", "csv", "json", "html", "svg", "graphml")
_VIEW_ALIASES = {
    "role": "roles",
    "duties": "roles",
    "label": "labels",
    "frequencies": "frequency",
    "freq": "frequency",
    "principle": "principles",
    "sanctions": "principles",
    "sanction": "principles",
    "graph": "structure",
    "similar": "similarity",
}


def _view(by: str) -> str:
    name = _VIEW_ALIASES.get(by.strip().lower(), by.strip().lower())
    if name not in VIEWS:
        raise QueryError(f"unknown comparison {by!r}", where="--by", hint="one of: " + ", ".join(VIEWS))
    return name


def _check_wording(by: str, fmt: str, diff: bool) -> None:
    """--wording only changes the frequency table and HTML: refused where it would be ignored."""
    if diff or _view(by) != "frequency" or fmt == "svg":
        where = "a diff" if diff else "an SVG chart" if fmt == "svg" else f"the {_view(by)} comparison"
        raise QueryError(
            f"has no effect on {where}",
            where="--wording",
            hint="use it with --by frequency, as table or html; csv and json always carry the wording",
        )


def compare_command_output(
    store: Store,
    jurisdictions: Sequence[str] | None,
    by: str = "roles",
    fmt: str = "table",
    diff: bool = False,
    *,
    wording: bool = False,
    include_bodies: bool = True,
    root: Path | None = None,
    top: int | None = None,
    level: str | None = None,
    keep: bool = True,
) -> str | bytes:
    """Everything `kgtool compare` prints: one comparison in one format.

    Args:
        store: any `kgtool.store.Store`.
        jurisdictions: selectors (document id, place id, zh/en place label); empty or None
            for every document. With ``diff``, exactly two documents.
        by: which comparison: "roles" (role × duty type), "labels" (roles present and their
            labels as written), "frequency" (minimum times per year), "principles"
            (principles and sanctions), "structure" (organisation measures; GraphML of the
            graphs), "similarity" (Jaccard and Weisfeiler-Lehman matrices with reasons).
            Ignored with ``diff``.
        fmt: "table" (aligned, CJK-aware), "csv" (one long table), "json" (the full data),
            "html" (an escaped fragment), "svg" (a chart) or "graphml" (structure only).
        diff: compare two jurisdictions role by role instead (formats table, csv, json, html).
        wording: for "frequency" as table or HTML, one line per requirement with its wording
            (refused elsewhere, where it would change nothing).
        include_bodies: compare bodies that hold duties themselves, by body class.
        root: the project folder of the embedded store: documents are compared from their
            profiles in data/profiles/ (`kgtool.compare.profiles`); None reads them from the store.
        top: with "similarity", each column's ``top`` nearest instead of every pair; more than
            `ALL_PAIRS_UP_TO` columns get the `DEFAULT_TOP` nearest unless ``top`` says otherwise.
        level: one column per place of this level ("city", "county", "town" …) holding the
            chosen documents, each the sum of its documents (`kgtool.compare.columns`).
        keep: write the profiles made again under ``root`` and make many in parallel processes
            (False: nothing written, no process started, as a web server wants).

    Returns:
        Text (``str``), except GraphML (``bytes``, UTF-8 XML).

    Raises:
        QueryError: an unknown view, format or level, a format or option the view has no use
            for, or a selector that matches nothing (exit code 2).
        EngineError: the store cannot be reached (exit code 3).
    """
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}", where="--format", hint="one of: " + ", ".join(FORMATS))
    if wording:
        _check_wording(by, fmt, diff)
    _check_top(by, top, diff)
    selectors = list(jurisdictions or [])
    if diff:
        if level is not None:
            raise QueryError("has no effect on a diff of two documents", where="--by-level", hint="compare the places without --diff")
        if fmt not in ("table", "csv", "json", "html"):
            raise QueryError(f"a diff has no {fmt} form", where="--format", hint="use table, csv, json or html")
        t = comparison_tables(store, selectors, diff=True)
        return _emit(fmt, t.data, t.sections, t.long)
    view = _view(by)
    if fmt not in VIEWS[view]:
        raise QueryError(f"the {view} comparison has no {fmt} form", where="--format", hint="use one of: " + ", ".join(VIEWS[view]))
    if fmt == "graphml":
        if level is not None:
            raise QueryError(
                "GraphML holds each document's own graph", where="--by-level", hint="leave out --by-level, or use another format"
            )
        return structure_graphml(structure_graphs_from(facts_for(store, selectors or None)))
    profiled = columns(store, selectors or None, root=root, level=level, keep=keep, processes=keep)
    t = _tables_of(view, profiled, wording=wording, include_bodies=include_bodies, top=top)
    if fmt == "svg":
        if isinstance(t.data, Neighbours):
            raise QueryError(
                f"{len(profiled.juris)} columns' nearest neighbours have no svg form",
                where="--format",
                hint=f"choose at most {ALL_PAIRS_UP_TO} jurisdictions for the heatmap, or another format",
            )
        return _chart(view, t.data)
    return _emit(fmt, t.data, t.sections, t.long)


def _check_top(by: str, top: int | None, diff: bool) -> None:
    """--top is for the similarity view only, and at least 1."""
    if top is None:
        return
    if diff or _view(by) != "similarity":
        raise QueryError("only ranks neighbours by similarity", where="--top", hint="use it with --by similarity")
    if top < 1:
        raise QueryError(f"must be at least 1, not {top}", where="--top", hint="e.g. --top 10")


@dataclass(frozen=True, slots=True)
class Tables:
    """One comparison as its plain result (what JSON and the charts are made from), the tables
    `kgtool compare` prints, and the one long table its CSV is."""

    data: Any
    sections: tuple[Section, ...]
    long: Section


def comparison_tables(
    store: Store,
    jurisdictions: Sequence[str] | None,
    by: str = "roles",
    *,
    diff: bool = False,
    wording: bool = False,
    include_bodies: bool = True,
    root: Path | None = None,
    top: int | None = None,
    level: str | None = None,
    keep: bool = True,
) -> Tables:
    """A comparison as `Tables`, for callers that want the tables rather than a format (the
    notebook API's DataFrames). Arguments and errors as `compare_command_output`'s."""
    if wording:
        _check_wording(by, "table", diff)
    _check_top(by, top, diff)
    selectors = list(jurisdictions or [])
    if diff:
        if len(selectors) != 2:
            raise QueryError(
                f"a diff compares exactly two jurisdictions, {len(selectors)} given",
                where="--diff",
                hint="e.g. kgtool compare mianyang wuxi --diff",
            )
        d = pair_diff(store, selectors[0], selectors[1])
        return Tables(d, tuple(diff_sections(d)), diff_csv(d))
    profiled = columns(store, selectors or None, root=root, level=level, keep=keep, processes=keep)
    return _tables_of(_view(by), profiled, wording=wording, include_bodies=include_bodies, top=top)


def _tables_of(view: str, profiled: Profiled, *, wording: bool, include_bodies: bool, top: int | None) -> Tables:
    t = _view_tables(view, profiled, wording=wording, include_bodies=include_bodies, top=top)
    if not profiled.left_out:
        return t
    level = profiled.juris[0].admin_level if profiled.juris else ""
    note = f" Left out (in no {level}): " + ", ".join(j.slug for j in profiled.left_out) + "."
    first, *rest = t.sections
    return Tables(t.data, (dataclasses.replace(first, note=first.note + note), *rest), t.long)


def _view_tables(view: str, profiled: Profiled, *, wording: bool, include_bodies: bool, top: int | None) -> Tables:
    if view in ("roles", "labels"):
        m = profiled.role_duty_matrix(include_bodies)
        if view == "roles":
            return Tables(m, tuple(roles_sections(m)), roles_csv(m))
        return Tables(m, tuple(labels_sections(m)), labels_csv(m))
    if view == "frequency":
        t = profiled.frequency_table()
        return Tables(t, tuple(frequency_sections(t, wording)), frequency_csv(t))
    if view == "principles":
        inv = profiled.concept_matrices()
        pair = [inv["principle"], inv["sanction"]]
        return Tables({"principles": pair[0], "sanctions": pair[1]}, tuple(principle_sections(pair)), principle_csv(pair))
    if view == "structure":
        measures = profiled.structure()
        return Tables(measures, tuple(structure_sections(measures)), structure_csv(measures))
    n = len(profiled.juris)
    if top is None and n <= ALL_PAIRS_UP_TO:
        s = profiled.similarity(include_bodies=include_bodies)
        return Tables(s, tuple(similarity_sections(s)), similarity_csv(s))
    note = (
        ""
        if top is not None
        else (
            f"{n} columns: the {DEFAULT_TOP} nearest of each, not all {n * (n - 1) // 2} pairs "
            f"(every pair up to {ALL_PAIRS_UP_TO}; --top K for another number)."
        )
    )
    near = profiled.neighbours(top or DEFAULT_TOP, include_bodies=include_bodies)
    return Tables(near, tuple(neighbours_sections(near, note)), neighbours_csv(near))


def _chart(view: str, data: Any) -> str:
    """The SVG chart of a view's plain result."""
    from kgtool.compare import charts

    if view in ("roles", "labels"):
        return charts.role_duty_svg(data)
    if view == "frequency":
        return charts.frequency_svg(data)
    if view == "principles":
        return charts.principles_svg(data["principles"], data["sanctions"])
    if view == "structure":
        return charts.structure_svg(data)
    return charts.similarity_svg(data)


def _emit(fmt: str, data: Any, sections: Sequence[Section], long: Section) -> str:
    if fmt == "json":
        return to_json(data)
    if fmt == "csv":
        return csv_text(long)
    if fmt == "html":
        return html_fragment(sections)
    return "\n\n".join(text_table(s) for s in sections) + "\n"
