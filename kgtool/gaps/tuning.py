"""What makes pySHACL quicker without changing a finding.

- `ParsedOnce`: pySHACL hands each SHACL-SPARQL constraint to Graph.query as a string for
  every focus node, and rdflib parses it anew each time; here each text is parsed once.
- `speedups`, applied in worker processes only: constraint parameters looked up in a set
  rather than a list, and the human-readable text of each result (kgtool reads the report
  graph, never that text) not composed. About 1.4x on one core (docs/performance.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from rdflib import Graph


class ParsedOnce(Graph):
    """The same triples (a view on the graph's store) with each SPARQL text parsed only once.

    pySHACL hands a SHACL-SPARQL constraint to Graph.query as a string for every focus node,
    and rdflib parses it anew each time (about 0.1 s): 3 s for the frequency shape alone.
    """

    def __init__(self, graph: Graph):
        super().__init__(store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager)
        self._prepared: dict[str, object] = {}

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            from rdflib.plugins.sparql import prepareQuery

            from kgtool.store import PARSE_LOCK

            if query_object not in self._prepared:
                with PARSE_LOCK:
                    self._prepared[query_object] = prepareQuery(query_object)
            query_object = self._prepared[query_object]
        return super().query(query_object, *args, **kwargs)


class _SetList(list):
    """A list whose membership test is a set lookup (pySHACL tests `p in parameters` a lot)."""

    def __init__(self, items: Sequence):
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item: object) -> bool:
        return item in self._members


@contextlib.contextmanager
def speedups() -> Iterator[None]:
    """Apply the two pySHACL speed-ups for the duration (semantics unchanged: see module doc).

    Each is applied only if pySHACL still has the attribute it replaces (pySHACL 0.40), so a
    newer pySHACL is merely slower, never wrong."""
    import pyshacl.shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    from pyshacl.constraints.constraint_component import ConstraintComponent

    saved_params = shape_module.__dict__.get("CONSTRAINT_PARAMS", None)
    saved_describe = ConstraintComponent.__dict__.get("make_v_result_description")
    if hasattr(shape_module, "module"):  # shape.py reads CONSTRAINT_PARAMS from its own module
        shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _SetList(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )
    if saved_describe is not None:
        ConstraintComponent.make_v_result_description = lambda self, *args, **kwargs: ""  # type: ignore[method-assign]
    try:
        yield
    finally:
        if saved_params is None:
            shape_module.__dict__.pop("CONSTRAINT_PARAMS", None)
        else:
            shape_module.CONSTRAINT_PARAMS = saved_params  # type: ignore[attr-defined]
        if saved_describe is not None:
            ConstraintComponent.make_v_result_description = saved_describe  # type: ignore[method-assign]
