"""Two invariants of the reader's "one office, one post" (CHANGELOG, issue 12), checked on the five
real documents: every responsibility level sits on a post that holds duties (the integrity shape
wsash:LevelOnPostWithDuty, run through `kgtool validate` and the function behind it), and no two
posts of one document stand for the same office (where it sits, its role, its portfolio)."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from kgtool.cli import cli
from kgtool.gaps import Finding, Report, gap_report
from kgtool.vocab import ID, ORG, SH, WSA, concept
from sources import SEED_OF
from test_validate import ROOT, SHAPES, WSASH, check, doc_graph

DOCUMENTS = sorted(SEED_OF)

SHAPE = str(WSASH.LevelOnPostWithDuty)
#: The shape's own message, in Chinese and in English, as a finding must carry it.
MESSAGES = {m.language: str(m) for m in Graph().parse(SHAPES / "integrity.ttl").objects(WSASH.LevelOnPostWithDuty, SH.message)}
MESSAGE_ZH, MESSAGE_EN = MESSAGES["zh"], MESSAGES["en"]


def level_findings(findings, doc: str | None = None) -> list:
    """This shape's findings (Finding objects or the CLI's JSON rows), narrowed to a document."""

    def get(f, key):
        return f[key] if isinstance(f, dict) else getattr(f, key)

    return [f for f in findings if get(f, "shape") == SHAPE and (doc is None or get(f, "document") == str(ID[doc]))]


def post(slug: str, local: str):
    return ID[f"{slug}/post/{local}"]


@pytest.fixture(scope="module")
def report() -> Report:
    """The five documents through what `kgtool validate` runs (one pySHACL pass at this size)."""
    return gap_report(ROOT, shapes_dir=SHAPES, engine="single")


# ------------------------------------------------------------------------- levels sit on posts with duties


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_real_document_levels_sit_on_posts_with_duties(report: Report, doc: str) -> None:
    found = [f"{f.focus_label} <{f.focus}>: {f.source_passage}" for f in level_findings(report.findings, doc)]
    assert not found, "\n".join(found)


def test_kgtool_validate_reports_a_level_post_stripped_of_its_duties(tmp_path: Path) -> None:
    """Benxi conforms; take the duties away from the head of the zone's administration (第一责任人)
    and `kgtool validate` fails, naming the post with the shape's message."""
    slug, stripped = "benxi-hitech-2019", post("benxi-hitech-2019", "main.government_head")
    graph = Graph().parse(ROOT / "data" / f"{slug}.ttl", format="turtle")
    assert (stripped, WSA.responsibilityLevel, concept("level", "first_responsible")) in graph
    assert set(graph.objects(stripped, WSA.hasDuty))
    graph.remove((stripped, WSA.hasDuty, None))
    for folder in ("ontology", "shapes"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "data" / "places.ttl", tmp_path / "data" / "places.ttl")
    graph.serialize(tmp_path / "data" / f"{slug}.ttl", format="turtle")

    result = CliRunner().invoke(cli, ["validate", "--format", "json", "--severity", "Violation"], env={"KGTOOL_HOME": str(tmp_path)})
    assert result.exit_code == 1, result.output
    rows = json.loads(result.stdout)
    assert [(r["focus"], r["focus_label"]) for r in level_findings(rows)] == [(str(stripped), "高新区管委会、街道办事处主要负责人")]
    row = level_findings(rows)[0]
    assert (row["severity"], row["message_zh"], row["message_en"]) == ("Violation", MESSAGE_ZH, MESSAGE_EN)
    assert row["path"] == "wsa:hasDuty" and row["document"] == str(ID[slug])
    assert "党政主要负责人" in row["source_passage"]


def test_validate_reports_a_level_moved_to_a_post_without_duties() -> None:
    """Tongchuan's first responsible level moves from the town head (who holds duties) to the leader
    of the safety leading group (who holds none): the level's new post is reported, not the old."""
    slug = "tongchuan-town-2022"
    head, leader = post(slug, "main.government_head"), post(slug, "bc600e7b.leading_group_leader")
    first = concept("level", "first_responsible")
    graph = doc_graph(slug)
    assert (head, WSA.responsibilityLevel, first) in graph and set(graph.objects(head, WSA.hasDuty))
    assert not set(graph.objects(leader, WSA.hasDuty))
    graph.remove((head, WSA.responsibilityLevel, first))
    graph.add((leader, WSA.responsibilityLevel, first))
    after = check(graph)
    moved: list[Finding] = [f for f in level_findings(after.findings) if f.focus == str(leader)]
    assert [(f.focus_label, f.severity, f.message_zh, f.message_en) for f in moved] == [
        (str(graph.value(leader, RDFS.label)), "Violation", MESSAGE_ZH, MESSAGE_EN)
    ]
    assert moved[0].source_passage and "安全生产领导小组" in moved[0].source_passage
    assert not [f for f in level_findings(after.findings) if f.focus == str(head)]


# ------------------------------------------------------------------------- one office, one post


def same_office(graph: Graph) -> list[list[tuple[str, str]]]:
    """Groups of two or more posts with the same document, bodies (org:postIn), roles (org:role) and
    portfolio (wsa:portfolio), each post as (IRI, label)."""
    offices: dict[tuple, list] = defaultdict(list)
    for p in graph.subjects(RDF.type, WSA.Post):
        key = (
            graph.value(p, WSA.definedIn),
            frozenset(graph.objects(p, ORG.postIn)),
            frozenset(graph.objects(p, ORG.role)),
            frozenset(graph.objects(p, WSA.portfolio)),
        )
        offices[key].append((str(p), str(graph.value(p, RDFS.label))))
    return [sorted(posts) for posts in offices.values() if len(posts) > 1]


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_no_two_posts_of_a_document_stand_for_the_same_office(doc: str) -> None:
    graph = Graph().parse(ROOT / "data" / f"{doc}.ttl", format="turtle")
    assert len(set(graph.subjects(RDF.type, WSA.Post))) > 0
    assert not same_office(graph)
