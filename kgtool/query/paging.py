"""Saved-query answers a page at a time, with the number of rows of the whole answer.

At a million triples a library-wide saved query gives tens of thousands of rows: more than a
terminal or a web page can show, and most of the time of an answer went into turning rows
nobody reads into rdflib terms. A page is asked of the engine as a window (`Store.query`'s
``offset`` and ``count``): only its rows are converted, the others only counted, so the CLI
and the web can say "rows 1–1,000 of 23,712" and how to get the next page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib.term import Identifier

from kgtool.errors import QueryError
from kgtool.query.answers import keep, kept
from kgtool.query.guard import check
from kgtool.settings import setting
from kgtool.store import Result, Store
from kgtool.store.results import window


@dataclass(frozen=True)
class Page:
    """Page ``number`` (from 1) of ``size`` rows of an answer of ``total`` rows.

    ``total`` is None when the engine could not count them (a remote endpoint that cut the
    answer at its own row limit); a result that is not a table (ASK, CONSTRUCT) is one page.
    """

    result: Result
    number: int
    size: int
    total: int | None

    @property
    def first(self) -> int:
        """1-based index of the page's first row (0 when the page is empty)."""
        return (self.number - 1) * self.size + 1 if self.result.rows else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.result.rows)

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.result.kind == "select" and (self.last < self.total if self.total is not None else self.result.truncated)

    @property
    def whole(self) -> bool:
        """The page is the whole answer: there is nothing to say about pages."""
        return self.number == 1 and not self.has_next

    def describe(self) -> str:
        """ "rows 1–1,000 of 23,712 (page 1 of 24)", for the CLI's note and the web page."""
        of = f" of {self.total:,}" if self.total is not None else ""
        pages = f" (page {self.number} of {self.pages:,})" if self.pages is not None else f" (page {self.number})"
        if not self.result.rows:
            return f"no rows on page {self.number}{of.replace(' of', ': the answer has') if of else ''}"
        return f"rows {self.first:,}–{self.last:,}{of}{pages}"


def page_size(value: int | None = None) -> int:
    """The rows of a page: ``value``, else the setting ``page_rows``, and never more than ``max_rows``.

    Raises:
        QueryError: the size is below 1.
    """
    size = int(setting("page_rows")) if value is None else value
    if size < 1:
        raise QueryError(f"a page holds at least one row, not {size}", where="--page-size")
    return min(size, int(setting("max_rows")))


def ask_page(
    store: Store, sparql: str, *, number: int, size: int, bindings: Mapping[str, Identifier] | None, timeout: float | None
) -> Page:
    """Page ``number`` of ``size`` rows asked of the engine, ``sparql`` already checked: its rows
    converted, the others counted (what `run_page` and the web's pages share).

    Raises:
        QueryError: ``number`` is below 1.
    """
    if number < 1:
        raise QueryError(f"pages are numbered from 1, not {number}", where="--page")
    result = store.query(sparql, bindings=bindings, timeout=timeout, max_rows=size, offset=(number - 1) * size, count=True)
    return Page(result, number, size, result.total)


def run_page(
    store: Store,
    sparql: str,
    *,
    number: int = 1,
    size: int | None = None,
    bindings: Mapping[str, Identifier] | None = None,
    timeout: float | None = None,
) -> Page:
    """Page ``number`` of the answer to ``sparql``, checked read-only and timed as `run_query`.

    Raises:
        QueryError: ``number`` is below 1, or the query is not read-only SPARQL.
        EngineError: the engine is unreachable or too slow.
    """
    check(sparql)
    return ask_page(
        store,
        sparql,
        number=number,
        size=page_size(size),
        bindings=bindings,
        timeout=timeout if timeout is not None else float(setting("query_timeout_s")),
    )


def saved_page(
    store: Store, sparql: str, *, number: int = 1, size: int | None = None, bindings: Mapping[str, Identifier] | None = None
) -> Page:
    """A page of a saved query's answer: cut from the answer the on-disk store keeps, if it
    keeps one (`kgtool.query.answers`), else asked of the engine and, when it is the whole
    answer, kept for next time."""
    rows = page_size(size)
    limit = int(setting("max_rows"))
    whole = kept(store, sparql, bindings, limit)
    if whole is None:
        page = run_page(store, sparql, number=number, size=rows, bindings=bindings)
        if page.whole:
            keep(store, sparql, bindings, limit, page.result)
        return page
    if number < 1:
        raise QueryError(f"pages are numbered from 1, not {number}", where="--page")
    cut, more, total = window(whole.rows, lambda row: row, offset=(number - 1) * rows, max_rows=rows, count=True)
    result = Result(kind=whole.kind, variables=whole.variables, rows=tuple(cut), boolean=whole.boolean, truncated=more, total=total)
    return Page(result, number, rows, total if whole.kind == "select" else None)
