"""A remote engine that is down, slow or answers garbage: a clear error and exit 3, never a hang."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from kgtool.cli import cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Garbage(BaseHTTPRequestHandler):
    mode = "garbage"

    def do_POST(self):  # http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.mode == "slow":
            time.sleep(5)
        body = b"<html>this is not SPARQL results</html>" if self.mode == "garbage" else b"{}"
        if self.mode == "error":
            self.send_response(502)
        else:
            self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture(params=["garbage", "slow", "error"])
def bad_server(request):
    handler = type("H", (Garbage,), {"mode": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield request.param, f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_engine_down_exits_3_quickly():
    t0 = time.monotonic()
    result = run("sparql", "ASK { ?s ?p ?o }", "--endpoint", f"http://127.0.0.1:{free_port()}/sparql")
    assert result.exit_code == 3, result.output
    assert result.output.startswith("kgtool: error: ") and "127.0.0.1" in result.output
    assert time.monotonic() - t0 < 15


def test_bad_engine_exits_3_within_the_timeout(bad_server):
    mode, url = bad_server
    t0 = time.monotonic()
    result = run(
        "sparql",
        "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
        "--endpoint",
        url,
        env={"KGTOOL_REMOTE_TIMEOUT_S": "2", "KGTOOL_QUERY_TIMEOUT_S": "2"},
    )
    assert result.exit_code == 3, (mode, result.output)
    assert "Traceback" not in result.output and url.split("/sparql")[0] in result.output
    assert time.monotonic() - t0 < 20


def test_saved_query_against_a_down_engine(tmp_path):
    result = run("query", "policy-documents", "--endpoint", f"http://127.0.0.1:{free_port()}/sparql")
    assert result.exit_code == 3 and "kgtool: error:" in result.output
