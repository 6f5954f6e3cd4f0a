"""The web server under load (issue 15): cached pages answered in front of the app, several
server processes on one socket (`kgtool serve --workers N`), and the latency benchmark's floor.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from kgtool.settings import project_root
from kgtool.web import create_app

ROOT = project_root()
HTML = {"Accept": "text/html"}
PAGES = ("/queries/policy-documents", "/id/wuxi-towns-2021", "/id/wuxi-towns-2021?format=turtle")


class Broken:
    """A store that fails at everything: a page it answers did not come from the store."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the store was touched ({name})")


def in_thread(call, timeout: float = 20.0):
    """``call()`` in another thread, failing if it does not finish in time (a lock it waits for)."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(call()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert out, "the request waited (for a lock this thread holds?)"
    return out[0]


def test_cached_page_is_answered_without_the_store_or_its_locks():
    from kgtool.store import PARSE_LOCK

    app = create_app({"ROOT": ROOT, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    site = app.extensions["kgtool"]
    store = site.store
    try:
        client = app.test_client()
        first = {url: client.get(url, headers=HTML) for url in PAGES}
        assert all(r.status_code == 200 for r in first.values())
        site.store = Broken()
        with site._lock, site._report_lock, PARSE_LOCK:
            for url, before in first.items():
                again = in_thread(lambda url=url: client.get(url, headers=HTML))
                assert again.status_code == 200 and again.data == before.data
                assert again.headers["ETag"] == before.headers["ETag"]
                assert again.headers["Content-Security-Policy"] == before.headers["Content-Security-Policy"]
                conditional = {**HTML, "If-None-Match": before.headers["ETag"]}
                same = in_thread(lambda url=url, conditional=conditional: client.get(url, headers=conditional))
                assert same.status_code == 304 and not same.data and same.headers["ETag"] == before.headers["ETag"]
                head = in_thread(lambda url=url: client.head(url, headers=HTML))
                assert head.status_code == 200 and not head.data
                assert head.headers["Content-Length"] == str(len(before.data))
        # what the request says is part of the key: another language is another page, made by the app
        assert client.get(PAGES[0], headers={**HTML, "Accept-Language": "en"}).status_code == 500
        assert client.post("/sparql", data={"query": "ASK {}"}).status_code != 200  # never from the cache
        site.responses.clear()  # the data changed: nothing is answered from before
        assert client.get(PAGES[0], headers=HTML).status_code == 500
    finally:
        site.store = store
        site.close()


def test_front_cache_keeps_answers_only_while_their_entry_is_kept():
    from kgtool.web.cache import Answer, Entry, ResponseCache

    cache = ResponseCache(max_entries=2, max_bytes=100)
    entries = [Entry(status=200, headers=(), body=b"x" * 10, etag=str(i), inline_styles=False) for i in range(3)]
    for i, entry in enumerate(entries[:2]):
        cache.put((i,), entry)
        cache.keep_answer(("GET", i), Answer(key=(i,), entry=entry, status="200 OK", headers=(), source=None))
    assert cache.answer(("GET", 0)) is not None and cache.answer(("GET", 1)) is not None
    cache.put((2,), entries[2])  # pushes out the least recently used entry, (0,) ... its answer goes with it
    assert cache.answer(("GET", 0)) is None and cache.answer(("GET", 1)) is not None
    cache.keep_answer(("GET", 9), Answer(key=(0,), entry=entries[0], status="200 OK", headers=(), source=None))
    assert cache.answer(("GET", 9)) is None  # an answer whose entry is gone is not kept


# --- kgtool serve --workers ---------------------------------------------------------------


def children_of(pid: int) -> set[int]:
    """Every live descendant of a process (from /proc; zombies count as gone)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {p for p, pp in parents.items() if pp == parent}
        found |= kids
        todo += kids
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def process_of(url: str) -> str:
    request = urllib.request.Request(url, headers={"Connection": "close", **HTML})
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.status == 200
        return r.headers["X-Kgtool-Process"]


@pytest.mark.slow
def test_serve_with_two_workers_answers_from_both_and_stops_them_all(tmp_path: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "kgtool", "serve", "--workers", "2", "--port", "0"],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    assert proc.stderr is not None
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()  # type: ignore[arg-type]
    try:
        deadline = time.monotonic() + 120
        while not any("serving" in line for line in lines):
            assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
        base = re.search(r"serving (http://127\.0\.0\.1:\d+)/", "".join(lines)).group(1)  # type: ignore[union-attr]
        assert "2 processes" in "".join(lines)
        workers = {p for p in children_of(proc.pid) if _parent(p) == proc.pid}
        assert len(workers) == 2
        seen = {int(process_of(base + "/queries/policy-documents")) for _ in range(40)}
        assert seen == workers  # both answer, and nothing else does
        everything = children_of(proc.pid)  # the servers, their query workers and gap report processes

        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)  # one dies: it is reported and the other keeps serving
        while not any(f"server process {victim} stopped (signal 9); 1 of 2 still serving" in line for line in lines):
            assert time.monotonic() < deadline + 30, "".join(lines)
            time.sleep(0.2)
        assert int(process_of(base + "/")) in workers - {victim}

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, "".join(lines)
        time.sleep(1.0)
        assert not [p for p in everything if alive(p)], "left behind"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_serve_refuses_fewer_than_one_worker_and_review_with_several():
    from kgtool.errors import KgtoolError
    from kgtool.web.serve import serve

    with pytest.raises(KgtoolError, match="at least 1"):
        serve(port=0, root=ROOT, workers=0)
    with pytest.raises(KgtoolError, match="several processes"):
        serve(port=0, root=ROOT, workers=2, config={"REVIEW": True})


def test_cli_refuses_zero_workers_in_one_line():
    from click.testing import CliRunner

    from kgtool.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--workers", "0"], env={"KGTOOL_HOME": str(ROOT)})
    assert result.exit_code == 2 and "--workers" in result.output and "Traceback" not in result.output


# --- the benchmark's floor ----------------------------------------------------------------


@pytest.mark.slow
def test_web_latency_prints_kgtool_beside_its_floor():
    out = subprocess.run(
        [sys.executable, "benchmarks/web_latency.py", "--clients", "3", "--requests", "4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows = {line.split()[0]: line.split() for line in out.stdout.splitlines() if line.strip()}
    for kind in ("resource", "saved-query", "sparql", "all", "floor"):
        assert len(rows[kind]) == 7 and float(rows[kind][4]) > 0, out.stdout  # n errors median p99 max req/s
    assert int(rows["floor"][1]) == 12 and int(rows["floor"][2]) == 0
    ratios = re.search(r"^vs-floor throughput ([\d.]+) p50 ([\d.]+) p99 ([\d.]+)$", out.stdout, re.M)
    assert ratios and all(float(r) > 0 for r in ratios.groups()), out.stdout
