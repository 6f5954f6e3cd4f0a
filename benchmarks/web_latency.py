"""Latency of the web app under concurrent clients: resource pages, saved-query pages, /sparql.

Starts `kgtool.web.serve.serve` in a child process on 127.0.0.1 (port 0: a free one), as
`kgtool serve` would, then runs N client threads, each sending its share of requests
round-robin over the three kinds, and prints median, p99 and max latency per kind.
Bounded in count (--clients × --requests) and in time (--time-limit); only 127.0.0.1
is ever contacted.

    python benchmarks/web_latency.py                     # 20 clients × 200 requests, this checkout
    python benchmarks/web_latency.py --clients 4 --requests 50
    python benchmarks/web_latency.py --root /tmp/w/size-200 --clients 50 --requests 40

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
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parent.parent
SPARQL_QUERIES = (
    "SELECT ?post ?label WHERE { ?post a wsa:Post ; rdfs:label ?label } ORDER BY ?post",
    "SELECT ?type (COUNT(?d) AS ?n) WHERE { ?d a wsa:Duty ; wsa:dutyType ?type } GROUP BY ?type ORDER BY DESC(?n)",
    "ASK { ?p org:role role:safety_deputy }",
    "CONSTRUCT { ?p rdfs:label ?l ; org:postIn ?b } WHERE { ?p a wsa:Post ; rdfs:label ?l ; org:postIn ?b }",
    "SELECT ?duty ?text WHERE { ?duty wsa:text ?text . FILTER(CONTAINS(?text, \"季度\")) }",
)


def start_server(root: Path, threads: int) -> tuple[subprocess.Popen, str]:
    code = ("import sys; from kgtool.web.serve import serve; "
            f"serve(host='127.0.0.1', port=0, endpoint='', root={str(root)!r}, threads={threads})")
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
    sparql = [("POST", base + "/sparql", {"data": {"query": q},
                                          "headers": {"Accept": "application/sparql-results+json, text/turtle"}})
              for q in SPARQL_QUERIES]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="requests per client")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds before clients stop")
    parser.add_argument("--threads", type=int, default=16, help="waitress threads")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project to serve (default: this checkout)")
    parser.add_argument("--cold", action="store_true", help="do not visit every URL once before timing")
    parser.add_argument("--kinds", default="", help="only these kinds, comma-separated (resource,saved-query,sparql)")
    args = parser.parse_args()

    proc, base = start_server(args.root.resolve(), args.threads)
    try:
        # warm caches and the SPARQL workers before timing; /gaps waits for the gap report, which
        # the server computes in the background at start (minutes of CPU at a million triples)
        for url in ("/", "/queries", "/gaps"):
            r = requests.get(base + url, timeout=1800)
            if r.status_code != 200:
                print(f"warning: {url} answered {r.status_code}", file=sys.stderr)
        wait_for_workers(base)
        kinds = targets(base, args.root)
        wanted = {k.strip() for k in args.kinds.split(",") if k.strip()}
        if wanted - set(kinds):
            raise SystemExit(f"--kinds: no kind {', '.join(sorted(wanted - set(kinds)))} (kinds: {', '.join(kinds)})")
        kinds = {k: v for k, v in kinds.items() if not wanted or k in wanted}
        if not args.cold:
            for method, url, kwargs in [t for ts in kinds.values() for t in ts]:
                requests.request(method, url, timeout=120, **kwargs)  # every page once, untimed
        times: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        lock = threading.Lock()
        deadline = time.monotonic() + args.time_limit
        order = list(kinds)

        def client(n: int) -> None:
            rng = random.Random(n)
            session = requests.Session()
            for i in range(args.requests):
                if time.monotonic() > deadline:
                    return
                kind = order[(i + n) % len(order)]
                method, url, kwargs = rng.choice(kinds[kind])
                started = time.perf_counter()
                try:
                    ok = session.request(method, url, timeout=60, **kwargs).status_code == 200
                except requests.RequestException:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    times[kind].append(elapsed)
                    if not ok:
                        errors[kind] += 1

        started = time.monotonic()
        workers = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.monotonic() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()

    total = sum(len(v) for v in times.values())
    print(f"{args.clients} clients × {args.requests} requests against {args.threads} waitress threads "
          f"(embedded store): {total} requests in {wall:.1f} s, {total / wall:.0f} req/s")
    print(f"{'kind':12} {'n':>6} {'errors':>6} {'median ms':>10} {'p99 ms':>8} {'max ms':>8} {'req/s':>7}")
    for kind in order:
        v = times[kind]
        if v:
            print(f"{kind:12} {len(v):6d} {errors[kind]:6d} {statistics.median(v) * 1000:10.1f} "
                  f"{percentile(v, 99) * 1000:8.1f} {max(v) * 1000:8.1f} {len(v) / wall:7.1f}")


if __name__ == "__main__":
    main()
