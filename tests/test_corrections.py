"""Analysts' corrections as data (issue 14): each kind applied on the build and visible in the graph
with who made it and why; kept by a rebuild; reported (file, line, reason) when the text or the
reading changes under it, which makes `build --check` fail; merged in git without conflict when
two analysts correct different provisions; refused whole, with nothing written, when malformed or
naming what is not there. Everything runs on a copy of the project."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from kgtool.build import build
from kgtool.cli import cli
from kgtool.corrections import CorrectionError, fingerprint, read_corrections, write_correction
from kgtool.corrections.files import read_file
from kgtool.corrections.model import check_entry, entry_id
from kgtool.review.reading import read
from sources import ROOT, copy_project

WSA = Namespace("https://w3id.org/wsa/ontology#")
ID = "https://w3id.org/wsa/id/"
TC = "tongchuan-town-2022"
ORG_ROLE = URIRef("http://www.w3.org/ns/org#role")
DUTYTYPE = "https://w3id.org/wsa/concept/dutytype/"
PARTS = ("ontology", "data", "shapes", "queries")


def node(local: str, slug: str = TC) -> URIRef:
    return URIRef(f"{ID}{slug}/{local}")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def texts(root: Path, slug: str) -> dict[str, str]:
    """Each provision's text as the reader reads it."""
    machine = read(root, slug).machine
    prefix = f"{ID}{slug}/provision/"
    return {
        str(s)[len(prefix) :]: str(o)
        for s, o in ((s, machine.value(s, WSA.text)) for s in machine.spo)
        if str(s).startswith(prefix) and o is not None
    }


def add(
    root: Path,
    slug: str,
    provision: str,
    fields: dict,
    *,
    when: str,
    passage: str | None = None,
    by: str = "Test Analyst",
    why: str = "a test",
) -> str:
    """A correction written as `kgtool correct` writes it (without its checks): its key."""
    text = texts(root, slug)[provision]
    raw = {**fields, "passage": passage, "by": by, "when": when, "why": why}
    c = check_entry(raw, key="k", slug=slug, provision=provision, fingerprint_=fingerprint(text), file=None, line=0)
    key = entry_id(fields["kind"], dict(c.fields))
    write_correction(root, slug, dataclasses.replace(c, id=key))
    return key


# --- every kind, applied by one build -------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("corrections"), PARTS)
    shutil.rmtree(root / "data" / "corrections")  # the committed ones are tested on the project itself
    return root


@pytest.fixture(scope="module")
def corrected(project: Path) -> tuple[Graph, dict[str, str]]:
    """Tongchuan with a correction of every kind (each in its own provision file), built once."""
    keys = {
        "merge": add(
            project,
            TC,
            "s3.p4",
            {"kind": "merge", "post": "post/main.business_deputy", "into": "post/main.safety_deputy"},
            when="2026-01-01T00:00:01Z",
        ),
        "split": add(
            project,
            TC,
            "s3.p1",
            {
                "kind": "split",
                "post": "post/main.party_secretary",
                "label": "党委副书记",
                "role": "vice_party_secretary",
                "duties": ["duty/s3.p1.i5"],
            },
            when="2026-01-01T00:00:02Z",
        ),
        "move": add(
            project, TC, "s3.p6.i7", {"kind": "move", "duties": ["duty/s3.p6.i7"], "to": "body/633afaba"}, when="2026-01-01T00:00:03Z"
        ),
        "type": add(
            project,
            TC,
            "s3.p1.i2",
            {"kind": "type", "duty": "duty/s3.p1.i2", "add": ["meeting"], "remove": ["inspection"]},
            when="2026-01-01T00:00:04Z",
        ),
        "add post": add(
            project,
            TC,
            "s4.p6.i2",
            {"kind": "add", "what": "post", "label": "驻村安全员", "role": "other", "bodies": ["body/633afaba"]},
            passage="包村领导和中心负责人责任挂钩",
            when="2026-01-01T00:00:05Z",
        ),
        "add duty": add(
            project,
            TC,
            "s1",
            {
                "kind": "add",
                "what": "duty",
                "holder": "body/633afaba",
                "text": "防止和减少安全生产事故，将各类安全生产伤亡事故控制为零，杜绝群亡群伤事故的发生。",
            },
            when="2026-01-01T00:00:06Z",
        ),
        "add level": add(
            project,
            TC,
            "front",
            {"kind": "add", "what": "level", "post": "post/main.party_secretary", "level": "first_responsible"},
            passage="镇党委政府一把手是安全生产工作的第一负责人",
            when="2026-01-01T00:00:07Z",
            by="王芳",
            why="序言：“镇党委政府一把手是安全生产工作的第一负责人”",
        ),
        "add frequency": add(
            project,
            TC,
            "s3.p1.i4",
            {
                "kind": "add",
                "what": "frequency",
                "duty": "duty/s3.p1.i4",
                "period": "P3M",
                "min": 1,
                "action": "meeting",
                "wording": "适时主持召开安全生产领导小组成员会议",
            },
            when="2026-01-01T00:00:08Z",
        ),
        "add principle": add(
            project,
            TC,
            "s5",
            {"kind": "add", "what": "principle", "principle": "life_first"},
            passage="追究相关人员的责任",
            when="2026-01-01T00:00:09Z",
        ),
        "add sanction": add(
            project,
            TC,
            "s5",
            {"kind": "add", "what": "sanction", "sanction": "demotion"},
            passage="追究相关人员的责任",
            when="2026-01-01T00:00:10Z",
        ),
        "reject node": add(project, TC, "s3.p3.i7", {"kind": "reject", "node": "freq/s3.p3.i7-1"}, when="2026-01-01T00:00:11Z"),
        "reject statement": add(
            project,
            TC,
            "s3.p2.i2",
            {"kind": "reject", "statement": {"subject": "duty/s3.p2.i2", "predicate": "wsa:dutyType", "object": "dutytype:supervision"}},
            when="2026-01-01T00:00:12Z",
        ),
    }
    stale: list = []
    build(project, on_stale=stale.append)
    assert not stale, [str(s) for s in stale]
    return Graph().parse(project / "data" / f"{TC}.ttl"), keys


def corrected_statement(g: Graph, s, p, o) -> URIRef | None:
    """The reified wsa:CorrectedStatement of a triple, if the graph has one."""
    for st in g.subjects(RDF.subject, s):
        if (st, RDF.type, WSA.CorrectedStatement) in g and (st, RDF.predicate, p) in g and (st, RDF.object, o) in g:
            return st
    return None


def test_each_correction_is_a_prov_activity_with_who_when_why(corrected):
    g, keys = corrected
    made = set(g.subjects(RDF.type, WSA.Correction))
    assert len(made) == len(keys) == 12
    fangs = [c for c in made if str(c).endswith(f"front.{keys['add level']}")]
    assert len(fangs) == 1
    c = fangs[0]
    agent = g.value(c, PROV.wasAssociatedWith)
    assert (agent, RDF.type, PROV.Person) in g and str(g.value(agent, RDFS.label)) == "王芳"
    assert str(g.value(c, PROV.endedAtTime)).startswith("2026-01-01T00:00:07")
    assert g.value(c, WSA.rationale) == Literal("序言：“镇党委政府一把手是安全生产工作的第一负责人”", lang="zh")
    assert g.value(c, PROV.used) == node("provision/front")
    assert str(g.value(c, WSA.passageFingerprint)).startswith("sha256:")
    assert str(g.value(c, WSA.correctionKind)) == "add level"


def test_merge(corrected):
    g, _ = corrected
    gone, kept = node("post/main.business_deputy"), node("post/main.safety_deputy")
    assert (gone, None, None) not in g or not list(g.objects(gone, RDF.type))
    assert (kept, SKOS.altLabel, Literal("其他副科级以上领导", lang="zh")) in g
    assert (kept, WSA.hasDuty, node("duty/s3.p4")) in g
    st = corrected_statement(g, kept, WSA.hasDuty, node("duty/s3.p4"))
    assert st is not None and str(g.value(g.value(st, PROV.wasAttributedTo), RDFS.label)) == "Test Analyst"
    assert any((r, RDF.type, WSA.RetractedStatement) in g for r in g.subjects(RDF.subject, gone))


def test_split(corrected):
    g, _ = corrected
    new = next(p for p in g.subjects(RDFS.label, Literal("党委副书记", lang="zh")) if (p, RDF.type, WSA.Post) in g)
    assert (new, WSA.hasDuty, node("duty/s3.p1.i5")) in g
    assert (node("post/main.party_secretary"), WSA.hasDuty, node("duty/s3.p1.i5")) not in g
    assert (new, ORG_ROLE, URIRef("https://w3id.org/wsa/concept/role/vice_party_secretary")) in g
    assert (new, WSA.definedIn, URIRef(ID + TC)) in g and (new, PROV.wasDerivedFrom, node("provision/s3.p1")) in g


def test_move(corrected):
    g, _ = corrected
    duty = node("duty/s3.p6.i7")
    assert list(g.subjects(WSA.hasDuty, duty)) == [node("body/633afaba")]
    assert corrected_statement(g, node("body/633afaba"), WSA.hasDuty, duty) is not None
    assert g.value(duty, WSA.correctedBy) is not None  # what the saved queries and the gap report look at


def test_type(corrected):
    g, _ = corrected
    types = {str(t)[len(DUTYTYPE) :] for t in g.objects(node("duty/s3.p1.i2"), WSA.dutyType)}
    assert "meeting" in types and "inspection" not in types


def test_add_post_duty_level_frequency(corrected):
    g, _ = corrected
    post = next(p for p in g.subjects(RDFS.label, Literal("驻村安全员", lang="zh")) if (p, RDF.type, WSA.Post) in g)
    assert "/post/added." in str(post)
    goal = "防止和减少安全生产事故，将各类安全生产伤亡事故控制为零，杜绝群亡群伤事故的发生。"
    duty = next(g.subjects(WSA.text, Literal(goal, lang="zh")))
    assert (node("body/633afaba"), WSA.hasDuty, duty) in g and list(g.objects(duty, WSA.dutyType))
    assert (node("post/main.party_secretary"), WSA.responsibilityLevel, URIRef("https://w3id.org/wsa/concept/level/first_responsible")) in g
    freqs = [f for f in g.objects(node("duty/s3.p1.i4"), WSA.frequency)]
    assert [(str(g.value(f, WSA.period)), int(g.value(f, WSA.minOccurrences)), float(g.value(f, WSA.timesPerYear))) for f in freqs] == [
        ("P3M", 1, 4.0)
    ]


def test_add_principle_and_sanction(corrected):
    g, _ = corrected
    doc = URIRef(ID + TC)
    assert (doc, WSA.invokesPrinciple, URIRef("https://w3id.org/wsa/concept/principle/life_first")) in g
    sanction = URIRef("https://w3id.org/wsa/concept/sanction/demotion")
    assert corrected_statement(g, doc, WSA.providesSanction, sanction) is not None


def test_reject(corrected):
    g, _ = corrected
    assert not list(g.objects(node("freq/s3.p3.i7-1"), None))
    assert (node("duty/s3.p3.i7"), WSA.frequency, node("freq/s3.p3.i7-1")) not in g
    assert (node("duty/s3.p2.i2"), WSA.dutyType, URIRef(DUTYTYPE + "supervision")) not in g
    retracted = [st for st in g.subjects(RDF.subject, node("duty/s3.p2.i2")) if (st, RDF.type, WSA.RetractedStatement) in g]
    assert retracted and g.value(retracted[0], RDF.object) == URIRef(DUTYTYPE + "supervision")


def test_one_file_per_provision_sorted_and_stable(corrected, project):
    _, keys = corrected
    folder = project / "data" / "corrections" / TC
    assert {p.name for p in folder.iterdir()} == {
        "s3.p4.yaml",
        "s3.p1.yaml",
        "s3.p6.i7.yaml",
        "s3.p1.i2.yaml",
        "s4.p6.i2.yaml",
        "s1.yaml",
        "front.yaml",
        "s3.p1.i4.yaml",
        "s5.yaml",
        "s3.p3.i7.yaml",
        "s3.p2.i2.yaml",
    }
    text = (folder / "s5.yaml").read_text(encoding="utf-8")
    assert text.index(min(keys["add principle"], keys["add sanction"])) < text.index(max(keys["add principle"], keys["add sanction"]))
    assert [c.line for c in read_file(folder / "s5.yaml", TC)] == [
        n + 1 for n, line in enumerate(text.splitlines()) if re.match(r"  (add|move)-[0-9a-f]{8}:", line)
    ]


def test_a_rebuild_keeps_them_byte_for_byte(corrected, project):
    before = (project / "data" / f"{TC}.ttl").read_bytes()
    assert build(project, check=True) == []
    build(project)
    assert (project / "data" / f"{TC}.ttl").read_bytes() == before


# --- the reader alone ------------------------------------------------------------------------------


def test_build_without_corrections_writes_what_the_reader_alone_reads(corrected, project, tmp_path):
    out = tmp_path / "reader"
    result = CliRunner().invoke(cli, ["build", "--without-corrections", "--out", str(out)], env={"KGTOOL_HOME": str(project)})
    assert result.exit_code == 0, result.output
    for part in ("ontology/wsa.ttl", "shapes/integrity.ttl", "queries/duties-of-role.rq", "data/places.ttl"):
        assert (out / part).is_file(), part
    reader = Graph().parse(out / "data" / f"{TC}.ttl")
    assert not list(reader.subjects(RDF.type, WSA.Correction)) and not list(reader.subjects(WSA.correctedBy, None))
    assert (node("post/main.business_deputy"), RDF.type, WSA.Post) in reader
    assert (project / "data" / "corrections" / TC).is_dir()  # the project is left as it was


@pytest.mark.parametrize("args", [["build", "--without-corrections"], ["build", "--out", "."], ["build", "--out", "x", "--check"]])
def test_build_refuses_what_would_write_the_reader_alone_into_the_project(project, args, monkeypatch):
    monkeypatch.setenv("KGTOOL_HOME", str(project))
    monkeypatch.chdir(project)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


# --- when the reading changes under a correction -----------------------------------------------------


@pytest.fixture()
def small(tmp_path) -> Path:
    """A copy of the project with one correction of Bazhong's 三、总体要求 and no other."""
    root = copy_project(tmp_path, PARTS)
    shutil.rmtree(root / "data" / "corrections")
    add(
        root,
        "bazhong-econ-2018",
        "a.s3",
        {"kind": "move", "duties": ["duty/a.s3.i4"], "to": "body/51af2060"},
        passage="每季度至少召开一次防范安全事故的工作会议",
        when="2026-01-02T00:00:00Z",
    )
    add(
        root,
        "bazhong-econ-2018",
        "a.s4.p1.i1",
        {"kind": "type", "duty": "duty/a.s4.p1.i1", "add": ["planning"]},
        when="2026-01-02T00:00:01Z",
    )
    build(root)
    return root


def test_a_changed_passage_is_reported_by_file_and_line_and_fails_check(small, monkeypatch):
    monkeypatch.setenv("KGTOOL_HOME", str(small))
    source = small / "data" / "sources" / "bazhong-econ-2018.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("每季度至少召开一次防范", "每月至少召开一次防范"), encoding="utf-8")
    check = run("build", "--check")
    assert check.exit_code == 1
    assert re.search(r"data/corrections/bazhong-econ-2018/a\.s3\.yaml:\d+: move-[0-9a-f]{8}: passage changed", check.output)
    written = run("build")
    assert written.exit_code == 0 and "passage changed" in written.output
    g = Graph().parse(small / "data" / "bazhong-econ-2018.ttl")
    assert not list(g.subjects(WSA.hasDuty, node("duty/a.s3.i4", "bazhong-econ-2018")))  # left out, not half-applied
    assert (node("duty/a.s4.p1.i1", "bazhong-econ-2018"), WSA.dutyType, URIRef(DUTYTYPE + "planning")) in g  # the other stays
    assert run("build", "--check").exit_code == 1  # still reported: never dropped silently
    review = run("review", "bazhong-econ-2018", "--provision", "a.s3")
    assert "no longer applies: passage changed" in review.output


def test_a_target_gone_and_a_correction_the_reader_made_needless_are_reported(small, monkeypatch):
    monkeypatch.setenv("KGTOOL_HOME", str(small))
    path = small / "data" / "corrections" / "bazhong-econ-2018" / "a.s3.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("body/51af2060", "body/00000000"), encoding="utf-8")
    other = small / "data" / "corrections" / "bazhong-econ-2018" / "a.s4.p1.i1.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("- planning", "- implement_policy"), encoding="utf-8")
    result = run("build", "--check")
    assert result.exit_code == 1
    assert "a.s3.yaml:5: " in result.output and "target gone: body/00000000" in result.output
    assert "changes nothing" in result.output


# --- git: two analysts, two provisions ---------------------------------------------------------------


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args], capture_output=True, text=True, check=False
    )


def test_two_analysts_correcting_different_provisions_merge_without_conflict(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = copy_project(tmp_path / "repo", PARTS)
    shutil.rmtree(repo / "data" / "corrections")
    slug = "tongchuan-town-2022"
    add(
        repo,
        slug,
        "s3.p4",
        {"kind": "type", "duty": "duty/s3.p4", "add": ["responsibility_system"]},
        when="2026-01-03T00:00:00Z",
        by="Base",
    )
    assert git(repo, "init", "-q", "-b", "main").returncode == 0
    git(repo, "add", "-A")
    assert git(repo, "commit", "-q", "-m", "base").returncode == 0
    git(repo, "checkout", "-q", "-b", "wang")
    add(
        repo, slug, "s3.p6.i7", {"kind": "move", "duties": ["duty/s3.p6.i7"], "to": "body/633afaba"}, when="2026-01-03T01:00:00Z", by="王芳"
    )
    add(repo, slug, "s3.p4", {"kind": "type", "duty": "duty/s3.p4", "add": ["supervision"]}, when="2026-01-03T01:00:01Z", by="王芳")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "wang")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "li")
    add(repo, slug, "s3.p1.i2", {"kind": "type", "duty": "duty/s3.p1.i2", "add": ["meeting"]}, when="2026-01-03T02:00:00Z", by="李明")
    add(
        repo,
        slug,
        "s3.p2.i2",
        {"kind": "reject", "statement": {"subject": "duty/s3.p2.i2", "predicate": "wsa:dutyType", "object": "dutytype:supervision"}},
        when="2026-01-03T02:00:01Z",
        by="李明",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "li")
    merged = git(repo, "merge", "--no-edit", "wang")
    assert merged.returncode == 0 and "CONFLICT" not in merged.stdout, merged.stdout + merged.stderr
    found = read_corrections(repo, slug)
    assert {c.by for c in found} == {"Base", "王芳", "李明"} and len(found) == 5
    stale: list = []
    build(repo, on_stale=stale.append)
    assert not stale


# --- hostile input: a clear error, nothing written ---------------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        ("provision: [unclosed\n", "not YAML"),
        (
            "provision: a.s3\ncorrections:\n  move-1:\n    kind: teleport\n    fingerprint: sha256:0000000000000000\n",
            "kind 'teleport' is none of",
        ),
        ("provision: a.s3\ncorrections:\n  x: &a {kind: move}\n  y: *a\n", "anchors and aliases"),
        ("provision: a.s9\ncorrections: {}\n", "is not this file's"),
        (
            "provision: a.s3\ncorrections:\n  move-1:\n    kind: move\n    duties: [duty/a.s3.i1]\n    to: body/51af2060\n"
            "    fingerprint: sha256:0000000000000000\n    by: x\n    when: 2026-01-01T00:00:00Z\n",
            "why?",
        ),
        (
            "provision: a.s3\ncorrections:\n  move-1:\n    kind: move\n    duties: [duty/a.s3.i1]\n    to: ../../etc\n"
            "    fingerprint: sha256:0000000000000000\n    by: x\n    when: 2026-01-01T00:00:00Z\n    why: y\n",
            "names nothing",
        ),
    ],
)
def test_a_malformed_corrections_file_stops_the_build_naming_file_and_line(tmp_path, monkeypatch, content, message):
    root = copy_project(tmp_path, PARTS)
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    path = root / "data" / "corrections" / "bazhong-econ-2018" / "a.s3.yaml"
    path.write_text(content, encoding="utf-8")
    data = root / "data" / "bazhong-econ-2018.ttl"
    before = data.read_bytes()
    result = run("build")
    assert result.exit_code == 2
    assert "data/corrections/bazhong-econ-2018/a.s3.yaml" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert data.read_bytes() == before
    with pytest.raises(CorrectionError):
        read_corrections(root, "bazhong-econ-2018")


def test_a_malformed_file_of_any_document_stops_the_build_before_it_writes(tmp_path, monkeypatch):
    root = copy_project(tmp_path, PARTS)
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    (root / "data" / "bazhong-econ-2018.ttl").unlink()  # stale: the first document a build would write
    bad = root / "data" / "corrections" / "wuxi-towns-2021" / "s3.p3.yaml"  # the last document read
    bad.parent.mkdir(parents=True)
    bad.write_text("provision: s3.p3\ncorrections: [not, a, mapping]\n", encoding="utf-8")
    result = run("build")
    assert result.exit_code == 2 and "wuxi-towns-2021/s3.p3.yaml" in result.output
    assert not (root / "data" / "bazhong-econ-2018.ttl").exists()


def test_corrections_of_a_document_that_is_gone_are_reported(tmp_path, monkeypatch):
    root = copy_project(tmp_path, PARTS)
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    (root / "data" / "corrections" / "old-document-2015").mkdir()
    result = run("build", "--check")
    assert result.exit_code == 1 and "data/corrections/old-document-2015: target gone" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["move", "duty/s3.p9.i9", "--to", "body/633afaba"], "duty/s3.p9.i9 is not in the reading"),
        (["move", "duty/s3.p4", "--to", "body/00000000"], "target gone: body/00000000"),
        (["merge", "post/main.party_secretary", "post/main.nobody"], "target gone: post/main.nobody"),
        (["type", "duty/s3.p4", "--remove", "other"], "integrity rule"),
        (["add", "sanction", "no_such_sanction", "--passage", "追究相关人员的责任"], "no concept of the sanction scheme"),
        (["add", "duty", "--text", "这句话不在原文里", "--holder", "body/633afaba"], "no provision"),
        (["move", "duty/s3.p4", "--to", "body/633afaba", "--provision", "s3.p4", "--passage", "不在此条"], "is not in provision"),
    ],
)
def test_a_correction_naming_what_is_not_there_is_refused_and_nothing_written(tmp_path, monkeypatch, args, message):
    root = copy_project(tmp_path, PARTS)
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    before = {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    result = run("correct", TC, *args, "--by", "Test", "--why", "a test")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    after = {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    assert after == before


def test_correct_writes_the_file_and_the_data_then_withdraw_takes_it_back(tmp_path, monkeypatch):
    root = copy_project(tmp_path, PARTS)
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    monkeypatch.setenv("KGTOOL_ANALYST", "王芳")
    result = run("correct", TC, "move", "duty/s3.p4", "--to", "post/main.safety_deputy", "--why", "三(四) names the deputies in charge")
    assert result.exit_code == 0, result.output
    key = re.search(r"\((move-[0-9a-f]{8}), provision s3\.p4\)", result.output).group(1)
    written = root / "data" / "corrections" / TC / "s3.p4.yaml"
    assert "by: 王芳" in written.read_text(encoding="utf-8")
    g = Graph().parse(root / "data" / f"{TC}.ttl")
    assert (node("post/main.safety_deputy"), WSA.hasDuty, node("duty/s3.p4")) in g
    assert build(root, check=True) == []  # data/<slug>.ttl as a build would write it
    assert run("correct", TC, "move", "duty/s3.p4", "--to", "post/main.safety_deputy", "--why", "again").exit_code == 2
    assert run("correct", TC, "withdraw", key).exit_code == 0
    assert not written.exists()
    g = Graph().parse(root / "data" / f"{TC}.ttl")
    assert (node("post/main.safety_deputy"), WSA.hasDuty, node("duty/s3.p4")) not in g


def test_who_must_be_said(tmp_path, monkeypatch):
    root = copy_project(tmp_path, PARTS)
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    monkeypatch.delenv("KGTOOL_ANALYST", raising=False)
    result = run("correct", TC, "move", "duty/s3.p4", "--to", "body/633afaba", "--why", "x")
    assert result.exit_code == 2 and "--by" in result.output


# --- the review ----------------------------------------------------------------------------------------


def test_review_shows_reading_notes_and_corrections_in_every_format(tmp_path):
    text = run("review", "bazhong-econ-2018").output
    assert "[a.s3] 三、总体要求" in text
    assert re.search(r"correction move-[0-9a-f]{8} \[in force\] duty/a\.s3\.i1, .* → body/51af2060", text)
    assert "duty duty/a.s3.i4 of +巴中市经济和信息化委员会 (body/51af2060)" in text  # + a correction's holder
    assert "not placed (" in text and "types: meeting «召开…会议»" in text
    assert "unresolved: 经委领导明确，牵头安全生产具体专项工作的委领导: a post the grammar cannot place" in text
    data = json.loads(run("review", "bazhong-econ-2018", "--format", "json", "--provision", "a.s3").output)
    assert {p["id"] for p in data["provisions"]} == {"a.s3"} | {f"a.s3.i{i}" for i in range(1, 9)}
    assert data["in_force"] >= 1 and data["corrections"][0]["status"] == "in force"
    duty = next(d for p in data["provisions"] for d in p["duties"] if d["ref"] == "duty/a.s3.i4")
    assert duty["holders"] == [{"ref": "body/51af2060", "label": "巴中市经济和信息化委员会", "corrected": True, "retracted": False}]
    out = tmp_path / "review.html"
    assert run("review", "mianyang-union-2020", "--format", "html", "--out", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "文化宫、职工服务中心主要负责人" in page and 'class="add"' in page
    assert run("review", "no-such-document").exit_code == 2


# --- the committed corrections -------------------------------------------------------------------------


def test_the_committed_corrections_apply_each_with_its_reason():
    folder = ROOT / "data" / "corrections"
    slugs = sorted(p.name for p in folder.iterdir())
    assert slugs == ["bazhong-econ-2018", "mianyang-union-2020", "tongchuan-town-2022"]
    for slug in slugs:
        reading = read(ROOT, slug)
        assert not reading.outcome.stale, [str(s) for s in reading.outcome.stale]
        for applied in reading.outcome.applied:
            c = applied.correction
            assert len(c.why) > 100 and ("«" in c.why or c.fields.get("text")), c.id  # the reason, the words quoted
            assert "Document-specific" in c.why or c.kind == "add", c.id
