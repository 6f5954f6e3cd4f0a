"""What every engine gives and offers: `Result` and the `Store` protocol."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Identifier

#: Seconds a query may take, by default, before it is given up (both engines).
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True, eq=False)
class Result:
    """What a query gave, as rdflib terms, whichever engine ran it.

    ``kind`` is ``"select"`` (``variables`` and ``rows``, ``None`` for an unbound cell),
    ``"ask"`` (``boolean``) or ``"graph"`` (CONSTRUCT / DESCRIBE: ``graph``). ``truncated``
    says rows (or triples) were cut, at ``max_rows`` or by the engine's own row limit.
    ``total`` is the number of rows of the whole answer when the query asked for them to be
    counted (a page of a long answer, `window`), else None; it takes no part in equality.

    Two results are equal when kind, variables, rows (in order), boolean and truncated are
    equal and their graphs are isomorphic (blank nodes may differ in name).
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Identifier | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False
    total: int | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        if (self.kind, self.variables, self.rows, self.boolean, self.truncated) != (
            other.kind,
            other.variables,
            other.rows,
            other.boolean,
            other.truncated,
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
        return [{name: term for name, term in zip(self.variables, row) if term is not None} for row in self.rows]


_T = TypeVar("_T")


def window(
    solutions: Iterable[_T],
    convert: Callable[[_T], tuple[Identifier | None, ...]],
    *,
    offset: int = 0,
    max_rows: int | None = None,
    count: bool = False,
) -> tuple[list[tuple[Identifier | None, ...]], bool, int | None]:
    """The rows ``offset`` to ``offset + max_rows`` of an answer, converted; only those are.

    Converting an engine's solution into rdflib terms costs more than the engine's own
    iteration, so the rows before the window are skipped and, with ``count``, those after it
    only counted: the first page of 30,000 rows costs a page's conversion, and still says
    how many rows there are. Returns (rows, truncated: rows lie beyond the window, total:
    every row's count with ``count``, else None).
    """
    rows: list[tuple[Identifier | None, ...]] = []
    seen = 0
    truncated = False
    for solution in solutions:
        seen += 1
        if seen <= offset:
            continue
        if max_rows is not None and len(rows) >= max_rows:
            truncated = True
            if not count:
                break
            continue
        rows.append(convert(solution))
    return rows, truncated, seen if count else None


@runtime_checkable
class Store(Protocol):
    """What every engine offers: queries, our named graphs, and closing.

    ``offset`` and ``count`` page a SELECT answer (`window`); other forms ignore them.
    """

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        offset: int = 0,
        count: bool = False,
    ) -> Result: ...

    def graphs(self) -> list[URIRef]: ...

    def close(self) -> None: ...
