"""The gap report through Jena on a real Dask cluster, per document unit, beside one Jena run.

    python benchmarks/cluster.py --sizes 200                     # 1M triples, about 5 minutes here
    KGTOOL_JAVA_OPTS=-Xmx14g python benchmarks/cluster.py --sizes 1000   # 5.2M: the single run needs 8 GB
    python benchmarks/cluster.py --quick                         # the five documents plus one jurisdiction (CI)

For each size (generated jurisdictions added to the five real documents, benchmarks/generate.py),
in one run on the same machine:

- *baseline*: `kgtool.gaps.jena.jena_validate`, one Java run over everything, in a fresh
  process; its peak memory is the Java child's and the Python process's (getrusage);
- *candidate*: `kgtool validate --engine jena --executor tcp://…`'s work
  (`kgtool.gaps.gap_report` with the scheduler's address) on a scratch cluster of one
  `dask scheduler` and two `dask worker --nworkers 1 --nthreads 1` processes on 127.0.0.1
  (tests/dask_cluster.py); each worker's peak is the resident memory of its whole process tree
  (the `dask worker` command, its worker process and the Java runs under it), sampled every
  0.2 s with psutil; the client's peak is this process's;
- whether the findings are identical, every field of every finding (labels, passages …).

Optionally (``--local``) the same units on local processes (``--executor local``).
Output: one line per figure, ``size | phase | figure | value | baseline | ratio`` (as run.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.run import Printer, scratch_project  # noqa: E402


def findings_of(report) -> list[list]:
    return [list(dataclasses.astuple(f)) for f in report.findings]


def single_run(root: Path, out: Path, timeout: float) -> dict:
    """jena_validate in a fresh process (its own peak memory), its findings written to out."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "sys.path.insert(0, sys.argv[3])\n"
        "from benchmarks.cluster import findings_of\n"
        "from kgtool.gaps.jena import jena_validate\n"
        "started = time.perf_counter()\n"
        "report = jena_validate(Path(sys.argv[1]), shapes_dir=Path(sys.argv[1]) / 'shapes')\n"
        "seconds = time.perf_counter() - started\n"
        "Path(sys.argv[2]).write_text(json.dumps(findings_of(report), ensure_ascii=False), encoding='utf-8')\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "java = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': seconds, 'python_mb': own, 'java_mb': java}))\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(root), str(out), str(ROOT)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return {"status": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"status": "failed: " + " ".join(done.stderr.split())[-200:]}
    return {"status": "ok", **json.loads(done.stdout.splitlines()[-1])}


class TreeSampler:
    """The peak resident memory of each process tree, sampled in a thread until stopped."""

    def __init__(self, pids: list[int], every: float = 0.2):
        import psutil

        self.psutil = psutil
        self.roots = [psutil.Process(pid) for pid in pids]
        self.peaks = [0] * len(pids)
        self.java_peak = 0
        self.every = every
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.done.is_set():
            for i, root in enumerate(self.roots):
                total = 0
                try:
                    tree = [root, *root.children(recursive=True)]
                except self.psutil.NoSuchProcess:
                    continue
                for process in tree:
                    try:
                        rss = process.memory_info().rss
                        if process.name() == "java":
                            self.java_peak = max(self.java_peak, rss)
                        total += rss
                    except self.psutil.NoSuchProcess:
                        pass
                self.peaks[i] = max(self.peaks[i], total)
            self.done.wait(self.every)

    def __enter__(self) -> TreeSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()


def mb(n: float) -> int:
    return round(n / 1e6)


def run_size(out: Printer, n: int, root: Path, summary: dict, work: Path, args) -> None:
    from dask_cluster import dask_cluster
    from kgtool.gaps import gap_report

    out(n, "corpus", "triples", summary.get("triples"))
    out(n, "corpus", "Turtle MB", round(sum(p.stat().st_size for p in (root / "data").glob("*.ttl")) / 1e6, 1))
    baseline_file = work / f"single-{n}.json"
    single = single_run(root, baseline_file, args.timeout)
    if single["status"] != "ok":
        out(n, "single", "one Jena run", single["status"])
    else:
        out(n, "single", "one Jena run s", single["seconds"])
        out(n, "single", "one Jena run: Java peak MB", round(single["java_mb"]))
        out(n, "single", "one Jena run: Python peak MB", round(single["python_mb"]))
    expected = json.loads(baseline_file.read_text(encoding="utf-8")) if baseline_file.exists() else None

    env = {"KGTOOL_JENA_UNIT_HEAP_MB": str(args.heap_mb)}
    os.environ.update(env)
    with (
        dask_cluster(work / f"cluster-{n}", workers=2, threads=1, memory_limit="4GB", env=env) as cluster,
        TreeSampler([w.pid for w in cluster.workers]) as sampler,
    ):
        started = time.perf_counter()
        try:
            report = gap_report(root, shapes_dir=root / "shapes", engine="jena", executor=cluster.address)
            error = None
        except Exception as exc:  # noqa: BLE001 - a benchmark reports what failed and goes on
            report, error = None, f"failed: {exc}"
        seconds = time.perf_counter() - started
    if report is None:
        out(n, "dask", "Jena per unit on 2 Dask workers", error)
        return
    base = single.get("seconds") if single["status"] == "ok" else None
    out(n, "dask", "Jena per unit on 2 Dask workers s", seconds, base, base / seconds if base else None)
    for i, peak in enumerate(sampler.peaks):
        out(n, "dask", f"worker {i} peak MB (worker tree incl. Java)", mb(peak), 4000, "≤ 4 GB" if peak <= 4e9 else "OVER")
    out(n, "dask", "largest Java run RSS MB", mb(sampler.java_peak), round(single.get("java_mb", 0)) or None)
    out(n, "dask", "client peak MB", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    got = findings_of(report)
    out(n, "dask", "findings", len(got), len(expected) if expected is not None else None)
    out(
        n,
        "dask",
        "identical findings (every field)",
        "yes" if expected is not None and got == expected else "no" if expected is not None else "no baseline",
    )
    if args.local:
        started = time.perf_counter()
        local = gap_report(root, shapes_dir=root / "shapes", engine="jena", executor="local", workers=2)
        seconds = time.perf_counter() - started
        out(n, "local", "Jena per unit on 2 local processes s", seconds, base, base / seconds if base else None)
        out(n, "local", "identical findings", "yes" if findings_of(local) == got else "no")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200", help="generated jurisdictions per run, comma-separated")
    parser.add_argument("--quick", action="store_true", help="one generated jurisdiction (CI)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--heap-mb", type=int, default=1024, help="KGTOOL_JENA_UNIT_HEAP_MB for the workers' Java runs")
    parser.add_argument("--local", action="store_true", help="also the units on 2 local processes")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds the single Jena run may take")
    parser.add_argument("--work", type=Path, help="folder for scratch projects (default: a temp folder, removed)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the scratch cluster is stopped
    sizes = [1] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="kgtool-cluster-"))
    out = Printer()
    try:
        for n in sizes:
            existing = work / f"size-{n}"
            if args.work and (existing / "data").is_dir():  # a corpus left by an earlier run (or run.py --work)
                root = existing
                summary = {"triples": None}
            else:
                root, summary = scratch_project(n, args.seed, work)
                for name in ("ontology", "shapes"):  # copies: edits to the checkout during a long run must not count
                    (root / name).unlink()
                    shutil.copytree(ROOT / name, root / name)
            run_size(out, n, root, summary, work, args)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(
            json.dumps({"machine": {"nproc": os.cpu_count()}, "rows": out.rows}, ensure_ascii=False, indent=1, default=str) + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
