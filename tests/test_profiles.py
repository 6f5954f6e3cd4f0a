"""Comparison from profiles (issue 15): the answers of the SPARQL path, on the five documents and
on a generated corpus; nearest neighbours equal to the top of every pair; places of a level as
columns; profiles kept current, made again when stale, the same bytes on every run."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgtool.cli import cli
from kgtool.compare import nearest, output
from kgtool.compare.columns import columns
from kgtool.compare.facts import Facts, jurisdictions
from kgtool.compare.frequencies import frequency_table_from
from kgtool.compare.graphs import measure_graph, structure_graphs_from
from kgtool.compare.matrices import concept_matrices_from, role_duty_matrix_from
from kgtool.compare.output import VIEWS, compare_command_output
from kgtool.compare.profile_tables import Profiled
from kgtool.compare.profiles import load_profiles, profile_path, write_profiles
from kgtool.compare.similarities import _cosine, _jaccard, similarity_from
from kgtool.compare.tables import to_json
from kgtool.errors import QueryError
from kgtool.store import open_store

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not installed with the package
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import write  # noqa: E402

FIVE = ("bazhong-econ-2018", "benxi-hitech-2019", "mianyang-union-2020", "tongchuan-town-2022", "wuxi-towns-2021")


def project(where: Path, generated: int = 0, *, ontology: str = "link") -> Path:
    """A scratch project: the five documents' data (no profiles), ontology/ linked or copied,
    and ``generated`` jurisdictions of benchmarks/generate.py."""
    root = where / "project"
    (root / "data").mkdir(parents=True)
    if ontology == "link":
        (root / "ontology").symlink_to(ROOT / "ontology")
    else:
        shutil.copytree(ROOT / "ontology", root / "ontology")
    for path in (ROOT / "data").glob("*.ttl"):
        shutil.copy(path, root / "data" / path.name)
    if generated:
        write(ROOT, generated, 7, root / "data")
    return root


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("five"))
    store = open_store(endpoint="", root=root)
    yield root, store
    store.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("corpus"), generated=4)
    store = open_store(endpoint="", root=root)
    yield root, store
    store.close()


def by_sparql(store, juris) -> dict[str, str]:
    """Every comparison as JSON, the way it was made before profiles: SPARQL over the selection."""
    facts = Facts(store, juris)
    graphs = structure_graphs_from(facts)
    return {
        "roles": to_json(role_duty_matrix_from(facts)),
        "roles without bodies": to_json(role_duty_matrix_from(facts, False)),
        "frequency": to_json(frequency_table_from(facts)),
        "principles": to_json(concept_matrices_from(facts)),
        "structure": to_json([measure_graph(graphs[j.slug], j) for j in juris]),
        "similarity": to_json(similarity_from(facts)),
        "similarity, 1 round, no bodies": to_json(similarity_from(facts, 1, False)),
    }


def by_profiles(root, juris) -> dict[str, str]:
    """The same from the documents' profiles (made from each document's own file)."""
    p = Profiled(juris, load_profiles(root, juris, keep=False))
    return {
        "roles": to_json(p.role_duty_matrix()),
        "roles without bodies": to_json(p.role_duty_matrix(False)),
        "frequency": to_json(p.frequency_table()),
        "principles": to_json(p.concept_matrices()),
        "structure": to_json(p.structure()),
        "similarity": to_json(p.similarity()),
        "similarity, 1 round, no bodies": to_json(p.similarity(1, False)),
    }


# --- the same answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, selectors", [("five", None), ("five", ["四川省", "wuxi"]), ("five", ["tongchuan-town-2022"]), ("corpus", None)]
)
def test_profiles_give_the_answers_of_sparql(request, name, selectors):
    root, store = request.getfixturevalue(name)
    juris = jurisdictions(store, selectors)
    if name == "corpus":
        assert len(juris) > 15  # the five and the generated ones
    expected, got = by_sparql(store, juris), by_profiles(root, juris)
    for table in expected:
        assert got[table] == expected[table], table


def test_generated_selection_in_another_order(corpus):
    root, store = corpus
    juris = list(reversed(jurisdictions(store)))[:9]
    assert by_profiles(root, juris) == by_sparql(store, juris)


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_format_is_the_same_from_kept_profiles_and_from_the_store(five, view):
    root, store = five
    for fmt in VIEWS[view]:
        if fmt in ("svg", "graphml"):
            continue
        assert compare_command_output(store, [], view, fmt, root=root, keep=False) == compare_command_output(store, [], view, fmt), (
            view,
            fmt,
        )


def test_a_document_reads_the_same_alone_as_among_others(corpus):
    """Rows come sorted, not in the engine's order, which changes with the documents asked about:
    Benxi's working offices used to list their names in another order alone than among forty."""
    _, store = corpus
    every = jurisdictions(store)
    among = Facts(store, every)
    m_all = role_duty_matrix_from(among)
    graphs = structure_graphs_from(among)
    for j in every:
        alone = Facts(store, [j])
        m = role_duty_matrix_from(alone)
        for holder, by_slug in m.labels.items():
            assert by_slug[j.slug] == m_all.labels[holder][j.slug], (j.slug, holder)
        assert measure_graph(structure_graphs_from(alone)[j.slug], j) == measure_graph(graphs[j.slug], j)


# --- vectorised similarity and nearest neighbours --------------------------------------------------


@pytest.mark.parametrize("dense_share", [1, 4, 50])  # features dense in BLAS, sparse, or both
def test_matrix_products_give_the_pairwise_numbers_bit_for_bit(monkeypatch, dense_share):
    monkeypatch.setattr(nearest, "DENSE_SHARE", dense_share)
    rng = random.Random(5)
    sets = [frozenset(rng.sample(range(40), rng.randint(0, 15))) for _ in range(30)] + [frozenset()] * 2
    hists = [Counter({f"f{rng.randint(0, 60)}": rng.randint(1, 9) for _ in range(rng.randint(0, 25))}) for _ in range(32)]
    jac, cos = nearest.jaccard(sets), nearest.cosine(hists)
    for i in range(32):
        assert jac[i][i] == cos[i][i] == 1.0
        for k in range(32):
            if i != k:
                assert jac[i][k] == _jaccard(sets[i], sets[k])
                assert cos[i][k] == _cosine(hists[i], hists[k])


@pytest.mark.parametrize("k", [1, 3, 20])
def test_nearest_neighbours_are_the_top_of_every_pair(corpus, monkeypatch, k):
    root, store = corpus
    juris = jurisdictions(store)
    profiled = Profiled(juris, load_profiles(root, juris, keep=False))
    full = profiled.similarity()
    monkeypatch.setattr(nearest, "BLOCK", 4)  # several blocks of rows
    monkeypatch.setattr(nearest, "DENSE_SHARE", 4)  # features both dense and sparse
    near = profiled.neighbours(k)
    slugs = [j.slug for j in juris]
    for i, slug in enumerate(slugs):
        ranked = sorted((-full.jaccard[i][o], -full.wl[i][o], slugs[o]) for o in range(len(slugs)) if o != i)
        got = near.nearest[slug]
        assert [(-n.jaccard, -n.wl, n.slug) for n in got] == ranked[:k]
        for n in got:
            pair = full.pair(slug, n.slug)
            mine, theirs = (pair.only_a, pair.only_b) if pair.a == slug else (pair.only_b, pair.only_a)
            assert [f"{h.id}:{t.id}" for h, t in pair.shared] == list(n.shared)
            assert [f"{h.id}:{t.id}" for h, t in mine] == list(n.only_a)
            assert [f"{h.id}:{t.id}" for h, t in theirs] == list(n.only_b)
            assert near.terms(n.shared) == pair.shared


def test_many_columns_get_their_nearest_instead_of_every_pair(five, monkeypatch):
    root, store = five
    monkeypatch.setattr(output, "ALL_PAIRS_UP_TO", 3)
    text = compare_command_output(store, [], "similarity", "table", root=root, keep=False)
    assert "Nearest 4 of each" in text and "the 10 nearest of each, not all 10 pairs" in text
    rows = compare_command_output(store, [], "similarity", "csv", root=root, keep=False).splitlines()
    assert rows[0].startswith("a,rank,b,jaccard,wl") and len(rows) == 1 + 5 * 4
    data = json.loads(compare_command_output(store, [], "similarity", "json", root=root, keep=False))
    assert set(data["nearest"]) == set(FIVE)
    with pytest.raises(QueryError, match="no svg form"):
        compare_command_output(store, [], "similarity", "svg", root=root, keep=False)
    two = compare_command_output(store, [], "similarity", "csv", top=2, root=root, keep=False).splitlines()
    assert len(two) == 1 + 5 * 2


# --- places of a level ------------------------------------------------------------------------------


def test_documents_are_summed_by_the_place_of_a_level(five):
    root, store = five
    docs = Profiled(jurisdictions(store), load_profiles(root, jurisdictions(store), keep=False))
    provinces = columns(store, None, root=root, level="province", keep=False)
    assert [j.slug for j in provinces.juris] == ["sichuan", "liaoning", "inner-mongolia", "jiangsu"]
    assert provinces.juris[0].zh == "四川省" and provinces.juris[0].admin_level == "province"
    m, single = provinces.role_duty_matrix(), docs.role_duty_matrix()
    for holder, by_slug in single.counts.items():
        for duty_type in {t for c in by_slug.values() for t in c}:
            total = sum(single.counts[holder].get(s, {}).get(duty_type, 0) for s in ("bazhong-econ-2018", "mianyang-union-2020"))
            assert m.counts.get(holder, {}).get("sichuan", {}).get(duty_type, 0) == total
    freq = provinces.frequency_table()
    row = freq.row("safety_deputy", "inspection")
    assert row.values["sichuan"] == 4 and row.values["liaoning"] == 4  # 巴中 4 binds over 绵阳 2
    assert {r.jurisdiction for r in row.requirements["sichuan"]} == {"sichuan"}
    principles = provinces.concept_matrices()["principle"]
    assert set(principles.present["five_levels_five_coverage"]) == {"sichuan"}  # 巴中's
    structure = {s.jurisdiction.slug: s for s in provinces.structure()}
    assert structure["sichuan"].posts == sum(
        s.posts for s in docs.structure() if s.jurisdiction.slug in ("bazhong-econ-2018", "mianyang-union-2020")
    )
    assert not provinces.left_out


def test_documents_above_the_level_are_left_out_and_said_so(five):
    root, store = five
    towns = columns(store, None, root=root, level="town", keep=False)
    assert [j.slug for j in towns.juris] == ["tongchuan"]
    assert {j.slug for j in towns.left_out} == set(FIVE) - {"tongchuan-town-2022"}
    text = compare_command_output(store, [], "roles", "table", root=root, level="town", keep=False)
    assert "Left out (in no town): bazhong-econ-2018" in text
    with pytest.raises(QueryError) as info:
        columns(store, ["wuxi"], root=root, level="county", keep=False)
    assert info.value.exit_code == 2
    with pytest.raises(QueryError, match="unknown level"):
        columns(store, None, level="village")


def test_generated_jurisdictions_group_by_city_county_and_town(corpus):
    root, store = corpus
    for level in ("city", "county", "town"):
        grouped = columns(store, None, root=root, level=level, keep=False)
        members = sum(int(j.title.split()[0]) for j in grouped.juris)
        assert members + len(grouped.left_out) == len(jurisdictions(store))
        assert all(j.admin_level == level for j in grouped.juris)
        grouped.neighbours(2)
        grouped.frequency_table()


# --- keeping profiles --------------------------------------------------------------------------------


def test_profiles_are_written_once_with_the_same_bytes_in_any_process(tmp_path):
    root = project(tmp_path)
    written = write_profiles(root)
    assert sorted(p.name for p in written) == [f"{slug}.json" for slug in FIVE]  # not places.ttl
    assert write_profiles(root) == [] and write_profiles(root, check=True) == []
    before = {p.name: p.read_bytes() for p in written}
    shutil.rmtree(root / "data" / "profiles")
    code = f"from pathlib import Path; from kgtool.compare.profiles import write_profiles; write_profiles(Path({str(root)!r}))"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONHASHSEED": "4242"})
    assert {p.name: p.read_bytes() for p in (root / "data" / "profiles").iterdir()} == before
    data = json.loads(before["wuxi-towns-2021.json"])
    assert data["documents"][0]["slug"] == "wuxi-towns-2021" and len(data["inputs"]["data"]) == 64


def test_check_lists_stale_and_orphaned_profiles_without_writing(tmp_path):
    root = project(tmp_path)
    write_profiles(root)
    target = profile_path(root, "wuxi-towns-2021")
    target.write_text("{}", encoding="utf-8")
    orphan = profile_path(root, "gone-2000")
    orphan.write_text("{}", encoding="utf-8")
    assert sorted(p.name for p in write_profiles(root, check=True)) == ["gone-2000.json", "wuxi-towns-2021.json"]
    assert target.read_text(encoding="utf-8") == "{}" and orphan.exists()
    write_profiles(root)
    assert not orphan.exists() and json.loads(target.read_bytes())["documents"]


def test_a_stale_or_missing_profile_is_made_again(tmp_path):
    root = project(tmp_path, ontology="copy")
    write_profiles(root)
    store = open_store(endpoint="", root=root)
    wuxi = jurisdictions(store, ["wuxi-towns-2021"])
    target = profile_path(root, "wuxi-towns-2021")
    kept = target.read_bytes()
    target.unlink()
    assert load_profiles(root, wuxi, keep=False)["wuxi-towns-2021"].slug == "wuxi-towns-2021"
    assert not target.exists(), "keep=False writes nothing"
    load_profiles(root, wuxi)
    assert target.read_bytes() == kept
    # the document changes: its profile is made again from the file
    data = root / "data" / "wuxi-towns-2021.ttl"
    data.write_bytes(
        data.read_bytes() + b"\n<https://w3id.org/wsa/id/wuxi-towns-2021> "
        b"<https://w3id.org/wsa/ontology#invokesPrinciple> "
        b"<https://w3id.org/wsa/concept/principle/life_first> .\n"
    )
    assert "life_first" in {t.id for t in load_profiles(root, wuxi)["wuxi-towns-2021"].principles}
    # a label in the ontology changes: so do the profiles' terms
    wsa = root / "ontology" / "wsa.ttl"
    text = wsa.read_text(encoding="utf-8")
    assert '"政府主要负责人"@zh' in text
    wsa.write_text(text.replace('"政府主要负责人"@zh', '"政府一把手"@zh', 1), encoding="utf-8")
    assert load_profiles(root, wuxi)["wuxi-towns-2021"].holders["government_head"].zh == "政府一把手"
    store.close()


def test_a_document_outside_its_own_file_is_read_from_the_store(tmp_path):
    root = project(tmp_path)
    (root / "data" / "wuxi-towns-2021.ttl").rename(root / "data" / "wuxi.ttl")
    store = open_store(endpoint="", root=root)
    juris = jurisdictions(store)
    assert load_profiles(root, juris, keep=False) is None
    assert compare_command_output(store, [], "frequency", "json", root=root, keep=False) == compare_command_output(
        store, [], "frequency", "json"
    )
    store.close()


# --- the command --------------------------------------------------------------------------------------


def test_compare_command_top_and_level(five, monkeypatch):
    root, _ = five
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    run = CliRunner().invoke
    result = run(cli, ["compare", "--by", "similarity", "--top", "2", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 1 + 5 * 2
    result = run(cli, ["compare", "--by-level", "city", "--by", "frequency", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [j["slug"] for j in json.loads(result.output)["jurisdictions"]] == ["bazhong", "benxi", "mianyang", "ordos", "wuxi"]
    assert sorted(p.name for p in (root / "data" / "profiles").iterdir()) == [f"{s}.json" for s in FIVE]  # kept
    for args, message in (
        (["--top", "0", "--by", "similarity"], "--top: must be at least 1"),
        (["--top", "3"], "--top: only ranks neighbours by similarity"),
        (["mianyang", "wuxi", "--diff", "--by-level", "city"], "--by-level: has no effect on a diff"),
        (["--by", "structure", "--format", "graphml", "--by-level", "city"], "--by-level"),
    ):
        result = run(cli, ["compare", *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
