"""Results and graphs to text: terminal tables, W3C result formats, RDF serialisations.

Shared by the CLI and the web app, so a table downloaded from the browser is the same as
one written by `kgtool query --format csv`.
"""
from __future__ import annotations

import csv
import io
import json
import unicodedata

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result as RdflibResult

from kgtool.store import Result
from kgtool.vocab import PREFIXES

RESULT_FORMATS = {"table": "text/plain", "csv": "text/csv", "tsv": "text/tab-separated-values",
                  "json": "application/sparql-results+json", "xml": "application/sparql-results+xml"}
GRAPH_FORMATS = {"turtle": "text/turtle", "nt": "application/n-triples", "json-ld": "application/ld+json",
                 "xml": "application/rdf+xml"}


def compact(term) -> str:
    """A term as a person reads it: prefixed name for IRIs, the value for literals.

    >>> compact(URIRef("https://w3id.org/wsa/concept/role/party_secretary"))
    'role:party_secretary'
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        best = max(((p, ns) for p, ns in PREFIXES.items() if str(term).startswith(ns)),
                   key=lambda x: len(x[1]), default=None)
        if best and all(c.isalnum() or c in "_-." for c in str(term)[len(best[1]):]):
            return f"{best[0]}:{str(term)[len(best[1]):]}"
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(result: Result, *, max_cell: int = 60) -> str:
    """A plain-text table, CJK-aware, with a notice when rows were cut."""
    if result.kind == "ask":
        return "yes" if result.boolean else "no"
    if result.kind == "graph":
        return result.graph.serialize(format="turtle")
    cells = [[_clip(compact(t), max_cell) for t in row] for row in result.rows]
    heads = list(result.variables)
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(heads)]

    def line(values):
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(heads), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(cells)} rows{', cut at the row limit' if result.truncated else ''})")
    return "\n".join(out)


def _clip(text: str, limit: int) -> str:
    text = text.replace("\n", " ")
    if width(text) <= limit:
        return text
    while width(text) > limit - 1:
        text = text[:-1]
    return text + "…"


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
        return _rdflib_result(result).serialize(format=fmt).decode("utf-8")
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
