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
from kgtool.fastgaps import fast_validate  # noqa: E402
from kgtool.persist import ensure_store, open_current, store_is_current  # noqa: E402
from kgtool.store import open_store  # noqa: E402
from kgtool.validate import Report, load_data, validate  # noqa: E402

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
    fast = fast_validate([one, ROOT / "data" / "places.ttl"], shapes_dir=SHAPES, ontology_dir=ROOT / "ontology",
                         workers=0)
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
    link = ("\n<https://w3id.org/wsa/id/wuxi-towns-2021/post/extra> a <https://w3id.org/wsa/ontology#Post> ;\n"
            "  <http://www.w3.org/ns/org#postIn> <https://w3id.org/wsa/id/bazhong-econ-2018/body/49cc8cdd> .\n")
    with (root / "data" / "wuxi-towns-2021.ttl").open("a", encoding="utf-8") as f:
        f.write(link)
    plain = validate(load_data(root), shapes_dir=SHAPES)
    fast = fast_validate(root, shapes_dir=SHAPES, workers=2)
    assert keys(fast) == keys(plain)


# ------------------------------------------------------------------------------ on-disk store

def test_persistent_store_is_rebuilt_only_when_data_changes(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert not store_is_current(root) and open_current(root) is None
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
    assert open_current(root) is not None  # a second reader at the same time

    (root / "data" / "places.ttl").unlink()  # a file removed: rebuilt
    assert not store_is_current(root)
    manifest = json.loads((root / "data" / ".store" / "kgtool-manifest.json").read_text(encoding="utf-8"))
    assert "data/places.ttl" in manifest["files"]
    assert not [p for p in (root / "data").iterdir() if ".tmp-" in p.name or ".old-" in p.name]


# ------------------------------------------------------------------------------ the benchmark runner

def test_benchmark_quick_run_prints_every_figure() -> None:
    from benchmarks.run import FIGURES

    out = subprocess.run([sys.executable, "benchmarks/run.py", "--quick"], check=False, cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
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
