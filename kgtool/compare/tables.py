"""Rendering primitives: a `Section` of rows as an aligned text table, CSV or HTML; any result as JSON.

Takes plain data only (sections of rows, or the frozen dataclasses of the package); knows
nothing of the store or of which comparison it shows. Text tables are CJK-aware (display
width); HTML is an escaped fragment.
"""

from __future__ import annotations

import bisect
import csv
import functools
import html
import io
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from typing import Any

import orjson
from rdflib import Literal

from kgtool.compare.model import Jurisdiction, Term, num
from kgtool.render import char_width, width


@dataclass(frozen=True)
class Section:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    max_cell: int = 60


def cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (Decimal, float)):
        return num(value)
    if isinstance(value, Term):
        return value.text
    return str(value)


def clip(text: str, limit: int) -> str:
    """The text in at most ``limit`` columns: its longest beginning that fits beside an "…".

    >>> clip("安全生产责任制", 7), clip("abc", 3), clip("安全", 4), clip("安全生", 5), clip("ab安", 4)
    ('安全生…', 'abc', '安全', '安全…', 'ab安')
    """
    text = text.replace("\n", " ")
    if 2 * len(text) <= limit:  # no character is wider than two columns
        return text
    # no more than ``limit`` characters can fit, so only those are measured (a why column is long)
    used = list(itertools.accumulate(map(char_width, text[: limit + 1])))
    if used[-1] <= limit and len(text) <= limit + 1:
        return text
    return text[: bisect.bisect_right(used, limit - 1)] + "…"


def text_table(section: Section) -> str:
    cells = [[clip(cell(v), section.max_cell) for v in row] for row in section.rows]
    heads = [clip(h, section.max_cell) for h in section.headers]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(heads)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    out = [section.title, "=" * min(width(section.title), 100)] if section.title else []
    out += [line(heads), line(["-" * w for w in widths])] + [line(r) for r in cells]
    if section.note:
        out.append(section.note)
    return "\n".join(out)


def csv_text(section: Section) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(section.headers)
    writer.writerows([["" if v is None else cell(v) for v in row] for row in section.rows])
    return buffer.getvalue()


def html_fragment(sections: Sequence[Section]) -> str:
    parts = ['<div class="kg-compare">']
    for s in sections:
        parts.append("<section>")
        if s.title:
            parts.append(f"<h3>{html.escape(s.title)}</h3>")
        parts.append("<table>")
        parts.append("<thead><tr>" + "".join(f'<th scope="col">{html.escape(h)}</th>' for h in s.headers) + "</tr></thead>")
        parts.append("<tbody>")
        for row in s.rows:
            cells = []
            for i, v in enumerate(row):
                text = html.escape(cell(v))
                tag = "th" if i == 0 else "td"
                extra = ' scope="row"' if i == 0 else (' class="num"' if isinstance(v, (int, float, Decimal)) else "")
                cells.append(f"<{tag}{extra}>{text}</{tag}>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
        if s.note:
            parts.append(f"<p>{html.escape(s.note)}</p>")
        parts.append("</section>")
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def legend(juris: Sequence[Jurisdiction]) -> str:
    return "Jurisdictions 辖区: " + "; ".join(f"{j.short} = {j.en or j.slug} ({j.slug})" for j in juris)


@functools.cache
def _shape(kind: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A dataclass's fields, and the derived values its JSON also carries."""
    return tuple(f.name for f in fields(kind)), tuple(e for e in ("reason", "stricter", "shared_by_all", "unique") if hasattr(kind, e))


def jsonable(obj: Any) -> Any:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, Term):
        return {"id": obj.id, "iri": obj.iri, "zh": obj.zh, "en": obj.en, "kind": obj.kind}
    if isinstance(obj, Jurisdiction):
        return {f.name: getattr(obj, f.name) for f in fields(obj)} | {"label": obj.text}
    if is_dataclass(obj) and not isinstance(obj, type):
        names, extras = _shape(type(obj))
        return {name: jsonable(getattr(obj, name)) for name in names + extras}
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    if isinstance(obj, Literal):
        return obj.toPython()
    return obj


def to_json(obj: Any) -> str:
    """Any result of this module as JSON (Chinese kept readable, Decimals as numbers).

    orjson writes what ``json.dumps(..., ensure_ascii=False, indent=2)`` writes, several times
    faster: the standard library falls back to its Python encoder when asked to indent, which
    took 2-3 s of the 42,000 neighbour rows of 4,000 documents.
    """
    return orjson.dumps(jsonable(obj), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
