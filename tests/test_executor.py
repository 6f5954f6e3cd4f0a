"""Per-document work on a real Dask cluster gives what local processes give (issue 15, item 4).

A real `dask scheduler` and two `dask worker --nworkers 1` processes are started on 127.0.0.1
(tests/dask_cluster.py) for the module; the build made on them is compared byte for byte with
the local build, and the gap report (pySHACL units, and Jena units each with a bounded heap)
finding for finding with the local engines. An unreachable scheduler, a bad address and a worker
that does not see the project are one line each. Nothing here is skipped under CI: a missing
distributed or Jena fails there (as Virtuoso and Chromium do).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from dask_cluster import DaskCluster, dask_cluster
from kgtool.build import build
from kgtool.cli import cli
from kgtool.errors import ClusterError, KgtoolError, SourceError
from kgtool.executor import check_spec, gather, open_executor, ordered
from kgtool.gaps import gap_report, load_data, validate
from sources import copy_project

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "shapes"
PUBLISHED = ROOT / "tests" / "data" / "published"
SHACL_RESULT = URIRef("http://www.w3.org/ns/shacl#result")


def kgtool(root: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env={"KGTOOL_HOME": str(root), **(env or {})})


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    with dask_cluster(tmp_path_factory.mktemp("dask"), workers=2, threads=1) as running:
        yield running


@pytest.fixture(scope="module")
def jena_ready() -> None:
    from kgtool.gaps.jena import missing

    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Apache Jena: {reason}")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch(home: Path) -> Path:
    """A project whose sources are the five texts plus Benxi as a PDF, a DOCX and a web page (each
    read in a child process, on a Dask worker too), with no data/*.ttl but places.ttl."""
    root = copy_project(home)
    for ttl in (root / "data").glob("*.ttl"):
        if ttl.name != "places.ttl":
            ttl.unlink()
    for extension in ("pdf", "docx", "html"):
        shutil.copy(PUBLISHED / f"benxi-hitech-2019.{extension}", root / "data" / "sources" / f"benxi-{extension}.{extension}")
    return root


def turtle_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "data").glob("*.ttl"))}


# ------------------------------------------------------------------------------ no cluster needed


@pytest.mark.parametrize("spec", ["http://host:8786", "tcp://", "tcp://a b:1", "dask", "tcp://host:8786/x"])
def test_an_executor_that_is_neither_local_nor_a_scheduler_is_refused(spec: str) -> None:
    with pytest.raises(KgtoolError) as caught:
        check_spec(spec)
    assert caught.value.exit_code == 2 and caught.value.where == "--executor"
    result = kgtool(ROOT, "validate", "--executor", spec)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("kgtool: error: --executor: not an executor")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["build", "--check"], ["validate", "--engine", "jena"], ["validate", "--engine", "pyshacl"]])
def test_an_unreachable_scheduler_is_one_line_and_exit_3(command: list[str]) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    result = kgtool(ROOT, *command, "--executor", address, env={"KGTOOL_CLUSTER_TIMEOUT_S": "1"})
    assert result.exit_code == 3, result.output
    assert result.stderr == (
        f"kgtool: error: --executor: no Dask scheduler answered at {address} within 1 s "
        "(start it with `dask scheduler`, or raise KGTOOL_CLUSTER_TIMEOUT_S)\n"
    )


def test_single_refuses_an_executor_it_would_not_use() -> None:
    result = kgtool(ROOT, "validate", "--engine", "single", "--executor", "local")
    assert result.exit_code == 2 and "--executor: has no effect on --engine single" in result.stderr


def test_local_results_come_back_in_order_and_a_task_error_is_raised_as_itself() -> None:
    with open_executor("local", workers=2) as pool:
        assert pool.slots == 2
        assert list(ordered(pool, pow, [(n, 2) for n in range(40)])) == [n * n for n in range(40)]
        assert gather(pool, divmod, [(7, 2), (9, 4)], order=[1, 0]) == [(3, 1), (2, 1)]
        with pytest.raises(ZeroDivisionError):
            gather(pool, divmod, [(1, 1), (1, 0)])
    with open_executor(None, workers=0) as pool:
        assert pool.where == "this process" and list(ordered(pool, abs, [(-1,), (-2,)])) == [1, 2]


def test_a_local_build_in_processes_equals_the_build_in_this_process(tmp_path: Path) -> None:
    one, two = scratch(tmp_path / "one"), scratch(tmp_path / "two")
    build(one)  # 8 sources: in this process
    build(two, executor="local", workers=2)
    assert turtle_files(one) == turtle_files(two)
    committed = turtle_files(ROOT)
    assert all(turtle_files(two)[name] == data for name, data in committed.items())


def test_jena_units_equal_one_jena_run_locally_and_fall_back_when_a_document_reaches_out(tmp_path: Path, jena_ready) -> None:
    from kgtool.gaps.jena import jena_validate

    root = copy_project(tmp_path / "p")
    link = (
        "\n<https://w3id.org/wsa/id/wuxi-towns-2021/post/extra> a <https://w3id.org/wsa/ontology#Post> ;\n"
        "  <http://www.w3.org/ns/org#postIn> <https://w3id.org/wsa/id/bazhong-econ-2018/body/49cc8cdd> .\n"
    )
    with (root / "data" / "wuxi-towns-2021.ttl").open("a", encoding="utf-8") as f:
        f.write(link)
    one = jena_validate(root, shapes_dir=SHAPES)
    units = gap_report(root, shapes_dir=SHAPES, engine="jena", executor="local", workers=2)
    assert "wuxi-towns-2021/post/extra" in " ".join(f.focus for f in one.findings)
    assert units.findings == one.findings and units.conforms == one.conforms
    assert len(units.notes) == 1 and "bazhong-econ-2018/body/49cc8cdd, another document's node" in units.notes[0]
    assert units.notes[0].endswith("validated as one unit")


SHARED = "https://w3id.org/wsa/id/agent/shared-post"


def with_shared_node(home: Path, labels: tuple[str, str]) -> Path:
    """Two documents that each describe one node minted outside them (as an analyst or a new place is)."""
    root = copy_project(home)
    for document, label in zip(("wuxi-towns-2021", "tongchuan-town-2022"), labels):
        with (root / "data" / f"{document}.ttl").open("a", encoding="utf-8") as f:
            f.write(
                f'\n<{SHARED}> a <https://w3id.org/wsa/ontology#Post> ;\n  <http://www.w3.org/2000/01/rdf-schema#label> "{label}"@zh .\n'
            )
    return root


def results_about(report, focus: str) -> int:
    from rdflib import URIRef
    from rdflib.namespace import SH as SHACL

    return sum(1 for _ in report.report_graph.subjects(SHACL.focusNode, URIRef(focus)))


@pytest.mark.parametrize("engine", ["pyshacl", "jena"])
def test_a_node_two_documents_describe_alike_keeps_the_split_and_is_reported_once(tmp_path: Path, engine: str) -> None:
    if engine == "jena":
        from kgtool.gaps.jena import jena_validate, missing

        if missing() and not os.environ.get("CI"):
            pytest.skip(missing())
    root = with_shared_node(tmp_path, ("共享岗位", "共享岗位"))
    whole = validate(load_data(root), shapes_dir=SHAPES) if engine == "pyshacl" else jena_validate(root, shapes_dir=SHAPES)
    units = gap_report(root, shapes_dir=SHAPES, engine=engine, executor="local", workers=2)
    assert not units.notes, units.notes  # split, not validated as one unit
    about = [f.shape.rsplit("#", 1)[-1] for f in whole.findings if f.focus == SHARED]
    assert "PostWithoutDuty" in about
    assert units.findings == whole.findings
    assert results_about(units, SHARED) == results_about(whole, SHARED) == len(about)  # once, not once per unit
    assert len(set(units.report_graph.objects(None, SHACL_RESULT))) == len(set(whole.report_graph.objects(None, SHACL_RESULT)))


def test_a_node_two_documents_describe_differently_is_validated_as_one_unit(tmp_path: Path) -> None:
    root = with_shared_node(tmp_path, ("共享岗位", "另一个名字"))
    whole = validate(load_data(root), shapes_dir=SHAPES)
    units = gap_report(root, shapes_dir=SHAPES, engine="pyshacl", executor="local", workers=2)
    assert units.findings == whole.findings
    assert units.notes and f"{SHARED} is described differently by several documents" in units.notes[0]


def test_a_unit_out_of_java_heap_is_one_line(jena_ready) -> None:
    result = kgtool(ROOT, "validate", "--engine", "jena", "--executor", "local", "--workers", "2", env={"KGTOOL_JENA_UNIT_HEAP_MB": "8"})
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ran out of Java heap (-Xmx8m)" in lines[0] and "KGTOOL_JENA_UNIT_HEAP_MB" in lines[0]


# ------------------------------------------------------------------------------ on the cluster


def test_the_cluster_has_two_workers_that_run_this_kgtool(cluster: DaskCluster) -> None:
    with open_executor(cluster.address, sees=(ROOT,)) as pool:
        assert pool.slots == 2 and pool.where == f"{cluster.address} (2 workers)"
        pids = set(gather(pool, os.getpid, [()] * 8))
    assert os.getpid() not in pids and len(pids) >= 1  # run in the workers' processes, not here


def test_a_worker_that_does_not_see_the_project_is_one_line(cluster: DaskCluster, tmp_path: Path) -> None:
    missing = tmp_path / "not-there"
    with pytest.raises(ClusterError) as caught, open_executor(cluster.address, sees=(ROOT, missing)):
        pass
    assert caught.value.exit_code == 3
    assert f"does not see {missing}" in str(caught.value) and "same path" in str(caught.value)


def test_build_on_the_cluster_equals_the_local_build_byte_for_byte(cluster: DaskCluster, tmp_path: Path) -> None:
    local, remote = scratch(tmp_path / "local"), scratch(tmp_path / "remote")
    build(local)
    result = kgtool(remote, "build", "--executor", cluster.address)
    assert result.exit_code == 0, result.output + cluster.log_tail()
    assert result.stdout.count("wrote: data/") >= 8
    assert turtle_files(remote) == turtle_files(local)
    again = kgtool(remote, "build", "--check", "--executor", cluster.address)
    assert again.exit_code == 0, again.output


def test_a_source_that_cannot_be_read_on_a_worker_is_named(cluster: DaskCluster, tmp_path: Path) -> None:
    root = scratch(tmp_path / "p")
    bad = root / "data" / "sources" / "empty.txt"
    bad.write_bytes(b"")
    with pytest.raises(SourceError) as caught:
        build(root, executor=cluster.address)
    assert caught.value.where == str(bad)  # raised on a worker, come back whole
    result = kgtool(root, "build", "--executor", cluster.address)
    assert result.exit_code == 2 and result.stderr.startswith(f"kgtool: error: {bad}: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_pyshacl_units_on_the_cluster_equal_one_pyshacl_run(cluster: DaskCluster) -> None:
    plain = validate(load_data(ROOT), shapes_dir=SHAPES)
    remote = gap_report(ROOT, shapes_dir=SHAPES, engine="pyshacl", executor=cluster.address)
    assert remote.findings == plain.findings and remote.conforms == plain.conforms


def test_jena_units_on_the_cluster_equal_one_jena_run(cluster: DaskCluster, jena_ready) -> None:
    from kgtool.gaps.jena import jena_validate

    one = jena_validate(ROOT, shapes_dir=SHAPES)
    result = kgtool(ROOT, "validate", "--engine", "jena", "--executor", cluster.address, "--format", "json")
    local = kgtool(ROOT, "validate", "--engine", "jena", "--format", "json")
    assert result.exit_code == local.exit_code == 0, result.output
    assert result.stdout == local.stdout
    remote = gap_report(ROOT, shapes_dir=SHAPES, engine="jena", executor=cluster.address)
    assert remote.findings == one.findings and remote.conforms == one.conforms


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty generated jurisdictions beside the ontology (about 100k triples, several units)."""
    if str(ROOT) not in sys.path:  # benchmarks/ is not installed with the package
        sys.path.insert(0, str(ROOT))
    from benchmarks.generate import write

    out = tmp_path_factory.mktemp("generated")
    write(ROOT, 20, 3, out / "data")
    (out / "ontology").symlink_to(ROOT / "ontology")
    return out


def test_jena_units_on_the_cluster_equal_one_jena_run_on_generated_jurisdictions(cluster: DaskCluster, generated: Path, jena_ready) -> None:
    from kgtool.gaps.jena import jena_validate
    from kgtool.gaps.jena_units import UNIT_BYTES
    from kgtool.gaps.units import plan_units

    units, _ = plan_units(generated, workers=2, unit_bytes=UNIT_BYTES)
    assert len(units) >= 4  # the split is really exercised
    one = jena_validate(generated, shapes_dir=SHAPES)
    seen: list[tuple[int, int]] = []
    remote = gap_report(
        generated, shapes_dir=SHAPES, engine="jena", executor=cluster.address, progress=lambda done, total: seen.append((done, total))
    )
    assert not remote.notes, remote.notes  # the split held: no fallback to one unit
    assert len(one.findings) > 100 and remote.findings == one.findings
    assert seen[-1] == (len(units) + 1, len(units) + 1)  # and the context unit


@pytest.mark.slow
def test_the_cluster_benchmark_runs_and_finds_the_same(jena_ready, tmp_path: Path) -> None:
    """benchmarks/cluster.py --quick: its own scratch cluster, one Jena run beside the units (so it cannot rot)."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "benchmarks/cluster.py", "--quick", "--work", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows = {line.split("|")[2].strip(): line.split("|")[3].strip() for line in out.stdout.splitlines()[1:]}
    assert rows["identical findings (every field)"] == "yes", out.stdout
    assert int(rows["worker 0 peak MB (worker tree incl. Java)"]) < 4000
    assert float(rows["Jena per unit on 2 Dask workers s"]) > 0
