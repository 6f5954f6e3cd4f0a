"""Results and graphs to text: terminal tables, W3C result formats, RDF serialisations.

Shared by the CLI and the web app, so a table downloaded from the browser is the same as
one written by `kgtool query --format csv`.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result as RdflibResult

from kgtool.store import Result
from kgtool.vocab import PREFIXES

RESULT_FORMATS = {
    "table": "text/plain",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
}
GRAPH_FORMATS = {"turtle": "text/turtle", "nt": "application/n-triples", "json-ld": "application/ld+json", "xml": "application/rdf+xml"}


def compact(term, *, path: bool = False) -> str:
    """A term as a person reads it: prefixed name for IRIs, the value for literals.

    ``path`` also shortens IRIs whose local part has slashes (id:wuxi-towns-2021/post/…): a
    name that `--param` reads back, though SPARQL and Turtle would need the slashes escaped.

    >>> compact(URIRef("https://w3id.org/wsa/concept/role/party_secretary"))
    'role:party_secretary'
    >>> compact(URIRef("https://w3id.org/wsa/id/wuxi-towns-2021/post/main.government_head"), path=True)
    'id:wuxi-towns-2021/post/main.government_head'
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        best = max(((p, ns) for p, ns in PREFIXES.items() if str(term).startswith(ns)), key=lambda x: len(x[1]), default=None)
        allowed = "_-./" if path else "_-."
        if best and all(c.isalnum() or c in allowed for c in str(term)[len(best[1]) :]):
            return f"{best[0]}:{str(term)[len(best[1]) :]}"
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


@functools.lru_cache(maxsize=1 << 16)
def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two (remembered: a table
    measures each cell several times, and names recur down a column)."""
    if text.isascii():  # most cells of a comparison: IRIs, ids, numbers
        return len(text)
    return sum(map(char_width, text))


@functools.cache
def char_width(char: str) -> int:
    """Columns one character takes (cached: a few thousand distinct characters fill every table)."""
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


#: Variables that name ?x in a query's answer (the saved queries' convention): ?xLabel, ?xZh …,
#: ?documentNumber (文号), ?provisionMarker (第三条).
NAME_SUFFIXES = ("Label", "Zh", "En", "Name", "Text", "Number", "Marker")
#: What parts two columns of a table.
GAP = "  "
#: Narrowest a column is made for its header (folded) and for cells that wrap: an answer that
#: does not fit with its columns at least this wide is shown record by record instead.
HEAD_MIN, CELL_MIN = 6, 16


def table(result: Result, *, columns: int | None = None, labels: Mapping[URIRef, str] | None = None) -> str:
    """A terminal table in which names lead and IRIs follow, and nothing is cut.

    Each IRI column comes right after the columns that name it: the query's own (`NAME_SUFFIXES`)
    or, when it has none, an ``xLabel`` column from ``labels``. IRIs are prefixed names where a
    prefix fits. With ``columns`` the output fits that width (`_fit`): the widest columns are
    narrowed first, headers folding before any cell wraps (`_wrap`), and a blank line parts the
    rows; an answer too wide for that is shown record by record, a ``name  value`` line per
    column (as psql's expanded display). Without ``columns`` nothing wraps (files, pipes).
    Drawn here rather than with rich, which took 20 to 50 s over 10,000 rows holding a
    document's full text.
    """
    if result.kind == "ask":
        return "yes" if result.boolean else "no"
    if result.kind == "graph":
        assert result.graph is not None  # a graph result always carries its graph
        return result.graph.serialize(format="turtle")
    laid = [(head, [_cell(t) for t in terms], _numeric(terms)) for head, terms in _layout(result, labels or {})]
    content = [max(map(width, cells), default=0) for _, cells, _ in laid]
    natural = [max(width(head), c) for (head, _, _), c in zip(laid, content)]
    widths = natural if columns is None else _fit(natural, content, columns - len(GAP) * (len(laid) - 1))
    if widths is None:
        lines = _records(laid, columns or 0)
    else:
        right = [numeric for _, _, numeric in laid]
        spaced = any(c > w for c, w in zip(content, widths))
        lines = _block([head for head, _, _ in laid], widths, right, bottom=True)
        lines.append(GAP.join("-" * w for w in widths))
        for i, row in enumerate(zip(*(cells for _, cells, _ in laid))):
            lines += [""] * (spaced and i > 0) + _block(list(row), widths, right)
    lines.append(f"({len(result.rows)} rows{', cut at the row limit' if result.truncated else ''})")
    return "\n".join(lines)


def _fit(natural: list[int], content: list[int], budget: int) -> list[int] | None:
    """Column widths that add up to at most ``budget``, the widest narrowed first; None if they
    cannot be `HEAD_MIN` and `CELL_MIN` wide.

    A column is narrowed to its widest cell (folding its header) before any cell wraps.
    """
    for floors in ([max(c, HEAD_MIN) for c in content], [max(min(c, CELL_MIN), HEAD_MIN) for c in content]):
        floors = [min(f, n) for f, n in zip(floors, natural)]
        if sum(floors) <= budget:
            break
    else:
        return None

    def total(cap: int) -> int:
        return sum(max(f, min(n, cap)) for f, n in zip(floors, natural))

    cap = max(natural, default=0)
    while total(cap) > budget:
        cap -= 1
    widths = [max(f, min(n, cap)) for f, n in zip(floors, natural)]
    spare = budget - sum(widths)
    for i, n in enumerate(natural):  # what the cap left over goes to the columns it narrowed
        if spare > 0 and widths[i] < n:
            widths[i] += 1
            spare -= 1
    return widths


def _records(laid: list[tuple[str, list[str], bool]], columns: int) -> list[str]:
    """Row after row, a ``name  value`` line per column, values wrapped to the width."""
    key = min(max(width(head) for head, _, _ in laid), columns // 3)
    widths, right = [key, max(columns - key - len(GAP), 1)], [False, False]
    lines: list[str] = []
    for i, row in enumerate(zip(*(cells for _, cells, _ in laid)), 1):
        lines += [""] * (i > 1) + [f"[{i}]"]
        for (head, _, _), cell in zip(laid, row):
            lines += _block([head, cell], widths, right)
    return lines


def _block(cells: list[str], widths: list[int], right: list[bool], *, bottom: bool = False) -> list[str]:
    """One row of cells side by side, each wrapped to its width (aligned to the bottom for headers)."""
    wrapped = [_wrap(cell, w) for cell, w in zip(cells, widths)]
    height = max(map(len, wrapped), default=0)
    wrapped = [([""] * (height - len(w)) + w) if bottom else (w + [""] * (height - len(w))) for w in wrapped]
    return [GAP.join(_pad(w[k], n, r) for w, n, r in zip(wrapped, widths, right)).rstrip() for k in range(height)]


def _pad(text: str, columns: int, right: bool) -> str:
    fill = " " * (columns - width(text))
    return fill + text if right else text + fill


#: Where a line may break: after a space or slash, or between a lower-case and a capital letter.
_BREAK = re.compile(r"(?<=[ /])|(?<=[a-z])(?=[A-Z])")


def _wrap(text: str, limit: int) -> list[str]:
    """Lines of at most ``limit`` columns, each broken at its last space, slash or camelCase
    hump, else where it is full (Chinese has no spaces; IRIs are long).

    >>> _wrap("jurisdictionLabel", 14), _wrap("id:wuxi-towns-2021/post/main", 20), _wrap("无锡市人民政府", 6)
    (['jurisdiction', 'Label'], ['id:wuxi-towns-2021/', 'post/main'], ['无锡市', '人民政', '府'])
    """
    if width(text) <= limit:
        return [text]
    lines: list[str] = []
    line, used = "", 0
    for char in text:
        size = char_width(char)
        while line and used + size > limit:
            cut = max((m.start() for m in _BREAK.finditer(line, 1)), default=len(line))
            lines.append(line[:cut].rstrip())
            line = line[cut:]
            used = width(line)
        if char == " " and not line:
            continue
        line += char
        used += size
    return [*lines, line.rstrip()]


def named(iris: Sequence[URIRef], names: Mapping[URIRef, str]) -> list[str]:
    """Each IRI after its name (a prefixed name where a prefix fits), the names padded to one
    width so that the IRIs line up."""
    pad = max((width(names.get(iri, "")) for iri in iris), default=0)
    return [_pad(names.get(iri, ""), pad, False) + GAP * bool(pad) + compact(iri, path=True) for iri in iris]


def unnamed_iris(result: Result) -> set[URIRef]:
    """The IRIs of a result's columns that the query gives no name for: `table` wants their labels."""
    if result.kind != "select":
        return set()
    labelled = {v for v in result.variables if any(v + s in result.variables for s in NAME_SUFFIXES)}
    return {t for row in result.rows for v, t in zip(result.variables, row) if isinstance(t, URIRef) and v not in labelled}


def _layout(result: Result, labels: Mapping[URIRef, str]) -> list[tuple[str, list]]:
    """(header, terms) per column, each IRI column after the columns that name it."""
    cells = {v: [row[i] for row in result.rows] for i, v in enumerate(result.variables)}
    after: dict[str, list[str]] = {}  # a naming column -> the IRI columns it names, moved behind it
    out: list[tuple[str, list]] = []
    for v in result.variables:
        namers = [v + s for s in NAME_SUFFIXES if v + s in cells]
        iris = any(isinstance(t, URIRef) for t in cells[v])
        last = max(namers, key=result.variables.index, default=v)
        if iris and result.variables.index(last) > result.variables.index(v):
            after.setdefault(last, []).append(v)
            continue
        if iris and not namers and any(t in labels for t in cells[v]):
            out.append((f"{v}Label", [Literal(labels[t]) if isinstance(t, URIRef) and t in labels else None for t in cells[v]]))
        out.append((v, cells[v]))
        out.extend((moved, cells[moved]) for moved in after.pop(v, []))
    return out


def _cell(term) -> str:
    return compact(term, path=True).replace("\n", " ") if term is not None else ""


def _numeric(terms: list) -> bool:
    """Whether a column holds only numbers (right-aligned, as figures are read)."""
    present = [t for t in terms if t is not None]
    return bool(present) and all(
        isinstance(t, Literal) and isinstance(t.value, (int, float, Decimal)) and not isinstance(t.value, bool) for t in present
    )


def _rdflib_result(result: Result) -> RdflibResult:
    r = RdflibResult("ASK" if result.kind == "ask" else "SELECT")
    if result.kind == "ask":
        r.askAnswer = bool(result.boolean)
    else:
        r.vars = [Variable(v) for v in result.variables]
        r.bindings = [{Variable(v): t for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    return r


def results(result: Result, fmt: str) -> str:
    """SELECT/ASK results in a W3C format (json, xml, csv, tsv) or as a table."""
    if fmt == "table":
        return table(result)
    if result.kind == "graph":
        raise ValueError("a CONSTRUCT or DESCRIBE result is a graph: use an RDF format")
    if fmt in ("json", "xml"):
        data = _rdflib_result(result).serialize(format=fmt)
        assert data is not None  # with no destination, rdflib returns the bytes
        return data.decode("utf-8")
    if fmt == "csv":
        if result.kind == "ask":
            return "true\r\n" if result.boolean else "false\r\n"
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(result.variables)
        writer.writerows([["" if t is None else str(t) for t in row] for row in result.rows])
        return buf.getvalue()
    if fmt == "tsv":
        if result.kind == "ask":
            return "true\n" if result.boolean else "false\n"
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join("" if t is None else _tsv_term(t) for t in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown result format {fmt!r}")


def _tsv_term(term) -> str:
    if isinstance(term, Literal):
        return term.n3().replace("\t", "\\t").replace("\n", "\\n")
    return term.n3()


def graph(result_graph, fmt: str) -> str:
    """A graph in an RDF syntax, with the project's prefixes."""
    for prefix, ns in PREFIXES.items():
        result_graph.bind(prefix, ns, override=True)
    if fmt == "json-ld":
        return result_graph.serialize(format="json-ld", context={p: ns for p, ns in PREFIXES.items()}, indent=2)
    return result_graph.serialize(format=fmt)


def as_json(obj) -> str:
    """JSON that keeps Chinese readable."""
    return json.dumps(obj, ensure_ascii=False, indent=2)
