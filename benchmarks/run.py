"""Every performance figure of kgtool at several corpus sizes, each beside its plain baseline.

    python benchmarks/run.py --sizes 1,100,1000          # full run (an hour or more at 1000)
    python benchmarks/run.py --quick                     # smallest size, about a minute (CI)
    python benchmarks/run.py --sizes 100 --json out.json # also write the figures as JSON

A size is a number of generated jurisdictions (benchmarks/generate.py), added to the five
real documents in a scratch project (ontology/, shapes/ and queries/ linked from this
checkout). For each size, every phase runs in a fresh process (so peak memory is the
phase's own, from getrusage) and is time-boxed; the plain baselines (rdflib's default
in-memory store, pySHACL over one rdflib graph) run in the same run as the candidates, and
are skipped above --baseline-max-triples (they take minutes and gigabytes there):

- build: documents a second through the real pipeline (kgtool.build.build_one on the five
  sources, repeated; independent of size, measured once);
- load: fresh in-memory load (what open_store does) vs building and then re-opening the
  on-disk store (kgtool.store.persist), vs rdflib parsing the same files;
- queries: median and p99 of every saved query (parameters as benchmarks/queries.py
  SAMPLES) on the on-disk store, the in-memory store and rdflib, with ratios;
- gaps: kgtool.gaps.per_document.fast_validate (pySHACL per document in parallel) and
  kgtool.gaps.jena.jena_validate (Apache Jena) vs kgtool.gaps.single.validate (load + validate),
  and whether their findings are the same;
- compare: kgtool.compare role_duty_matrix, frequency_table and similarity, on the on-disk
  store and on rdflib (through a small adapter), the SPARQL path; beside it the same tables from
  the documents' profiles (issue 15: making them, then opening, loading and each table, the 10
  nearest of every document), whether the answers are the same, and each `kgtool compare --by`
  view's time and peak memory in a process of its own;
- web: benchmarks/web_latency.py, if present (it serves this checkout's five documents);
- remote engines (--virtuoso, --oxigraph-server): every saved query through RemoteStore on a
  scratch Virtuoso sized by kgtool.store.virtuoso_ini (--virtuoso-memory) and on Oxigraph's own
  server, after `kgtool load` (--one-graph: into one named graph), beside the embedded store.

Output: one line per figure, ``size | phase | figure | value | baseline | ratio``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queries import p99  # noqa: E402

#: Figures every run prints (the CI test checks them); queries and web add their own lines.
FIGURES = (
    ("corpus", "triples"),
    ("corpus", "documents"),
    ("corpus", "generate s"),
    ("build", "documents/s"),
    ("load", "fresh in-memory load s"),
    ("load", "on-disk store build s"),
    ("load", "on-disk store open s"),
    ("load", "on-disk store reopen s (current)"),
    ("memory", "fresh load peak MB"),
    ("memory", "on-disk open + queries peak MB"),
    ("memory", "fast gaps peak MB"),
    ("queries", "median of medians ms"),
    ("queries", "slowest median ms"),
    ("queries", "text search median ms"),
    ("gaps", "report s"),
    ("gaps", "same findings"),
    ("gaps", "findings"),
    ("gaps", "jena report s"),
    ("compare", "role_duty_matrix s"),
    ("compare", "frequency_table s"),
    ("compare", "similarity s"),
    ("compare", "profiles build s"),
    ("compare", "profiles: role x duty type + frequency s"),
    ("compare", "profiles: nearest 10 of every document s"),
    ("compare", "profiles: every view, all documents s"),
    ("compare", "profiles: same answers as SPARQL"),
    ("memory", "compare --by, largest peak MB"),
)


# ------------------------------------------------------------------------------ helpers


def peak_mb() -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_mb": round(own), "children_peak_mb": round(children)}


def scratch_project(n: int, seed: int, work: Path) -> tuple[Path, dict]:
    """A project folder with the real documents plus n generated jurisdictions."""
    from benchmarks.generate import write

    root = work / f"size-{n}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "data").mkdir(parents=True)
    for name in ("ontology", "shapes", "queries"):
        (root / name).symlink_to(ROOT / name)
    for path in sorted((ROOT / "data").glob("*.ttl")):
        shutil.copy(path, root / "data" / path.name)
    started = time.perf_counter()
    summary = write(ROOT, n, seed, root / "data") if n > 0 else {"documents": [], "triples": 0}
    summary["generate_s"] = time.perf_counter() - started
    return root, summary


def run_phase(phase: str, root: Path, timeout: float, **options) -> dict:
    """Run one phase in a fresh interpreter, at most timeout seconds; its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--root", str(root), "--options", json.dumps(options)]
    started = time.perf_counter()
    try:
        out = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": time.perf_counter() - started}
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"status": "error", "error": (out.stderr or out.stdout)[-1500:]}
    result = json.loads(lines[-1])
    result.setdefault("status", "ok")
    return result


def time_queries(run, repeat: int, budget: float, timeout: float) -> dict:
    """{query name: [ms, …]} for every saved query through run(query, bindings), each in a
    forked child given up after timeout seconds (an engine cannot stop a query mid-way)."""
    from benchmarks.queries import SAMPLES, in_child, timed
    from kgtool.query.saved import library

    out = {}
    for q in library(ROOT / "queries").values():
        values = {p.name: SAMPLES[p.name] for p in q.params if not p.optional and p.name in SAMPLES}
        # repeats start only while under budget, so one run over `timeout` is what a timeout means
        status, value = in_child(lambda: timed(lambda: run(q, values), repeat, budget), timeout + budget)
        out[q.name] = value if status == "ok" else (f"> {timeout:g} s" if status == "timeout" else f"error: {value}")
    return out


class RdflibStore:
    """kgtool's Store protocol over rdflib's default in-memory Dataset: the plain baseline."""

    def __init__(self, dataset):
        self.dataset = dataset

    def query(self, sparql, *, bindings=None, timeout=None, max_rows=None):
        from rdflib import Variable

        from kgtool.store import Result
        from kgtool.vocab import PREFIXES

        answer = self.dataset.query(sparql, initNs=PREFIXES, initBindings={Variable(k): v for k, v in (bindings or {}).items()})
        if answer.type == "ASK":
            return Result(kind="ask", boolean=bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            return Result(kind="graph", graph=answer.graph)
        variables = tuple(str(v) for v in answer.vars)
        rows = tuple(tuple(row[i] for i in range(len(variables))) for row in answer)
        return Result(kind="select", variables=variables, rows=rows)

    def graphs(self):
        return sorted(g.identifier for g in self.dataset.graphs() if str(g.identifier).startswith("https://"))

    def close(self):
        pass


def rdflib_dataset(root: Path):
    from rdflib import Dataset, URIRef

    from kgtool.store import graph_files

    ds = Dataset(default_union=True)
    for graph, paths in graph_files(root).items():
        for path in paths:
            ds.graph(URIRef(str(graph))).parse(path, format="turtle")
    return ds


#: The comparison functions timed on the SPARQL path (the baseline of the profiles).
COMPARE_FUNCTIONS = ("role_duty_matrix", "frequency_table", "similarity")
#: Address space a baseline comparison may take beyond what its process had (every pair of a few
#: hundred documents took 24 GB): past it, MemoryError rather than the kernel's OOM killer.
COMPARE_MEMORY_GB = 6


def compare_times(store, names=COMPARE_FUNCTIONS) -> dict:
    """Seconds of each comparison function (the SPARQL path), and a digest of its answer."""
    from kgtool import compare

    out = {}
    for name in names:
        started = time.perf_counter()
        result = getattr(compare, name)(store)
        out[name] = time.perf_counter() - started
        out[f"{name} sha256"] = _digest(compare.to_json(result))
    return out


def compare_each(store, timeout: float) -> dict:
    """`compare_times`, each function in a forked child of its own, given up after timeout seconds
    or past `COMPARE_MEMORY_GB` more memory (so one that takes long or grows does not hide the others)."""
    from benchmarks.queries import in_child

    def limited(name: str) -> dict:
        status = Path("/proc/self/status").read_text()
        vm = int(status.split("VmSize:")[1].split()[0]) * 1024
        cap = vm + COMPARE_MEMORY_GB * 2**30
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        return compare_times(store, (name,))

    out: dict = {}
    for name in COMPARE_FUNCTIONS:
        status, value = in_child(lambda name=name: limited(name), timeout)
        if status == "ok":
            out.update(value)
        else:
            out[name] = f"> {timeout:g} s" if status == "timeout" else f"{status}: {value}"
    return out


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Above this many documents the profiles phase does not explain every pair (it grows with the pairs).
EVERY_PAIR_UP_TO = 100


#: Runs the kgtool command line and, on leaving, writes the process's own peak memory (VmHWM,
#: kB) to the file named first: getrusage would count the parent's memory at fork time too.
_WITH_PEAK = (
    "import atexit, re, sys\n"
    "def peak(path=sys.argv[1]):\n"
    "    status = open('/proc/self/status').read()\n"
    "    open(path, 'w').write(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
    "atexit.register(peak)\n"
    "sys.argv = ['kgtool', *sys.argv[2:]]\n"
    "from kgtool.cli import cli\n"
    "cli()\n"
)


def kgtool_peak(args: list[str], env: dict) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of one kgtool command in a process of its own."""
    with tempfile.NamedTemporaryFile(suffix=".peak") as peak:
        started = time.perf_counter()
        code = subprocess.run(
            [sys.executable, "-c", _WITH_PEAK, peak.name, *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        ).returncode
        seconds = time.perf_counter() - started
        kb = Path(peak.name).read_text() or "0"
    return seconds, int(kb) / 1024, code


# ------------------------------------------------------------------------------ phases (child processes)


def phase_build(root: Path, o: dict) -> dict:
    from benchmarks.extraction import documents_per_s

    return {"documents_per_s": documents_per_s(o["repeat"]), **peak_mb()}


def phase_memory(root: Path, o: dict) -> dict:
    from kgtool.query.paging import run_page
    from kgtool.query.saved import bind
    from kgtool.store import open_store

    started = time.perf_counter()
    store = open_store(endpoint="", root=root)
    load = time.perf_counter() - started
    triples = len(store.ox)
    times = (
        time_queries(
            lambda q, v: store.query(q.sparql, bindings=bind(store, q, v), timeout=600, max_rows=10**9),
            o["repeat"],
            o["budget"],
            o["query_timeout"],
        )
        if o.get("queries")
        else {}
    )
    # what `kgtool query` and the web ask for: the first page, with the count of every row
    pages = (
        time_queries(
            lambda q, v: run_page(store, q.sparql, number=1, size=1000, bindings=bind(store, q, v), timeout=600),
            o["repeat"],
            o["budget"],
            o["query_timeout"],
        )
        if o.get("queries")
        else {}
    )
    return {"load_s": load, "triples": triples, "queries": times, "first_pages": pages, **peak_mb()}


def phase_persist_build(root: Path, o: dict) -> dict:
    from kgtool.store.persist import ensure_store

    shutil.rmtree(root / "data" / ".store", ignore_errors=True)
    started = time.perf_counter()
    store = ensure_store(root)
    return {"build_s": time.perf_counter() - started, "built": store.built, **peak_mb()}


def phase_persist_open(root: Path, o: dict) -> dict:
    from kgtool.query.saved import bind
    from kgtool.store.persist import ensure_store

    started = time.perf_counter()
    store = ensure_store(root)
    store.query("ASK { ?s ?p ?o }")
    opened = time.perf_counter() - started
    started = time.perf_counter()
    again = ensure_store(root)
    again.query("ASK { ?s ?p ?o }")
    reopened = time.perf_counter() - started
    times = time_queries(
        lambda q, v: store.query(q.sparql, bindings=bind(store, q, v), timeout=600, max_rows=10**9),
        o["repeat"],
        o["budget"],
        o["query_timeout"],
    )
    search = text_search_times(store, o["repeat"])
    compared = compare_each(store, o["compare_timeout"]) if o.get("compare") else {}
    return {
        "open_s": opened,
        "reopen_s": reopened,
        "built": store.built,
        "queries": times,
        "search": search,
        "compare": compared,
        **peak_mb(),
    }


#: Words searched for: frequent, middling and rare in the corpus.
SEARCH_WORDS = ("检查", "季度", "第一责任人")


def text_search_times(store, repeat: int) -> dict:
    """ms per search through the store's full-text index (every hit, and the first 500 as the
    web page shows), beside the SPARQL CONTAINS scan it replaces, on the same store."""
    from rdflib import Literal

    from benchmarks.queries import timed
    from kgtool.store.textindex import index_for

    index = index_for(store)
    scan = "SELECT ?x ?text WHERE { ?x wsa:text|rdfs:label ?text . FILTER(isIRI(?x) && CONTAINS(LCASE(STR(?text)), LCASE(?q))) }"
    out: dict = {"index": [], "first_page": [], "scan": []}
    for word in SEARCH_WORDS:
        out["index"] += timed(lambda: index.search(word), repeat, 5.0)
        out["first_page"] += timed(lambda: index.search(word, limit=500), repeat, 5.0)
        out["scan"] += timed(
            lambda: store.query(scan, bindings={"q": Literal(word)}, timeout=600, max_rows=10**9), max(1, repeat // 2), 5.0
        )
    return out


def phase_profiles(root: Path, o: dict) -> dict:
    """Comparison from profiles: making them (build time), then every table of every document from
    the on-disk store and data/profiles/, and each `kgtool compare --by` view in a process of its own."""
    from kgtool.compare import to_json
    from kgtool.compare.columns import columns
    from kgtool.compare.output import VIEWS
    from kgtool.compare.profiles import write_profiles
    from kgtool.store.persist import ensure_store

    shutil.rmtree(root / "data" / "profiles", ignore_errors=True)
    started = time.perf_counter()
    made = len(write_profiles(root))
    out: dict = {"build_s": time.perf_counter() - started, "profiles": made}
    env = {**os.environ, "KGTOOL_HOME": str(root)}
    out["views"] = {
        f"{view} {fmt}": kgtool_peak(["compare", "--by", view, "--format", fmt], env) for view in VIEWS for fmt in ("table", "json")
    }
    started = time.perf_counter()
    profiled = columns(ensure_store(root), None, root=root)
    out["load_s"] = time.perf_counter() - started
    for name, work in (
        ("role_duty_matrix", profiled.role_duty_matrix),
        ("frequency_table", profiled.frequency_table),
        ("principles", profiled.concept_matrices),
        ("structure", profiled.structure),
        ("nearest", lambda: profiled.neighbours(10)),
    ):
        started = time.perf_counter()
        result = work()
        out[name] = time.perf_counter() - started
        out[f"{name} sha256"] = _digest(to_json(result))
    if len(profiled.juris) <= EVERY_PAIR_UP_TO:
        started = time.perf_counter()
        result = profiled.similarity()
        out["similarity"] = time.perf_counter() - started
        out["similarity sha256"] = _digest(to_json(result))
    out.update(peak_mb())
    return out


def phase_rdflib(root: Path, o: dict) -> dict:
    from rdflib import Variable

    from benchmarks.queries import SAMPLES, in_child, timed
    from kgtool.query.saved import bind, library
    from kgtool.store import EmbeddedStore
    from kgtool.vocab import PREFIXES

    started = time.perf_counter()
    ds = rdflib_dataset(root)
    load = time.perf_counter() - started
    binder = EmbeddedStore()  # label resolution for parameters needs only the ontology and places
    from kgtool.store import load_files

    load_files(binder, ROOT)
    times: dict = {}
    for q in library(ROOT / "queries").values():
        values = {p.name: SAMPLES[p.name] for p in q.params if not p.optional and p.name in SAMPLES}
        init = {Variable(k): v for k, v in bind(binder, q, values).items()}
        text = q.sparql
        status, value = in_child(
            lambda: timed(lambda: list(ds.query(text, initNs=PREFIXES, initBindings=init)), o["repeat"], o["budget"]),
            o["query_timeout"] + o["budget"],
        )
        times[q.name] = value if status == "ok" else (f"> {o['query_timeout']:g} s" if status == "timeout" else f"error: {value}")
    compared: dict = {}
    if o.get("compare"):
        status, value = in_child(lambda: compare_times(RdflibStore(ds)), o["compare_timeout"])
        compared = value if status == "ok" else {"status": f"{status}: {value}" if status == "error" else status}
    return {"load_s": load, "queries": times, "compare": compared, **peak_mb()}


def _finding_keys(report) -> list:
    return sorted((f.focus, f.shape, f.severity, f.path or "", f.value or "") for f in report.findings)


def phase_gaps_fast(root: Path, o: dict) -> dict:
    from kgtool.gaps.per_document import fast_validate

    started = time.perf_counter()
    report = fast_validate(root, shapes_dir=root / "shapes")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": time.perf_counter() - started,
        "workers_cpu_s": usage.ru_utime + usage.ru_stime,
        "findings": len(report.findings),
        "violations": report.violations,
        "keys": _finding_keys(report),
        **peak_mb(),
    }


def phase_gaps_jena(root: Path, o: dict) -> dict:
    from kgtool.gaps.jena import jena_validate, missing

    if missing():
        return {"status": "skipped", "reason": missing()}
    started = time.perf_counter()
    report = jena_validate(root, shapes_dir=root / "shapes")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": time.perf_counter() - started,
        "java_peak_mb": round(usage.ru_maxrss / 1024),
        "findings": len(report.findings),
        "keys": _finding_keys(report),
        **peak_mb(),
    }


def phase_gaps_plain(root: Path, o: dict) -> dict:
    from kgtool.gaps import load_data, validate

    started = time.perf_counter()
    data = load_data(root)
    loaded = time.perf_counter() - started
    report = validate(data, shapes_dir=root / "shapes")
    return {
        "seconds": time.perf_counter() - started,
        "load_s": loaded,
        "validate_s": report.seconds,
        "findings": len(report.findings),
        "keys": _finding_keys(report),
        **peak_mb(),
    }


def _remote_queries(root: Path, o: dict, endpoint: str, **credentials) -> dict:
    """Push the corpus to a running engine (kgtool load, one graph per document, or one graph
    for everything when o["one_graph"]) and time every saved query through RemoteStore."""
    from rdflib import URIRef

    from kgtool.query.saved import bind
    from kgtool.store import RemoteStore, push

    one = "https://w3id.org/wsa/graph/all" if o.get("one_graph") else None
    started = time.perf_counter()
    sent = push(root, endpoint, graph=URIRef(one) if one else None, **credentials)
    pushed = time.perf_counter() - started
    store = RemoteStore(endpoint, timeout=o["query_timeout"], graphs=[one] if one else None)
    store.query("ASK { ?s ?p ?o }")  # the engine is known before the queries fork (Virtuoso: gets `timeout`)
    times = time_queries(
        lambda q, v: store.query(q.sparql, bindings=bind(store, q, v), max_rows=10**9), o["repeat"], o["budget"], o["query_timeout"]
    )
    return {"push_s": pushed, "graphs": len(sent), "triples": sum(sent.values()), "queries": times}


def phase_virtuoso(root: Path, o: dict) -> dict:
    """The saved-query benchmark through RemoteStore against a scratch Virtuoso (tests/virtuoso_server.py),
    sized for o["memory"] by kgtool.store.virtuoso_ini as docs/scaling.md says an operator would."""
    sys.path.insert(0, str(ROOT / "tests"))
    from kgtool.store.virtuoso_ini import virtuoso_sizing
    from virtuoso_server import virtuoso_server

    memory = o.get("memory") or "2G"
    with tempfile.TemporaryDirectory(prefix="kgtool-bench-virtuoso-") as tmp, virtuoso_server(Path(tmp), memory=memory) as server:
        # one named graph per document (kgtool load), or everything in one graph (kgtool load
        # --graph): Virtuoso plans a query over a dataset of hundreds of graphs far worse
        found = _remote_queries(root, o, server.endpoint, user=server.user, password=server.password)
        sizing = virtuoso_sizing(memory)
        return {**found, "start_s": server.start_seconds, "configuration": {**sizing.parameters(), **sizing.sparql()}, **peak_mb()}


def phase_oxigraph_server(root: Path, o: dict) -> dict:
    """The same on Oxigraph's own server (`oxigraph serve`, tests/oxigraph_server.py)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from oxigraph_server import oxigraph_server

    # the server stops a query when the benchmark stops waiting, as Virtuoso does with `timeout`
    with (
        tempfile.TemporaryDirectory(prefix="kgtool-bench-oxigraph-") as tmp,
        oxigraph_server(Path(tmp), query_timeout_s=max(1, round(o["query_timeout"]))) as server,
    ):
        return {**_remote_queries(root, o, server.endpoint), "start_s": server.start_seconds, **peak_mb()}


PHASES = {
    "virtuoso": phase_virtuoso,
    "oxigraph-server": phase_oxigraph_server,
    "build": phase_build,
    "memory": phase_memory,
    "persist-build": phase_persist_build,
    "profiles": phase_profiles,
    "persist-open": phase_persist_open,
    "rdflib": phase_rdflib,
    "gaps-fast": phase_gaps_fast,
    "gaps-jena": phase_gaps_jena,
    "gaps-plain": phase_gaps_plain,
}


# ------------------------------------------------------------------------------ report


class Printer:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        print(f"{'size':>5} | {'phase':8} | {'figure':64} | {'value':>12} | {'baseline':>14} | {'ratio':>8}", flush=True)

    def __call__(self, size, phase: str, figure: str, value, baseline=None, ratio=None) -> None:
        def fmt(x):
            if x is None:
                return "-"
            if isinstance(x, float):
                return f"{x:.3f}" if abs(x) < 10 else f"{x:.1f}"
            return str(x)

        r = f"{ratio:.1f}x" if isinstance(ratio, (int, float)) else (ratio or "")
        print(f"{size!s:>5} | {phase:8} | {figure[:64]:64} | {fmt(value):>12} | {fmt(baseline):>14} | {r:>8}", flush=True)
        self.rows.append({"size": size, "phase": phase, "figure": figure, "value": value, "baseline": baseline, "ratio": ratio})


def _ok(result: dict) -> bool:
    return result.get("status") == "ok"


def _why(result: dict) -> str:
    if result.get("status") == "timeout":
        return f"timeout after {result.get('seconds', 0):.0f} s"
    if result.get("status") == "skipped":
        return result.get("reason", "skipped")
    return "failed: " + " ".join(str(result.get("error", "")).split())[-160:]


def report_size(out: Printer, n: int, summary: dict, r: dict) -> None:
    mem, build, opened, rdf = r["memory"], r["persist-build"], r["persist-open"], r["rdflib"]
    fast, plain = r["gaps-fast"], r["gaps-plain"]
    triples = mem.get("triples") if _ok(mem) else None
    out(n, "corpus", "triples", triples)
    out(n, "corpus", "documents", len(summary["documents"]) + 5)
    out(n, "corpus", "generate s", summary["generate_s"])
    load_base = rdf.get("load_s") if _ok(rdf) else None
    if _ok(mem):
        out(n, "load", "fresh in-memory load s", mem["load_s"], load_base, load_base / mem["load_s"] if load_base else None)
        out(n, "memory", "fresh load peak MB", mem["peak_mb"])
    else:
        out(n, "load", "fresh in-memory load s", _why(mem))
    out(
        n,
        "load",
        "on-disk store build s",
        build.get("build_s") if _ok(build) else _why(build),
        load_base,
        load_base / build["build_s"] if load_base and _ok(build) else None,
    )
    if _ok(opened):
        out(n, "load", "on-disk store open s", opened["open_s"], load_base, load_base / opened["open_s"] if load_base else None)
        out(n, "load", "on-disk store reopen s (current)", opened["reopen_s"])
        out(n, "memory", "on-disk open + queries peak MB", opened["peak_mb"])
    else:
        out(n, "load", "on-disk store open s", _why(opened))
    if _ok(rdf):
        out(n, "memory", "rdflib load + queries peak MB", rdf["peak_mb"])
    else:
        out(n, "load", "rdflib load s (baseline)", _why(rdf))
    # saved queries: on-disk store, beside rdflib and the in-memory store
    disk = opened.get("queries", {}) if _ok(opened) else {}
    memq = mem.get("queries", {}) if _ok(mem) else {}
    base = rdf.get("queries", {}) if _ok(rdf) else {}
    medians, ratios = [], []
    for name in sorted(disk):
        times = disk[name]
        if isinstance(times, str):
            out(n, "queries", name, times)
            continue
        median = statistics.median(times)
        medians.append((median, name))
        b = base.get(name)
        if isinstance(b, list):
            ratio = statistics.median(b) / max(median, 1e-3)
            ratios.append(ratio)
            out(n, "queries", f"{name} median ms", median, statistics.median(b), ratio)
        else:
            out(n, "queries", f"{name} median ms", median, b if b else "not run", None)
        out(n, "queries", f"{name} p99 ms", p99(times), p99(b) if isinstance(b, list) else None)
        m = memq.get(name)
        if isinstance(m, list):
            out(n, "queries", f"{name} in-memory median ms", statistics.median(m))
    if medians:
        out(n, "queries", "median of medians ms", statistics.median(m for m, _ in medians))
        slowest = max(medians)
        out(n, "queries", "slowest median ms", slowest[0], slowest[1])
        found = opened.get("search") or {}
        if found.get("index"):
            scan = statistics.median(found["scan"])
            index = statistics.median(found["index"])
            out(n, "queries", "text search median ms", index, scan, scan / max(index, 1e-3))
            out(
                n,
                "queries",
                "text search first 500 hits median ms",
                statistics.median(found["first_page"]),
                scan,
                scan / max(statistics.median(found["first_page"]), 1e-3),
            )
        else:
            out(n, "queries", "text search median ms", "not measured")
        in_memory = [statistics.median(v) for v in memq.values() if isinstance(v, list)]
        if in_memory:
            out(n, "queries", "in memory: median of medians ms", statistics.median(in_memory))
            out(n, "queries", "in memory: slowest median ms", max(in_memory))
            firsts = {k: statistics.median(v) for k, v in (mem.get("first_pages") or {}).items() if isinstance(v, list)}
            if firsts:
                whole = {k: statistics.median(v) for k, v in memq.items() if isinstance(v, list)}
                first_median, whole_median = statistics.median(firsts.values()), statistics.median(whole.values())
                out(
                    n,
                    "queries",
                    "in memory: first page (1000 rows) median of medians ms",
                    first_median,
                    whole_median,
                    whole_median / max(first_median, 1e-3),
                )
                worst = max(firsts, key=firsts.__getitem__)
                out(n, "queries", "in memory: first page slowest median ms", firsts[worst], f"{worst} (whole {whole.get(worst, 0):.0f})")
            speedups = [
                statistics.median(base[k]) / max(statistics.median(v), 1e-3)
                for k, v in memq.items()
                if isinstance(v, list) and isinstance(base.get(k), list)
            ]
            if speedups:
                out(
                    n,
                    "queries",
                    "in memory: queries >= 10x faster than rdflib",
                    f"{sum(1 for x in speedups if x >= 10)}/{len(speedups)}",
                    None,
                    statistics.median(speedups),
                )
        out(
            n,
            "queries",
            "queries >= 10x faster than rdflib",
            f"{sum(1 for x in ratios if x >= 10)}/{len(ratios)}" if ratios else "rdflib not run",
            None,
            statistics.median(ratios) if ratios else None,
        )
    else:
        for figure in ("median of medians ms", "slowest median ms", "text search median ms"):
            out(n, "queries", figure, _why(opened))
    # gap report
    if _ok(fast):
        base_s = plain.get("seconds") if _ok(plain) else None
        out(n, "gaps", "report s", fast["seconds"], base_s if base_s else _why(plain), base_s / fast["seconds"] if base_s else None)
        if _ok(plain):
            out(n, "gaps", "plain: load s / validate s", plain["load_s"], plain["validate_s"])
            out(n, "gaps", "report s vs plain validate only", fast["seconds"], plain["validate_s"], plain["validate_s"] / fast["seconds"])
        out(n, "gaps", "findings", fast["findings"], plain.get("findings") if _ok(plain) else None)
        out(n, "gaps", "same findings", ("yes" if fast["keys"] == plain["keys"] else "NO") if _ok(plain) else "not compared")
        out(n, "memory", "fast gaps peak MB", fast["peak_mb"], plain.get("peak_mb") if _ok(plain) else None)
        out(n, "memory", "fast gaps worker peak MB", fast["children_peak_mb"])
        out(n, "gaps", "fast: CPU s in workers", fast.get("workers_cpu_s"))
    else:
        for figure in ("report s", "findings", "same findings"):
            out(n, "gaps", figure, _why(fast))
        out(n, "memory", "fast gaps peak MB", _why(fast))
    jena = r["gaps-jena"]
    base_s = plain.get("seconds") if _ok(plain) else None
    if _ok(jena):
        out(n, "gaps", "jena report s", jena["seconds"], base_s if base_s else _why(plain), base_s / jena["seconds"] if base_s else None)
        out(
            n,
            "gaps",
            "jena same findings",
            ("yes" if jena["keys"] == plain["keys"] else "NO")
            if _ok(plain)
            else ("yes" if _ok(fast) and jena["keys"] == fast["keys"] else "not compared"),
        )
        out(n, "memory", "jena peak MB (java / python)", jena["java_peak_mb"], jena["peak_mb"])
    else:
        out(n, "gaps", "jena report s", _why(jena))
    # comparison functions
    comp = opened.get("compare", {}) if _ok(opened) else {}
    comp_base = rdf.get("compare", {}) if _ok(rdf) else {}
    for name in ("role_duty_matrix", "frequency_table", "similarity"):
        value = comp.get(name) if comp.get(name) is not None else comp.get("status")
        b = comp_base.get(name) if isinstance(comp_base, dict) else None
        out(
            n,
            "compare",
            f"{name} s",
            value if value is not None else _why(opened),
            b if b is not None else (comp_base.get("status") if isinstance(comp_base, dict) and comp_base.get("status") else None),
            b / value if isinstance(b, float) and isinstance(value, float) else None,
        )
    report_profiles(out, n, r.get("profiles", {"status": "skipped", "reason": "not run"}), comp)


def report_profiles(out: Printer, n: int, p: dict, sparql: dict) -> None:
    """Comparison from profiles, each beside the SPARQL path of the same run (persist-open's)."""
    if not _ok(p):
        for phase, figure in FIGURES:
            if figure.startswith("profiles"):
                out(n, phase, figure, _why(p))
        out(n, "memory", "compare --by, largest peak MB", _why(p))
        return

    def base(name: str):
        value = sparql.get(name)
        return value if value is not None else (sparql.get("status") or "not run")

    def ratio(b, value):
        return b / value if isinstance(b, float) and value else None

    out(n, "compare", "profiles build s", p["build_s"], f"{p['profiles']} files")
    out(n, "compare", "profiles: open store + choose + load s", p["load_s"])
    for name in ("role_duty_matrix", "frequency_table"):
        out(n, "compare", f"profiles: {name} s (tables only)", p[name], base(name), ratio(base(name), p[name]))
    both = p["load_s"] + p["role_duty_matrix"] + p["frequency_table"]
    b = base("role_duty_matrix")
    b = (
        b + sparql["frequency_table"]
        if isinstance(b, float) and isinstance(sparql.get("frequency_table"), float)
        else (b if not isinstance(b, float) else base("frequency_table"))
    )
    out(n, "compare", "profiles: role x duty type + frequency s", both, b, ratio(b, both))
    near = p["load_s"] + p["nearest"]
    out(n, "compare", "profiles: nearest 10 of every document s", near, base("similarity"), ratio(base("similarity"), near))
    if "similarity" in p:
        out(
            n,
            "compare",
            "profiles: every pair s (tables only)",
            p["similarity"],
            base("similarity"),
            ratio(base("similarity"), p["similarity"]),
        )
    every = p["load_s"] + sum(p[k] for k in ("role_duty_matrix", "frequency_table", "principles", "structure", "nearest"))
    out(n, "compare", "profiles: every view, all documents s", every)
    compared = [k for k in ("role_duty_matrix", "frequency_table", "similarity") if f"{k} sha256" in p and f"{k} sha256" in sparql]
    same = all(p[f"{k} sha256"] == sparql[f"{k} sha256"] for k in compared)
    out(
        n,
        "compare",
        "profiles: same answers as SPARQL",
        ("yes" if same else "NO") + f" ({', '.join(compared)})" if compared else "not compared (SPARQL path did not finish)",
    )
    out(n, "memory", "profiles phase peak MB", p["peak_mb"], f"{p['children_peak_mb']} MB children")
    for name, (seconds, mb, code) in p["views"].items():
        out(n, "compare", f"compare --by {name} s", seconds if code == 0 else f"failed: exit {code}")
        out(n, "memory", f"compare --by {name} peak MB", mb)
    out(
        n,
        "memory",
        "compare --by, largest peak MB",
        max(mb for _, mb, _ in p["views"].values()),
        max(p["views"], key=lambda k: p["views"][k][1]),
    )


def report_remote(out: Printer, n: int, engine: str, v: dict, results: dict) -> None:
    """Saved queries through RemoteStore on a remote engine, beside the embedded store of the same run:
    how many of the library answered, their median and slowest (the issue's figures), and each query."""
    if not _ok(v):
        out(n, engine, "saved queries", _why(v))
        return
    out(n, engine, "push s (Graph Store Protocol)", v["push_s"], f"{v['graphs']} graphs")
    out(n, engine, "triples pushed", v["triples"])
    for key, value in v.get("configuration", {}).items():
        out(n, engine, f"ini {key}", value)
    disk = results["persist-open"].get("queries", {}) if _ok(results["persist-open"]) else {}
    memory = results["memory"].get("queries", {}) if _ok(results["memory"]) else {}
    medians = []
    for name, times in sorted(v["queries"].items()):
        if isinstance(times, str):
            out(n, engine, f"{name} median ms", times)
            continue
        median = statistics.median(times)
        medians.append((median, name))
        d = disk.get(name)
        out(
            n,
            engine,
            f"{name} median ms",
            median,
            statistics.median(d) if isinstance(d, list) else None,
            statistics.median(d) / median if isinstance(d, list) else None,
        )
    out(n, engine, "saved queries answered", f"{len(medians)}/{len(v['queries'])}")
    if medians:

        def summary(table: dict) -> tuple[float | None, float | None]:
            found = [statistics.median(t) for t in table.values() if isinstance(t, list)]
            return (statistics.median(found), max(found)) if found else (None, None)

        (disk_median, disk_slowest), (memory_median, memory_slowest) = summary(disk), summary(memory)
        median, slowest = statistics.median(m for m, _ in medians), max(medians)
        out(n, engine, "median of medians ms (beside: embedded in memory)", median, memory_median)
        out(n, engine, "median of medians ms (beside: embedded on disk)", median, disk_median)
        out(n, engine, f"slowest median ms ({slowest[1]}; beside: in memory)", slowest[0], memory_slowest)
        out(n, engine, "slowest median ms (beside: embedded on disk)", slowest[0], disk_slowest)


def web_figures(out: Printer, quick: bool) -> None:
    script = ROOT / "benchmarks" / "web_latency.py"
    if not script.exists():
        out("-", "web", "web_latency.py", "absent")
        return
    args = ["--clients", "2", "--requests", "5"] if quick else ["--clients", "20", "--requests", "100"]
    try:
        run = subprocess.run([sys.executable, str(script), *args], check=False, capture_output=True, text=True, timeout=600, cwd=ROOT)
    except subprocess.TimeoutExpired:
        out("-", "web", "p50/p99", "timeout")
        return
    rows = [line.split() for line in run.stdout.splitlines()]
    printed = False
    for row in rows:
        if len(row) >= 6 and row[0] in ("resource", "saved-query", "sparql"):
            out("real", "web", f"{row[0]} p50 ms", float(row[3]))
            out("real", "web", f"{row[0]} p99 ms", float(row[4]))
            printed = True
    if not printed:
        out("real", "web", "p50/p99", "failed: " + " ".join(run.stderr.split())[-160:])


# ------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,100,1000", help="generated jurisdictions per run, comma-separated")
    parser.add_argument("--quick", action="store_true", help="smallest size only, short repeats (CI)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7, help="runs per saved query")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per query before stopping repeats")
    parser.add_argument("--query-timeout", type=float, default=60.0, help="seconds before an rdflib query is given up")
    parser.add_argument("--baseline-max-triples", type=int, default=1_200_000, help="above this, rdflib and plain pySHACL are not run")
    parser.add_argument("--phase-timeout", type=float, default=3600.0, help="seconds any one phase may take")
    parser.add_argument("--compare-timeout", type=float, default=600.0, help="seconds for the comparison functions")
    parser.add_argument("--no-web", action="store_true")
    parser.add_argument("--skip", default="", help="phases not to run, comma-separated (e.g. gaps-fast at 1000)")
    parser.add_argument("--virtuoso", action="store_true", help="also time the saved queries on a scratch Virtuoso")
    parser.add_argument(
        "--virtuoso-memory", default="2G", help="memory the scratch Virtuoso is sized for (kgtool.store.virtuoso_ini; default 2G)"
    )
    parser.add_argument(
        "--oxigraph-server", action="store_true", help="also time the saved queries on a scratch Oxigraph server (`oxigraph serve`)"
    )
    parser.add_argument(
        "--one-graph",
        "--virtuoso-one-graph",
        dest="one_graph",
        action="store_true",
        help="push the corpus to the remote engines into one named graph (kgtool load --graph) instead of one per document",
    )
    parser.add_argument("--work", type=Path, help="folder for scratch projects (default: a temp folder, removed)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:  # a child process: run one phase, print its JSON
        result = PHASES[args.phase](args.root, json.loads(args.options))
        print(json.dumps(result, ensure_ascii=False, default=str))
        return

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    unknown = skip - set(PHASES)
    if unknown:
        parser.error(f"--skip: no phase {', '.join(sorted(unknown))} (phases: {', '.join(PHASES)})")

    def phase(name: str, root: Path, **options) -> dict:
        if name in skip:
            return {"status": "skipped", "reason": "--skip"}
        return run_phase(name, root, args.phase_timeout, **options)

    if args.quick:
        sizes = [min(sizes)]
        args.repeat, args.budget, args.query_timeout, args.compare_timeout = 2, 1.0, 3.0, 30.0
    work = args.work or Path(tempfile.mkdtemp(prefix="kgtool-bench-"))
    out = Printer()
    try:
        build = run_phase("build", ROOT, args.phase_timeout, repeat=1 if args.quick else 3)
        out("-", "build", "documents/s", build["documents_per_s"] if _ok(build) else _why(build))
        for n in sizes:
            root, summary = scratch_project(n, args.seed, work)
            common = {
                "repeat": args.repeat,
                "budget": args.budget,
                "query_timeout": args.query_timeout,
                "compare_timeout": args.compare_timeout,
                "compare": True,
            }
            results = {"memory": phase("memory", root, **common, queries=True), "persist-build": phase("persist-build", root)}
            results["persist-open"] = phase("persist-open", root, **common)
            results["profiles"] = phase("profiles", root, **common)
            triples = results["memory"].get("triples") or summary["triples"]
            small = triples <= args.baseline_max_triples
            skipped = {"status": "skipped", "reason": f"skipped above {args.baseline_max_triples} triples"}
            results["rdflib"] = phase("rdflib", root, **common) if small else skipped
            results["gaps-fast"] = phase("gaps-fast", root)
            results["gaps-jena"] = phase("gaps-jena", root)
            results["gaps-plain"] = phase("gaps-plain", root) if small else skipped
            report_size(out, n, summary, results)
            if args.virtuoso:
                report_remote(
                    out, n, "virtuoso", phase("virtuoso", root, **common, one_graph=args.one_graph, memory=args.virtuoso_memory), results
                )
            if args.oxigraph_server:
                report_remote(out, n, "oxigraph", phase("oxigraph-server", root, **common, one_graph=args.one_graph), results)
            if not args.work:
                shutil.rmtree(root, ignore_errors=True)
        if not args.no_web:
            web_figures(out, args.quick)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        machine = {"nproc": os.cpu_count(), "python": sys.version.split()[0]}
        args.json.write_text(
            json.dumps({"machine": machine, "rows": out.rows}, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
