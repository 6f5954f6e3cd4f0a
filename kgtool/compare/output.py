"""`kgtool compare`: one comparison in one format, the single place views meet renderers.

Takes a store and the command's options; computes the view from `Facts`, then hands the plain
result to `kgtool.compare.sections` and `kgtool.compare.tables` (table, CSV, HTML), to
`kgtool.compare.tables.to_json`, to `kgtool.charts` (SVG) or to `structure_graphml`.
`comparison_tables` gives the same tables unformatted (the notebook API makes DataFrames of them).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kgtool.compare.facts import Facts, facts_for
from kgtool.compare.frequencies import frequency_table_from
from kgtool.compare.graphs import measure_graph, structure_graphml, structure_graphs_from
from kgtool.compare.matrices import concept_matrices_from, role_duty_matrix_from
from kgtool.compare.pairdiff import diff as pair_diff
from kgtool.compare.sections import (
    diff_csv,
    diff_sections,
    frequency_csv,
    frequency_sections,
    labels_csv,
    labels_sections,
    principle_csv,
    principle_sections,
    roles_csv,
    roles_sections,
    similarity_csv,
    similarity_sections,
    structure_csv,
    structure_sections,
)
from kgtool.compare.similarities import similarity_from
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
#: Every output format; ``graphml`` gives bytes, the others text.
FORMATS = ("table", "csv", "json", "html", "svg", "graphml")
_VIEW_ALIASES = {"role": "roles", "duties": "roles", "label": "labels", "frequencies": "frequency",
                 "freq": "frequency", "principle": "principles", "sanctions": "principles",
                 "sanction": "principles", "graph": "structure", "similar": "similarity"}


def _view(by: str) -> str:
    name = _VIEW_ALIASES.get(by.strip().lower(), by.strip().lower())
    if name not in VIEWS:
        raise QueryError(f"unknown comparison {by!r}", where="--by", hint="one of: " + ", ".join(VIEWS))
    return name


def _check_wording(by: str, fmt: str, diff: bool) -> None:
    """--wording only changes the frequency table and HTML: refused where it would be ignored."""
    if diff or _view(by) != "frequency" or fmt == "svg":
        where = "a diff" if diff else "an SVG chart" if fmt == "svg" else f"the {_view(by)} comparison"
        raise QueryError(f"has no effect on {where}", where="--wording",
                         hint="use it with --by frequency, as table or html; csv and json always carry the wording")


def compare_command_output(store: Store, jurisdictions: Sequence[str] | None, by: str = "roles",
                           fmt: str = "table", diff: bool = False, *, wording: bool = False,
                           include_bodies: bool = True) -> str | bytes:
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

    Returns:
        Text (``str``), except GraphML (``bytes``, UTF-8 XML).

    Raises:
        QueryError: an unknown view or format, a format the view has no use for, or a selector
            that matches nothing (exit code 2).
        EngineError: the store cannot be reached (exit code 3).
    """
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}", where="--format", hint="one of: " + ", ".join(FORMATS))
    if wording:
        _check_wording(by, fmt, diff)
    selectors = list(jurisdictions or [])
    if diff:
        if fmt not in ("table", "csv", "json", "html"):
            raise QueryError(f"a diff has no {fmt} form", where="--format", hint="use table, csv, json or html")
        t = comparison_tables(store, selectors, diff=True)
        return _emit(fmt, t.data, t.sections, t.long)
    view = _view(by)
    if fmt not in VIEWS[view]:
        raise QueryError(f"the {view} comparison has no {fmt} form", where="--format",
                         hint="use one of: " + ", ".join(VIEWS[view]))
    facts = facts_for(store, selectors or None)
    if fmt == "graphml":
        return structure_graphml(structure_graphs_from(facts))
    t = _tables(view, facts, wording=wording, include_bodies=include_bodies)
    if fmt == "svg":
        return _chart(view, t.data)
    return _emit(fmt, t.data, t.sections, t.long)


@dataclass(frozen=True, slots=True)
class Tables:
    """One comparison as its plain result (what JSON and the charts are made from), the tables
    `kgtool compare` prints, and the one long table its CSV is."""

    data: Any
    sections: tuple[Section, ...]
    long: Section


def comparison_tables(store: Store, jurisdictions: Sequence[str] | None, by: str = "roles", *,
                      diff: bool = False, wording: bool = False, include_bodies: bool = True) -> Tables:
    """A comparison as `Tables`, for callers that want the tables rather than a format (the
    notebook API's DataFrames). Arguments and errors as `compare_command_output`'s."""
    if wording:
        _check_wording(by, "table", diff)
    selectors = list(jurisdictions or [])
    if diff:
        if len(selectors) != 2:
            raise QueryError(f"a diff compares exactly two jurisdictions, {len(selectors)} given",
                             where="--diff", hint="e.g. kgtool compare mianyang wuxi --diff")
        d = pair_diff(store, selectors[0], selectors[1])
        return Tables(d, tuple(diff_sections(d)), diff_csv(d))
    return _tables(_view(by), facts_for(store, selectors or None), wording=wording, include_bodies=include_bodies)


def _tables(view: str, facts: Facts, *, wording: bool, include_bodies: bool) -> Tables:
    if view in ("roles", "labels"):
        m = role_duty_matrix_from(facts, include_bodies)
        if view == "roles":
            return Tables(m, tuple(roles_sections(m)), roles_csv(m))
        return Tables(m, tuple(labels_sections(m)), labels_csv(m))
    if view == "frequency":
        t = frequency_table_from(facts)
        return Tables(t, tuple(frequency_sections(t, wording)), frequency_csv(t))
    if view == "principles":
        inv = concept_matrices_from(facts)
        pair = [inv["principle"], inv["sanction"]]
        return Tables({"principles": pair[0], "sanctions": pair[1]}, tuple(principle_sections(pair)), principle_csv(pair))
    if view == "structure":
        graphs = structure_graphs_from(facts)
        measures = [measure_graph(graphs[j.slug], j) for j in facts.juris]
        return Tables(measures, tuple(structure_sections(measures)), structure_csv(measures))
    s = similarity_from(facts, include_bodies=include_bodies)
    return Tables(s, tuple(similarity_sections(s)), similarity_csv(s))


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
