"""Duty types per duty in the built graph (data/*.ttl): the average per document and overall, how
many duties are `other`, and the duties with at least `--min` types, with their text.

    python scripts/duty_type_stats.py [--min 3] [--all] [--data data]

--all lists every duty with its types (to read them against the text).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rdflib import Graph, Namespace, URIRef

WSA = Namespace("https://w3id.org/wsa/ontology#")


def local(term: URIRef) -> str:
    return str(term).rsplit("/", 1)[-1]


def duties(path: Path) -> list[tuple[str, list[str], str]]:
    """(duty id, sorted type ids, text) of each wsa:Duty in one document's graph."""
    g = Graph().parse(path)
    out = []
    for d in g.subjects(None, WSA.Duty):
        types = sorted(local(t) for t in g.objects(d, WSA.dutyType))
        out.append((local(d), types, str(g.value(d, WSA.text) or "")))
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    ap.add_argument("--min", type=int, default=3, help="list duties with at least this many types")
    ap.add_argument("--all", action="store_true", help="list every duty with its types")
    args = ap.parse_args()
    total_duties = total_types = total_other = 0
    listed = []
    print(f"{'document':<24} {'duties':>6} {'types':>6} {'per duty':>8} {'other':>6}")
    for path in sorted(args.data.glob("*-20*.ttl")):
        rows = duties(path)
        n, t = len(rows), sum(len(types) for _, types, _ in rows)
        other = sum("other" in types for _, types, _ in rows)
        total_duties, total_types, total_other = total_duties + n, total_types + t, total_other + other
        print(f"{path.stem:<24} {n:>6} {t:>6} {t / n if n else 0:>8.3f} {other:>6}")
        listed += [(path.stem, *row) for row in rows if args.all or len(row[1]) >= args.min]
    avg = total_types / total_duties if total_duties else 0
    print(f"{'overall':<24} {total_duties:>6} {total_types:>6} {avg:>8.3f} {total_other:>6}")
    print()
    for doc, duty, types, text in listed:
        print(f"{doc} {duty} {','.join(types)}\n    {text}")


if __name__ == "__main__":
    main()
