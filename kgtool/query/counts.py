"""The counts per document, defined once: the saved query queries/document-statistics.rq.

`kgtool stats`, `kgtool ingest`, `kgtool query document-statistics` and the web's home and
document pages all take their numbers from that query, so a document shows one number per
count wherever it is shown; what each count counts is written in the query's header (and in
docs/queries.md), nowhere else. `kgtool compare --by structure` builds its graph from the same
definitions (tests/test_counts.py holds the views to one another).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef
from rdflib.term import Identifier

from kgtool.query.saved import SavedQuery, parse_file
from kgtool.store import EmbeddedStore, Result
from kgtool.store.summaries import with_summary

#: The saved query that defines the counts.
NAME = "document-statistics"
#: The counts it answers, in its column order.
KINDS = ("provisions", "bodies", "posts", "duties", "frequencies", "persons", "principles", "sanctions", "rewards", "mitigations")


def counts_query(root: Path) -> SavedQuery:
    """The saved query that defines the counts: the project's own, else the one kgtool came with
    (a project folder needs no more than ontology/ and data/)."""
    path = root / "queries" / f"{NAME}.rq"
    return parse_file(path if path.exists() else Path(__file__).resolve().parents[2] / "queries" / path.name)


def by_document(result: Result) -> dict[Identifier, dict[str, int]]:
    """The query's answer as ``{document: {kind: n}}``, every kind present."""
    return {row["document"]: {kind: int(str(row[kind])) for kind in KINDS} for row in result.dicts()}


def of_document(root: Path, turtle: bytes) -> dict[str, int]:
    """The counts of one document's Turtle read beside the ontology, with its summary (which the
    query reads): `kgtool ingest` shows them before the document is in any store."""
    store = with_summary(root, turtle, URIRef("urn:kgtool:ingested"), Path("<ingested document>"))
    (counted,) = by_document(EmbeddedStore(store).query(counts_query(root).sparql)).values()
    return counted
