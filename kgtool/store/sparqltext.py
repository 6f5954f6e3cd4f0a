"""Reading SPARQL text: the query's form, dataset and prefixes, SELECT * order, and VALUES for bindings.

Libraries do what they do correctly: rdflib's parser gives the form, the FROM clauses and the
declared prefixes (`analyse`, for the remote engine, which must send the text itself); the
embedded engine takes undeclared prefixes (`prefixes=`) and projected bindings
(`substitutions=`) from pyoxigraph. What is left is a small lexer for the two jobs neither
library does: where the outermost WHERE group opens, to put a VALUES block there for a
binding pyoxigraph cannot substitute, and the order variables first appear in, for the
columns of SELECT *. Measured on the 32 saved queries: the lexer takes 0.5 ms a query,
rdflib's parser 68 ms (which gives no source positions), and rdflib's algebra written back
as text (translateAlgebra) ran 2 of the 32 correctly.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from kgtool import vocab
from kgtool.errors import QueryError

#: rdflib's SPARQL parser keeps state in pyparsing actions and fails when two threads parse at
#: once ("Param.postParse2() missing 1 required positional argument"): every parse in kgtool
#: (query.check, the remote engine's analysis, validate's SPARQL constraints, the web app) takes it.
PARSE_LOCK = threading.RLock()


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


def _is_select_star(sparql: str) -> bool:
    tokens = _tokens(sparql)
    for i, token in enumerate(tokens):
        if token.keyword in _FORMS:
            if token.keyword != "SELECT":
                return False
            rest = [t for t in tokens[i + 1 : i + 3] if t.keyword not in ("DISTINCT", "REDUCED")]
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
            raise QueryError(
                "bindings cannot be used with the short form CONSTRUCT WHERE { … }", hint="write CONSTRUCT { template } WHERE { pattern }"
            )
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


def insert_values(sparql: str, bindings: list[tuple[str, Identifier]]) -> str:
    """Put a VALUES block at the start of the outermost WHERE group (never trailing: SQ200).

    >>> insert_values("SELECT ?n WHERE { ?s rdfs:label ?n }", [("s", URIRef("urn:x"))])
    'SELECT ?n WHERE { VALUES ?s { <urn:x> }  ?s rdfs:label ?n }'
    """
    if not bindings:
        return sparql
    opening, closing, bare_select = _where_group(sparql)
    values = _values_block(bindings)
    if bare_select:  # WHERE { SELECT … } : the sub-select must become a group of its own
        return sparql[: opening.end] + f" {values} {{" + sparql[opening.end : closing.start] + "} " + sparql[closing.start :]
    return sparql[: opening.end] + f" {values} " + sparql[opening.end :]


def check_bindings(bindings: Mapping[str, Identifier] | None) -> list[tuple[str, Identifier]]:
    if not bindings:
        return []
    out: list[tuple[str, Identifier]] = []
    for name, term in bindings.items():
        var = str(name)
        if var[:1] in "?$":
            var = var[1:]
        if not _VARNAME.fullmatch(var):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
        if isinstance(term, BNode):
            raise QueryError(f"?{var} cannot be bound to a blank node", hint="bind an IRI or a literal")
        if not isinstance(term, (URIRef, Literal)):
            raise QueryError(
                f"?{var} must be bound to an rdflib URIRef or Literal, not {type(term).__name__}",
                hint="wrap values: URIRef('https://…') or Literal('文本', lang='zh')",
            )
        try:
            term.n3()  # rdflib refuses to serialise an IRI that could break out of <…>
        except Exception as exc:
            raise QueryError(f"?{var} is bound to an invalid term: {exc}") from exc
        out.append((var, term))
    return out


def order_select(sparql: str, variables: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """For SELECT *, put columns in order of first appearance in the query text."""
    if not _is_select_star(sparql):
        return variables, rows
    rank = {name: i for i, name in enumerate(_appearance_order(sparql))}
    order = sorted(range(len(variables)), key=lambda i: (rank.get(variables[i], len(rank)), variables[i]))
    if order == list(range(len(variables))):
        return variables, rows
    return [variables[i] for i in order], [tuple(row[i] for i in order) for row in rows]


@dataclass(frozen=True)
class Analysis:
    """What rdflib's parser tells of a query before it is sent."""

    form: str  # select, ask, construct or describe
    own_dataset: bool  # the query names its dataset (FROM / FROM NAMED)
    declared: frozenset[str]  # prefixes the query declares itself

    def prefix_block(self) -> str:
        """PREFIX lines for the `vocab.PREFIXES` the query uses without declaring them."""
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in vocab.PREFIXES.items() if p not in self.declared)


_FORM_OF = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}


@functools.lru_cache(maxsize=512)
def analyse(sparql: str) -> Analysis:
    """Syntax-check a query with rdflib's parser; its form, dataset clause and declared prefixes."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with PARSE_LOCK:
            parsed = parseQuery(sparql)
    except ParseException as exc:
        raise QueryError(
            f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}", where="query", hint=f"near: {exc.line.strip()[:80]}"
        ) from exc
    except Exception as exc:  # rdflib raises assorted errors for odd input
        raise QueryError(f"SPARQL syntax error: {exc}", where="query") from exc
    prologue, body = parsed[0], parsed[1]
    if body.name not in _FORM_OF:
        raise QueryError(
            "not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found", hint="updates are not run through kgtool's query interface"
        )
    declared = frozenset(str(d["prefix"]) if "prefix" in d else "" for d in prologue if d.name == "PrefixDecl")
    return Analysis(_FORM_OF[body.name], "datasetClause" in body, declared)
