"""Scale (issue 8): the synthetic corpus generator, the on-disk store, the parallel gap report
and the benchmark runner, each checked on small data (figures come from full runs, see
docs/performance.md)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not installed with the package
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import write  # noqa: E402
from kgtool.errors import ShapesError  # noqa: E402
from kgtool.gaps import Report, load_data, validate  # noqa: E402
from kgtool.gaps.per_document import fast_validate  # noqa: E402
from kgtool.query.answers import answers_dir  # noqa: E402
from kgtool.store import open_store  # noqa: E402
from kgtool.store.persist import ensure_store, open_persistent, store_is_current  # noqa: E402

SHAPES = ROOT / "shapes"


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def project(tmp: Path, generated: Path | None = None, *, real: bool = True) -> Path:
    """A scratch project: ontology/ and shapes/ linked, data/ copied (plus generated files)."""
    root = tmp / "project"
    (root / "data").mkdir(parents=True)
    for name in ("ontology", "shapes"):
        (root / name).symlink_to(ROOT / name)
    if real:
        for path in (ROOT / "data").glob("*.ttl"):
            shutil.copy(path, root / "data" / path.name)
    if generated is not None:
        for path in generated.glob("*.ttl"):
            shutil.copy(path, root / "data" / path.name)
    return root


def keys(report: Report) -> set[tuple]:
    return {(f.focus, f.shape, f.severity, f.path, f.value) for f in report.findings}


# ------------------------------------------------------------------------------ generator


def test_generator_is_deterministic_by_seed(tmp_path: Path) -> None:
    a = write(ROOT, 3, 7, tmp_path / "a")
    write(ROOT, 3, 7, tmp_path / "b")
    write(ROOT, 3, 8, tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")
    assert a["documents"] and all(d.split("-")[1].isdigit() for d in a["documents"])
    write(ROOT, 2, 7, tmp_path / "nq", fmt="nq")
    assert (tmp_path / "nq" / "corpus.nq").stat().st_size > 0


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Twenty generated jurisdictions (no real documents), for the gap-report checks."""
    out = tmp_path_factory.mktemp("generated")
    summary = write(ROOT, 20, 3, out / "data")
    (out / "ontology").symlink_to(ROOT / "ontology")
    return out, summary


@pytest.fixture(scope="module")
def generated_reports(generated) -> tuple[Report, Report]:
    root, _ = generated
    return validate(load_data(root), shapes_dir=SHAPES), fast_validate(root, shapes_dir=SHAPES, workers=2)


def test_generated_corpus_keeps_integrity_and_shows_the_planted_gaps(generated, generated_reports) -> None:
    plain, _ = generated_reports
    violations = [f"{f.shape} {f.focus} {f.path} {f.value}" for f in plain.findings if f.severity == "Violation"]
    assert not violations, "\n".join(violations[:20])
    _, summary = generated
    found = {(f.shape.rsplit("#", 1)[-1], f.focus) for f in plain.findings}
    assert summary["planted"], "no gap was planted"
    missing = [p for p in summary["planted"] if (p["shape"], p["focus"]) not in found]
    assert not missing, missing
    kinds = {p["kind"] for p in summary["planted"]}
    assert kinds == {"post_without_duty", "frequency_removed", "unassigned_duty"}


def test_generated_documents_name_new_places_and_point_to_their_provisions(generated) -> None:
    root, summary = generated
    doc = summary["documents"][0]
    text = (root / "data" / f"{doc}.ttl").read_text(encoding="utf-8")
    assert f"<https://w3id.org/wsa/id/{doc}/" in text or f"id:{doc}" in text
    for real in ("巴中市", "本溪市", "绵阳市", "铜川镇", "无锡市"):
        assert real not in text
    assert "prov:wasDerivedFrom" in text
    places = (root / "data" / "places-generated.ttl").read_text(encoding="utf-8")
    assert "wsa:Jurisdiction" in places and "@en" in places and "@zh" in places


# ------------------------------------------------------------------------------ fast gap report


def test_fast_validate_equals_validate_on_the_five_documents() -> None:
    plain = validate(load_data(ROOT), shapes_dir=SHAPES)
    fast = fast_validate(ROOT, shapes_dir=SHAPES, workers=2)
    assert keys(fast) == keys(plain)
    assert fast.findings == plain.findings  # same order, labels and passages too
    assert fast.conforms == plain.conforms


def test_fast_validate_equals_validate_on_generated_jurisdictions(generated_reports) -> None:
    plain, fast = generated_reports
    assert len(plain.findings) > 100
    assert keys(fast) == keys(plain)
    assert fast.findings == plain.findings


def test_fast_validate_in_process_restores_pyshacl(tmp_path: Path) -> None:
    from pyshacl.constraints.constraint_component import ConstraintComponent

    before = ConstraintComponent.make_v_result_description
    one = ROOT / "data" / "wuxi-towns-2021.ttl"
    fast = fast_validate([one, ROOT / "data" / "places.ttl"], shapes_dir=SHAPES, ontology_dir=ROOT / "ontology", workers=0)
    plain = validate(load_data_of([one, ROOT / "data" / "places.ttl"]), shapes_dir=SHAPES, ontology_dir=ROOT / "ontology")
    assert keys(fast) == keys(plain)
    assert ConstraintComponent.make_v_result_description is before


def load_data_of(paths: list[Path]):
    from rdflib import Graph

    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def test_fast_validate_falls_back_when_a_document_reaches_into_another(tmp_path: Path) -> None:
    root = project(tmp_path)
    link = (
        "\n<https://w3id.org/wsa/id/wuxi-towns-2021/post/extra> a <https://w3id.org/wsa/ontology#Post> ;\n"
        "  <http://www.w3.org/ns/org#postIn> <https://w3id.org/wsa/id/bazhong-econ-2018/body/49cc8cdd> .\n"
    )
    with (root / "data" / "wuxi-towns-2021.ttl").open("a", encoding="utf-8") as f:
        f.write(link)
    plain = validate(load_data(root), shapes_dir=SHAPES)
    fast = fast_validate(root, shapes_dir=SHAPES, workers=2)
    assert keys(fast) == keys(plain)


# ------------------------------------------------------------------------------ on-disk store


def test_persistent_store_is_rebuilt_only_when_data_changes(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert not store_is_current(root) and open_persistent(root) is None
    first = ensure_store(root)
    assert first.built
    expected = open_store(endpoint="", root=root)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert first.query(count) == expected.query(count)
    assert first.graphs() == expected.graphs()
    first.close()

    started = time.perf_counter()
    again = ensure_store(root)
    assert not again.built and time.perf_counter() - started < 5
    assert store_is_current(root)

    data = root / "data" / "wuxi-towns-2021.ttl"
    os.utime(data, (time.time() + 5, time.time() + 5))  # touched, same content: still current
    assert store_is_current(root)
    assert not ensure_store(root).built

    with data.open("a", encoding="utf-8") as f:  # changed: rebuilt
        f.write('\n<https://w3id.org/wsa/id/wuxi-towns-2021> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n')
    assert not store_is_current(root)
    rebuilt = ensure_store(root)
    assert rebuilt.built
    assert rebuilt.query(count).rows[0][0].toPython() == expected.query(count).rows[0][0].toPython() + 1
    assert open_persistent(root) is not None  # a second reader at the same time

    (root / "data" / "places.ttl").unlink()  # a file removed: rebuilt
    assert not store_is_current(root)
    manifest = json.loads((root / "data" / ".store" / "kgtool-manifest.json").read_text(encoding="utf-8"))
    assert "data/places.ttl" in manifest["files"]
    assert not [p for p in (root / "data").iterdir() if ".tmp-" in p.name or ".old-" in p.name]


# ------------------------------------------------------------------------------ the benchmark runner


def test_benchmark_quick_run_prints_every_figure() -> None:
    from benchmarks.run import FIGURES

    out = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows = [[c.strip() for c in line.split("|")] for line in out.stdout.splitlines()[1:] if line.count("|") == 5]
    printed = {(r[1], r[2]): r[3] for r in rows}
    for phase, figure in FIGURES:
        assert (phase, figure) in printed, f"{phase} / {figure} missing:\n{out.stdout}"
        assert not printed[(phase, figure)].startswith(("failed", "timeout")), (phase, figure, printed[(phase, figure)])
    names = {p.stem for p in (ROOT / "queries").glob("*.rq")}
    assert {f"{n} median ms"[:64] for n in names} <= {r[2] for r in rows if r[1] == "queries"}
    assert printed[("gaps", "same findings")] == "yes"
    if (ROOT / "benchmarks" / "web_latency.py").exists():
        assert any(r[1] == "web" and r[2].endswith("p99 ms") for r in rows), out.stdout


# ------------------------------------------------------------------------------ the store in the CLI and the server


def kgtool(root: Path, *args: str):
    from click.testing import CliRunner

    from kgtool.cli import cli

    return CliRunner().invoke(cli, list(args), env={"KGTOOL_HOME": str(root)})


def test_build_store_makes_query_open_the_disk_store_and_later_builds_keep_it_current(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "queries").symlink_to(ROOT / "queries")
    (root / "data" / "sources").symlink_to(ROOT / "data" / "sources")
    (root / "data" / "corrections").symlink_to(ROOT / "data" / "corrections")  # the build applies them
    plain = kgtool(root, "query", "posts-per-role-per-jurisdiction", "--format", "csv")
    assert plain.exit_code == 0 and not (root / "data" / ".store").exists()  # no store unless asked

    made = kgtool(root, "build", "--store")
    assert made.exit_code == 0, made.output
    assert "store: wrote data/.store" in made.stderr
    assert store_is_current(root)
    opened = open_store(endpoint="", root=root)
    assert answers_dir(opened) == root / "data" / ".store" / "answers"  # the disk store, not a fresh load
    opened.close()
    assert kgtool(root, "query", "posts-per-role-per-jurisdiction", "--format", "csv").output == plain.output

    again = kgtool(root, "build")  # a store exists: every build keeps it up to date
    assert again.exit_code == 0 and "store: data/.store up to date" in again.stderr

    wuxi = root / "data" / "wuxi-towns-2021.ttl"
    wuxi.write_text(wuxi.read_text(encoding="utf-8").replace("行政主要负责人", "行政一把手"), encoding="utf-8")
    assert not store_is_current(root)
    changed = kgtool(
        root, "sparql", 'SELECT (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, "行政一把手")) }', "--format", "csv"
    )
    assert changed.exit_code == 0 and changed.stdout.splitlines()[1] != "0"  # rebuilt before answering
    assert "rebuilding it first" in changed.stderr
    assert store_is_current(root)


def test_a_command_checks_the_files_once_and_names_linked_folders_below_the_root(tmp_path: Path, monkeypatch) -> None:
    """ontology/ is a link here, as in the benchmark projects: its files are still named
    ontology/…, and a command reads the files once to know whether the store is current (each
    check costs 0.5 s at 4,000 documents)."""
    from kgtool.cli.common import project_store
    from kgtool.store import persist

    root = project(tmp_path)
    ensure_store(root).close()
    manifest = json.loads((root / "data" / ".store" / persist.MANIFEST).read_text(encoding="utf-8"))
    assert "ontology/wsa.ttl" in manifest["files"] and not any(name.startswith("/") for name in manifest["files"])
    checks = []
    real = persist._manifest
    monkeypatch.setattr(persist, "_manifest", lambda *a, **k: checks.append(1) or real(*a, **k))
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    project_store(None).close()
    assert len(checks) == 1


def test_warm_store_moves_to_memory_with_the_same_answers(tmp_path: Path) -> None:
    root = project(tmp_path)
    ensure_store(root).close()
    store = open_store(endpoint="", root=root, warm=True)
    disk = store.ox
    count = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    on_disk = store.query(count)
    assert store.warmed.wait(60)
    assert store.ox is not disk  # answering from memory now
    assert store.query(count) == on_disk
    store.close()


def test_validate_cli_gives_the_same_report_with_every_engine() -> None:
    from kgtool.gaps.jena import missing

    single = kgtool(ROOT, "validate", "--format", "json", "--engine", "single")
    assert single.exit_code == 0 and json.loads(single.stdout)
    engines = ["auto", "pyshacl"] + ([] if missing() and not os.environ.get("CI") else ["jena"])
    for engine in engines:
        other = kgtool(ROOT, "validate", "--format", "json", "--engine", engine, "--workers", "2")
        assert other.exit_code == 0, other.output
        assert json.loads(other.stdout) == json.loads(single.stdout), engine
    bad = kgtool(ROOT, "validate", "--workers", "-1")
    assert bad.exit_code == 2 and "--workers" in bad.output


def test_validate_with_jena_missing_says_so_in_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kgtool.cli import cli

    env = {"KGTOOL_HOME": str(ROOT), "KGTOOL_JAVA_DIR": str(tmp_path)}
    out = CliRunner().invoke(cli, ["validate", "--engine", "jena"], env=env)
    assert out.exit_code == 2
    assert "Jena's SHACL engine is not available" in out.stderr and "Traceback" not in out.output
    assert CliRunner().invoke(cli, ["validate", "--format", "json"], env=env).exit_code == 0  # auto falls back


@pytest.fixture(scope="module")
def jena_ready() -> None:
    from kgtool.gaps.jena import missing

    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Apache Jena: {reason}")
        pytest.skip(reason)


def test_jena_gives_the_same_findings_on_the_five_documents(jena_ready) -> None:
    from kgtool.gaps.jena import jena_validate

    plain = validate(load_data(ROOT), shapes_dir=SHAPES)
    jena = jena_validate(ROOT, shapes_dir=SHAPES)
    assert jena.findings == plain.findings  # every field: labels, messages, paths, values, passages
    assert jena.conforms == plain.conforms


def test_jena_gives_the_same_findings_on_generated_jurisdictions(generated, generated_reports, jena_ready) -> None:
    from kgtool.gaps.jena import jena_validate

    root, _ = generated
    plain, _ = generated_reports
    jena = jena_validate(root, shapes_dir=SHAPES)
    assert len(jena.findings) > 100 and jena.findings == plain.findings


def test_saved_query_answers_are_kept_in_the_store_and_go_with_it(tmp_path: Path) -> None:
    from benchmarks.queries import SAMPLES
    from kgtool.query.answers import answer
    from kgtool.query.saved import bind, library

    root = project(tmp_path)
    memory = open_store(endpoint="", root=root)
    disk = ensure_store(root)
    folder = root / "data" / ".store" / "answers"
    for saved in library(ROOT / "queries").values():
        values = {p.name: SAMPLES[p.name] for p in saved.params if not p.optional}
        bindings = bind(disk, saved, values)
        calls = []

        def run(saved=saved, bindings=bindings, calls=calls):
            calls.append(1)
            return disk.query(saved.sparql, bindings=bindings)

        first = answer(disk, saved.sparql, bindings, 1000, run)
        second = answer(disk, saved.sparql, bindings, 1000, run)
        assert calls == [1], saved.name  # asked once, read back after
        assert second == first, saved.name  # read back term for term, row for row
        again = memory.query(saved.sparql, bindings=bind(memory, saved, values))
        assert len(second.rows) == len(again.rows) and second.variables == again.variables, saved.name
    assert len(list(folder.glob("*.json"))) == len(library(ROOT / "queries"))
    assert answer(memory, "ASK {}", None, 1000, lambda: memory.query("ASK {}")).boolean  # no store: just run
    disk.close()

    with (root / "data" / "wuxi-towns-2021.ttl").open("a", encoding="utf-8") as f:
        f.write('\n<https://w3id.org/wsa/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
    ensure_store(root).close()  # rebuilt: the answers went with the old store
    assert not folder.exists() or not list(folder.glob("*.json"))


def test_virtuoso_answers_a_corpus_of_over_a_hundred_graphs(tmp_path: Path) -> None:
    """Virtuoso sends a response header per graph of the dataset; past 100 Python's HTTP client
    used to refuse every answer."""
    from kgtool.store import RemoteStore, push
    from tests.virtuoso_server import virtuoso_server

    generated = tmp_path / "generated"
    summary = write(ROOT, 25, 5, generated)
    root = project(tmp_path, generated)
    embedded = open_store(endpoint="", root=root)
    assert len(embedded.graphs()) > 110
    count = "SELECT (COUNT(?duty) AS ?n) WHERE { ?duty a wsa:Duty }"
    with virtuoso_server(tmp_path / "virtuoso") as server:
        sent = push(root, server.endpoint, user=server.user, password=server.password)
        assert len(sent) == len(embedded.graphs())
        with RemoteStore(server.endpoint) as remote:
            assert remote.query(count).rows[0][0].toPython() == embedded.query(count).rows[0][0].toPython()
            assert len(remote.graphs()) == len(sent) > 5 + len(summary["documents"]) - 1


def test_the_disk_store_carries_its_text_index(tmp_path: Path) -> None:
    from kgtool.store.textindex import build_index, index_for

    root = project(tmp_path)
    disk = ensure_store(root)
    index = index_for(disk)
    assert index is not None and index.path == root / "data" / ".store" / "text.sqlite"
    fresh = build_index(open_store(endpoint="", root=root).ox)
    for q in ("检查", "季度", "第一责任人", "安"):
        assert index.search(q) == fresh.search(q) and index.search(q), q


def test_parameters_given_as_labels_resolve_through_the_index_as_through_the_scan(tmp_path: Path) -> None:
    from kgtool.errors import QueryError
    from kgtool.query.saved import bind, library

    root = project(tmp_path)
    disk = ensure_store(root)  # carries a text index
    memory = open_store(endpoint="", root=root)  # none: a scan
    queries = library(ROOT / "queries")

    def outcome(store, name: str, values: dict) -> object:
        try:
            return bind(store, queries[name], values)
        except QueryError as exc:
            return str(exc)

    cases = [("first-responsible-persons", {"jurisdiction": v}) for v in ("无锡市", "WUXI", "无锡", "不存在的地方", '"}) ; DROP')]
    cases += [("duties-of-role", {"role": v}) for v in ("分管安全生产负责人", "deputy IN CHARGE of work safety", "岗位")]
    resolved = 0
    for name, values in cases:
        expected = outcome(memory, name, values)
        assert outcome(disk, name, values) == expected, values
        resolved += isinstance(expected, dict)
    assert resolved >= 2


def test_home_page_summaries_are_kept_in_the_disk_store(tmp_path: Path) -> None:
    from kgtool.web import create_app

    root = project(tmp_path)
    (root / "queries").symlink_to(ROOT / "queries")
    ensure_store(root).close()
    folder = root / "data" / ".store" / "answers"
    first = create_app({"ROOT": root, "ENDPOINT": "", "SPARQL_WORKERS": 0}).test_client().get("/")
    assert first.status_code == 200 and "无锡市" in first.get_data(as_text=True)
    kept = sorted(folder.glob("*.json"))
    assert len(kept) >= 3  # documents, counts per document, jurisdictions
    stamps = [p.stat().st_mtime_ns for p in kept]
    again = create_app({"ROOT": root, "ENDPOINT": "", "SPARQL_WORKERS": 0}).test_client().get("/")
    assert again.get_data() == first.get_data()
    assert [p.stat().st_mtime_ns for p in kept] == stamps  # read back, not recomputed


def test_auto_engine_falls_back_to_pyshacl_when_jena_fails(generated, generated_reports, jena_ready, monkeypatch) -> None:
    from kgtool.gaps import gap_report

    root, _ = generated
    plain, _ = generated_reports
    monkeypatch.setenv("KGTOOL_JAVA_OPTS", "-Xmx1m")  # Java cannot even start
    report = gap_report(root, shapes_dir=SHAPES, engine="auto", workers=2)
    assert report.findings == plain.findings
    assert report.notes and "Jena failed" in report.notes[0] and "pySHACL" in report.notes[0]
    with pytest.raises(ShapesError):
        gap_report(root, shapes_dir=SHAPES, engine="jena")  # asked for by name: the error stands
