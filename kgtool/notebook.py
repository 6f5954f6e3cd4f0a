"""kgtool for analysts in notebooks: the graph's answers as pandas DataFrames, a name beside each IRI.

The same stages the CLI wires to commands, wired to Python calls that give DataFrames::

    import kgtool
    kg = kgtool.open()                                    # this project ($KGTOOL_HOME, $KGTOOL_ENDPOINT)
    kg.documents()                                        # one row per document, with its counts
    kg.queries()                                          # the saved-query library
    kg.query("first-responsible-persons", jurisdiction="铜川镇")
    kg.query("SELECT ?post ?role WHERE { ?post org:role ?role }")   # ad-hoc, read-only
    kg.compare(by="frequency")                            # a comparison as one long table
    kg.compare_tables(by="roles")                         # the tables `kgtool compare` prints

pandas is an optional extra (``pip install kgtool[notebook]``): it is imported here only, when
a project is opened, so ``import kgtool`` works without it. Saved queries bind their typed
parameters through `kgtool.query.saved` (labels such as 无锡市 are looked up, never spliced
into the text) and keep their answers with the on-disk store, as the CLI does; ad-hoc SPARQL
goes through the read-only guard of `kgtool.query.run_query`. Errors are `KgtoolError`s with
the parameter or query they are about, as on the command line.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import warnings
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from kgtool import labels as names
from kgtool.compare.model import Term
from kgtool.compare.output import comparison_tables
from kgtool.errors import KgtoolError, QueryError, SourceError
from kgtool.query import run_query
from kgtool.query.answers import answer
from kgtool.query.counts import KINDS, by_document, counts_query
from kgtool.query.saved import SavedQuery, bind, library, parse_file, synopsis
from kgtool.render import NAME_SUFFIXES
from kgtool.settings import project_root, setting
from kgtool.store import Result, Store, open_store

if TYPE_CHECKING:
    import pandas

__all__ = ["Project", "open"]

#: What to install when pandas is missing.
EXTRA = "pip install kgtool[notebook]"
#: The saved query `Project.documents` lists documents with.
DOCUMENTS_QUERY = "policy-documents"


def _pandas():
    try:
        import pandas
    except ImportError:
        raise KgtoolError("the notebook API needs pandas, which is not installed", where="kgtool.open", hint=EXTRA) from None
    return pandas


def open(folder_or_endpoint: str | os.PathLike[str] | None = None) -> Project:
    """Open a project folder or a SPARQL endpoint for questions that answer in DataFrames.

    Args:
        folder_or_endpoint: a project folder (holding ontology/ and data/, and queries/ for
            the saved queries), an ``http(s)://`` SPARQL 1.1 endpoint (saved queries then come
            from this project's queries/), or None: $KGTOOL_ENDPOINT if set, else the project
            kgtool runs in ($KGTOOL_HOME, or this checkout).

    Raises:
        KgtoolError: pandas is missing (naming ``pip install kgtool[notebook]``), the folder
            is not a project, or the endpoint is not an http(s) URL.

    >>> kg = open()
    >>> sorted(kg.documents()["jurisdictionLabel"])
    ['巴中市', '无锡市', '本溪高新区', '绵阳市', '铜川镇']
    >>> kg.close()
    """
    _pandas()
    target = os.fspath(folder_or_endpoint) if folder_or_endpoint is not None else None
    if target is not None and re.match(r"^https?://", target, re.IGNORECASE):
        return Project(open_store(endpoint=target), project_root(), target)
    if target is None:
        root = project_root()
        store = open_store(root=root)
        return Project(store, root, getattr(store, "endpoint", None) or str(root))
    root = Path(target).expanduser().resolve()
    if not root.is_dir():
        raise SourceError(
            f"{target} is not a folder",
            where="kgtool.open",
            hint="give a project folder (with ontology/ and data/) or an http(s):// SPARQL endpoint",
        )
    return Project(open_store(endpoint="", root=root), root, str(root))


class Project:
    """A store and its saved-query library; every answer a DataFrame (ASK: a bool).

    IRIs are strings; numbers, booleans and dates are Python values; other literals are their
    text. After each IRI column the query does not name itself (no ``?xLabel``, ``?xZh`` …
    beside ``?x``) comes a column ``xLabel`` with the resource's name, as in the CLI's tables.
    """

    def __init__(self, store: Store, root: Path, where: str):
        self.store, self.root, self.where = store, root, where

    def __repr__(self) -> str:
        return f"<kgtool project {self.where}>"

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store (an on-disk store is locked while open)."""
        self.store.close()

    # -- the saved-query library ------------------------------------------------------------

    def _library(self) -> dict[str, SavedQuery]:
        return library(self.root / "queries")

    def queries(self) -> pandas.DataFrame:
        """The saved queries: name, titles, parameters (``name=default``, ``[optional]``), tags.

        Example: ``library = kg.queries(); library[library["name"].str.contains("frequency")]``.
        """
        pd = _pandas()
        rows = [
            {
                "name": q.name,
                "title_zh": q.title_zh,
                "title_en": q.title_en,
                "params": " ".join(map(synopsis, q.params)),
                "tags": ", ".join(q.tags),
                "description": q.description,
            }
            for q in self._library().values()
        ]
        return pd.DataFrame(rows, columns=["name", "title_zh", "title_en", "params", "tags", "description"])

    def query(self, name_or_sparql: str, /, **params: Any) -> pandas.DataFrame | bool:
        """A saved query by name, or ad-hoc read-only SPARQL, as a DataFrame (ASK: a bool).

        A saved query's parameters are its typed ones (`queries`): a resource is given as an
        IRI, a prefixed name (``role:safety_deputy``) or a label (``无锡市``); one left out
        takes its default. Ad-hoc SPARQL may bind its variables too: ``**params`` are bound as
        RDF terms (a str is a literal; pass ``rdflib.URIRef`` for an IRI). CONSTRUCT and
        DESCRIBE answer with ``subject``, ``predicate``, ``object`` columns.

        Examples: ``kg.query("duties-of-role", role="role:safety_deputy", jurisdiction="无锡市")``,
        ``kg.query("SELECT ?p WHERE { ?p a wsa:Post ; org:role ?r }", r=URIRef(...))``.

        Raises:
            QueryError: an unknown query name (with the closest names), an unknown parameter,
                a value of the wrong type or naming nothing, or SPARQL that is not read-only.
            EngineError: the engine is unreachable or the query ran out of time.
        """
        return self._frame(self._result(name_or_sparql, params), name_or_sparql)

    def _result(self, name_or_sparql: str, params: dict[str, Any]) -> Result:
        saved = self._library()
        if name_or_sparql in saved:
            query = saved[name_or_sparql]
            bindings = self._bind(query, params)
            limit = int(setting("max_rows"))
            result = answer(
                self.store,
                query.sparql,
                bindings,
                limit,
                run=lambda: run_query(self.store, query.sparql, bindings=bindings, max_rows=limit),
            )
        elif _looks_like_sparql(name_or_sparql):
            result = run_query(self.store, name_or_sparql, bindings=_terms(name_or_sparql, params))
        else:
            close = difflib.get_close_matches(name_or_sparql, list(saved), n=3, cutoff=0.5)
            raise QueryError(
                f"no saved query {name_or_sparql!r}",
                where="query",
                hint=(f"did you mean {', '.join(close)}? " if close else "") + "kg.queries() lists them",
            )
        return result

    def _bind(self, query: SavedQuery, params: dict[str, Any]) -> dict[str, Identifier]:
        values = {}
        for key, value in params.items():
            if value is None:
                continue
            if isinstance(value, (list, tuple, set, dict)):
                raise QueryError(f"one value per parameter, not a {type(value).__name__}", where=f"parameter {key}")
            values[key] = str(value).lower() if isinstance(value, bool) else str(value)
        try:
            return bind(self.store, query, values)
        except QueryError as exc:
            where = (exc.where or "").replace("--param ", "parameter ")
            raise QueryError(exc.message, where=f"{query.name}: {where}" if where else query.name, hint=exc.hint) from None

    # -- documents and comparisons ----------------------------------------------------------

    def documents(self) -> pandas.DataFrame:
        """One row per policy document: title, 文号, date, issuer, jurisdiction, province, and the
        counts of `kgtool stats` (provisions, posts, duties …), all defined by saved queries."""
        if DOCUMENTS_QUERY in self._library():
            listed = self._result(DOCUMENTS_QUERY, {})
        else:  # a project folder without the query: the one kgtool came with, as for the counts
            query = parse_file(Path(__file__).resolve().parent.parent / "queries" / f"{DOCUMENTS_QUERY}.rq")
            listed = run_query(self.store, query.sparql)
        docs = self._table(listed, DOCUMENTS_QUERY)
        counted = by_document(self._counts())
        pd = _pandas()
        counts = pd.DataFrame([{"document": str(doc), **n} for doc, n in counted.items()], columns=["document", *KINDS])
        return docs.merge(counts, on="document", how="left")

    def _counts(self) -> Result:
        query = counts_query(self.root)
        limit = int(setting("max_rows"))
        return answer(self.store, query.sparql, None, limit, run=lambda: run_query(self.store, query.sparql, max_rows=limit))

    def compare(
        self, by: str = "roles", jurisdictions: Sequence[str] | None = None, *, diff: bool = False, include_bodies: bool = True
    ) -> pandas.DataFrame:
        """A comparison across jurisdictions as one long table, ids with zh and en labels (the
        CSV of ``kgtool compare --by BY``).

        ``by``: roles, labels, frequency, principles, structure or similarity;
        ``jurisdictions``: document ids or place names (all documents if None); ``diff``: what
        one of two jurisdictions demands that the other does not. Example:
        ``kg.compare(by="frequency").query("action == 'meeting'")``.
        """
        tables = comparison_tables(self.store, jurisdictions, by, diff=diff, include_bodies=include_bodies)
        return _section_frame(tables.long)

    def compare_tables(
        self, by: str = "roles", jurisdictions: Sequence[str] | None = None, *, diff: bool = False, include_bodies: bool = True
    ) -> dict[str, pandas.DataFrame]:
        """The tables ``kgtool compare --by BY`` prints (a jurisdiction per column), by title;
        each DataFrame's ``attrs["note"]`` is the note printed under it."""
        tables = comparison_tables(self.store, jurisdictions, by, diff=diff, include_bodies=include_bodies)
        return {section.title: _section_frame(section) for section in tables.sections}

    # -- answers as DataFrames ----------------------------------------------------------------

    def _frame(self, result: Result, asked: str) -> pandas.DataFrame | bool:
        return bool(result.boolean) if result.kind == "ask" else self._table(result, asked)

    def _table(self, result: Result, asked: str) -> pandas.DataFrame:
        """A SELECT's rows, or a graph's triples, as a DataFrame with label columns."""
        if result.kind == "ask":
            raise QueryError("an ASK query answers yes or no, not a table", where=asked)
        if result.kind == "graph":
            assert result.graph is not None  # a graph result always carries its graph
            variables: tuple[str, ...] = ("subject", "predicate", "object")
            rows: Sequence[tuple[Any, ...]] = sorted(result.graph, key=lambda t: tuple(map(str, t)))
        else:
            variables, rows = result.variables, result.rows
        columns = {v: [row[i] for row in rows] for i, v in enumerate(variables)}
        named = {v for v in variables if any(v + s in columns for s in NAME_SUFFIXES)}
        iris = {t for v in variables if v not in named for t in columns[v] if isinstance(t, URIRef)}
        found = names.in_store(self.store, iris) if iris else {}
        out: dict[str, list[Any]] = {}
        for v in variables:
            out[v] = [_value(t) for t in columns[v]]
            label = f"{v}Label"
            if v not in named and label not in columns and any(t in found for t in columns[v]):
                out[label] = [found.get(t) if isinstance(t, URIRef) else None for t in columns[v]]
        frame = _pandas().DataFrame(out, columns=list(out))
        frame.attrs.update(query=asked, truncated=result.truncated)
        if result.truncated:
            warnings.warn(f"the answer was cut at the row limit ({len(rows)} rows; KGTOOL_MAX_ROWS)", stacklevel=3)
        return frame


def _looks_like_sparql(text: str) -> bool:
    """A query text rather than a saved query's name (names are single words with hyphens).

    >>> _looks_like_sparql("ASK { ?s ?p ?o }"), _looks_like_sparql("first-responsible-persons")
    (True, False)
    """
    return bool(re.search(r"[\s{]", text.strip()))


def _terms(sparql: str, params: dict[str, Any]) -> dict[str, Identifier]:
    """Ad-hoc bindings as RDF terms, each for a variable the query has."""
    out: dict[str, Identifier] = {}
    for key, value in params.items():
        if not re.search(rf"[?$]{re.escape(key)}\b", sparql):
            raise QueryError(f"the query has no variable ?{key}", where=f"parameter {key}")
        if isinstance(value, Identifier):
            out[key] = value
        elif isinstance(value, (str, bool, int, float, Decimal, datetime.date)):
            out[key] = Literal(value)
        else:
            raise QueryError(
                f"cannot bind a {type(value).__name__}",
                where=f"parameter {key}",
                hint="give a str, number, date or rdflib term (URIRef for an IRI)",
            )
    return out


def _value(term: Any) -> Any:
    """A cell: IRIs as strings, numbers, booleans and dates as Python values, other literals as text.

    >>> _value(URIRef("https://w3id.org/wsa/id/x")), _value(Literal("4", datatype="http://www.w3.org/2001/XMLSchema#decimal"))
    ('https://w3id.org/wsa/id/x', 4.0)
    """
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, (bool, int, float, datetime.date)):
            return value
    return str(term)


def _section_frame(section: Any) -> pandas.DataFrame:
    """A comparison table as a DataFrame: terms as "中文 / English", decimals as floats."""

    def cell(value: Any) -> Any:
        if isinstance(value, Term):
            return value.text
        return float(value) if isinstance(value, Decimal) else value

    frame = _pandas().DataFrame([tuple(map(cell, row)) for row in section.rows], columns=list(section.headers))
    frame.attrs.update(title=section.title, note=section.note)
    return frame
