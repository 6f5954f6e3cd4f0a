"""`scripts/setup` on Debian's own Python, which refuses `pip install` outside a virtual
environment (PEP 668, externally managed): it makes the project's environment and installs only
what serving needs, and `kgtool serve` from that environment answers a page.

It downloads kgtool's dependencies from PyPI into a new environment (a minute or two), so it runs
in CI (CI set) or when KGTOOL_SETUP_TEST=1 asks for it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
DEBIAN_PYTHON = Path("/usr/bin/python3")

pytestmark = pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("KGTOOL_SETUP_TEST")),
    reason="downloads the dependencies: runs in CI or with KGTOOL_SETUP_TEST=1",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def debian_python() -> Path:
    if not DEBIAN_PYTHON.exists():  # a bare machine: Debian's python3, as a user would have it
        subprocess.run([str(ROOT / ".ci" / "as-root"), "apt-get", "install", "-y", "-qq", "python3"], check=True)
    return DEBIAN_PYTHON


def test_debian_python_is_externally_managed(debian_python):
    """The premise: installing into Debian's own Python is refused."""
    markers = list(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"))
    if not markers:
        pytest.skip("this Debian python3 is not marked externally managed")
    refused = subprocess.run([str(debian_python), "-m", "pip", "install", "--dry-run", "six"], capture_output=True, text=True)
    assert refused.returncode != 0 and ("externally-managed" in refused.stderr or "No module named pip" in refused.stderr)


def test_setup_with_debian_python_then_serve_a_page(debian_python, tmp_path):
    venv = tmp_path / "venv"
    env = {**os.environ, "PYTHON": str(debian_python), "KGTOOL_VENV": str(venv)}
    setup = subprocess.run(["bash", "scripts/setup"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert setup.returncode == 0, setup.stderr[-3000:]
    assert (venv / "bin" / "kgtool").exists()
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True
    ).stdout.lower()
    assert "flask==" in installed and "pytest==" not in installed and "playwright==" not in installed
    port = free_port()
    server = subprocess.Popen(
        [str(venv / "bin" / "kgtool"), "serve", "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read()
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "kgtool serve did not answer within 120 s"
                time.sleep(0.5)
        assert page.status_code == 200
        assert "无锡市" in page.text  # the home page lists the five documents' jurisdictions
    finally:
        server.terminate()
        server.wait(timeout=30)
