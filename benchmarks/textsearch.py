"""Text search through the FTS5 index (kgtool.store.textindex) against the SPARQL CONTAINS scan.

Why: the web search used to scan every label and duty text with
``FILTER(CONTAINS(LCASE(STR(?text)), LCASE(?q)))``, about half a second at a million
triples; the index is meant to answer in milliseconds with exactly the same hits. This
prints, for one project root, the index build time and size, then for queries of 1, 2, 3
and 4+ characters (frequent and rare, Chinese and Latin) the median and p99 latency of the
index search and of the scan in the same run, their ratio and the hit counts (which must
agree). ``--web`` adds the whole web search (hits plus facets) both ways.

    python benchmarks/textsearch.py                          # this checkout's five documents
    python benchmarks/textsearch.py --root /tmp/w/size-200   # a generated 1M-triple project
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queries import p99  # noqa: E402

#: (label, query): frequent and rare, by length.
QUERIES = (
    ("1 char, frequent", "安"),
    ("1 char, rare", "危"),
    ("2 chars, frequent", "安全"),
    ("2 chars", "检查"),
    ("2 chars, rare", "季度"),
    ("3 chars", "责任人"),
    ("4 chars, frequent", "安全生产"),
    ("5 chars", "每季度至少"),
    ("8 chars, rare", "党政同责一岗双责"),
    ("Latin, mixed case", "Safety"),
    ("absent", "没有这样的词语"),
)

SCAN = """
SELECT ?s ?p ?text WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel foaf:name dcterms:title wsa:text }
  ?s ?p ?text .
  FILTER(isIRI(?s) && isLITERAL(?text) && (DATATYPE(?text) = xsd:string || LANG(?text) != "")
         && CONTAINS(LCASE(STR(?text)), LCASE(?q)))
}"""


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project root (ontology/ and data/)")
    parser.add_argument("--repeat", type=int, default=50, help="runs of each index search")
    parser.add_argument("--scan-repeat", type=int, default=7, help="runs of each SPARQL scan")
    parser.add_argument("--web", action="store_true", help="also time the whole web search both ways")
    args = parser.parse_args(argv)

    from rdflib import Literal

    from kgtool.store import open_store, textindex

    t0 = time.perf_counter()
    store = open_store(endpoint="", root=args.root)
    print(f"root {args.root}: {len(store.ox):,} quads, loaded in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    memory = textindex.build_index(store.ox, None)
    print(f"in-memory index: {len(memory):,} literals, built in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "text.sqlite"
        t0 = time.perf_counter()
        index = textindex.build_index(store.ox, path)
        print(f"on-disk index: built in {time.perf_counter() - t0:.1f} s, {path.stat().st_size / 1e6:.1f} MB")

        head = (
            f"{'query':<20} {'hits':>7} | {'index ms med':>12} {'p99':>7} | {'limit 500 med':>13} "
            f"{'p99':>7} | {'scan ms med':>11} {'p99':>7} | {'scan/index':>10} | q"
        )
        print(head)
        print("-" * len(head))
        for label, q in QUERIES:
            t_idx, hits = timed(lambda: index.search(q), args.repeat)
            t_lim, _ = timed(lambda: index.search(q, limit=500), args.repeat)
            t_scan, scan = timed(lambda: store.query(SCAN, bindings={"q": Literal(q)}, timeout=600), args.scan_repeat)
            if len(scan.rows) != len(hits):
                print(f"MISMATCH for {q!r}: index {len(hits)} hits, scan {len(scan.rows)}")
            med = statistics.median(t_idx)
            print(
                f"{label:<20} {len(hits):>7} | {med:>12.2f} {p99(t_idx):>7.2f} | "
                f"{statistics.median(t_lim):>13.2f} {p99(t_lim):>7.2f} | {statistics.median(t_scan):>11.1f} "
                f"{p99(t_scan):>7.1f} | {statistics.median(t_scan) / max(med, 1e-6):>9.0f}x | {q}"
            )

        if args.web:
            from kgtool.web import lookup
            from kgtool.web.site import Site

            site = Site(root=args.root, endpoint=None, store=store, timeout=600.0, max_rows=2_000_000)
            store.text_index = index
            print(f"\n{'web search':<20} {'total':>7} | {'index ms med':>12} | {'scan ms med':>11} | q")
            for label, q in QUERIES:
                t_web, found = timed(lambda: lookup.search(site, q, {}), 3)
                t_old, _ = timed(lambda: _scan_search(lookup, site, q), 1)
                print(f"{label:<20} {found['total']:>7} | {statistics.median(t_web):>12.1f} | {statistics.median(t_old):>11.1f} | {q}")
            del store.text_index
        index.close()
    memory.close()
    store.close()
    return 0


def _scan_search(lookup, site, q):
    """The web search as it was: the SPARQL scan branch."""
    real = lookup.textindex.index_for
    lookup.textindex.index_for = lambda store: None
    try:
        return lookup.search(site, q, {})
    finally:
        lookup.textindex.index_for = real


if __name__ == "__main__":
    raise SystemExit(main())
