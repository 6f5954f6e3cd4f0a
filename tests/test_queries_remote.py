"""The whole saved-query library on each real remote engine gives the embedded engine's answers.

The remote engine is what users point kgtool at when the graph outgrows one machine, so
every saved query (with its defaults, and with a parameter bound) must agree row for row, on
Virtuoso (tests/virtuoso_server.py) and on Oxigraph's own server (tests/oxigraph_server.py).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal

from kgtool.query import run_query
from kgtool.query.saved import bind, library

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = library(ROOT / "queries")
#: Parameter values beyond the defaults, so bound parameters (VALUES on Virtuoso, substitution
#: on pyoxigraph) are compared too.
CASES = [
    ("duties-of-role", {"role": "role:principal_head"}),
    ("duties-mentioning-keyword", {"keyword": "检查"}),
    ("first-responsible-persons", {"jurisdiction": "铜川镇"}),
    ("minimum-inspections-per-year", {"jurisdiction": "place:bazhong"}),
    ("post-provenance", {"post": "https://w3id.org/wsa/id/wuxi-towns-2021/post/main.government_head"}),
    ("sanctions-per-document", {"document": "https://w3id.org/wsa/id/benxi-hitech-2019"}),
    ("document-statistics", {"document": "https://w3id.org/wsa/id/benxi-hitech-2019"}),
]


def rows(store, name: str, values: dict[str, str]):
    saved = LIBRARY[name]
    result = run_query(store, saved.sparql, bindings=bind(store, saved, values))
    if result.kind == "ask":
        return result.boolean

    def py(t):
        if isinstance(t, Literal):
            v = t.toPython()
            if isinstance(v, (int, float, bool, Decimal)):
                return float(v) if isinstance(v, Decimal) else v
            # GROUP_CONCAT order is engine-defined: compare the concatenated values as a set
            return " | ".join(sorted(str(t).split(" | ")))
        return None if t is None else str(t)

    # an empty GROUP_CONCAT is "" on Virtuoso and unbound on pyoxigraph
    cleaned = [tuple(None if t == Literal("") else t for t in row) for row in result.rows]
    return sorted((tuple(py(t) for t in row) for row in cleaned), key=repr)


#: Each remote engine: the session fixture that pushes the project to a server of its own.
ENGINES = [
    pytest.param("remote_store", id="virtuoso", marks=pytest.mark.virtuoso),
    pytest.param("oxigraph_store", id="oxigraph", marks=pytest.mark.oxigraph),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name,values", [(n, {}) for n in LIBRARY] + CASES, ids=lambda x: x if isinstance(x, str) else "")
def test_remote_engine_agrees_with_the_embedded_engine(request, store, engine, name, values):
    if any(not p.optional and p.default is None and p.name not in values for p in LIBRARY[name].params):
        pytest.skip("needs a parameter (covered in CASES)")
    remote = request.getfixturevalue(engine)
    assert rows(remote, name, values) == rows(store, name, values)
