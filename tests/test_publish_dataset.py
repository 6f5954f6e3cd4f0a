"""Issue 17, items 2 and 3: the dataset's VoID + DCAT description, and dumps of the whole graph.

The description's counts are the store's; `build --check` sees a stale description; every export
format parses, and the N-Quads dump loaded into a fresh store answers every saved query as the
original does; /dumps/ tells the size and SHA-256 of the very bytes it serves; and a SPARQL
client that knows only the server's address finds the endpoint through /.well-known/void.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import urllib.request
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from kgtool import vocab
from kgtool.cli import cli
from kgtool.publish import dumps
from kgtool.publish.void import DESCRIPTION, SPDX, VOID, about, describe, served, write_description
from kgtool.query.saved import bind, library
from kgtool.store import EmbeddedStore, load_files
from kgtool.web import create_app
from sources import copy_project

try:
    from web_server import running
except ImportError:  # tests/ imported as a package
    from tests.web_server import running

ROOT = Path(__file__).resolve().parent.parent
COUNT_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

#: What every served description must show (W3C SHACL, checked by pySHACL).
SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix void: <http://rdfs.org/ns/void#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix spdx: <http://spdx.org/rdf/terms#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <urn:test:> .
:Whole a sh:NodeShape ; sh:targetNode <https://w3id.org/wsa/dataset> ;
  sh:class void:Dataset, dcat:Dataset ;
  sh:property [ sh:path dcterms:title ; sh:languageIn ("zh" "en") ; sh:uniqueLang true ; sh:minCount 2 ] ,
    [ sh:path dcterms:license ; sh:nodeKind sh:IRI ; sh:minCount 1 ] ,
    [ sh:path dcterms:publisher ; sh:minCount 1 ] ,
    [ sh:path dcterms:modified ; sh:datatype xsd:date ; sh:minCount 1 ; sh:maxCount 1 ] ,
    [ sh:path void:triples ; sh:datatype xsd:integer ; sh:minCount 1 ; sh:maxCount 1 ] ,
    [ sh:path void:sparqlEndpoint ; sh:nodeKind sh:IRI ; sh:pattern "^http://127[.]0[.]0[.]1:[0-9]+/sparql$" ;
      sh:minCount 1 ; sh:maxCount 1 ] ,
    [ sh:path void:vocabulary ; sh:nodeKind sh:IRI ; sh:minCount 5 ] ,
    [ sh:path void:uriSpace ; sh:minCount 1 ] ,
    [ sh:path void:dataDump ; sh:minCount 2 ] ,
    [ sh:path dcat:distribution ; sh:node :Distribution ; sh:minCount 2 ] ,
    [ sh:path void:subset ; sh:node :Subset ; sh:minCount 3 ] .
:Subset a sh:NodeShape ; sh:class void:Dataset ;
  sh:property [ sh:path void:triples ; sh:datatype xsd:integer ; sh:minInclusive 1 ; sh:minCount 1 ; sh:maxCount 1 ] ,
    [ sh:path dcterms:title ; sh:minCount 1 ] .
:Distribution a sh:NodeShape ; sh:class dcat:Distribution ;
  sh:property [ sh:path dcat:downloadURL ; sh:nodeKind sh:IRI ; sh:minCount 1 ; sh:maxCount 1 ] ,
    [ sh:path dcat:mediaType ; sh:nodeKind sh:IRI ; sh:minCount 1 ] ,
    [ sh:path dcat:byteSize ; sh:datatype xsd:nonNegativeInteger ; sh:minCount 1 ] ,
    [ sh:path ( spdx:checksum spdx:checksumValue ) ; sh:datatype xsd:hexBinary ; sh:pattern "^[0-9a-f]{64}$" ;
      sh:minCount 1 ] .
"""


def counts_per_graph(store) -> dict[URIRef, int]:
    return {URIRef(g): int(n) for g, n in store.query(COUNT_PER_GRAPH).rows}


def subset_counts(graph: Graph) -> dict[URIRef, int]:
    return {s: int(graph.value(s, VOID.triples)) for s in graph.objects(vocab.DATASET, VOID.subset)}


# --- the description's counts are the store's ------------------------------------------------------


def test_void_counts_equal_the_stores_per_graph_and_in_total(store, project_root):
    graph = describe(store, about(project_root))
    per_graph = counts_per_graph(store)
    assert len(per_graph) >= 7  # five documents, the places, the ontology
    assert subset_counts(graph) == per_graph
    total = int(graph.value(vocab.DATASET, VOID.triples))
    assert total == int(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]) == len(store.ox)
    wuxi = vocab.GRAPH["wuxi-towns-2021"]
    assert graph.value(wuxi, DCTERMS.source) == vocab.iri_for("document", "wuxi-towns-2021")
    assert "无锡市镇(街道、园区)行政主要负责人分管安全生产工作制度" in str(graph.value(wuxi, DCTERMS.title))
    assert URIRef(str(vocab.ORG)) in set(graph.objects(vocab.DATASET, VOID.vocabulary))


@pytest.mark.virtuoso
def test_a_remote_endpoint_is_described_as_the_embedded_store_is(store, remote_store, project_root):
    """The description asks only SPARQL, so a server over Virtuoso describes the same dataset."""
    facts = about(project_root)
    assert isomorphic(describe(remote_store, facts), describe(store, facts))


def test_the_committed_description_is_current(store, project_root):
    assert write_description(project_root, store, check=True) is None, "run `kgtool build`"


def test_build_check_reports_a_stale_description_and_build_brings_it_up_to_date(tmp_path, monkeypatch):
    root = copy_project(tmp_path)
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    description = root / DESCRIPTION
    about_file = root / "data" / "dataset" / "about.ttl"
    about_file.write_text(about_file.read_text(encoding="utf-8").replace("安全生产责任知识图谱", "安全责任图谱"), encoding="utf-8")
    before = description.read_bytes()
    check = CliRunner().invoke(cli, ["build", "--check"])
    assert check.exit_code == 1 and "stale: data/dataset/void.ttl" in check.output, check.output
    assert description.read_bytes() == before, "--check must not write"
    assert CliRunner().invoke(cli, ["build"]).exit_code == 0
    written = description.read_bytes()
    assert "安全责任图谱".encode() in written
    assert f'dcterms:modified "{date.today().isoformat()}"^^xsd:date'.encode() in written
    assert CliRunner().invoke(cli, ["build", "--check"]).exit_code == 0
    store = EmbeddedStore(ox.Store())  # a rebuild that changes nothing keeps the bytes, day included
    load_files(store, root)
    assert write_description(root, store, today=date(2031, 1, 1)) is None
    assert description.read_bytes() == written
    data = root / "data" / "wuxi-towns-2021.ttl"  # the data changes, the counts change: stale again
    data.write_text(data.read_text(encoding="utf-8") + '\n<urn:x:a> <urn:x:b> "c" .\n', encoding="utf-8")
    load_files(store, root)
    assert write_description(root, store, check=True) == description


def test_a_broken_facts_file_is_one_line_and_exit_2(tmp_path, monkeypatch):
    root = copy_project(tmp_path)
    monkeypatch.setenv("KGTOOL_HOME", str(root))
    with (root / "data" / "dataset" / "about.ttl").open("a", encoding="utf-8") as f:
        f.write('\n<https://w3id.org/wsa/dataset> dcterms:title "unterminated .\n')
    result = CliRunner().invoke(cli, ["build", "--check"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kgtool: error: ") and "about.ttl: not valid Turtle" in lines[0]


def test_a_stale_description_is_not_served_as_it_is(store, tmp_path):
    root = copy_project(tmp_path)
    description = root / DESCRIPTION
    text = description.read_text(encoding="utf-8")
    real = counts_per_graph(store)[vocab.GRAPH["wuxi-towns-2021"]]
    stale = re.sub(r"(graph:wuxi-towns-2021 a void:Dataset ;(?:\n[^\n]*)*?\n    void:triples )\d+", rf"\g<1>{real + 1}", text, count=1)
    assert stale != text
    description.write_text(stale, encoding="utf-8")
    graph = served(store, root)
    assert subset_counts(graph)[vocab.GRAPH["wuxi-towns-2021"]] == real
    assert graph.value(vocab.DATASET, DCTERMS.modified) is None  # not the day of a description that lied


# --- export ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,fmt",
    [
        ("all.nq", None),
        ("all.nq.gz", None),
        ("all.ttl", None),
        ("all.ttl.gz", None),
        ("all.jsonld", None),
        ("all.json.gz", "jsonld"),
        ("all.txt", "ttl"),
    ],
)
def test_export_writes_a_file_that_parses_to_the_whole_store(store, tmp_path, name, fmt):
    out = tmp_path / name
    args = ["export", "--out", str(out)] + (["--format", fmt] if fmt else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    if name.endswith(".gz"):
        assert raw[:2] == b"\x1f\x8b"
        raw = gzip.decompress(raw)
    chosen = dumps.format_for(out, fmt)
    if chosen.quads:
        quads = list(ox.parse(raw, format=ox.RdfFormat.N_QUADS))
        assert {URIRef(q.graph_name.value) for q in quads} == set(counts_per_graph(store))
        assert len(set(quads)) == len(quads) == len(store.ox)
    else:
        graph = Graph().parse(data=raw, format={"ttl": "turtle", "jsonld": "json-ld"}[chosen.name])
        union = int(store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }").rows[0][0])
        assert len(graph) == union
    assert f"sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}" in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_triple_in_two_graphs_is_two_quads_but_one_triple_of_the_union(tmp_path):
    s, p, o = ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o", language="zh")
    two = ox.Store()
    for g in ("urn:x:g2", "urn:x:g1"):
        two.add(ox.Quad(s, p, o, ox.NamedNode(g)))
    two.add(ox.Quad(s, p, ox.Literal("only in g2"), ox.NamedNode("urn:x:g2")))
    quads = dumps.export(two, dumps.FORMATS["nq"], tmp_path / "two.nq")
    union = dumps.export(two, dumps.FORMATS["ttl"], tmp_path / "two.ttl.gz")
    assert quads.statements == 3 and len(list(ox.parse(path=str(tmp_path / "two.nq"), format=ox.RdfFormat.N_QUADS))) == 3
    text = gzip.decompress((tmp_path / "two.ttl.gz").read_bytes()).decode()
    assert union.statements == 2 and text.count('"o"@zh') == 1 and "only in g2" in text


def test_export_to_stdout_is_n_quads_by_default(store):
    result = CliRunner().invoke(cli, ["export"])
    assert result.exit_code == 0
    assert len(list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.N_QUADS))) == len(store.ox)


def test_the_cli_offers_every_dump_format():
    option = next(p for p in cli.commands["export"].params if p.name == "fmt")
    assert sorted(option.type.choices) == sorted(dumps.FORMATS)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--format", "xml"], "'xml' is not one of"),
        (["--out", "{tmp}/no/such/folder/x.nq"], "no/such/folder/x.nq: cannot write here"),
        (["--out", "{tmp}"], "is a folder"),
    ],
)
def test_export_refuses_bad_options_with_exit_2(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["export", *(a.replace("{tmp}", str(tmp_path)) for a in args)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def _saved_answers(store, values_for) -> dict[str, list]:
    """Each saved query's answer as a sorted list of rows; GROUP_CONCAT's parts sorted too (SPARQL
    leaves their order to the engine, and a store loaded in another order concatenates in another)."""
    answers = {}
    for saved in library(ROOT / "queries").values():
        result = store.query(saved.sparql, bindings=bind(store, saved, values_for(saved)), max_rows=10**7)
        if result.kind == "graph":
            rows = list(to_canonical_graph(result.graph))
        else:
            rows = result.rows if result.kind == "select" else [(Literal(result.boolean),)]
        separators = re.findall(r'separator\s*=\s*"([^"]+)"', saved.sparql, re.I)
        if "GROUP_CONCAT" in saved.sparql.upper() and not separators:
            separators = [" "]

        def cell(term, separators=separators):
            if isinstance(term, Literal) and term.language is None and term.datatype is None and separators:
                return Literal(separators[0].join(sorted(re.split("|".join(map(re.escape, separators)), term)))).n3()
            return term.n3() if term is not None else ""

        answers[saved.name] = sorted(tuple(map(cell, row)) for row in rows)
    return answers


def test_the_n_quads_dump_answers_every_saved_query_as_the_store_does(store, tmp_path):
    from benchmarks.queries import SAMPLES

    def values_for(saved):
        missing = [p.name for p in saved.params if not p.optional and p.default is None and p.name not in SAMPLES]
        assert not missing, f"{saved.name}: no value for {missing}"
        return {p.name: SAMPLES[p.name] for p in saved.params if not p.optional and p.default is None}

    out = tmp_path / "all.nq.gz"
    assert CliRunner().invoke(cli, ["export", "--out", str(out)]).exit_code == 0
    fresh = ox.Store()
    fresh.load(gzip.decompress(out.read_bytes()), format=ox.RdfFormat.N_QUADS)
    reloaded = EmbeddedStore(fresh)
    before, after = _saved_answers(store, values_for), _saved_answers(reloaded, values_for)
    assert len(before) == len(list((ROOT / "queries").glob("*.rq")))
    assert sum(1 for rows in before.values() if rows) > len(before) // 2  # the answers say something
    assert after == before


# --- the web app --------------------------------------------------------------------------------------


def test_dumps_page_lists_the_size_and_sha256_of_the_bytes_served(web_client):
    listed = web_client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    assert [d["name"] for d in listed] == ["kgtool.nq.gz", "kgtool.ttl.gz"]
    page = web_client.get("/dumps/?lang=en").get_data(as_text=True)
    for entry in listed:
        response = web_client.get(f"/dumps/{entry['name']}")
        body = response.get_data()
        assert response.status_code == 200 and response.mimetype == "application/gzip"
        assert "Content-Encoding" not in response.headers  # the .gz itself, not unpacked on the way
        assert "attachment" in response.headers["Content-Disposition"]
        assert len(body) == entry["bytes"] and hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert response.headers["ETag"] == f'"{entry["sha256"]}"'
        assert web_client.get(f"/dumps/{entry['name']}", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
        assert entry["sha256"] in page and f'data-bytes="{entry["bytes"]}"' in page
        statements = list(
            ox.parse(gzip.decompress(body), format=ox.RdfFormat.N_QUADS if entry["name"].endswith(".nq.gz") else ox.RdfFormat.TURTLE)
        )
        assert len(statements) == entry["statements"] > 1000
    assert web_client.get("/dumps/..%2Fvoid.ttl").status_code == 404
    assert web_client.get("/dumps/kgtool.jsonld.gz").status_code == 404


def test_dataset_page_shows_counts_links_and_negotiates_rdf(web_client, store):
    page = web_client.get("/dataset?lang=zh").get_data(as_text=True)
    assert "安全生产责任知识图谱" in page and "MIT" in page and "/sparql" in page
    assert 'href="/id/wuxi-towns-2021"' in page and "kgtool.nq.gz" in page
    for graph, n in counts_per_graph(store).items():
        assert f'<code class="qname">{graph}</code>' in page and f'<td class="num">{n}</td>' in page
    turtle = web_client.get("/dataset", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    assert subset_counts(Graph().parse(data=turtle.get_data(as_text=True), format="turtle")) == counts_per_graph(store)
    jsonld = web_client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json" and json.loads(jsonld.get_data())
    xml = web_client.get("/.well-known/void?format=xml")
    assert xml.mimetype == "application/rdf+xml" and len(Graph().parse(data=xml.get_data(), format="xml")) > 50
    default = web_client.get("/.well-known/void", headers={"Accept": "text/html,*/*;q=0.8"})
    assert default.mimetype == "text/turtle"  # a browser or a bare client gets Turtle here
    assert "/dataset" in web_client.get("/?lang=zh").get_data(as_text=True)  # linked from every page's footer


def test_a_sparql_client_finds_the_endpoint_through_well_known_void(project_root):
    from SPARQLWrapper import JSON, SPARQLWrapper

    app = create_app({"ROOT": project_root, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    try:
        with running(app) as base:
            description = Graph().parse(base + "/.well-known/void")  # content negotiation over HTTP
            conforms, _, report = validate(description, shacl_graph=Graph().parse(data=SHAPES, format="turtle"))
            assert conforms, report
            endpoint = description.value(vocab.DATASET, VOID.sparqlEndpoint)
            assert str(endpoint) == base + "/sparql"
            client = SPARQLWrapper(str(endpoint))
            client.setQuery(COUNT_PER_GRAPH)
            client.setReturnFormat(JSON)
            rows = client.query().convert()["results"]["bindings"]
            assert {URIRef(r["g"]["value"]): int(r["n"]["value"]) for r in rows} == subset_counts(description)

            for distribution in description.objects(vocab.DATASET, DCAT.distribution):
                url = str(description.value(distribution, DCAT.downloadURL))
                with urllib.request.urlopen(url) as response:
                    body = response.read()
                checksum = description.value(description.value(distribution, SPDX.checksum), SPDX.checksumValue)
                assert hashlib.sha256(body).hexdigest() == str(checksum)
                assert len(body) == int(description.value(distribution, DCAT.byteSize))
                assert description.value(distribution, DCAT.mediaType) in (
                    URIRef("http://www.iana.org/assignments/media-types/application/n-quads"),
                    URIRef("http://www.iana.org/assignments/media-types/text/turtle"),
                )
                assert (vocab.DATASET, VOID.dataDump, URIRef(url)) in description
                with gzip.open(io.BytesIO(body)) as unpacked:
                    assert unpacked.read(1)
    finally:
        app.extensions["kgtool"].close()
    assert (vocab.DATASET, RDF.type, VOID.Dataset) in description
    assert description.value(vocab.DATASET, VOID.triples).datatype == XSD.integer
    assert Literal("安全生产责任知识图谱", lang="zh") in set(description.objects(vocab.DATASET, DCTERMS.title))
