"""Documents per second of `build_one` on the real sources, as `benchmarks/run.py` phase_build measures it.

Why: extraction speed decides how fast `kgtool build` and `kgtool ingest` answer; this is the
quick check to run after touching normalise/structure/lexicon/extract/build, without the
rest of the benchmark suite. Prints the best of a few runs (less noise than a mean).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kgtool.build import build_one, context, sources

ROOT = Path(__file__).resolve().parent.parent


def documents_per_s(rounds: int) -> float:
    """One timed run: every source, `rounds` times, after one warm-up build."""
    lexicon, places = context(ROOT)
    files = sources(ROOT)
    build_one(files[0], ROOT, lexicon, places)
    started = time.perf_counter()
    for _ in range(rounds):
        for path in files:
            build_one(path, ROOT, lexicon, places)
    return rounds * len(files) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="passes over the sources per run")
    parser.add_argument("--runs", type=int, default=3, help="runs; the best is printed")
    args = parser.parse_args()
    best = max(documents_per_s(args.rounds) for _ in range(args.runs))
    print(f"{best:.1f} documents/s")


if __name__ == "__main__":
    main()
