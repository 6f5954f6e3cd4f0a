"""What every engine gives and offers: `Result` and the `Store` protocol.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

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

