"""Latency of the web app under concurrent clients: resource pages, saved-query pages, /sparql.

Starts `kgtool.web.serve.serve` in a child process on 127.0.0.1 (port 0: a free one), as
`kgtool serve` would, then runs N client threads, each sending its share of requests
round-robin over the three kinds, and prints median, p99 and max latency per kind.
Bounded in count (--clients × --requests) and in time (--time-limit); only 127.0.0.1
is ever contacted.

In the same run, the floor: a bare WSGI app on waitress with the same threads and processes,
answering one fixed page of the size of kgtool's median answer, under the same clients and
request count. What the clients and waitress cost on this machine is in both; kgtool's
throughput and p50/p99 are printed as ratios of the floor's (row ``floor``, line ``vs-floor``).

    python benchmarks/web_latency.py                     # 20 clients × 200 requests, this checkout
    python benchmarks/web_latency.py --clients 4 --requests 50
    python benchmarks/web_latency.py --root /tmp/w/size-200 --clients 50 --requests 40 --workers 2

The URLs are read from the served project itself (``--root``): resources sampled from its
graph, every saved query of its queries/ folder, alone and with a few of its jurisdictions.
``--cold`` skips the untimed first visit of every URL, so that first-request costs (and any
response cache filling up) are part of the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parent.parent
#: The header naming the server process that answered (`kgtool serve --workers` above 1).
PROCESS_HEADER = "X-Kgtool-Process"
SPARQL_QUERIES = (
    "SELECT ?post ?label WHERE { ?post a wsa:Post ; rdfs:label ?label } ORDER BY ?post",
    "SELECT ?type (COUNT(?d) AS ?n) WHERE { ?d a wsa:Duty ; wsa:dutyType ?type } GROUP BY ?type ORDER BY DESC(?n)",
    "ASK { ?p org:role role:safety_deputy }",
    "CONSTRUCT { ?p rdfs:label ?l ; org:postIn ?b } WHERE { ?p a wsa:Post ; rdfs:label ?l ; org:postIn ?b }",
    'SELECT ?duty ?text WHERE { ?duty wsa:text ?text . FILTER(CONTAINS(?text, "季度")) }',
)


def start_server(root: Path, threads: int, workers: int = 1) -> tuple[subprocess.Popen, str]:
    processes = f", workers={workers}" if workers > 1 else ""
    code = (
        "from kgtool.web.serve import serve; "
        f"serve(host='127.0.0.1', port=0, endpoint='', root={str(root)!r}, threads={threads}{processes})"
    )
    return _start(code)


def start_floor(size: int, threads: int, workers: int) -> tuple[subprocess.Popen, str]:
    """The floor server in a child process, as kgtool's is: see `serve_floor`."""
    return _start(f"from benchmarks.web_latency import serve_floor; serve_floor({size}, {threads}, {workers})")


def serve_floor(size: int, threads: int, workers: int) -> None:
    """A bare WSGI app on waitress answering ``size`` fixed bytes of HTML to every request.

    With ``workers`` above 1 it runs in that many processes on one socket, as `kgtool serve
    --workers` does (the same code), so that the floor and kgtool differ only in the app.
    """
    import socket

    from waitress import create_server

    page = (b"<!doctype html><title>floor</title>" + b"x" * size)[:size]
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))]

    def app(environ, start_response):
        start_response("200 OK", headers)
        return [page]

    if workers > 1:
        from kgtool.web.serve import listen, run_processes

        sock = listen("127.0.0.1", 0)
        print(f"floor: serving http://127.0.0.1:{sock.getsockname()[1]}/", file=sys.stderr, flush=True)
        run_processes(sock, workers, lambda s: create_server(app, sockets=[s], threads=threads))
        return
    listening = socket.create_server(("127.0.0.1", 0))
    server = create_server(app, sockets=[listening], threads=threads)
    print(f"floor: serving http://127.0.0.1:{server.effective_port}/", file=sys.stderr, flush=True)
    server.run()


def _start(code: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    deadline = time.monotonic() + 300
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            raise SystemExit(f"the server stopped before serving (exit {proc.returncode})")
        m = re.search(r"serving (http://127\.0\.0\.1:\d+)/", line)
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()  # drain
            return proc, m.group(1)
    proc.kill()
    raise SystemExit("the server did not start within 300 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


#: Classes whose members are sampled for resource pages, and how many of each.
RESOURCE_CLASSES = ("wsa:Post", "wsa:Duty", "wsa:Department", "wsa:Provision", "wsa:PolicyDocument")
PER_CLASS = 100


def _column(s: requests.Session, base: str, sparql: str) -> list[str]:
    """The first column of a SELECT run on the server's own /sparql endpoint (CSV)."""
    found = s.post(base + "/sparql", data={"query": sparql}, headers={"Accept": "text/csv"}, timeout=120)
    found.raise_for_status()
    return [line.strip() for line in found.text.splitlines()[1:] if line.strip()]


def targets(base: str, root: Path) -> dict[str, list[tuple[str, str, dict]]]:
    """(method, url, kwargs) per kind, read from the served project (its graph and queries/)."""
    from kgtool.query.saved import parse_file

    s = requests.Session()
    rng = random.Random(1)
    iris: list[str] = []
    for cls in RESOURCE_CLASSES:
        found = _column(s, base, f"SELECT ?x WHERE {{ ?x a {cls} }} LIMIT {PER_CLASS * 10}")
        iris += rng.sample(found, min(PER_CLASS, len(found)))
    rng.shuffle(iris)
    resources = [("GET", base + "/resource?iri=" + quote(iri, safe=""), {}) for iri in iris]
    places = _column(s, base, "SELECT ?j WHERE { ?j a wsa:Jurisdiction } LIMIT 200")
    places = rng.sample(places, min(3, len(places)))
    saved = []
    for path in sorted((root / "queries").glob("*.rq")):
        q = parse_file(path)
        saved.append(("GET", f"{base}/queries/{q.name}", {}))
        if any(p.name == "jurisdiction" for p in q.params):
            saved += [("GET", f"{base}/queries/{q.name}?jurisdiction=" + quote(j, safe=""), {}) for j in places]
    sparql = [
        ("POST", base + "/sparql", {"data": {"query": q}, "headers": {"Accept": "application/sparql-results+json, text/turtle"}})
        for q in SPARQL_QUERIES
    ]
    return {"resource": resources, "saved-query": saved, "sparql": sparql}


def wait_for_workers(base: str, limit: float = 300.0) -> None:
    """Wait until /sparql answers: its worker processes load the whole graph first (503 until then)."""
    deadline = time.monotonic() + limit
    while True:
        r = requests.post(base + "/sparql", data={"query": "ASK {}"}, timeout=120)
        if r.status_code != 503 or time.monotonic() > deadline:
            r.raise_for_status()
            return
        time.sleep(1)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class Run:
    """What the clients saw: seconds and answer sizes per kind, failures, which process answered."""

    wall: float = 0.0
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    sizes: list[int] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    processes: Counter = field(default_factory=Counter)
    server_cpu: float = 0.0  # CPU seconds of the server's processes while the clients ran
    client_cpu: float = 0.0  # and of this process (the clients)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.times.values())

    def every_time(self) -> list[float]:
        return [t for v in self.times.values() for t in v]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its live descendants, from /proc (0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
    total, todo = 0.0, [pid]
    while todo:
        this = todo.pop()
        if this in stats:
            total += (int(stats[this][11]) + int(stats[this][12])) / tick
        todo += [p for p, fields in stats.items() if int(fields[1]) == this]
    return total


def run_clients(kinds: dict[str, list[tuple[str, str, dict]]], clients: int, per_client: int, time_limit: float, server: int) -> Run:
    """``clients`` threads, each sending ``per_client`` requests (round-robin over the kinds) back to
    back, against the server of process ``server``."""
    run = Run()
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit
    order = list(kinds)

    def client(n: int) -> None:
        rng = random.Random(n)
        session = requests.Session()
        for i in range(per_client):
            if time.monotonic() > deadline:
                return
            kind = order[(i + n) % len(order)]
            method, url, kwargs = rng.choice(kinds[kind])
            started = time.perf_counter()
            try:
                answer = session.request(method, url, timeout=60, **kwargs)
                ok, size, process = answer.status_code == 200, len(answer.content), answer.headers.get(PROCESS_HEADER)
            except requests.RequestException:
                ok, size, process = False, 0, None
            elapsed = time.perf_counter() - started
            with lock:
                run.times[kind].append(elapsed)
                if ok:
                    run.sizes.append(size)
                else:
                    run.errors[kind] += 1
                if process:
                    run.processes[process] += 1

    started, server_cpu, client_cpu = time.monotonic(), cpu_seconds(server), time.process_time()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.wall = time.monotonic() - started
    run.server_cpu, run.client_cpu = cpu_seconds(server) - server_cpu, time.process_time() - client_cpu
    return run


def visit_in_every_process(urls: list[str], workers: int, timeout: float) -> None:
    """Visit each URL until each server process has answered it (one connection per visit), untimed.

    A process keeps its own finished pages; which process takes a new connection is the kernel's
    choice, so a URL is asked again until every process has been seen answering it (at most
    8 × workers times).
    """
    for url in urls:
        seen: set[str] = set()
        for _ in range(8 * workers):
            answer = requests.get(url, timeout=timeout, headers={"Connection": "close"})
            seen.add(answer.headers.get(PROCESS_HEADER, ""))
            if len(seen) >= workers:
                break


def row(name: str, times: list[float], errors: int, wall: float) -> str:
    return (
        f"{name:12} {len(times):6d} {errors:6d} {statistics.median(times) * 1000:10.1f} "
        f"{percentile(times, 99) * 1000:8.1f} {max(times) * 1000:8.1f} {len(times) / wall:7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="requests per client")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds before clients stop")
    parser.add_argument("--threads", type=int, default=16, help="waitress threads")
    parser.add_argument("--workers", type=int, default=1, help="server processes (kgtool serve --workers)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project to serve (default: this checkout)")
    parser.add_argument("--cold", action="store_true", help="do not visit every URL once before timing")
    parser.add_argument("--kinds", default="", help="only these kinds, comma-separated (resource,saved-query,sparql)")
    args = parser.parse_args()
    for name in ("clients", "requests", "threads", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")

    proc, base = start_server(args.root.resolve(), args.threads, args.workers)
    try:
        # warm caches and the SPARQL workers before timing; /gaps waits for the gap report, which
        # each server process computes in the background at start (minutes of CPU at a million triples)
        for url in ("/", "/queries"):
            r = requests.get(base + url, timeout=1800)
            if r.status_code != 200:
                print(f"warning: {url} answered {r.status_code}", file=sys.stderr)
        visit_in_every_process([base + "/gaps"], args.workers, timeout=1800)
        wait_for_workers(base)
        kinds = targets(base, args.root)
        wanted = {k.strip() for k in args.kinds.split(",") if k.strip()}
        if wanted - set(kinds):
            raise SystemExit(f"--kinds: no kind {', '.join(sorted(wanted - set(kinds)))} (kinds: {', '.join(kinds)})")
        kinds = {k: v for k, v in kinds.items() if not wanted or k in wanted}
        if not args.cold:  # every page once in every process, untimed (each keeps its own finished pages)
            visit_in_every_process([url for k, ts in kinds.items() if k != "sparql" for _, url, _ in ts], args.workers, timeout=120)
            for method, url, kwargs in kinds.get("sparql", []):
                requests.request(method, url, timeout=120, **kwargs)
        served = run_clients(kinds, args.clients, args.requests, args.time_limit, proc.pid)
    finally:
        stop(proc)

    size = int(statistics.median(served.sizes)) if served.sizes else 10_000
    floor_proc, floor_base = start_floor(size, args.threads, args.workers)
    try:
        floor = run_clients({"floor": [("GET", floor_base + "/page", {})]}, args.clients, args.requests, args.time_limit, floor_proc.pid)
    finally:
        stop(floor_proc)

    total, wall = served.total, served.wall
    processes = f" × {args.workers} processes" if args.workers > 1 else ""
    print(
        f"{args.clients} clients × {args.requests} requests against {args.threads} waitress threads{processes} "
        f"(embedded store): {total} requests in {wall:.1f} s, {total / wall:.0f} req/s"
    )
    print(f"{'kind':12} {'n':>6} {'errors':>6} {'median ms':>10} {'p99 ms':>8} {'max ms':>8} {'req/s':>7}")
    for kind in kinds:
        if served.times[kind]:
            print(row(kind, served.times[kind], served.errors[kind], wall))
    every, floor_times = served.every_time(), floor.every_time()
    if not every or not floor_times:
        raise SystemExit("no request was timed")
    print(row("all", every, sum(served.errors.values()), wall))
    print(row("floor", floor_times, sum(floor.errors.values()), floor.wall))
    print(
        f"floor: one fixed {size}-byte page (kgtool's median answer) from a bare WSGI app on waitress, "
        f"the same threads, processes, clients and requests"
    )
    throughput = (len(every) / wall) / (len(floor_times) / floor.wall)
    p50 = statistics.median(every) / statistics.median(floor_times)
    p99 = percentile(every, 99) / percentile(floor_times, 99)
    print(f"vs-floor throughput {throughput:.2f} p50 {p50:.2f} p99 {p99:.2f}")
    print(
        f"CPU ms a request: kgtool's server {served.server_cpu / len(every) * 1000:.2f}, its clients "
        f"{served.client_cpu / len(every) * 1000:.2f}; the floor's server "
        f"{floor.server_cpu / len(floor_times) * 1000:.2f}, its clients {floor.client_cpu / len(floor_times) * 1000:.2f} "
        f"({os.cpu_count()} cores)"
    )
    if args.workers > 1:
        print("answered by process: " + ", ".join(f"{pid}: {n}" for pid, n in sorted(served.processes.items())))


if __name__ == "__main__":
    main()
