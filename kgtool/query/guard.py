"""Run SPARQL safely: read-only, no SERVICE, no local files, clear errors with line and column.

Both engines go through here, so the CLI, the web endpoint and the saved-query library
refuse the same things with the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from pyparsing import ParseBaseException
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.term import Identifier

from kgtool.errors import QueryError
from kgtool.settings import setting
from kgtool.store import PARSE_LOCK, Result, Store
from kgtool.vocab import PREFIXES

UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


def _walk(node):
    """Every node of rdflib's parse tree (CompValue is a dict; lists and ParseResults nest)."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(item)


@lru_cache(maxsize=512)
def check(sparql: str) -> str:
    """The query form (select, ask, construct, describe) of a read-only query, or a QueryError.

    >>> check("SELECT ?s WHERE { ?s a wsa:Post }")
    'select'
    >>> check("DELETE WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
    ...
    kgtool.errors.QueryError: SPARQL Update (DELETE) is not allowed: kgtool only reads the graph
    """
    try:
        with PARSE_LOCK:  # the project's prefixes are predeclared, as both engines do
            prepared = prepareQuery(sparql, initNs=PREFIXES)
    except ParseBaseException as e:
        keyword = _update_keyword(sparql)
        if keyword:
            raise QueryError(f"SPARQL Update ({keyword}) is not allowed: kgtool only reads the graph") from None
        raise QueryError(f"syntax error at line {e.lineno}, column {e.col}: {e.msg}") from None
    except Exception as e:  # noqa: BLE001 - rdflib raises a bare Exception for an undeclared prefix
        text = str(e)
        m = re.match(r"Unknown namespace prefix : (\S+)", text)
        if m:
            raise QueryError(
                f"unknown prefix {m.group(1)}:", hint="declare it with PREFIX, or use one of: " + ", ".join(sorted(_known()))
            ) from None
        raise QueryError(f"cannot parse query: {text}") from None
    for node in _walk(prepared.algebra):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise QueryError("SERVICE is not allowed: kgtool does not query other endpoints")
    for node in _walk(prepared.algebra.get("datasetClause") or []):
        for iri in (node.get("default"), node.get("named")) if isinstance(node, dict) else ():
            if iri is not None and not str(iri).startswith(("http://", "https://", "urn:")):
                raise QueryError(f"FROM <{iri}> is not allowed: kgtool does not read local files")
    return prepared.algebra.name.replace("Query", "").lower()


def _update_keyword(sparql: str) -> str | None:
    """The first operation of a text that parses as SPARQL Update, else None."""
    try:
        with PARSE_LOCK:
            parseUpdate(sparql)
    except Exception:  # noqa: BLE001 - not an update, whatever the parser's complaint
        return None
    body = re.sub(r"#[^\n]*|<[^>]*>|\"[^\"]*\"|'[^']*'|\w+:\w*", " ", sparql).upper()
    found = [(m.start(), w) for w in UPDATE_WORDS for m in re.finditer(rf"\b{w}\b", body)]
    return min(found)[1] if found else "UPDATE"


def _known() -> list[str]:
    return list(PREFIXES)


def run_query(
    store: Store,
    sparql: str,
    *,
    bindings: Mapping[str, Identifier] | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
    offset: int = 0,
    count: bool = False,
) -> Result:
    """Check and run a query on any engine, within the time and row limits of settings
    (``offset`` and ``count`` page a SELECT answer: `kgtool.query.paging`).

    Raises:
        QueryError: if the query is not read-only SPARQL 1.1, or cannot be run.
        EngineError: if the engine is unreachable or too slow.
    """
    check(sparql)
    return store.query(
        sparql,
        bindings=bindings,
        timeout=timeout if timeout is not None else float(setting("query_timeout_s")),
        max_rows=max_rows if max_rows is not None else int(setting("max_rows")),
        offset=offset,
        count=count,
    )
