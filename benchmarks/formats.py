"""Documents per second of `build_one` for each published format, beside the plain text.

Why: a web page, DOCX, DOC or PDF costs a reader in a child process (and, for DOC/WPS, a
LibreOffice start) before the same pipeline runs; this shows what each format adds to an
ingest or a build. The five documents of tests/data/published/ are read in each format; the
figure is the best of a few runs (less noise than a mean), with the reading alone beside it.

    python benchmarks/formats.py [--runs 3] [--formats txt,html,docx,doc,pdf]
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from kgtool.build import build_one, context
from kgtool.read.formats import read_text

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "tests" / "data" / "published"
SLUGS = sorted(p.stem for p in (ROOT / "data" / "sources").glob("*.txt"))


def files(extension: str) -> list[Path]:
    folder = ROOT / "data" / "sources" if extension == "txt" else PUBLISHED
    return [folder / f"{slug}.{extension}" for slug in SLUGS]


def timed(paths: list[Path], run: Callable[[Path], object]) -> float:
    """Documents per second of one pass over paths."""
    started = time.perf_counter()
    for path in paths:
        run(path)
    return len(paths) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per format; the best is printed")
    parser.add_argument("--formats", default="txt,html,docx,doc,pdf", help="comma-separated extensions")
    args = parser.parse_args()
    lexicon, places = context(ROOT)
    build_one(files("txt")[0], ROOT, lexicon, places)  # warm-up: lexicon matchers, OpenCC
    print(f"{'format':<8}{'documents/s':>14}{'ms/document':>14}{'reading alone, ms':>20}")
    for extension in args.formats.split(","):
        if extension == "doc" and shutil.which("soffice") is None:
            print(f"{extension:<8}{'(LibreOffice not installed)':>48}")
            continue
        paths = files(extension)
        runs = max(1, args.runs if extension != "doc" else min(args.runs, 2))
        built = max(timed(paths, lambda p: build_one(p, ROOT, lexicon, places, slug=p.stem)) for _ in range(runs))
        read = max(timed(paths, lambda p: read_text(p.read_bytes(), where=str(p))) for _ in range(runs))
        print(f"{extension:<8}{built:>14.1f}{1000 / built:>14.0f}{1000 / read:>20.0f}")


if __name__ == "__main__":
    main()
