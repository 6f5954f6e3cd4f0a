"""ruff finds nothing and formats nothing: the rules and their reasons are in pyproject.toml
([tool.ruff]).

Run `python -m ruff check .` from the project root to see the findings,
`python -m ruff check --fix .` for the safe fixes, and `python -m ruff format .` to format.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff(*args: str) -> subprocess.CompletedProcess:
    if importlib.util.find_spec("ruff") is None:
        if os.environ.get("CI"):
            pytest.fail("ruff is not installed, and CI must lint: pip install -e '.[test]'")
        pytest.skip("ruff is not installed (pip install -e '.[test]'); CI runs this check")
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing():
    done = _ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert done.returncode == 0, f"ruff check found problems:\n{done.stdout}{done.stderr}"


def test_ruff_format_changes_nothing():
    done = _ruff("format", "--no-cache", "--check", ".")
    assert done.returncode == 0, f"files ruff would format (run `python -m ruff format .`):\n{done.stdout}{done.stderr}"
