"""The embedded engine, and what every engine shares: `Result`, the `Store` protocol, a small
SPARQL lexer, term conversion and the files -> named graphs layout.

The lower half of `kgtool.store` (see its docstring for the graph layout and the engine
differences smoothed over): the on-disk store (`kgtool.persist`) and the text index
(`kgtool.textindex`) build on the embedded engine, and `kgtool.store.open_store` chooses
between them and the remote engine, so the embedded engine lives here, below all three,
and imports run one way. Import these names from `kgtool.store`, which re-exports them.
"""
from __future__ import annotations

import contextlib
import functools
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.term import Identifier

from kgtool import vocab
from kgtool.errors import EngineError, KgtoolError, QueryError, SourceError

#: rdflib's SPARQL parser keeps state in pyparsing actions and fails when two threads parse at
#: once ("Param.postParse2() missing 1 required positional argument"): every parse in kgtool
#: (query.check, the remote engine's analysis, validate's SPARQL constraints, the web app) takes it.
PARSE_LOCK = threading.RLock()

#: Seconds a query may take, by default, before it is given up (both engines).
DEFAULT_TIMEOUT = 60.0
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

    for taken, triple in enumerate(triples):
        if max_rows is not None and taken >= max_rows:
            truncated = True
            break
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
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
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
            with contextlib.suppress(OSError, AttributeError):
                self._store.flush()
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
