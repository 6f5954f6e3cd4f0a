"""Summaries (issue 15): the saved queries that add up each document's summary rows give the rows
the same queries gave when they counted every duty (tests/data/queries-direct/), on the five
documents and on a generated corpus; a stale or missing summary is made again on load, so an
answer follows its data; ``build --check`` reports a stale one; the bytes are the same on every run."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgtool.cli import cli
from kgtool.query.saved import bind, parse_file
from kgtool.store import Result, graph_files, open_store
from kgtool.store import summaries as summaries_module
from kgtool.store.persist import ensure_store
from kgtool.store.summaries import FOLDER, make_summary, summary_path, write_summaries

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not installed with the package
    sys.path.insert(0, str(ROOT))

from sources import copy_project  # noqa: E402
from test_profiles import project  # noqa: E402  (the five documents' data without summaries, a corpus beside)

REFERENCE = ROOT / "tests" / "data" / "queries-direct"
#: Each rewritten query with the variables of its ORDER BY (rows that tie on them may come in any order).
QUERIES = {
    "document-statistics": ("document",),
    "duty-counts-per-role-per-jurisdiction": ("jurisdictionLabel", "role"),
    "duty-type-profile-per-jurisdiction": ("jurisdictionLabel", "duties", "dutyType"),
    "posts-per-role-per-jurisdiction": ("jurisdictionLabel", "role"),
}
WUXI = "https://w3id.org/wsa/id/wuxi-towns-2021"


@pytest.fixture(scope="module", params=[0, 4], ids=["five", "corpus"])
def loaded(request, tmp_path_factory):
    """The five documents, then the five and 4 generated jurisdictions, loaded (their summaries made)."""
    root = project(tmp_path_factory.mktemp("project"), generated=request.param)
    with open_store(endpoint="", root=root) as store:
        yield root, store


def answers(store, name: str, values: dict[str, str]) -> tuple[Result, Result]:
    """(the reference's answer, the saved query's answer) with the same parameter values."""
    reference, saved = parse_file(REFERENCE / f"{name}.rq"), parse_file(ROOT / "queries" / f"{name}.rq")
    return tuple(store.query(q.sparql, bindings=bind(store, q, values), max_rows=10**6) for q in (reference, saved))


def assert_same(expected: Result, got: Result, order: tuple[str, ...]) -> None:
    """The same variables and rows, in the same order where the ORDER BY decides it."""
    assert got.variables == expected.variables
    if got == expected:
        return
    assert Counter(got.rows) == Counter(expected.rows)
    keys = [expected.variables.index(v) for v in order]
    assert [tuple(row[k] for k in keys) for row in got.rows] == [tuple(row[k] for k in keys) for row in expected.rows]


def parameter_values(store, name: str) -> list[dict[str, str]]:
    """No parameter, and each parameter alone and together, with values the store holds."""
    reference, _ = answers(store, name, {})
    rows = list(reference.dicts())
    assert rows, name
    if name == "document-statistics":
        return [{}, *({"document": str(rows[i]["document"])} for i in (0, -1))]
    if name == "duty-type-profile-per-jurisdiction":
        first, last = rows[0], rows[-1]
        return [
            {},
            {"jurisdiction": str(first["jurisdiction"])},
            {"dutyType": str(last["dutyType"])},
            {"jurisdiction": str(last["jurisdiction"]), "dutyType": str(last["dutyType"])},
            {"dutyType": "dutytype:meeting"},
        ]
    if name == "posts-per-role-per-jurisdiction":
        first, last = rows[0], rows[-1]
        return [
            {},
            {"role": "role:principal_head"},
            {"jurisdiction": str(last["jurisdiction"])},
            {"jurisdiction": str(first["jurisdiction"]), "role": str(first["role"])},
            {"jurisdiction": str(first["jurisdiction"]), "role": "role:other"},
        ]
    return [{}]


# --- the same answers ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(QUERIES))
def test_summaries_give_the_answers_of_counting_every_duty(loaded, name):
    _, store = loaded
    for values in parameter_values(store, name):
        expected, got = answers(store, name, values)
        assert_same(expected, got, QUERIES[name])


def test_the_documents_are_all_counted(loaded):
    root, store = loaded
    expected, _ = answers(store, "document-statistics", {})
    made = root / "data" / "generated.json"
    generated = len(json.loads(made.read_text(encoding="utf-8"))["documents"]) if made.exists() else 0
    assert len(expected.rows) == 5 + generated and (generated > 8 or not made.exists())


def test_loading_made_a_summary_for_every_data_file(loaded):
    root, _ = loaded
    data = [paths[0] for graph, paths in graph_files(root).items() if paths[0].parent.name == "data"]
    assert {summary_path(root, p.stem) for p in data} == set((root / FOLDER).glob("*.nt"))


def test_summaries_are_no_graph_files(loaded):
    """Validation and the gap report read `graph_files`: what a document states, never its summary."""
    root, _ = loaded
    assert all(path.suffix == ".ttl" for paths in graph_files(root).values() for path in paths)


# --- never a stale summary -----------------------------------------------------------------------

ADDED = """
<https://w3id.org/wsa/id/wuxi-towns-2021/duty/added> a wsa:Duty ;
    wsa:definedIn <https://w3id.org/wsa/id/wuxi-towns-2021> ;
    wsa:dutyType dutytype:meeting .
"""


def duties_of_wuxi(store) -> int:
    _, got = answers(store, "document-statistics", {"document": WUXI})
    (row,) = got.dicts()
    return int(str(row["duties"]))


def test_a_stale_summary_is_made_again_on_load_and_the_answer_follows_the_data(tmp_path):
    root = project(tmp_path)
    with open_store(endpoint="", root=root) as store:
        before = duties_of_wuxi(store)
    summary = summary_path(root, "wuxi-towns-2021")
    old = summary.read_bytes()
    data = root / "data" / "wuxi-towns-2021.ttl"
    data.write_bytes(data.read_bytes() + ADDED.encode())
    with open_store(endpoint="", root=root) as store:
        assert duties_of_wuxi(store) == before + 1
        for name, order in QUERIES.items():
            for values in parameter_values(store, name):
                assert_same(*answers(store, name, values), order)
    assert summary.read_bytes() != old  # written back
    assert summary.read_bytes() == make_summary(root, data)


def test_the_on_disk_store_is_rebuilt_when_a_summary_changes(tmp_path):
    root = project(tmp_path)
    ensure_store(root).close()
    data = root / "data" / "wuxi-towns-2021.ttl"
    before = summary_path(root, "wuxi-towns-2021").read_bytes()
    data.write_bytes(data.read_bytes() + ADDED.encode())
    store = ensure_store(root)
    try:
        assert store.built
        assert summary_path(root, "wuxi-towns-2021").read_bytes() != before
        assert_same(*answers(store, "document-statistics", {}), QUERIES["document-statistics"])
    finally:
        store.close()
    with open_store(endpoint="", root=root) as memory, ensure_store(root) as disk:  # the files' answer
        assert duties_of_wuxi(memory) == duties_of_wuxi(disk)


def test_without_the_summaries_folder_the_answers_are_right(tmp_path):
    root = project(tmp_path)
    assert not (root / FOLDER).exists()
    with open_store(endpoint="", root=root) as store:
        for name, order in QUERIES.items():
            assert_same(*answers(store, name, {}), order)
    assert (root / FOLDER).is_dir()  # and they are kept for the next load


def test_a_read_only_project_gets_right_answers_from_summaries_made_in_memory(tmp_path, monkeypatch):
    root = project(tmp_path)

    def refuse(path, data):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(summaries_module, "write_atomic", refuse)
    with open_store(endpoint="", root=root) as store:
        for name, order in QUERIES.items():
            assert_same(*answers(store, name, {}), order)
    assert not list((root / FOLDER).glob("*.nt"))


# --- build ---------------------------------------------------------------------------------------


def test_committed_summaries_are_current():
    assert write_summaries(ROOT, check=True) == []


def test_build_check_reports_a_stale_summary_and_writes_nothing(tmp_path, monkeypatch):
    copy_project(tmp_path)
    monkeypatch.setenv("KGTOOL_HOME", str(tmp_path))
    summary = summary_path(tmp_path, "wuxi-towns-2021")
    edited = b"".join(summary.read_bytes().splitlines(keepends=True)[:-1])  # a row lost, the header kept
    summary.write_bytes(edited)
    gone = summary_path(tmp_path, "benxi-hitech-2019")
    gone.unlink()
    result = CliRunner().invoke(cli, ["build", "--check"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "stale: data/summaries/wuxi-towns-2021.nt" in result.output
    assert "stale: data/summaries/benxi-hitech-2019.nt" in result.output
    assert summary.read_bytes() == edited and not gone.exists(), "--check must not write"
    result = CliRunner().invoke(cli, ["build"], catch_exceptions=False)
    assert "wrote: data/summaries/wuxi-towns-2021.nt" in result.output
    assert summary.read_bytes() == (ROOT / FOLDER / summary.name).read_bytes() and gone.exists()


def test_build_removes_the_summary_of_a_data_file_gone(tmp_path):
    root = project(tmp_path)
    write_summaries(root)
    orphan = summary_path(root, "gone-2020")
    orphan.write_bytes(summary_path(root, "wuxi-towns-2021").read_bytes())
    assert write_summaries(root, check=True) == [orphan]
    assert write_summaries(root) == [orphan] and not orphan.exists()


# --- the same bytes ------------------------------------------------------------------------------


def test_a_summary_is_the_same_bytes_in_another_process(tmp_path):
    data = ROOT / "data" / "tongchuan-town-2022.ttl"
    here = make_summary(ROOT, data)
    code = (
        "import sys; from pathlib import Path; from kgtool.store.summaries import make_summary; "
        f"sys.stdout.buffer.write(make_summary(Path({str(ROOT)!r}), Path({str(data)!r})))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env={"PYTHONHASHSEED": "4242", "PATH": ""}).stdout
    assert here == there
    header, *lines = here.decode().splitlines()
    assert header.startswith("# kgtool-summary ") and lines == sorted(lines) and len(set(lines)) == len(lines)
    assert "_:" not in here.decode()
