"""A document whose jurisdiction data/places.ttl does not know (a county of the same kind as the
five): the reader makes the jurisdiction from the issuer's name, with a warning, and nothing
downstream breaks: no integrity violation, the first-responsible query finds its posts, and the
comparison labels it by its place, not by its slug."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kgtool.cli import cli
from kgtool.read.places import place_units
from kgtool.vocab import WSA, concept
from sources import copy_project

ROOT = Path(__file__).resolve().parent.parent
NEW_DOC = ROOT / "tests" / "data" / "qingshan-county-2023.txt"
DOC = URIRef("https://w3id.org/wsa/id/qingshan-county-2023")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The project with the county document ingested into data/."""
    root = copy_project(tmp_path_factory.mktemp("project"), ("ontology", "data", "shapes", "queries"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KGTOOL_HOME", str(root))
        result = run("ingest", str(NEW_DOC))
    assert result.exit_code == 0, result.output
    assert "青山县 is not in data/places.ttl" in result.output
    return root


@pytest.fixture()
def home(project, monkeypatch) -> Path:
    monkeypatch.setenv("KGTOOL_HOME", str(project))
    return project


def test_the_jurisdiction_is_made_from_the_issuer(home):
    g = Graph().parse(home / "data" / "qingshan-county-2023.ttl")
    place = g.value(DOC, WSA.jurisdiction)
    assert (place, RDF.type, WSA.Jurisdiction) in g
    assert g.value(place, RDFS.label) == Literal("青山县", lang="zh")
    assert g.value(place, WSA.adminLevel) == concept("adminlevel", "county")


def test_no_integrity_violation(home):
    result = run("validate", "--format", "json", "--engine", "single")
    mine = [f for f in json.loads(result.stdout) if f["document"] == str(DOC)]
    assert mine and {f["jurisdiction_label"] for f in mine} == {"青山县"}
    assert not [f for f in mine if f["severity"] == "Violation"], mine


def test_first_responsible_persons_find_its_posts(home):
    result = run("query", "first-responsible-persons", "--param", "jurisdiction=青山县", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    labels = {r[k]["value"] for r in rows for k in r if k.endswith("Label") or k == "label"}
    assert rows and any("县长" in x or "县委书记" in x for x in labels), rows


def test_comparison_labels_it_by_its_place(home):
    result = run("compare", "--by", "roles", "--format", "json")
    assert result.exit_code == 0, result.output
    (mine,) = [j for j in json.loads(result.output)["jurisdictions"] if j["slug"] == "qingshan-county-2023"]
    assert (mine["zh"], mine["admin_level"]) == ("青山县", "county") and mine["label"].startswith("青山县")


@pytest.mark.parametrize(
    "name,units",
    [
        ("石桥县人民政府办公室", [("石桥县", "county")]),
        ("中共清水县委", [("清水县", "county")]),
        ("某某省应急管理厅", [("某某省", "province")]),
        ("杭州市西湖区人民政府", [("杭州市", "city"), ("西湖区", "county")]),
        ("关于印发石桥县安全生产责任清单的通知", [("石桥县", "county")]),
        ("国家矿山安全监察局", []),
        ("XX县市场监督管理局", [("XX县", "county")]),
    ],
)
def test_place_names_in_an_issuer(name, units):
    assert place_units(name) == units
