"""The reading rules in kgtool/read/rules/*.yaml: wordings that are not concepts of the ontology."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

FOLDER = Path(__file__).parent / "rules"


@cache
def load(name: str) -> dict:
    """One rules file (rules/<name>.yaml), read once."""
    return yaml.safe_load((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"))
