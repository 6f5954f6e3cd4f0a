"""One query interface over two engines: embedded pyoxigraph, or any SPARQL 1.1 endpoint.

Everything above this module (saved queries, reports, the web app) calls `Store.query` and
gets a `Result` of rdflib terms; the same query over the same data gives an equal `Result`
from either engine. Embedded is the default (`open_store()` loads ontology/ and data/ into
memory); a remote endpoint is reached over the SPARQL 1.1 Protocol and filled with `push`
through the SPARQL 1.1 Graph Store HTTP Protocol.

Graph layout, the same in both engines:

- ``ontology/*.ttl`` -> named graph ``vocab.ONTOLOGY_GRAPH``
- ``data/<stem>.ttl`` -> named graph ``vocab.GRAPH[<stem>]``

Queries see the union of those graphs as their default graph, and only those as named graphs:
an engine's own system triples (Virtuoso keeps thousands in its default graph) never show.

Engine differences smoothed over here (see also shared/RECIPES.md):

- Literals are rdflib-normalised (``"12.0"^^xsd:decimal`` vs ``"12"``, ``1.0E0`` vs ``1``),
  ``xsd:string`` is a plain literal and language tags are lower-cased, as both engines do.
- Virtuoso 7.2 stores ``xsd:duration`` values as numbers and answers ``"1"^^xsd:duration``
  for ``P1M`` (months) and ``"86400.0"^^xsd:duration`` for ``P1D`` (seconds): read back as
  durations. Server-side ``STR(?duration)`` still gives the number there: compare durations
  by value (``?p = "P1M"^^xsd:duration``), never as strings.
- Virtuoso's DESCRIBE adds incoming triples; it is asked for the concise bounded description
  that Oxigraph gives.
- ``SELECT *`` lists variables in order of first appearance in the query text.
- Blank nodes in rows are relabelled ``b0``, ``b1`` … in order of appearance.
"""
from __future__ import annotations

import contextlib
import functools
import http.client
import json
import os
import re
import socket
import threading
import time
from decimal import Decimal, InvalidOperation
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests
import urllib3
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.term import Identifier

from kgtool import vocab
from kgtool.errors import EngineError, KgtoolError, QueryError, SourceError
from kgtool.settings import project_root, setting

__all__ = [
    "DEFAULT_TIMEOUT",
    "EmbeddedStore",
    "RemoteStore",
    "Result",
    "Store",
    "graph_files",
    "graph_store_url",
    "load_files",
    "open_store",
    "project_root",
    "push",
    "with_prefixes",
]

#: Seconds a query may take, by default, before it is given up (both engines).
#: rdflib's SPARQL parser keeps state in pyparsing actions and fails when two threads parse at
#: once ("Param.postParse2() missing 1 required positional argument"): every parse in kgtool
#: (query.check, the remote engine's analysis, validate's SPARQL constraints, the web app) takes it.
PARSE_LOCK = threading.RLock()

DEFAULT_TIMEOUT = 60.0
#: Seconds to wait for a TCP connection to a remote endpoint (capped by the query timeout).
CONNECT_TIMEOUT = 10.0
#: Seconds a Graph Store Protocol upload of one graph may take, by default.
PUSH_TIMEOUT = 300.0

_JSON_RESULTS = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = str(RDF.langString)
_XSD_DURATION = str(XSD.duration)
_OUR_GRAPHS = str(vocab.GRAPH)


# --------------------------------------------------------------------------------------
# Result


@dataclass(frozen=True, eq=False)
class Result:
    """What a query gave, as rdflib terms, whichever engine ran it.

    ``kind`` is ``"select"`` (``variables`` and ``rows``, ``None`` for an unbound cell),
    ``"ask"`` (``boolean``) or ``"graph"`` (CONSTRUCT / DESCRIBE: ``graph``). ``truncated``
    says rows (or triples) were cut, at ``max_rows`` or by the engine's own row limit.

    Two results are equal when kind, variables, rows (in order), boolean and truncated are
    equal and their graphs are isomorphic (blank nodes may differ in name).
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Identifier | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        if (self.kind, self.variables, self.rows, self.boolean, self.truncated) != (
            other.kind, other.variables, other.rows, other.boolean, other.truncated
        ):
            return False
        if self.graph is None or other.graph is None:
            return self.graph is None and other.graph is None
        return len(self.graph) == len(other.graph) and isomorphic(self.graph, other.graph)

    def __hash__(self) -> int:
        size = None if self.graph is None else len(self.graph)
        return hash((self.kind, self.variables, self.rows, self.boolean, self.truncated, size))

    def dicts(self) -> list[dict[str, Identifier]]:
        """Rows as dicts from variable name to term, unbound variables left out."""
        return [
            {name: term for name, term in zip(self.variables, row) if term is not None}
            for row in self.rows
        ]


@runtime_checkable
class Store(Protocol):
    """What every engine offers: queries, our named graphs, and closing."""

    def query(self, sparql: str, *, bindings: Mapping[str, Identifier] | None = None,
              timeout: float | None = None, max_rows: int | None = None) -> Result: ...

    def graphs(self) -> list[URIRef]: ...

    def close(self) -> None: ...


# --------------------------------------------------------------------------------------
# A small SPARQL lexer: enough to find prefixes, the WHERE group and variables without
# being fooled by strings, IRIs or comments.

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<word>[^\s{}()<>"'\#,;]+)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
_VARNAME = re.compile(r"\w+")
_VAR_IN_WORD = re.compile(r"^[?$](\w+)")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


@functools.lru_cache(maxsize=512)
def _tokens(sparql: str) -> tuple[_Token, ...]:
    out = []
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        out.append(_Token(kind, match.group(), match.start(), match.end()))
    return tuple(out)


def _declared_prefixes(sparql: str) -> set[str]:
    tokens = _tokens(sparql)
    declared = set()
    for i, token in enumerate(tokens[:-1]):
        if token.keyword == "PREFIX" and tokens[i + 1].kind == "word" and tokens[i + 1].text.endswith(":"):
            declared.add(tokens[i + 1].text[:-1])
    return declared


def _prefix_block(sparql: str) -> str:
    declared = _declared_prefixes(sparql)
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in vocab.PREFIXES.items() if p not in declared)


def with_prefixes(sparql: str) -> str:
    """The query with a PREFIX line for each of `vocab.PREFIXES` it does not declare itself.

    >>> with_prefixes("PREFIX wsa: <urn:x#> ASK { ?s a wsa:Duty }").count("PREFIX wsa:")
    1
    >>> with_prefixes("ASK { ?s a wsa:Duty }").splitlines()[0]
    'PREFIX wsa: <https://w3id.org/wsa/ontology#>'
    """
    return _prefix_block(sparql) + sparql


def _query_form(sparql: str) -> str:
    """select / ask / construct / describe, from the first form keyword of the query."""
    for token in _tokens(sparql):
        if token.keyword in _FORMS:
            return _FORMS[token.keyword]
    raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found",
                     hint="updates are not run through kgtool's query interface")


def _is_select_star(sparql: str) -> bool:
    tokens = _tokens(sparql)
    for i, token in enumerate(tokens):
        if token.keyword in _FORMS:
            if token.keyword != "SELECT":
                return False
            rest = [t for t in tokens[i + 1:i + 3] if t.keyword not in ("DISTINCT", "REDUCED")]
            return bool(rest) and rest[0].text == "*"
    return False


def _appearance_order(sparql: str) -> list[str]:
    seen: dict[str, None] = {}
    for token in _tokens(sparql):
        if token.kind == "word":
            match = _VAR_IN_WORD.match(token.text)
            if match:
                seen.setdefault(match.group(1), None)
    return list(seen)


def _matching_close(tokens: tuple[_Token, ...], index: int) -> int:
    depth = 0
    for j in range(index, len(tokens)):
        if tokens[j].kind == "open":
            depth += 1
        elif tokens[j].kind == "close":
            depth -= 1
            if depth == 0:
                return j
    raise QueryError("unbalanced braces in the query")


def _where_group(sparql: str) -> tuple[_Token, _Token, bool]:
    """The outermost WHERE group's braces, and whether it is a bare sub-SELECT."""
    tokens = _tokens(sparql)
    form_at = next((i for i, t in enumerate(tokens) if t.keyword in _FORMS), None)
    if form_at is None:
        raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")
    i = form_at + 1
    if tokens[form_at].keyword == "CONSTRUCT":
        if i < len(tokens) and tokens[i].kind == "open":
            i = _matching_close(tokens, i) + 1  # skip the template
        elif i < len(tokens) and tokens[i].keyword == "WHERE":
            raise QueryError("bindings cannot be used with the short form CONSTRUCT WHERE { … }",
                             hint="write CONSTRUCT { template } WHERE { pattern }")
    parens = 0
    for j in range(i, len(tokens)):
        token = tokens[j]
        if token.kind == "lparen":
            parens += 1
        elif token.kind == "rparen":
            parens -= 1
        elif token.kind == "open" and parens == 0:
            close = _matching_close(tokens, j)
            bare_select = j + 1 < len(tokens) and tokens[j + 1].keyword == "SELECT"
            return token, tokens[close], bare_select
    raise QueryError("bindings need a WHERE clause in the query")


def _values_block(bindings: list[tuple[str, Identifier]]) -> str:
    names = " ".join(f"?{name}" for name, _ in bindings)
    terms = " ".join(term.n3() for _, term in bindings)
    if len(bindings) == 1:
        return f"VALUES {names} {{ {terms} }}"
    return f"VALUES ({names}) {{ ({terms}) }}"


def _insert_values(sparql: str, bindings: list[tuple[str, Identifier]]) -> str:
    """Put a VALUES block at the start of the outermost WHERE group (never trailing: SQ200).

    >>> _insert_values("SELECT ?n WHERE { ?s rdfs:label ?n }", [("s", URIRef("urn:x"))])
    'SELECT ?n WHERE { VALUES ?s { <urn:x> }  ?s rdfs:label ?n }'
    """
    if not bindings:
        return sparql
    opening, closing, bare_select = _where_group(sparql)
    values = _values_block(bindings)
    if bare_select:  # WHERE { SELECT … } : the sub-select must become a group of its own
        return (sparql[:opening.end] + f" {values} {{" + sparql[opening.end:closing.start]
                + "} " + sparql[closing.start:])
    return sparql[:opening.end] + f" {values} " + sparql[opening.end:]


def _check_bindings(bindings: Mapping[str, Identifier] | None) -> list[tuple[str, Identifier]]:
    if not bindings:
        return []
    out = []
    for name, term in bindings.items():
        var = str(name)
        if var[:1] in "?$":
            var = var[1:]
        if not _VARNAME.fullmatch(var):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
        if isinstance(term, BNode):
            raise QueryError(f"?{var} cannot be bound to a blank node", hint="bind an IRI or a literal")
        if not isinstance(term, (URIRef, Literal)):
            raise QueryError(f"?{var} must be bound to an rdflib URIRef or Literal, not {type(term).__name__}",
                             hint="wrap values: URIRef('https://…') or Literal('文本', lang='zh')")
        try:
            term.n3()  # rdflib refuses to serialise an IRI that could break out of <…>
        except Exception as exc:
            raise QueryError(f"?{var} is bound to an invalid term: {exc}") from exc
        out.append((var, term))
    return out


# --------------------------------------------------------------------------------------
# Terms


def _duration_from_number(lexical: str) -> str | None:
    """Virtuoso answers year-month durations as months and day-time ones as seconds.

    >>> _duration_from_number("12"), _duration_from_number("-1"), _duration_from_number("86400.0")
    ('P12M', '-P1M', 'PT86400S')
    """
    text = lexical.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        months = int(text)
        return f"{'-' if months < 0 else ''}P{abs(months)}M"
    try:
        seconds = Decimal(text)
    except InvalidOperation:
        return None
    if not seconds.is_finite():
        return None
    body = format(abs(seconds).normalize(), "f")
    return f"{'-' if seconds < 0 else ''}PT{body}S"


@functools.lru_cache(maxsize=1 << 16)  # rdflib's Literal() is slow; repeated values are common
def _literal(lexical: str, language: str | None = None, datatype: str | None = None) -> Literal:
    """The one way both engines' literals become rdflib terms, so they compare equal."""
    if language:
        return Literal(lexical, lang=language.lower())
    if datatype is None or datatype == _XSD_STRING:
        return Literal(lexical)
    if datatype == _RDF_LANGSTRING:  # a language string without its tag: keep the text
        return Literal(lexical)
    if datatype == _XSD_DURATION and not lexical.lstrip("+-").startswith("P"):
        lexical = _duration_from_number(lexical) or lexical
    return Literal(lexical, datatype=URIRef(datatype))


class _BlankLabels:
    """Relabels an engine's blank nodes b0, b1 … in order of first appearance."""

    def __init__(self) -> None:
        self._labels: dict[str, BNode] = {}

    def __call__(self, engine_id: str) -> BNode:
        node = self._labels.get(engine_id)
        if node is None:
            node = self._labels[engine_id] = BNode(f"b{len(self._labels)}")
        return node


@functools.lru_cache(maxsize=1 << 16)  # rdflib checks every IRI it makes; results repeat the same ones
def _iri(value: str) -> URIRef:
    return URIRef(value)


def _from_ox(term: Any, blanks: Callable[[str], BNode] | None = None) -> Identifier | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return _iri(term.value)
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.language, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return blanks(term.value) if blanks else BNode(term.value)
    raise QueryError(f"unsupported RDF term in a result: {term!r}", hint="RDF-star triple terms are not supported")


def _to_ox(term: Identifier) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise QueryError(f"cannot use {term!r} as an RDF term")


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in vocab.PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _graph_result(triples: Iterable[Any], max_rows: int | None) -> Result:
    graph = _new_graph()
    truncated = False
    blanks: dict[str, BNode] = {}

    def blank(engine_id: str) -> BNode:
        return blanks.setdefault(engine_id, BNode())

    taken = 0
    for triple in triples:
        if max_rows is not None and taken >= max_rows:
            truncated = True
            break
        taken += 1
        graph.add((_from_ox(triple.subject, blank), _from_ox(triple.predicate, blank),
                   _from_ox(triple.object, blank)))
    return Result(kind="graph", graph=graph, truncated=truncated)


def _within(limit: float | None, work: Callable[[], Result], on_timeout: Callable[[], KgtoolError]) -> Result:
    """work() run in a thread of its own, waited for at most limit seconds.

    The embedded engine evaluates an aggregate or a sort before it gives its first row, so a
    deadline checked between rows cannot stop a huge join; and while the engine runs, the
    main thread would not see Ctrl-C. Waiting here, the caller gets on_timeout() when the
    limit passes and KeyboardInterrupt at once; the engine's thread, which cannot be stopped,
    is left to finish in the background (it holds no lock of ours and releases the GIL).
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="kgtool-query", daemon=True)
    worker.start()
    deadline = time.monotonic() + limit if limit else None
    while worker.is_alive():
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise on_timeout()
        worker.join(0.2 if left is None else min(0.2, left))
    if "error" in box:
        raise box["error"]
    return box["result"]


def _order_select(sparql: str, variables: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """For SELECT *, put columns in order of first appearance in the query text."""
    if not _is_select_star(sparql):
        return variables, rows
    rank = {name: i for i, name in enumerate(_appearance_order(sparql))}
    order = sorted(range(len(variables)), key=lambda i: (rank.get(variables[i], len(rank)), variables[i]))
    if order == list(range(len(variables))):
        return variables, rows
    return [variables[i] for i in order], [tuple(row[i] for i in order) for row in rows]


# --------------------------------------------------------------------------------------
# Files -> graphs


def graph_files(root: Path) -> dict[URIRef, list[Path]]:
    """Which Turtle files go to which named graph, in load order."""
    root = Path(root)
    if not (root / "ontology").is_dir() and not (root / "data").is_dir():
        raise SourceError(f"no ontology/ or data/ folder under {root}", where=str(root),
                          hint="point KGTOOL_HOME (or --root) at the project folder")
    out: dict[URIRef, list[Path]] = {}
    ontology = sorted((root / "ontology").glob("*.ttl"))
    if ontology:
        out[URIRef(vocab.ONTOLOGY_GRAPH)] = ontology
    for path in sorted((root / "data").glob("*.ttl")):
        graph = URIRef(vocab.iri_for("graph", path.stem))
        if graph in out:
            raise SourceError(f"data file {path.name} would share the named graph {graph}",
                              where=str(path), hint="rename the file")
        try:
            ox.NamedNode(str(graph))
        except ValueError as exc:
            raise SourceError(f"file name {path.name!r} does not make a valid graph IRI: {exc}",
                              where=str(path), hint="use letters, digits, '-' and '_' in data file names") from exc
        out[graph] = [path]
    return out


def _count(store: ox.Store, graph: URIRef) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))[0].value)


def load_files(store: EmbeddedStore | ox.Store, root: Path) -> dict[URIRef, int]:
    """Load ontology/*.ttl and data/*.ttl under ``root`` into their named graphs.

    Each target graph is emptied first, so loading twice gives the same store. Returns the
    number of triples in each graph loaded.
    """
    target = store.ox if isinstance(store, EmbeddedStore) else store
    if not isinstance(target, ox.Store):
        raise TypeError(f"load_files needs an EmbeddedStore or a pyoxigraph.Store, not {type(store).__name__}")
    counts: dict[URIRef, int] = {}
    for graph, paths in graph_files(root).items():
        node = ox.NamedNode(str(graph))
        target.clear_graph(node)
        for path in paths:
            with reading(path):
                target.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=node)
        counts[graph] = _count(target, graph)
    return counts


@contextlib.contextmanager
def reading(path: Path, hint: str = "fix the file; nothing else was changed") -> Iterator[None]:
    """Turn pyoxigraph's errors while reading one Turtle file into a SourceError naming it."""
    try:
        yield
    except SyntaxError as exc:
        raise SourceError(f"Turtle syntax error: {exc.msg if hasattr(exc, 'msg') else exc}",
                          where=str(path), hint=hint) from exc
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot load: {exc}", where=str(path)) from exc


def parse_turtle(path: Path, hint: str = "fix the file; nothing else was changed") -> list[ox.Triple]:
    """The triples of one Turtle file as written (a store would put literals in canonical form)."""
    with reading(path, hint):
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


# --------------------------------------------------------------------------------------
# Embedded engine


class EmbeddedStore:
    """pyoxigraph in this process: in memory, or on disk with ``path``.

    The default graph of every query is the union of all graphs. ``.ox`` is the underlying
    ``pyoxigraph.Store`` (pySHACL can validate it directly).
    """

    def __init__(self, store: ox.Store | None = None, *, path: Path | str | None = None,
                 timeout: float | None = DEFAULT_TIMEOUT):
        if store is not None and path is not None:
            raise ValueError("give a pyoxigraph store or a path, not both")
        try:
            self._store: ox.Store | None = store if store is not None else (
                ox.Store(str(path)) if path is not None else ox.Store())
        except OSError as exc:
            raise EngineError(f"cannot open the on-disk store: {exc}", where=str(path),
                              hint="is another process using it?") from exc
        self.path = Path(path) if path is not None else None
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"EmbeddedStore(path={str(self.path) if self.path else None!r})"

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def ox(self) -> ox.Store:
        if self._store is None:
            raise EngineError("the embedded store is closed")
        return self._store

    def load(self, root: Path) -> dict[URIRef, int]:
        """`load_files` into this store."""
        return load_files(self, root)

    def graphs(self) -> list[URIRef]:
        store = self.ox
        names = []
        for graph in store.named_graphs():
            if isinstance(graph, ox.NamedNode) and next(iter(store.quads_for_pattern(None, None, None, graph)), None):
                names.append(URIRef(graph.value))
        return sorted(names)

    def replace(self, store: ox.Store) -> None:
        """Answer later queries from ``store``, which must hold the same quads.

        Used to move from the on-disk store, which opens at once, to an in-memory copy,
        which answers several times faster; queries already running finish on the old one.
        """
        self._store = store
        self.path = None

    def close(self) -> None:
        if self._store is not None and self.path is not None:
            try:
                self._store.flush()
            except (OSError, AttributeError):
                pass
        self._store = None

    def _run(self, sparql: str, substitutions: dict | None) -> Any:
        return self.ox.query(sparql, prefixes=vocab.PREFIXES, use_default_graph_as_union=True,
                             substitutions=substitutions)

    def query(self, sparql: str, *, bindings: Mapping[str, Identifier] | None = None,
              timeout: float | None = None, max_rows: int | None = None) -> Result:
        binds = _check_bindings(bindings)
        limit = timeout if timeout is not None else self.timeout
        where = "embedded store"

        def evaluate() -> Result:
            if binds:
                try:
                    answer = self._run(sparql, {ox.Variable(n): _to_ox(t) for n, t in binds})
                except RuntimeError:
                    # pyoxigraph substitutes only variables of the SELECT projection (and
                    # none in DESCRIBE): bind the others with VALUES, as the remote engine does.
                    answer = self._run(_insert_values(sparql, binds), None)
            else:
                answer = self._run(sparql, None)
            if isinstance(answer, ox.QueryBoolean):
                return Result(kind="ask", boolean=bool(answer))
            if isinstance(answer, ox.QueryTriples):
                return _graph_result(answer, max_rows)
            variables = [v.value for v in answer.variables]
            blanks = _BlankLabels()
            rows: list[tuple] = []
            truncated = False
            width = len(variables)
            for solution in answer:
                if max_rows is not None and len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(tuple(_from_ox(solution[i], blanks) for i in range(width)))
            variables, rows = _order_select(sparql, variables, rows)
            return Result(kind="select", variables=tuple(variables), rows=tuple(rows), truncated=truncated)

        def on_timeout() -> EngineError:
            return EngineError(f"query ran longer than {limit:g} s", where=where,
                               hint="narrow the query or add a LIMIT; the limit is KGTOOL_QUERY_TIMEOUT_S")

        try:
            return _within(limit, evaluate, on_timeout)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc.msg if hasattr(exc, 'msg') else exc}",
                             where="query", hint="positions are line:column in the query text") from exc
        except (RuntimeError, ValueError) as exc:
            raise QueryError(f"the query cannot be run: {exc}", where="query") from exc
        except OSError as exc:
            raise EngineError(f"the embedded store failed: {exc}", where=where) from exc


# --------------------------------------------------------------------------------------
# Remote engine


def _content_type(headers: Mapping[str, str]) -> str:
    return headers.get("Content-Type", "").split(";")[0].strip().lower()


_RDF_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/ntriples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}

_LINE_IN_MESSAGE = re.compile(r"\b(line\s+)(\d+)", re.IGNORECASE)


#: Virtuoso echoes one X-SPARQL-default-graph header per graph of the dataset, and Python's
#: http.client refuses a response with more than 100 headers ("got more than 100 headers"):
#: without this, every query fails once a corpus has about 95 documents.
http.client._MAXHEADERS = max(getattr(http.client, "_MAXHEADERS", 100), 100_000)  # type: ignore[attr-defined]


class RemoteStore:
    """Any SPARQL 1.1 endpoint, over the SPARQL 1.1 Protocol (HTTP POST, form encoded).

    ``graphs``: the named graphs that make up the data (sent as ``default-graph-uri`` and
    ``named-graph-uri`` with every query, unless the query names its own with FROM); by
    default those on the server whose IRI starts with ``graph_prefix``, found once and
    cached (`refresh` forgets them). ``auth``: a requests auth object or ``(user, password)``
    for endpoints that need one to read. ``timeout``: seconds per request, connect and read.
    """

    def __init__(self, endpoint: str, *, graphs: Iterable[URIRef | str] | None = None,
                 timeout: float | None = DEFAULT_TIMEOUT, auth: Any = None,
                 session: requests.Session | None = None, graph_prefix: str = _OUR_GRAPHS):
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EngineError(f"not an http(s) URL: {endpoint!r}", where="endpoint",
                              hint="e.g. http://127.0.0.1:8890/sparql")
        self.endpoint = endpoint
        self.timeout = timeout if timeout else DEFAULT_TIMEOUT
        self.auth = auth
        self.graph_prefix = graph_prefix
        self._fixed_graphs = [URIRef(str(g)) for g in graphs] if graphs is not None else None
        self._graphs: list[URIRef] | None = self._fixed_graphs
        self._session = session or requests.Session()
        self._own_session = session is None
        self._server: str | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    def refresh(self) -> None:
        """Forget the discovered graph list (after a push, say)."""
        with self._lock:
            self._graphs = self._fixed_graphs

    def graphs(self) -> list[URIRef]:
        with self._lock:
            if self._graphs is not None:
                return list(self._graphs)
            found = self._discover()
            if found:  # an empty server is asked again next time (a push may come)
                self._graphs = found
            return list(found)

    def _discover(self) -> list[URIRef]:
        prefix = Literal(self.graph_prefix).n3()
        sparql = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                  f"FILTER(STRSTARTS(STR(?g), {prefix})) }}")
        body, headers = self._post([("query", sparql)], _JSON_RESULTS, self.timeout)
        data = self._json(body, headers)
        try:
            found = {URIRef(b["g"]["value"]) for b in data["results"]["bindings"] if b.get("g", {}).get("type") == "uri"}
        except (KeyError, TypeError, AttributeError) as exc:
            raise self._garbage(headers, body) from exc
        return sorted(found)

    # -- HTTP --------------------------------------------------------------------------

    def _post(self, data: list[tuple[str, str]], accept: str, timeout: float,
              line_offset: int = 0) -> tuple[bytes, Mapping[str, str]]:
        connect = min(timeout, CONNECT_TIMEOUT)
        deadline = time.monotonic() + timeout
        url = self.endpoint
        try:
            response = self._session.post(url, data=data, headers={"Accept": accept}, auth=self.auth,
                                          timeout=(connect, timeout), stream=True)
            try:
                body = _read_before(response, deadline)
            finally:
                response.close()
        except requests.exceptions.ConnectTimeout as exc:
            raise EngineError(f"no connection within {connect:g} s", where=url,
                              hint="is the host reachable and the port right?") from exc
        except requests.exceptions.ReadTimeout as exc:
            raise EngineError(f"no complete answer within {timeout:g} s", where=url,
                              hint="the query may be too heavy: narrow it, add a LIMIT, or raise the timeout") from exc
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise EngineError(f"no complete answer within {timeout:g} s", where=url,
                                  hint="narrow the query or raise the timeout") from exc
            raise EngineError(f"cannot connect: {_short(exc)}", where=url,
                              hint="is the SPARQL endpoint running at this URL (see KGTOOL_ENDPOINT)?") from exc
        except requests.exceptions.RequestException as exc:
            raise EngineError(f"request failed: {_short(exc)}", where=url) from exc
        self._server = response.headers.get("Server", "") or self._server or ""
        if response.status_code >= 300:
            text = body.decode("utf-8", "replace").strip()
            if line_offset:
                text = _LINE_IN_MESSAGE.sub(
                    lambda m: m.group(1) + str(int(m.group(2)) - line_offset)
                    if int(m.group(2)) > line_offset else m.group(0), text)
            snippet = text[:600]
            status = response.status_code
            if status == 400 or (status == 500 and re.search(r"SPARQL compiler|Error S[PQ]\d", text)):
                raise QueryError(f"the engine rejected the query (HTTP {status}): {snippet}", where=url)
            hints = {401: "the endpoint wants credentials: pass auth", 403: "the endpoint refuses this user",
                     404: "no SPARQL endpoint at this URL: check the path (Virtuoso: /sparql)"}
            raise EngineError(f"HTTP {status} {response.reason}: {snippet}", where=url,
                              hint=hints.get(status, "see the engine's log"))
        return body, response.headers

    def _garbage(self, headers: Mapping[str, str], body: bytes) -> EngineError:
        kind = _content_type(headers) or "no content type"
        return EngineError(f"the answer is not a SPARQL result ({kind}): {body[:120]!r}", where=self.endpoint,
                           hint="is this URL a SPARQL 1.1 endpoint (not a web page or proxy)?")

    def _json(self, body: bytes, headers: Mapping[str, str]) -> dict:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise self._garbage(headers, body) from exc
        if not isinstance(data, dict):
            raise self._garbage(headers, body)
        return data

    def _is_virtuoso(self) -> bool:
        if self._server is None:
            self._post([("query", "ASK {}")], _JSON_RESULTS, self.timeout)
        return "virtuoso" in (self._server or "").lower()

    # -- queries -------------------------------------------------------------------------

    def query(self, sparql: str, *, bindings: Mapping[str, Identifier] | None = None,
              timeout: float | None = None, max_rows: int | None = None) -> Result:
        form, own_dataset = _analyse(sparql)
        binds = _check_bindings(bindings)
        limit = timeout if timeout else self.timeout
        text = _insert_values(sparql, binds) if binds else sparql
        head = _prefix_block(text)
        if form == "describe" and self._is_virtuoso():
            head = 'DEFINE sql:describe-mode "CBD"\n' + head  # Oxigraph's DESCRIBE, not Virtuoso's
        data = [("query", head + text)]
        if not own_dataset:
            graphs = self.graphs() or [URIRef(vocab.ONTOLOGY_GRAPH)]  # none yet: an empty dataset
            data += [("default-graph-uri", str(g)) for g in graphs]
            data += [("named-graph-uri", str(g)) for g in graphs]
        accept = _RDF_ACCEPT if form in ("construct", "describe") else _JSON_RESULTS
        body, headers = self._post(data, accept, limit, line_offset=head.count("\n"))
        server_cut = bool(headers.get("X-SPARQL-MaxRows")) or headers.get("X-SQL-State", "").upper() == "S1TAT"
        if form in ("construct", "describe"):
            return self._graph(body, headers, max_rows, server_cut)
        answer = self._json(body, headers)
        if form == "ask":
            if not isinstance(answer.get("boolean"), bool):
                raise self._garbage(headers, body)
            return Result(kind="ask", boolean=answer["boolean"])
        return self._select(sparql, answer, headers, body, max_rows, server_cut)

    def _select(self, sparql: str, answer: dict, headers: Mapping[str, str], body: bytes,
                max_rows: int | None, server_cut: bool) -> Result:
        try:
            variables = [str(v) for v in answer["head"].get("vars", [])]
            bindings = answer["results"]["bindings"]
            blanks = _BlankLabels()
            rows = []
            truncated = server_cut
            for binding in bindings:
                if max_rows is not None and len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(tuple(_from_json(binding.get(name), blanks) for name in variables))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise self._garbage(headers, body) from exc
        variables, rows = _order_select(sparql, variables, rows)
        return Result(kind="select", variables=tuple(variables), rows=tuple(rows), truncated=truncated)

    def _graph(self, body: bytes, headers: Mapping[str, str], max_rows: int | None, server_cut: bool) -> Result:
        fmt = _RDF_FORMATS.get(_content_type(headers), ox.RdfFormat.TURTLE)
        try:
            triples = list(ox.parse(input=body, format=fmt))
        except (SyntaxError, ValueError) as exc:
            raise self._garbage(headers, body) from exc

        result = _graph_result(triples, max_rows)
        if server_cut and not result.truncated:
            result = Result(kind="graph", graph=result.graph, truncated=True)
        return result


def _read_before(response: requests.Response, deadline: float) -> bytes:
    """The whole body, or ReadTimeout once ``deadline`` passes, however the server trickles."""
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise requests.exceptions.ReadTimeout("deadline passed while reading the answer")
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is not None:  # each wait for bytes ends at the deadline, not a full timeout later
            try:
                sock.settimeout(max(remaining, 0.01))
            except OSError:
                pass
        try:
            chunk = read1(1 << 16, decode_content=True) if read1 else raw.read(1 << 16, decode_content=True)
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError, socket.timeout) as exc:
            raise requests.exceptions.ReadTimeout(str(exc)) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise requests.exceptions.ConnectionError(str(exc)) from exc
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _short(exc: BaseException) -> str:
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\][^'\")]*|Connection refused|Name or service not known|timed out", text)
    return match.group(0).strip() if match else text[:200]


def _from_json(cell: Any, blanks: _BlankLabels) -> Identifier | None:
    if cell is None:
        return None
    kind, value = cell["type"], cell["value"]
    if not isinstance(value, str):
        raise ValueError("value is not a string")
    if kind == "uri":
        return URIRef(value)
    if kind in ("literal", "typed-literal"):
        return _literal(value, cell.get("xml:lang") or cell.get("lang"), cell.get("datatype"))
    if kind == "bnode":
        return blanks(value)
    raise ValueError(f"unsupported term type {kind!r}")


@functools.lru_cache(maxsize=512)
def _analyse(sparql: str) -> tuple[str, bool]:
    """Syntax-check a query with rdflib before it is sent: its form, and whether it names
    its own dataset (FROM / FROM NAMED)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with PARSE_LOCK:
            parsed = parseQuery(sparql)
    except ParseException as exc:
        raise QueryError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}",
                         where="query", hint=f"near: {exc.line.strip()[:80]}") from exc
    except Exception as exc:  # rdflib raises assorted errors for odd input
        raise QueryError(f"SPARQL syntax error: {exc}", where="query") from exc
    body = parsed[1]
    form = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
            "DescribeQuery": "describe"}.get(body.name) or _query_form(sparql)
    return form, "datasetClause" in body


# --------------------------------------------------------------------------------------
# Opening and pushing


def open_store(*, endpoint: str | None = None, root: Path | None = None, timeout: float | None = None,
               auth: Any = None, graphs: Iterable[URIRef | str] | None = None, warm: bool = False) -> Store:
    """The store kgtool works on.

    ``endpoint`` None: $KGTOOL_ENDPOINT if set, else the embedded store of ``root`` (default
    `project_root`): its on-disk store if ``kgtool build --store`` made one (rebuilt first
    if ontology/ or data/ changed since; with ``warm``, copied into memory in the
    background, for long-running servers), else an in-memory `EmbeddedStore` loaded from
    the files. ``endpoint=""`` forces the embedded store. With an endpoint, a `RemoteStore`
    (``auth`` and ``graphs`` passed on); nothing is contacted until the first query.
    ``timeout`` (seconds per query unless a query says otherwise) defaults to the settings
    ``remote_timeout_s`` / ``query_timeout_s``.
    """
    from kgtool.persist import open_persistent  # persist builds on this module

    if endpoint is None:
        endpoint = os.environ.get("KGTOOL_ENDPOINT") or None
    if endpoint:
        limit = timeout if timeout is not None else float(setting("remote_timeout_s"))
        return RemoteStore(endpoint, graphs=graphs, timeout=limit, auth=auth)
    limit = timeout if timeout is not None else float(setting("query_timeout_s"))
    folder = Path(root) if root is not None else project_root()
    persistent = open_persistent(folder, timeout=limit, warm=warm)
    if persistent is not None:
        return persistent
    store = EmbeddedStore(timeout=limit)
    load_files(store, folder)
    return store


def graph_store_url(endpoint: str, *, authenticated: bool = True) -> str:
    """The Graph Store Protocol URL that goes with a query endpoint.

    >>> graph_store_url("http://127.0.0.1:8890/sparql")
    'http://127.0.0.1:8890/sparql-graph-crud-auth'
    >>> graph_store_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/store'
    >>> graph_store_url("http://localhost:3030/ds/sparql")
    'http://localhost:3030/ds/data'
    """
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    if path == "/sparql":  # Virtuoso
        new = "/sparql-graph-crud-auth" if authenticated else "/sparql-graph-crud"
    elif path == "/query":  # Oxigraph server
        new = "/store"
    elif path.endswith(("/sparql", "/query")) and path.count("/") >= 2:  # Fuseki: /dataset/sparql
        new = path.rsplit("/", 1)[0] + "/data"
    else:
        raise KgtoolError(f"cannot tell the Graph Store Protocol URL for {endpoint}",
                          hint="pass graph_store= (Virtuoso: …/sparql-graph-crud-auth, Fuseki: …/data)")
    return urlunsplit((parts.scheme, parts.netloc, new, "", ""))


def _push_auth(user: str | None, password: str | None, scheme: str) -> Any:
    if user is None:
        if password is not None:
            raise KgtoolError("a password was given without a user")
        return None
    scheme = scheme.lower()
    if scheme == "digest":
        return requests.auth.HTTPDigestAuth(user, password or "")
    if scheme == "basic":
        return requests.auth.HTTPBasicAuth(user, password or "")
    raise KgtoolError(f"unknown auth scheme {scheme!r}", hint="use 'digest' (Virtuoso) or 'basic'")


def push(root: Path, endpoint: str, *, graph_store: str | None = None, user: str | None = None,
         password: str | None = None, auth_scheme: str = "digest", graph: URIRef | None = None,
         progress: Callable[[URIRef, int, int, int], None] | None = None,
         timeout: float = PUSH_TIMEOUT) -> dict[URIRef, int]:
    """Replace our named graphs on a remote store with ontology/ + data/ under ``root``.

    One HTTP PUT of N-Triples per named graph (SPARQL 1.1 Graph Store HTTP Protocol), or one
    PUT of everything into ``graph`` when given. Files are parsed locally first, so a syntax
    error stops the push before anything is sent. ``graph_store`` defaults to
    `graph_store_url` of ``endpoint``. ``progress(graph, done, total, triples)`` is called
    after each graph. Returns the triples sent per graph.
    """
    scratch = ox.Store()
    counts = load_files(scratch, Path(root))
    url = graph_store or graph_store_url(endpoint, authenticated=user is not None)
    auth = _push_auth(user, password, auth_scheme)
    if graph is not None:
        parts = [scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(g))) for g in counts]
        lines = {line for part in parts for line in part.splitlines() if line.strip()}
        payload = b"\n".join(sorted(lines)) + b"\n" if lines else b""
        uploads = [(URIRef(str(graph)), payload, len(lines))]
    else:
        uploads = [(g, scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(g))), n)
                   for g, n in counts.items()]
    sent: dict[URIRef, int] = {}
    with requests.Session() as session:
        for done, (target, payload, n) in enumerate(uploads, start=1):
            _put_graph(session, url, target, payload, auth, timeout)
            sent[target] = n
            if progress is not None:
                progress(target, done, len(uploads), n)
    return sent


def _put_graph(session: requests.Session, url: str, graph: URIRef, payload: bytes, auth: Any,
               timeout: float) -> None:
    try:
        response = session.put(url, params={"graph": str(graph)}, data=payload, auth=auth,
                               headers={"Content-Type": "application/n-triples; charset=utf-8"},
                               timeout=(min(timeout, CONNECT_TIMEOUT), timeout))
    except requests.exceptions.Timeout as exc:
        raise EngineError(f"upload of {graph} took longer than {timeout:g} s", where=url) from exc
    except requests.exceptions.RequestException as exc:
        raise EngineError(f"cannot connect: {_short(exc)}", where=url,
                          hint="is the Graph Store endpoint running at this URL?") from exc
    if response.status_code in (401, 403):
        raise EngineError(f"HTTP {response.status_code}: the store refused the credentials", where=url,
                          hint="check user and password; Virtuoso's /sparql-graph-crud-auth needs Digest auth")
    if response.status_code >= 300:
        raise EngineError(f"HTTP {response.status_code} uploading {graph}: {response.text.strip()[:400]}",
                          where=url, hint="see the engine's log")
