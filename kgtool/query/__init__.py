"""The query stage: SPARQL asked of a store, safely, and the library of saved queries.

It takes a `kgtool.store.Store` and gives `Result`s: `guard` refuses what a read-only
service must not run (updates, SERVICE, local files) and bounds time and rows; `saved`
reads queries/*.rq with their typed parameters; `paging` gives a long answer a page at a
time with its row count; `answers` keeps saved-query answers in the
on-disk store; `counts` is the one definition of a document's counts
(queries/document-statistics.rq) that stats, ingest and the web show.
"""

from __future__ import annotations

from kgtool.query.guard import check, run_query
from kgtool.query.paging import Page, run_page

__all__ = ["Page", "check", "run_page", "run_query"]
