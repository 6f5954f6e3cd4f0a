"""Coverage-guided fuzzing (atheris) of the text entry points: decode, normalise, parse, extract.

    python benchmarks/fuzz.py -max_total_time=60        # libFuzzer flags pass through

Any exception other than kgtool's own SourceError is a crash: atheris stops and writes the
input to crash-<hash>; turn it into a regression test in tests/test_structure.py.
The seeds are the five real documents, so mutations stay close to the kind of text we read.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports():
    from kgtool.build import context
    from kgtool.errors import SourceError
    from kgtool.read.extract import extract
    from kgtool.read.normalise import decode, normalise
    from kgtool.read.structure import parse

LEXICON, PLACES = context(ROOT)
RUNS = [0]


def one(data: bytes) -> None:
    RUNS[0] += 1
    try:
        text = decode(data, where="fuzz")
    except SourceError:
        return
    norm = normalise(text)
    assert len(norm.offsets) == len(norm.text) + 1
    tree = parse(norm.text)
    for p in tree.walk():
        assert 0 <= p.char_start <= p.char_end <= len(norm.text)
    if len(data) < 20000:
        extract("fuzz", norm.text, tree, LEXICON, PLACES)


def main() -> None:
    corpus = Path(tempfile.mkdtemp(prefix="kgtool-fuzz-"))
    for path in (ROOT / "data" / "sources").glob("*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    args = [a for a in sys.argv if a.startswith("-")] or ["-max_total_time=60"]
    atheris.Setup([sys.argv[0], *args, str(corpus)], one)
    try:
        atheris.Fuzz()
    finally:
        print(f"fuzz: {RUNS[0]} inputs, no crash", file=sys.stderr)


if __name__ == "__main__":
    main()
