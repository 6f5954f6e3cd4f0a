"""The remote engines as their operators would run them (issue 15, item 3).

- kgtool.store.virtuoso_ini sizes Virtuoso by its own sizing table and writes the limits
  docs/scaling.md gives a reason for (checked against that table, so neither drifts);
- the scratch Virtuoso of the tests runs with them: sorted pages past the packaged 10,000 rows
  and answers above 10,000 rows come back whole;
- RemoteStore asks Virtuoso to stop a query when kgtool stops waiting (its ``timeout``), and
  reads Virtuoso's "stopped" answer (partial rows, then an S1TAT error) as a timeout, not rows;
- push sends each graph once, in blocks: Digest credentials are exchanged before the first
  upload (without it the body went twice and 1M-triple pushes hung Virtuoso), and an engine
  that parses while it reads (Oxigraph) may take longer than the connect timeout to read it.

The saved-query library on both engines is tests/test_queries_remote.py.
"""

from __future__ import annotations

import configparser
import http.server
import json
import threading
import time
import urllib.parse
from importlib import import_module
from pathlib import Path
from typing import ClassVar

import pytest
from rdflib import URIRef

from kgtool import vocab
from kgtool.errors import EngineError, KgtoolError
from kgtool.store import RemoteStore, push
from kgtool.store.virtuoso_ini import parse_memory, virtuoso_ini, virtuoso_sizing

ROOT = Path(__file__).resolve().parent.parent
SCALING = ROOT / "docs" / "scaling.md"
#: The module, not the function kgtool.store re-exports under the same name.
push_module = import_module("kgtool.store.push")

#: Virtuoso's own sizing table (the packaged virtuoso.ini, Debian virtuoso-opensource 7.2.5):
#: GB of free memory -> (NumberOfBuffers, MaxDirtyBuffers).
VIRTUOSO_TABLE = {
    2: (170_000, 130_000),
    4: (340_000, 250_000),
    8: (680_000, 500_000),
    16: (1_360_000, 1_000_000),
    32: (2_720_000, 2_000_000),
    48: (4_000_000, 3_000_000),
    64: (5_450_000, 4_000_000),
}


# ------------------------------------------------------------------------------ the ini


@pytest.mark.parametrize("gigabytes", sorted(VIRTUOSO_TABLE))
def test_buffers_follow_virtuosos_own_sizing_table(gigabytes):
    buffers, dirty = VIRTUOSO_TABLE[gigabytes]
    sizing = virtuoso_sizing(f"{gigabytes}G", cores=4)
    assert abs(sizing.number_of_buffers - buffers) / buffers < 0.05
    assert abs(sizing.max_dirty_buffers - dirty) / dirty < 0.05
    # what the buffers hold (8 KiB pages) stays within "2/3 to 3/5 of free memory"
    assert 0.6 <= sizing.number_of_buffers * 8192 / sizing.memory <= 0.67


def test_threads_and_query_memory_follow_the_machine():
    small, large = virtuoso_sizing("512M", cores=2), virtuoso_sizing("16G", cores=8)
    assert (small.threads_per_query, small.async_queue_max_threads) == (2, 3)
    assert (large.threads_per_query, large.async_queue_max_threads) == (8, 12)
    assert parse_memory(small.max_query_mem) == small.memory // 4
    assert parse_memory(large.max_query_mem) == 4 * 2**30


@pytest.mark.parametrize("memory", ["lots", "2 gigs", "-1G", "100M"])
def test_a_bad_or_too_small_budget_is_a_one_line_error(memory):
    with pytest.raises(KgtoolError) as caught:
        virtuoso_sizing(memory)
    assert caught.value.where == "memory" and "\n" not in str(caught.value)


def test_the_ini_is_what_virtuoso_reads():
    sizing = virtuoso_sizing("2G", cores=2)
    ini = configparser.ConfigParser(inline_comment_prefixes=(";",))
    ini.optionxform = str  # Virtuoso's keys are case-sensitive here
    ini.read_string(virtuoso_ini(sizing, sql_port=1111, http_port=8890))
    assert ini["Parameters"]["ServerPort"] == "127.0.0.1:1111"
    assert ini["HTTPServer"]["ServerPort"] == "127.0.0.1:8890"
    assert "VADInstallDir" not in ini["Parameters"]  # nothing installed at start: ready in seconds
    assert dict(ini["Parameters"]).items() >= sizing.parameters().items()
    assert dict(ini["SPARQL"]).items() >= sizing.sparql().items()
    assert ini["SPARQL"]["MaxQueryCostEstimationTime"] == "0"


def _documented() -> dict[str, tuple[str, str]]:
    """docs/scaling.md's configuration table: ini key -> (value for 2 GB and 2 cores, reason)."""
    text = SCALING.read_text(encoding="utf-8")
    start = text.index("<!-- virtuoso-ini -->")
    rows = {}
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        key = cells[0].strip("`").split("]")[-1].strip()
        if key and not set(key) <= set("- ") and key != "parameter":
            rows[key] = (cells[1].strip("`").replace(",", ""), cells[-1])
    return rows


def test_docs_give_each_value_and_its_reason():
    sizing = virtuoso_sizing("2G", cores=2)
    written = {**sizing.parameters(), **sizing.sparql()}
    documented = _documented()
    assert set(written) <= set(documented), f"undocumented: {set(written) - set(documented)}"
    for key, value in written.items():
        shown, reason = documented[key]
        assert shown.startswith(value), f"{key}: docs/scaling.md says {shown}, the ini writes {value}"
        assert len(reason) > 40, f"{key}: no reason given"


# ------------------------------------------------------------------------------ a real Virtuoso, so configured


@pytest.mark.virtuoso
def test_sorted_pages_past_the_packaged_10000_rows_answer(remote_store):
    # MaxSortedTopRows 10,000 (the packaged value) refuses this before running it (SR353)
    query = "SELECT ?s ?o WHERE { ?s rdfs:label ?o } ORDER BY ?s ?o LIMIT 10 OFFSET 20000"
    assert remote_store.query(query).rows == ()


@pytest.mark.virtuoso
def test_answers_above_the_packaged_10000_rows_come_back_whole(remote_store, store):
    # every triple of the five documents and the ontology (about 9,000), twice
    query = "SELECT ?s ?p ?o ?copy WHERE { ?s ?p ?o VALUES ?copy { 1 2 } }"
    remote, local = remote_store.query(query), store.query(query, max_rows=None)
    assert len(local.rows) > 10_000
    assert not remote.truncated and len(remote.rows) == len(local.rows)


@pytest.mark.virtuoso
def test_virtuoso_stops_a_query_at_kgtools_timeout(remote_store):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 13k cubed
    started = time.monotonic()
    with pytest.raises(EngineError, match="no complete answer within 2 s"):
        remote_store.query(heavy, timeout=2)
    assert time.monotonic() - started < 6
    assert remote_store.query("ASK { ?s ?p ?o }").boolean  # and it is free again at once


# ------------------------------------------------------------------------------ what goes over the wire


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A Virtuoso look-alike that records requests: Digest challenges on /crud, queries on /sparql."""

    requests: ClassVar[list[dict]] = []
    mode = "ok"

    def log_message(self, *args):
        pass

    def version_string(self) -> str:
        return "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def _send(self, status: int, body: bytes = b"", extra: dict | None = None) -> None:
        self.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **(extra or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _crud(self, method: str) -> None:
        body = self._body()
        type(self).requests.append({"method": method, "auth": "Authorization" in self.headers, "bytes": len(body)})
        if "Authorization" not in self.headers:
            self._send(401, b"", {"WWW-Authenticate": 'Digest realm="SPARQL", nonce="n0", qop="auth"'})
        else:
            self._send(501 if method == "HEAD" else 201)

    def do_HEAD(self):
        self._crud("HEAD")

    def do_PUT(self):
        self._crud("PUT")

    def do_POST(self):
        form = urllib.parse.parse_qs(self._body().decode())
        type(self).requests.append({"method": "POST", "form": form})
        if "GRAPH ?g" in form["query"][0]:  # graph discovery
            body = {"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": str(vocab.ONTOLOGY_GRAPH)}}]}}
            self._send(200, json.dumps(body).encode(), {"Content-Type": "application/sparql-results+json"})
        elif type(self).mode == "stopped":  # what Virtuoso 7.2.5 sends when `timeout` passes
            partial = b'{ "head": { "vars": ["s"] }, "results": { "bindings": [ { "s": { "type": "uri", "value": "urn:a" }},\n'
            stop = b"    {Virtuoso S1TAT Error RC...: Returning incomplete results, query interrupted by result timeout."
            self._send(500, partial + stop, {"Content-Type": "text/plain"})
        else:
            body = {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "urn:a"}}]}}
            self._send(200, json.dumps(body).encode(), {"Content-Type": "application/sparql-results+json"})


@pytest.fixture
def recorder():
    _Recorder.requests, _Recorder.mode = [], "ok"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_remote_store_asks_virtuoso_to_stop_at_its_own_timeout(recorder):
    store = RemoteStore(recorder + "/sparql", timeout=7)
    store.query("SELECT ?s WHERE { ?s ?p ?o }")
    discovery, query = _Recorder.requests
    assert "timeout" not in discovery["form"]  # the engine is not known yet
    assert query["form"]["timeout"] == ["7000"]
    store.query("SELECT ?s WHERE { ?s ?p ?o }", timeout=2.5)
    assert _Recorder.requests[-1]["form"]["timeout"] == ["2500"]


def test_a_query_virtuoso_stopped_is_a_timeout_not_rows(recorder):
    _Recorder.mode = "stopped"
    store = RemoteStore(recorder + "/sparql", timeout=3)
    with pytest.raises(EngineError, match=r"no complete answer within 3 s") as caught:
        store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert "S1TAT" not in str(caught.value) and "bindings" not in str(caught.value)


def test_push_exchanges_digest_credentials_before_sending_a_graph(recorder, tmp_path):
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "o.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    push(tmp_path, recorder + "/sparql", graph_store=recorder + "/crud", user="dba", password="dba")
    puts = [r for r in _Recorder.requests if r["method"] == "PUT"]
    assert [r["method"] for r in _Recorder.requests[:2]] == ["HEAD", "HEAD"]  # challenged, then answered
    assert len(puts) == 1 and puts[0]["auth"] and puts[0]["bytes"] > 0  # the graph went once


class _SlowReader(http.server.BaseHTTPRequestHandler):
    """A Graph Store that reads its body slowly, as an engine that parses while it reads."""

    received = 0

    def log_message(self, *args):
        pass

    def do_PUT(self):
        left = int(self.headers["Content-Length"])
        while left:
            chunk = self.rfile.read(min(left, 256 * 1024))
            left -= len(chunk)
            type(self).received += len(chunk)
            time.sleep(0.05)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_a_graph_slower_to_read_than_the_connect_timeout_still_goes(monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowReader)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(push_module, "CONNECT_TIMEOUT", 0.3)
    payload = b'<urn:s> <urn:p> "' + b"x" * 60 + b'" .\n'
    payload *= 16 * 2**20 // len(payload)  # 16 MB: about 3 s to read, ten times the connect timeout
    import requests

    started = time.monotonic()
    with requests.Session() as session:
        push_module._put_graph(session, f"http://127.0.0.1:{server.server_address[1]}/store", URIRef("urn:g"), payload, None, timeout=60)
    assert time.monotonic() - started > 1 and _SlowReader.received == len(payload)
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------------------ the benchmark's remote phases


@pytest.mark.slow
@pytest.mark.virtuoso
@pytest.mark.oxigraph
def test_benchmark_answers_every_saved_query_on_both_remote_engines():
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from oxigraph_server import BINARY as OXIGRAPH
    from virtuoso_server import BINARY as VIRTUOSO
    from virtuoso_server import INSTALL_HINT, require_binary

    require_binary(VIRTUOSO, INSTALL_HINT)
    require_binary(OXIGRAPH, "pip install oxigraph")
    out = subprocess.run(
        [
            sys.executable,
            "benchmarks/run.py",
            "--quick",
            "--no-web",
            "--virtuoso",
            "--oxigraph-server",
            "--one-graph",
            "--skip",
            "rdflib,gaps-fast,gaps-jena,gaps-plain,profiles",
        ],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows = [[c.strip() for c in line.split("|")] for line in out.stdout.splitlines()[1:] if line.count("|") == 5]
    printed = {(r[1], r[2]): r[3] for r in rows}
    library = len(list((ROOT / "queries").glob("*.rq")))
    for engine in ("virtuoso", "oxigraph"):
        assert printed[(engine, "saved queries answered")] == f"{library}/{library}", out.stdout
        assert printed[(engine, "push s (Graph Store Protocol)")] not in ("", "-")
    assert printed[("virtuoso", "ini MaxQueryCostEstimationTime")] == "0"
