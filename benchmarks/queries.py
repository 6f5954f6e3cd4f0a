"""Latency of every saved query: the embedded engine (pyoxigraph) against rdflib's default
in-memory store, in the same run, at the five documents and at an N-times corpus.

    python benchmarks/queries.py --sizes 1,100 --repeat 5

Prints one row per (size, query): median and p99 (ms) on each engine and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Values for parameters that a saved query requires; optional ones are left free.
SAMPLES = {
    "role": "role:safety_deputy",
    "keyword": "检查",
    "action": "dutytype:inspection",
    "jurisdiction": "place:wuxi",
    "document": "id:wuxi-towns-2021",
    "principle": "principle:dual_responsibility",
    "post": "https://w3id.org/wsa/id/mianyang-union-2020/post/main.safety_deputy",
    "minimum": "1",
}


def load_engines(n: int):
    import pyoxigraph as ox
    from rdflib import Dataset, URIRef

    from benchmarks.corpus import copies
    from kgtool.store import EmbeddedStore
    from kgtool.vocab import GRAPH, ONTOLOGY_GRAPH

    oxs, ds = ox.Store(), Dataset(default_union=True)
    t0 = time.perf_counter()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        oxs.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)))
    parts = list(copies(ROOT, n))
    for slug, nt in parts:
        oxs.load(nt.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPH[slug])))
    t_ox = time.perf_counter() - t0
    t0 = time.perf_counter()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ds.graph(URIRef(str(ONTOLOGY_GRAPH))).parse(path, format="turtle")
    for slug, nt in parts:
        ds.graph(URIRef(str(GRAPH[slug]))).parse(data=nt, format="nt")
    t_rdflib = time.perf_counter() - t0
    return EmbeddedStore(oxs), ds, len(oxs), t_ox, t_rdflib


def timed(fn, repeat: int, budget: float) -> list[float]:
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < repeat and (not times or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def in_child(fn, timeout: float):
    """Run fn() in a forked child (sharing the loaded store copy-on-write) and give up after
    timeout seconds, so a baseline that takes minutes cannot stall the benchmark."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def work():
        try:
            child.send(("ok", fn()))
        except Exception as e:  # noqa: BLE001 - any failure is reported to the parent
            child.send(("error", f"{type(e).__name__}: {str(e)[:160]}"))

    proc = ctx.Process(target=work, daemon=True)
    proc.start()
    if parent.poll(timeout):
        status, value = parent.recv()
    else:
        status, value = "timeout", None
    proc.kill()
    proc.join()
    return status, value


def p99(xs: list[float]) -> float:
    return sorted(xs)[min(len(xs) - 1, round(0.99 * (len(xs) - 1)))]


def main() -> None:
    from rdflib import Variable

    from kgtool.query.saved import bind, library
    from kgtool.vocab import PREFIXES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,100", help="corpus multipliers, comma-separated")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per query and engine before stopping repeats")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before the baseline is given up on")
    args = parser.parse_args()
    queries = library(ROOT / "queries")
    print(f"{'size':>5} {'triples':>9} {'query':44} {'oxigraph ms':>12} {'p99':>8} {'rdflib ms':>10} {'p99':>8} {'ratio':>7}")
    for n in (int(s) for s in args.sizes.split(",")):
        embedded, ds, triples, t_ox, t_rdflib = load_engines(n)
        print(f"{n:>5} {triples:>9} {'(load)':44} {t_ox * 1000:>12.0f} {'':>8} {t_rdflib * 1000:>10.0f} {'':>8} {t_rdflib / t_ox:>6.1f}x")
        ratios = []
        for q in queries.values():
            values = {p.name: SAMPLES[p.name] for p in q.params if not p.optional and p.name in SAMPLES}
            bindings = bind(embedded, q, values)
            text = q.sparql
            ox_times = timed(lambda: embedded.query(q.sparql, bindings=bindings, timeout=600, max_rows=10**9), args.repeat, args.budget)
            init = {Variable(k): v for k, v in bindings.items()}
            status, rl_times = in_child(
                lambda: timed(lambda: list(ds.query(text, initNs=PREFIXES, initBindings=init)), args.repeat, args.budget), args.timeout
            )
            if status != "ok":  # rdflib fails on some standard queries (unbound GROUP_CONCAT), or is too slow
                note = f"rdflib fails: {rl_times}" if status == "error" else f"rdflib > {args.timeout:.0f} s"
                print(
                    f"{n:>5} {triples:>9} {q.name[:44]:44} {statistics.median(ox_times):>12.2f} {p99(ox_times):>8.2f} {note:>28}",
                    flush=True,
                )
                continue
            ratio = statistics.median(rl_times) / max(statistics.median(ox_times), 1e-3)
            ratios.append(ratio)
            print(
                f"{n:>5} {triples:>9} {q.name[:44]:44} {statistics.median(ox_times):>12.2f} {p99(ox_times):>8.2f} "
                f"{statistics.median(rl_times):>10.2f} {p99(rl_times):>8.2f} {ratio:>6.1f}x",
                flush=True,
            )
        summary = f"{statistics.median(ratios):>6.1f}x" if ratios else "   n/a"
        print(f"{n:>5} {triples:>9} {'(median ratio over the library)':44} {'':>12} {'':>8} {'':>10} {'':>8} {summary}", flush=True)


if __name__ == "__main__":
    main()
