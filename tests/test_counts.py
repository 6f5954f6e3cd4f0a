"""One number per count, everywhere (issue 18, item 5).

`kgtool stats`, `kgtool ingest`, `kgtool query document-statistics`, the web's home and document
pages and `kgtool compare --by structure` once gave different provisions and bodies for all five
documents (stats counted frequency requirements as bodies and left out the front matter). Each
view is read here as a user sees it and held to the others; a few counts are pinned to the texts.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kgtool.cli import cli
from kgtool.query.counts import KINDS, NAME, by_document, counts_query, of_document
from kgtool.settings import project_root
from kgtool.vocab import WSA, local_name
from kgtool.web.i18n import STRINGS

ROOT = project_root()
SLUGS = ("bazhong-econ-2018", "benxi-hitech-2019", "mianyang-union-2020", "tongchuan-town-2022", "wuxi-towns-2021")


def run(*args: str) -> str:
    """stdout of a command, its tables unwrapped (as in a pipe)."""
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": None})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def defined(store) -> dict[str, dict[str, int]]:
    """The counts as the saved query that defines them answers, by document slug."""
    return {local_name(doc): n for doc, n in by_document(store.query(counts_query(ROOT).sparql)).items()}


def test_every_document_is_counted(defined):
    assert sorted(defined) == list(SLUGS)


def test_counts_pinned_to_the_texts(defined):
    wuxi = defined["wuxi-towns-2021"]
    # front matter, 一、二、三, 二's (一)–(十二) and 三's (一)–(三)
    assert wuxi["provisions"] == 1 + 3 + 12 + 3
    # 无锡市人民政府 (经市政府同意), the 镇(街道、园区) governments, the issuing 市政府办公室
    assert wuxi["bodies"] == 3
    # its one post, 行政主要负责人, with 二's twelve duties and 三、(三)'s assessment; 每季度 hearing,
    # 每年 inspection, 年度 assessment; 属地管理
    assert (wuxi["posts"], wuxi["duties"], wuxi["frequencies"], wuxi["principles"]) == (1, 13, 3, 1)
    assert defined["tongchuan-town-2022"]["persons"] == 24  # 二、 lists 24 names
    # 本溪 第二十四条 从轻、减轻追究 and 第二十五条 不予追究; 无锡 考核奖励 and 评先评优
    assert defined["benxi-hitech-2019"]["mitigations"] == 2 and defined["wuxi-towns-2021"]["rewards"] == 2


def test_stats_gives_the_defined_counts(defined):
    lines = run("stats").splitlines()
    assert lines[0].split() == ["document", *KINDS]
    rows = {cells[0]: dict(zip(KINDS, map(int, cells[1:]))) for cells in map(str.split, lines[2:-1])}
    assert rows == defined


def test_query_gives_the_defined_counts(defined):
    rows = json.loads(run("query", NAME, "--format", "json"))["results"]["bindings"]
    assert {local_name(r["document"]["value"]): {k: int(r[k]["value"]) for k in KINDS} for r in rows} == defined


def test_compare_structure_counts_posts_bodies_and_duties_the_same_way(defined):
    rows = csv.DictReader(io.StringIO(run("compare", "--by", "structure", "--format", "csv")))
    assert {r["jurisdiction"]: {k: int(r[k]) for k in ("posts", "bodies", "duties")} for r in rows} == {
        slug: {k: n[k] for k in ("posts", "bodies", "duties")} for slug, n in defined.items()
    }


def test_home_page_gives_the_defined_counts(web_client, defined):
    page = web_client.get("/?lang=en").get_data(as_text=True)
    table = page.split('id="documents"')[1].split("</table>")[0]
    shown = {}
    for row in table.split("<tr")[2:]:
        slug = re.search(r'href="/id/([^"]+)"', row).group(1)
        cells = re.findall(r'<td class="num">([^<]*)<', row)
        shown[slug] = dict(zip(("provisions", "bodies", "posts", "duties", "frequencies"), map(int, cells)))
    assert shown == {slug: {k: n[k] for k in shown[slug]} for slug, n in defined.items()}


@pytest.mark.parametrize("slug", SLUGS)
def test_document_page_gives_the_defined_counts(web_client, defined, slug):
    page = web_client.get(f"/id/{slug}?lang=en").get_data(as_text=True)
    chips = dict(re.findall(r'<span class="count-chip">([^<]+) <strong>(\d+)</strong>', page))
    assert {kind: int(chips[STRINGS[kind][1]]) for kind in KINDS} == defined[slug]
    full_text = re.search(r'<span class="count">(\d+)</span>', page.split('id="text"')[1]).group(1)
    assert int(full_text) == defined[slug]["provisions"]


def test_ingest_prints_the_defined_counts_of_what_it_wrote(tmp_path):
    out = tmp_path / "wuxi.ttl"
    result = CliRunner().invoke(cli, ["ingest", str(ROOT / "data" / "sources" / "wuxi-towns-2021.txt"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    printed = dict(re.findall(r"^  (\w+) +(\d+)$", result.stdout, re.M))
    assert {k: int(v) for k, v in printed.items()} == of_document(ROOT, out.read_bytes())


@pytest.mark.parametrize("slug", SLUGS)
def test_a_document_read_alone_has_the_counts_it_has_in_the_store(defined, slug):
    assert of_document(ROOT, (ROOT / "data" / f"{slug}.ttl").read_bytes()) == defined[slug]


def test_the_query_reaches_every_body_class():
    """Bodies are counted through at most two rdfs:subClassOf steps (Virtuoso 7): the ontology
    must not grow deeper below wsa:Body unseen."""
    ontology = Graph()
    for path in (ROOT / "ontology").glob("*.ttl"):
        ontology.parse(path)
    below = {c for c in ontology.transitive_subjects(RDFS.subClassOf, WSA.Body) if isinstance(c, URIRef)} - {WSA.Body}
    within_two = {c for mid in ontology.subjects(RDFS.subClassOf, WSA.Body) for c in {mid, *ontology.subjects(RDFS.subClassOf, mid)}}
    assert below and below <= within_two


def test_the_definitions_are_written_once_and_mirrored_in_the_catalogue():
    description = counts_query(ROOT).description
    assert all(kind in description for kind in KINDS)  # each count is defined there
    assert description in (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
