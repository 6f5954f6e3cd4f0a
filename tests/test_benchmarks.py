"""Short runs of the benchmark scripts, so they cannot rot (the figures come from full runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_query_benchmark_prints_a_row_per_saved_query():
    out = subprocess.run(
        [sys.executable, "benchmarks/queries.py", "--sizes", "1", "--repeat", "1", "--budget", "1", "--timeout", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    names = {p.stem for p in (ROOT / "queries").glob("*.rq")}
    printed = {line.split()[2] for line in out.stdout.splitlines()[1:] if len(line.split()) > 2}
    assert {n[:44] for n in names} <= printed
    assert "(median ratio over the library)" in out.stdout


@pytest.mark.slow
def test_fuzz_script_runs_without_a_crash():
    out = subprocess.run(
        [sys.executable, "benchmarks/fuzz.py", "-max_total_time=10", "-rss_limit_mb=4096"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Done" in out.stderr and "ERROR" not in out.stderr


@pytest.mark.slow
def test_load_script_runs_with_zero_errors():
    out = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--clients", "3", "--duration", "3", "--heavy", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:] + out.stdout[-3000:]
    assert "light-client errors 0" in out.stdout and "p99 with runaway queries" in out.stdout


@pytest.mark.slow
def test_formats_benchmark_prints_a_row_per_format():
    out = subprocess.run(
        [sys.executable, "benchmarks/formats.py", "--runs", "1", "--formats", "txt,html,pdf"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows = {line.split()[0]: line.split()[1:] for line in out.stdout.splitlines()[1:]}
    assert set(rows) == {"txt", "html", "pdf"} and all(float(r[0]) > 0 for r in rows.values())
