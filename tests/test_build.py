"""The build and ingest commands end to end: determinism, staleness, new documents, hostile input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import opencc
import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kgtool.cli import cli
from sources import copy_project

ROOT = Path(__file__).resolve().parent.parent
NEW_DOC = ROOT / "tests" / "data" / "qingshan-county-2023.txt"
WSA = "https://w3id.org/wsa/ontology#"


@pytest.fixture()
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the project's ontology and data, so tests may change them."""
    copy_project(tmp_path)
    monkeypatch.setenv("KGTOOL_HOME", str(tmp_path))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_committed_data_is_current():
    result = run("build", "--check")
    assert result.exit_code == 0, result.output


def test_rebuild_is_byte_identical_in_a_fresh_process(project):
    before = {p.name: p.read_bytes() for p in (project / "data").glob("*.ttl")}
    env = {**os.environ, "KGTOOL_HOME": str(project), "PYTHONHASHSEED": "12345"}
    for path in (project / "data").glob("*-20*.ttl"):
        path.unlink()
    subprocess.run([sys.executable, "-m", "kgtool", "build"], env=env, check=True, capture_output=True)
    after = {p.name: p.read_bytes() for p in (project / "data").glob("*.ttl")}
    assert after == before


def test_check_reports_stale_data_and_exits_1(project):
    target = project / "data" / "wuxi-towns-2021.ttl"
    target.write_bytes(target.read_bytes().replace("行政主要负责人".encode(), "行政负责人".encode(), 1))
    result = run("build", "--check")
    assert result.exit_code == 1
    assert "stale: data/wuxi-towns-2021.ttl" in result.output
    assert "行政负责人".encode() in target.read_bytes(), "--check must not write"


def labels(graph: Graph) -> dict[str, str]:
    """Post label -> role id."""
    return {
        str(graph.value(p, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))): str(r).rsplit("/", 1)[-1]
        for p, r in graph.subject_objects(URIRef("http://www.w3.org/ns/org#role"))
    }


def test_ingest_new_document_and_teach_a_wording_without_code(project, tmp_path):
    """A county text in the same style: known roles are found; a new wording for a known role
    (分管应急管理的副县长 = the deputy in charge of safety) is learnt by adding one label."""
    out = tmp_path / "q.ttl"
    result = run("ingest", str(NEW_DOC), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "jurisdiction: 青山县 is not in data/places.ttl: made from the issuer's name (county)" in result.output
    g = Graph().parse(out)
    roles = labels(g)
    assert roles["县长"] == "government_head" and roles["县委书记"] == "party_secretary"
    # a deputy whose portfolio is named (应急管理) but not as work safety: business_deputy until taught
    assert roles["分管应急管理的副县长"] == "business_deputy"
    doc = URIRef("https://w3id.org/wsa/id/qingshan-county-2023")
    assert str(g.value(doc, URIRef(WSA + "documentNumber"))) == "青政办发〔2023〕7号"

    with (project / "ontology" / "lexicon.ttl").open("a", encoding="utf-8") as f:
        f.write('\nrole:safety_deputy skos:hiddenLabel "分管应急管理的副县长"@zh .\n')
    with (project / "data" / "places.ttl").open("a", encoding="utf-8") as f:
        f.write('\nplace:qingshan a wsa:Jurisdiction ; rdfs:label "青山县"@zh, "Qingshan County"@en ; wsa:adminLevel adminlevel:county .\n')
    result = run("ingest", str(NEW_DOC), "--out", str(out))
    assert "jurisdiction" not in result.output
    g = Graph().parse(out)
    assert labels(g)["分管应急管理的副县长"] == "safety_deputy"
    assert g.value(doc, URIRef(WSA + "jurisdiction")) == URIRef("https://w3id.org/wsa/id/place/qingshan")
    per_year = {
        (str(g.value(x, URIRef(WSA + "period"))), float(g.value(x, URIRef(WSA + "timesPerYear"))))
        for x in g.subjects(URIRef(WSA + "period"), None)
    }
    assert ("P3M", 4.0) in per_year and ("P1M", 12.0) in per_year


def test_traditional_with_pinyin_gives_the_same_graph(tmp_path):
    """The same text in Traditional characters, with pinyin after some of them, reads the same."""
    simplified = NEW_DOC.read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(simplified)
    annotated = traditional.replace("縣長", "縣(xiàn)長(zhǎng)").replace("職責", "職(zhí)責(zé)")
    assert annotated != traditional
    a, b = tmp_path / "a" / "qingshan.txt", tmp_path / "b" / "qingshan.txt"
    for path, text in ((a, simplified), (b, annotated)):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        assert run("ingest", str(path), "--out", str(path.with_suffix(".ttl"))).exit_code == 0
    ga, gb = (Graph().parse(p.with_suffix(".ttl")) for p in (a, b))
    for g in (ga, gb):
        g.remove((None, URIRef("http://purl.org/dc/terms/source"), None))
    assert isomorphic(ga, gb)


def test_ingest_into_data_keeps_the_source_and_build_reproduces_it(project):
    result = run("ingest", str(NEW_DOC))
    assert result.exit_code == 0, result.output
    assert (project / "data" / "sources" / "qingshan-county-2023.txt").read_bytes() == NEW_DOC.read_bytes()
    assert (project / "data" / "qingshan-county-2023.ttl").exists()
    assert run("build", "--check").exit_code == 0


def test_slug_collision_is_refused(project, tmp_path):
    other = tmp_path / "wuxi-towns-2021.txt"
    other.write_text(NEW_DOC.read_text(encoding="utf-8"), encoding="utf-8")
    before = (project / "data" / "wuxi-towns-2021.ttl").read_bytes()
    result = run("ingest", str(other))
    assert result.exit_code == 2
    assert "already has the id 'wuxi-towns-2021'" in result.output and "--slug" in result.output
    assert (project / "data" / "wuxi-towns-2021.ttl").read_bytes() == before


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\n \n", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("gbk.txt", "第一条 为了安全。\n第二条 职责如下。".encode("gbk"), "gb18030"),
        ("flat.txt", "这是一段没有任何条款编号的文字。只有句子。".encode(), "no recognisable structure"),
        ("missing.txt", None, "no such file"),
        ("truncated.txt", "第一条 安全生产。\n第二条 职责".encode()[:-1], "not valid UTF-8"),
        ("folder.txt", "dir", "folder"),
    ],
)
def test_hostile_input_gets_one_line_and_exit_2(project, tmp_path, name, content, message):
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    before = sorted(p.name for p in (project / "data").iterdir())
    result = CliRunner().invoke(cli, ["ingest", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kgtool: error: ") and name in lines[0] and message in lines[0]
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (project / "data").iterdir()) == before


def test_gbk_input_is_read_with_encoding_option(project, tmp_path):
    path = tmp_path / "qingshan-gbk.txt"
    path.write_bytes(NEW_DOC.read_text(encoding="utf-8").encode("gb18030"))
    out = tmp_path / "g.ttl"
    result = run("ingest", str(path), "--encoding", "gb18030", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (None, URIRef(WSA + "documentNumber"), Literal("青政办发〔2023〕7号")) in Graph().parse(out)


def test_stats_lists_every_document():
    result = run("stats")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[0].split()[:4] == ["document", "provisions", "bodies", "posts"]
    assert {line.split()[0] for line in lines[2:-1]} == {  # under the header's rule, above "(5 rows)"
        "bazhong-econ-2018",
        "benxi-hitech-2019",
        "mianyang-union-2020",
        "tongchuan-town-2022",
        "wuxi-towns-2021",
    }


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5])
def test_a_killed_build_leaves_every_file_old_or_new(project, delay):
    """SIGKILL mid-build: each data file is byte-identical to the old or the new version, never partial."""
    import signal
    import time

    data = project / "data"
    new = {p.name: p.read_bytes() for p in data.glob("*-20*.ttl")}
    old = {name: b"# an older version\n" + content[: len(content) // 2] for name, content in new.items()}
    for name, content in old.items():
        (data / name).write_bytes(content)
    env = {**os.environ, "KGTOOL_HOME": str(project)}
    proc = subprocess.Popen([sys.executable, "-m", "kgtool", "build"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for name in new:
        assert (data / name).read_bytes() in (old[name], new[name]), name
    leftovers = [p.name for p in data.iterdir() if p.name.endswith(".tmp")]
    # a temp file may survive a SIGKILL, but it is never mistaken for data (hidden, .tmp) and the next build ignores it
    assert all(n.startswith(".") for n in leftovers)
    assert run("build").exit_code == 0
    assert {p.name: p.read_bytes() for p in data.glob("*-20*.ttl")} == new


def test_a_50_mb_file_is_refused_quickly_and_changes_nothing(project, tmp_path):
    """A 50 MB "document" is not a policy text: one clear line, exit 2, data untouched."""
    import time

    big = tmp_path / "big.txt"
    filler = "（一）每季度至少召开1次安全生产工作会议，研究解决重大问题。\n"
    big.write_text(filler * (50 * 1024 * 1024 // len(filler.encode())), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (project / "data").glob("*.ttl")}
    t0 = time.monotonic()
    result = run("ingest", str(big))
    assert result.exit_code == 2 and "MB" in result.output and "KGTOOL_MAX_SOURCE_BYTES" in result.output
    assert time.monotonic() - t0 < 10
    assert {p.name: p.read_bytes() for p in (project / "data").glob("*.ttl")} == before


# ---------------------------------------------------------------- the Turtle writer (build.turtle)

SEEDS = [*sorted((ROOT / "data" / "sources").glob("*.txt")), NEW_DOC]
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
W, P = URIRef(WSA + "s"), URIRef(WSA + "p")


@pytest.fixture(scope="module")
def seeds():
    """Every seed document built once: path -> Built."""
    from kgtool.build import build_one, context

    lexicon, places = context(ROOT)
    return {path: build_one(path, ROOT, lexicon, places) for path in SEEDS}


def triples_of(statements):
    from kgtool.read.extract import Triples

    triples = Triples()
    for statement in statements:
        triples.add(statement)
    return triples


def as_ox(graph: Graph) -> set[str]:
    """A graph's triples as pyoxigraph reads them, each in N-Triples (lexical forms kept)."""
    import pyoxigraph as ox

    data = graph.serialize(format="nt", encoding="utf-8")
    return {str(t) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}


def read_back(data: bytes) -> tuple[Graph, set[str]]:
    """The written Turtle read by rdflib and by pyoxigraph."""
    import pyoxigraph as ox

    return (Graph().parse(data=data, format="turtle"), {str(t) for t in ox.parse(data, format=ox.RdfFormat.TURTLE)})


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_turtle_is_the_same_bytes_for_a_rebuild_and_any_insertion_order(seeds, path):
    """pyoxigraph writes triples in the order given: build.turtle's sort alone makes reruns identical."""
    import random

    from kgtool.build import build_one, context, turtle

    built = seeds[path]
    lexicon, places = context(ROOT)
    assert build_one(path, ROOT, lexicon, places).turtle == built.turtle
    statements = list(built.triples)
    for order in (statements[::-1], random.Random(16).sample(statements, len(statements))):
        assert turtle(triples_of(order)) == built.turtle


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_turtle_reads_back_as_the_extracted_triples(seeds, path):
    """rdflib and pyoxigraph read the written file back to exactly the triples extraction made
    (lexical forms too: "4"^^xsd:decimal stays "4", where rdflib's serializer wrote 4.0)."""
    built = seeds[path]
    extracted = built.triples.graph()
    graph, ox_triples = read_back(built.turtle)
    assert len(graph) == len(extracted) and isomorphic(graph, extracted)
    assert ox_triples == as_ox(extracted)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_turtle_declares_each_prefix_once_and_groups_each_subject(seeds, path):
    """The prefixes the document uses, each declared once, before any statement, none that would
    need escapes (id:doc\\/duty\\/…); one block per subject (";" and "," lists) after a blank
    line, subjects by IRI, rdf:type then rdfs:label then the rest by IRI."""
    import itertools

    import pyoxigraph as ox

    from kgtool.vocab import PREFIXES

    data = seeds[path].turtle
    lines = data.decode("utf-8").splitlines()
    head = [line for line in lines if line.startswith("@prefix")]
    assert lines[: len(head)] == head, "a prefix declared after a statement"
    declared = [line.split()[1].rstrip(":") for line in head]
    assert {"wsa", "rdfs", "prov"} <= set(declared) <= set(PREFIXES) and len(set(declared)) == len(declared)
    assert "id" not in declared and b"\\/" not in data, "a path under a prefix written with escapes"
    assert all(f"@prefix {p}: <{PREFIXES[p]}> ." in head for p in declared)
    body = data.decode("utf-8")
    assert all(f"{p}:" in body.split("\n\n", 1)[1] for p in declared), "a prefix declared but not used"
    blocks = [line for line in lines[len(head) :] if line and not line.startswith("\t")]
    assert len(blocks) == len(seeds[path].triples.spo), "a subject written in more than one block"
    assert all(lines[i - 1] == "" for i, line in enumerate(lines) if i >= len(head) and line and not line.startswith("\t"))

    written = list(ox.parse(data, format=ox.RdfFormat.TURTLE))  # in the file's order
    runs = [(s, [t.predicate.value for t in ts]) for s, ts in itertools.groupby(written, key=lambda t: t.subject)]
    assert [s.value for s, _ in runs] == sorted(s.value for s, _ in runs)
    first = {RDF + "type": "0", "http://www.w3.org/2000/01/rdf-schema#label": "1"}
    for _, predicates in runs:
        assert predicates == sorted(predicates, key=lambda p: first.get(p, p))


ODD = [
    # literals: quotes, backslashes, newlines, tabs; language tags; datatypes
    (W, P, Literal('say "hi"\\ \r\n"""end"\t')),
    (W, P, Literal('ends with a quote"')),
    (W, P, Literal("第一行\n第二行", lang="zh")),
    (W, P, Literal("Work safety", lang="en-GB")),
    (W, P, Literal("安全", lang="zh-Hans")),
    (W, P, Literal("1", datatype=URIRef(XSD + "decimal"))),
    (W, P, Literal("4.0", datatype=URIRef(XSD + "decimal"))),
    (W, P, Literal("0.3333", datatype=URIRef(XSD + "decimal"))),
    (W, P, Literal(2.5)),
    (W, P, Literal(True)),
    (W, P, Literal("1", datatype=URIRef(XSD + "boolean"))),
    (W, P, Literal(-7)),
    (W, P, Literal("2021-12-31", datatype=URIRef(XSD + "date"))),
    (W, P, Literal("P3M", datatype=URIRef(XSD + "duration"))),
    (W, P, Literal("x", datatype=URIRef("http://example.org/dt#t"))),
    # IRIs: non-ASCII, characters a prefixed name must escape or cannot hold, no prefix at all
    (URIRef("https://w3id.org/wsa/id/无锡/post/镇长"), P, Literal("x", lang="zh")),
    (W, URIRef(WSA + "hasDuty"), URIRef("https://w3id.org/wsa/id/铜川/duty/s1.p2")),
    (URIRef(WSA + "a(b)%41~!$&'*+,;=?@"), P, URIRef("https://w3id.org/wsa/id/doc/post/1.x_y-%4F")),
    (URIRef(WSA + ".starts"), P, URIRef("https://w3id.org/wsa/id/place/")),
    (URIRef("https://w3id.org/wsa/id/x/-.a"), URIRef(WSA + "_p"), URIRef(WSA + "-a")),
    (W, P, URIRef(WSA + "ends.")),  # as wsa:ends\. rdflib would misread it: written whole
    (URIRef("http://example.org/unbound#s"), URIRef("http://example.org/unbound#p"), URIRef("http://example.org/a.")),
    (W, URIRef(RDF + "type"), URIRef("http://www.w3.org/2000/01/rdf-schema#Class")),
    (W, P, URIRef(RDF + "nil")),
    (W, P, BNode("b1")),
]


def lower_tags(graph: Graph) -> Graph:
    """Language tags in lower case, as pyoxigraph writes them (the same RDF 1.1 term; rdflib's
    isomorphic tells zh-Hans from zh-hans)."""
    lowered = Graph()
    for s, p, o in graph:
        lowered.add((s, p, Literal(o, lang=o.language.lower()) if isinstance(o, Literal) and o.language else o))
    return lowered


@pytest.mark.parametrize("odd", ODD, ids=lambda t: t[2].n3() if t[0] == W else t[0].n3())
def test_turtle_round_trips_odd_terms(odd):
    """Each term beside others in one block (";" and "," lists), read back by rdflib and pyoxigraph."""
    from kgtool.build import turtle

    t, q = URIRef(WSA + "t"), URIRef(WSA + "q")
    triples = triples_of(
        [
            odd,
            (odd[0], P, Literal(3)),
            (odd[0], q, Literal("二", lang="zh")),
            (t, q, odd[0]),
            (t, q, Literal("一", lang="zh")),
            (t, q, odd[2] if isinstance(odd[2], URIRef) else t),
        ]
    )
    data = turtle(triples)
    graph, ox_triples = read_back(data)
    assert isomorphic(graph, lower_tags(triples.graph())), data.decode()
    assert ox_triples == as_ox(triples.graph()), data.decode()
    assert data.count(b"@prefix wsa: ") <= 1  # declared only when every wsa: name is plain
    assert turtle(triples_of(list(triples)[::-1])) == data


def test_an_xsd_string_literal_is_written_once_as_a_plain_literal():
    """ "x"^^xsd:string and "x" are one RDF 1.1 term: written once, as "x" (rdflib reads it back plain)."""
    from kgtool.build import turtle

    data = turtle(triples_of([(W, P, Literal("zh", datatype=URIRef(XSD + "string"))), (W, P, Literal("zh"))]))
    assert set(Graph().parse(data=data, format="turtle")) == {(W, P, Literal("zh"))}
    assert data.endswith(b'wsa:s wsa:p "zh" .\n')


@pytest.mark.parametrize(
    "bad",
    [
        URIRef("https://w3id.org/wsa/id/a b"),  # not an IRI: pyoxigraph refuses it
        URIRef(WSA + "a#b"),
        URIRef(WSA + "a%zz"),
    ],
)
def test_turtle_refuses_an_iri_it_cannot_write_readably(bad):
    from kgtool.build import turtle

    with pytest.raises(ValueError):
        turtle(triples_of([(W, P, bad)]))


def test_turtle_refuses_a_literal_predicate():
    from kgtool.build import turtle

    with pytest.raises(TypeError):
        turtle(triples_of([(W, Literal("p"), Literal("x"))]))
