"""Time of writing each document's Turtle: kgtool.build.turtle against rdflib's serializer.

Why: build.turtle hands the triples, sorted, to pyoxigraph's serializer because rdflib's took
most of a build's time (issue 16); this shows what each costs on the five real documents.
`--baseline REV` also times `turtle` as kgtool/build.py had it at a git revision (3ea0f73 for the
hand-written writer it replaced). Each figure is the best of a few runs of the mean of several
calls, in ms; every writer's output is first checked to load into a store as the same triples.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kgtool.build import build_one, context, sources, turtle
from kgtool.read.extract import Triples
from kgtool.vocab import PREFIXES

ROOT = Path(__file__).resolve().parent.parent


def at_revision(rev: str) -> Callable[[Triples], bytes]:
    """`turtle` from kgtool/build.py at a git revision, loaded beside today's modules."""
    source = subprocess.run(["git", "show", f"{rev}:kgtool/build.py"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    module = types.ModuleType(f"kgtool_build_{rev}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:kgtool/build.py", "exec"), module.__dict__)
    return module.turtle


def best_ms(write: Callable[[], object], calls: int, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(calls):
            write()
        times.append((time.perf_counter() - started) / calls)
    return min(times) * 1000


def parsed(data: bytes) -> set[str]:
    """The triples as the store holds them: numbers by value, so rdflib's 4.0 for "4"^^xsd:decimal
    counts as the same triple."""
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.TURTLE)
    return {str(quad.triple) for quad in store}


def writers(
    triples: Triples, baseline: Callable[[Triples], bytes] | None, rev: str | None
) -> dict[str, tuple[Callable[[], object], float]]:
    """name -> (a call that writes this document's Turtle, its share of --calls)."""
    graph = triples.graph()
    ordered = list(ox.parse(turtle(triples), format=ox.RdfFormat.TURTLE))  # build.turtle's order
    found: dict[str, tuple[Callable[[], object], float]] = {}
    if baseline is not None:
        found[f"turtle@{rev}"] = (lambda: baseline(triples), 1)
    found["rdflib graph+serialize"] = (lambda: triples.graph().serialize(format="turtle", encoding="utf-8"), 0.2)
    found["rdflib serialize"] = (lambda: graph.serialize(format="turtle", encoding="utf-8"), 0.2)
    found["build.turtle"] = (lambda: turtle(triples), 1)
    found["ox.serialize alone"] = (lambda: ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES), 1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="REV", help="also time build.turtle at this git revision")
    parser.add_argument("--calls", type=int, default=10, help="calls per run (rdflib: a fifth of them)")
    parser.add_argument("--runs", type=int, default=5, help="runs; the best is printed")
    args = parser.parse_args()

    lexicon, places = context(ROOT)
    baseline = at_revision(args.baseline) if args.baseline else None
    rows: list[tuple[str, int, dict[str, float]]] = []
    for path in sources(ROOT):
        built = build_one(path, ROOT, lexicon, places)
        expected = parsed(built.turtle)
        times = {}
        for name, (call, share) in writers(built.triples, baseline, args.baseline).items():
            assert parsed(call()) == expected, f"{name} writes other triples for {built.slug}"
            times[name] = best_ms(call, max(1, round(args.calls * share)), args.runs)
        rows.append((built.slug, len(expected), times))
    names = list(rows[0][2])
    rows.append(("total", sum(r[1] for r in rows), {n: sum(r[2][n] for r in rows) for n in names}))

    width = max(len(r[0]) for r in rows)
    print(f"{'document':<{width}} {'triples':>7} " + " ".join(f"{n:>22}" for n in names) + "   (ms per document)")
    for slug, count, times in rows:
        print(f"{slug:<{width}} {count:>7} " + " ".join(f"{times[n]:>22.2f}" for n in names))
    total = rows[-1][2]
    print("\ntotal / build.turtle: " + ", ".join(f"{n} {total[n] / total['build.turtle']:.2f}x" for n in names))


if __name__ == "__main__":
    main()
