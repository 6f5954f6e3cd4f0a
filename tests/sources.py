"""The five documents as the tests read them: their normalised text, where the analyst's
reading of them (../shared/eval/gold.json, keyed by seed file name) lives, and a copy of the
project for tests that change it."""

from __future__ import annotations

import shutil
from pathlib import Path

from kgtool.read.normalise import decode, normalise

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
GOLD_FILE = ROOT.parent / "shared" / "eval" / "gold.json"
#: data/sources slug -> the seed file it is a copy of (its key in gold.json).
SEED_OF = {
    "mianyang-union-2020": "000_620791e9bb557492.txt",
    "bazhong-econ-2018": "001_f03bca6ef2ad7138.txt",
    "tongchuan-town-2022": "002_d3a56456c8c6c5ee.txt",
    "wuxi-towns-2021": "003_68c432a861733ac0.txt",
    "benxi-hitech-2019": "004_d271ee62dd998329.txt",
}


def normalised_text(path: Path) -> str:
    """A source file's normalised text, the one provenance offsets point into."""
    return normalise(decode(path.read_bytes(), where=str(path))).text


def copy_project(home: Path, parts: tuple[str, ...] = ("ontology", "data")) -> Path:
    """The project's folders copied under home (without an on-disk store), for a test to change."""
    for part in parts:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, home / part, ignore=shutil.ignore_patterns(".store*"))
    return home
