"""A bounded load test of the web app on 127.0.0.1: many clients for a fixed time, then the
same with some clients sending runaway queries, to show those do not starve the others.

    python benchmarks/load.py                          # 50 clients, 60 s per phase, 5 heavy
    python benchmarks/load.py --clients 5 --duration 5 --heavy 1   # the CI version

Light clients cycle over resource pages, searches, saved-query pages and /sparql reads.
Heavy clients post a query that only the time limit stops (answered 503). Prints, per phase,
throughput, median and p99 per kind and the errors of the light clients (which must be 0).
Only 127.0.0.1 is contacted; both phases stop by themselves.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_latency import percentile, start_server, targets

SEARCHES = ("季度", "主要负责人", "检查", "应急演练", "第一责任人", "安全生产")
HEAVY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }",)


def phase(base: str, kinds: dict, *, clients: int, heavy: int, duration: float) -> dict:
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    shed: dict[str, int] = defaultdict(int)
    heavy_status: dict[int, int] = defaultdict(int)
    lock = threading.Lock()
    stop = time.monotonic() + duration
    order = list(kinds)

    def light(n: int) -> None:
        rng, session, i = random.Random(n), requests.Session(), 0
        while time.monotonic() < stop:
            kind = order[(i + n) % len(order)]
            method, url, kwargs = rng.choice(kinds[kind])
            t0 = time.perf_counter()
            try:
                status = session.request(method, url, timeout=60, **kwargs).status_code
            except requests.RequestException:
                status = 0
            with lock:
                times[kind].append(time.perf_counter() - t0)
                if kind == "sparql" and status == 503:
                    shed[kind] += 1  # the endpoint refused it while its workers were busy: back-pressure
                else:
                    errors[kind] += status != 200
            i += 1

    def runaway(n: int) -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            try:
                status = session.post(base + "/sparql", data={"query": HEAVY[n % len(HEAVY)]}, timeout=120).status_code
            except requests.RequestException:
                status = 0
            with lock:
                heavy_status[status] += 1

    threads = [threading.Thread(target=light, args=(n,)) for n in range(clients)]
    threads += [threading.Thread(target=runaway, args=(n,)) for n in range(heavy)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"wall": time.monotonic() - t0, "times": times, "errors": errors, "shed": shed, "heavy": dict(heavy_status)}


def report(name: str, result: dict) -> None:
    total = sum(len(v) for v in result["times"].values())
    errors = sum(result["errors"].values())
    print(
        f"{name}: {total} requests in {result['wall']:.1f} s = {total / result['wall']:.1f} req/s, "
        f"light-client errors {errors}" + (f", runaway queries answered {result['heavy']}" if result["heavy"] else "")
    )
    for kind, values in sorted(result["times"].items()):
        ms = [v * 1000 for v in values]
        print(
            f"  {kind:12} n={len(ms):6}  median {percentile(ms, 50):8.1f} ms  p99 {percentile(ms, 99):8.1f} ms"
            f"  errors {result['errors'].get(kind, 0)}  refused while busy {result['shed'].get(kind, 0)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--heavy", type=int, default=5, help="clients sending runaway queries in phase 2")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--threads", type=int, default=16, help="waitress threads")
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parent.parent, help="the project to serve (default: this checkout)"
    )
    args = parser.parse_args()
    root = args.root.resolve()
    proc, base = start_server(root, args.threads)
    try:
        kinds = targets(base, root)
        kinds["search"] = [("GET", f"{base}/search?q={quote(q)}", {}) for q in SEARCHES]
        for method, url, kwargs in [t for ts in kinds.values() for t in ts]:
            requests.request(method, url, timeout=120, **kwargs)  # warm every page once
        calm = phase(base, kinds, clients=args.clients, heavy=0, duration=args.duration)
        report(f"phase 1: {args.clients} clients", calm)
        loaded = phase(base, kinds, clients=args.clients, heavy=args.heavy, duration=args.duration)
        report(f"phase 2: {args.clients} clients + {args.heavy} sending runaway queries", loaded)
        p99 = {n: percentile([v for vs in r["times"].values() for v in vs], 99) for n, r in (("calm", calm), ("loaded", loaded))}
        print(f"light-client p99 with runaway queries / without: {p99['loaded'] / p99['calm']:.2f}x")
        if sum(calm["errors"].values()) + sum(loaded["errors"].values()):
            raise SystemExit("light clients saw errors")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except Exception:  # noqa: BLE001 - whatever stops the wait, the server must go
            proc.kill()


if __name__ == "__main__":
    main()
