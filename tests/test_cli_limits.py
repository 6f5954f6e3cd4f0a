"""The command line's limits hold: a runaway query stops at KGTOOL_QUERY_TIMEOUT_S with exit 3,
and Ctrl-C (SIGINT) stops a command at once with exit 130, even inside the engine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def kgtool(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kgtool", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env}
    )


def test_runaway_query_stops_at_the_time_limit_with_exit_3():
    proc = kgtool("sparql", CROSS_JOIN, KGTOOL_QUERY_TIMEOUT_S="1")
    try:
        out, err = proc.communicate(timeout=120)  # before the fix: still running after 460 s
    finally:
        proc.kill()
    assert proc.returncode == 3, err
    assert err.strip().splitlines() == [err.strip()], "one line, no traceback"
    assert "longer than 1 s" in err and "KGTOOL_QUERY_TIMEOUT_S" in err
    assert out == ""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
def test_ctrl_c_stops_a_query_inside_the_engine():
    proc = kgtool("sparql", CROSS_JOIN, KGTOOL_QUERY_TIMEOUT_S="600")
    try:
        time.sleep(6)  # past start-up: the engine is evaluating the join
        assert proc.poll() is None, proc.stderr.read()
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        proc.wait(timeout=30)
        waited = time.monotonic() - started
    finally:
        proc.kill()
    err = proc.stderr.read()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    print(f"stopped {waited:.2f} s after SIGINT")
