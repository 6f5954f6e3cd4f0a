"""A bigger corpus for benchmarks: N copies of every document under new IRIs.

A plain multiplier (issue 3 asks for "a simple multiplier for now"): copy k of a document
gets the slug `<slug>-k<k>`, so queries see N times the documents with the same shapes.
Deterministic; the product's data is not touched.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/wsa/id/"


def copies(root: Path, n: int):
    """Yield (graph name, N-Triples text) for n copies of each data/<slug>.ttl."""
    from rdflib import Graph

    for path in sorted((root / "data").glob("*.ttl")):
        g = Graph().parse(path, format="turtle")
        nt = g.serialize(format="nt")
        if path.stem == "places":
            yield path.stem, nt
            continue
        for k in range(n):
            slug = path.stem if k == 0 else f"{path.stem}-k{k}"
            yield slug, nt.replace(f"<{ID}{path.stem}", f"<{ID}{slug}")


def write(root: Path, n: int, out: Path) -> int:
    """Write the corpus as one N-Quads file; returns the number of quads."""
    count = 0
    with out.open("w", encoding="utf-8") as f:
        for slug, nt in copies(root, n):
            graph = f"<https://w3id.org/wsa/graph/{slug}>"
            for line in nt.splitlines():
                if line.strip():
                    f.write(line.rstrip(" .") + f" {graph} .\n")
                    count += 1
    return count


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(f"{write(ROOT, args.copies, args.out)} quads", file=sys.stderr)
