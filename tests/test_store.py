"""kgtool.store: the embedded engine, a real Virtuoso, and endpoints that misbehave."""

from __future__ import annotations

import http.server
import shutil
import socket
import threading
import time
from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kgtool import vocab
from kgtool.errors import EngineError, QueryError, SourceError
from kgtool.store import (
    EmbeddedStore,
    RemoteStore,
    Result,
    Store,
    graph_store_url,
    load_files,
    open_store,
    push,
)
from kgtool.store.sparqltext import analyse

FIXTURE = Path(__file__).parent / "data" / "store"
WSA, ID = vocab.WSA, vocab.ID
TOWN, CITY = ID["demo-town-2021"], ID["demo-city-2020"]
SECRETARY = ID["demo-town-2021/post/party.party_secretary"]
RARE_NAME = "𠀀鿏明"  # U+20000 (Extension B), U+9FCF, and a common character
TITLE = "𪚥溪镇安全生产“党政同责、一岗双责”实施细则（试行）"


def expected_counts(root: Path) -> dict[URIRef, int]:
    """Triples per named graph, counted independently with rdflib's own parser: a document's
    graph holds its file and its summary (data/summaries/<stem>.nt, made when it was loaded)."""
    ontology = Graph()
    for path in sorted((root / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    counts = {URIRef(vocab.ONTOLOGY_GRAPH): len(ontology)}
    for path in sorted((root / "data").glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        graph.parse(root / "data" / "summaries" / f"{path.stem}.nt", format="nt")
        counts[URIRef(vocab.GRAPH[path.stem])] = len(graph)
    return counts


@pytest.fixture(scope="module")
def embedded() -> EmbeddedStore:
    store = open_store(root=FIXTURE, endpoint="")
    assert isinstance(store, EmbeddedStore)
    yield store
    store.close()


# Queries that must give equal Results on every engine (ordered, so rows compare in order).
SAME_EVERYWHERE = {
    "posts": """
        SELECT ?post ?label ?doc WHERE {
          ?post a wsa:Post ; rdfs:label ?label ; wsa:definedIn ?doc .
        } ORDER BY ?post""",
    "frequencies": """
        SELECT ?duty ?text ?period ?min ?tpy ?action WHERE {
          ?duty a wsa:Duty ; wsa:text ?text ; wsa:frequency ?f .
          ?f wsa:period ?period ; wsa:minOccurrences ?min ; wsa:timesPerYear ?tpy ; wsa:action ?action .
        } ORDER BY ?duty""",
    "documents": """
        SELECT ?doc ?title ?number ?issued (COUNT(DISTINCT ?p) AS ?principles) WHERE {
          ?doc a wsa:PolicyDocument ; dcterms:title ?title ; wsa:documentNumber ?number ;
               dcterms:issued ?issued ; wsa:invokesPrinciple ?p .
        } GROUP BY ?doc ?title ?number ?issued ORDER BY ?doc""",
    "optional": """
        SELECT ?post ?person ?name WHERE {
          ?post a wsa:Post . OPTIONAL { ?post org:heldBy ?person . ?person foaf:name ?name }
        } ORDER BY ?post""",
    "labels-by-language": """
        SELECT ?c ?zh ?en WHERE {
          ?c a skos:Concept ; skos:prefLabel ?zh , ?en .
          FILTER(LANGMATCHES(LANG(?zh), "zh") && LANGMATCHES(LANG(?en), "en"))
        } ORDER BY ?c""",
    "contains-chinese": """
        SELECT ?d ?t WHERE { ?d wsa:text ?t FILTER(CONTAINS(?t, "督查")) } ORDER BY ?d""",
    "per-graph": """
        SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g""",
    "total": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "select-star": """
        SELECT * WHERE { ?post org:role ?role ; rdfs:label ?label } ORDER BY ?post""",
    "blank-node": """
        SELECT ?prov ?sel ?start WHERE { ?prov oa:hasSelector ?sel . ?sel oa:start ?start }""",
    "ask-true": 'ASK { ?p rdfs:label "镇党委书记"@zh }',
    "ask-false": 'ASK { ?p rdfs:label "镇党委书记"@en }',
    "construct": """
        CONSTRUCT { ?post wsa:hasDuty ?duty . ?duty wsa:text ?text }
        WHERE { ?post wsa:hasDuty ?duty . ?duty wsa:text ?text }""",
    "describe": f"DESCRIBE <{ID['demo-town-2021/provision/art3']}>",
    "describe-where": 'DESCRIBE ?f WHERE { ?f wsa:period ?p FILTER(?p = "P1M"^^xsd:duration) }',
}


# --------------------------------------------------------------------------------------
# Embedded engine


def test_embedded_load_counts_match_an_independent_parse(embedded):
    counts = load_files(embedded, FIXTURE)  # loading again replaces, never duplicates
    assert counts == expected_counts(FIXTURE)
    assert embedded.graphs() == sorted(counts)
    total = embedded.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
    assert int(total) == sum(counts.values())
    assert isinstance(embedded, Store)


def test_load_files_takes_a_raw_pyoxigraph_store():
    raw = pyoxigraph.Store()
    counts = load_files(raw, FIXTURE)
    assert counts == expected_counts(FIXTURE)
    assert {g.value for g in raw.named_graphs()} == {str(g) for g in counts}


def test_embedded_store_on_disk(tmp_path):
    store = EmbeddedStore(path=tmp_path / "db")
    counts = store.load(FIXTURE)
    store.close()
    reopened = EmbeddedStore(path=tmp_path / "db")
    assert reopened.graphs() == sorted(counts)
    assert reopened.query("ASK { ?d a wsa:Duty }").boolean is True
    reopened.close()


def test_select_returns_rdflib_terms_with_rare_characters_intact(embedded):
    result = embedded.query(SAME_EVERYWHERE["optional"])
    assert result.kind == "select" and result.variables == ("post", "person", "name")
    by_post = {row[0]: row for row in result.rows}
    assert by_post[ID["demo-city-2020/post/gov.government_head"]][1:] == (None, None)
    assert by_post[SECRETARY][2] == Literal(RARE_NAME, lang="zh")
    docs = embedded.query(SAME_EVERYWHERE["documents"])
    assert docs.rows[1][1] == Literal(TITLE, lang="zh")
    assert docs.rows[1][3] == Literal("2021-03-15", datatype=XSD.date)
    emoji = embedded.query('SELECT ?t WHERE { ?d wsa:text ?t FILTER(CONTAINS(?t, "😀")) }')
    assert emoji.rows == ((Literal("每年带队督查安全生产工作不少于2次 😀", lang="zh"),),)


def test_literal_datatypes_are_kept(embedded):
    rows = embedded.query(SAME_EVERYWHERE["frequencies"]).rows
    periods = [row[2] for row in rows]
    assert periods == [Literal("P1M", datatype=XSD.duration), Literal("P3M", datatype=XSD.duration), Literal("P1Y", datatype=XSD.duration)]
    assert rows[0][3] == Literal(1)
    # engines keep values, not spellings: 12.0 comes back in canonical form "12"
    assert rows[0][4] == Literal("12", datatype=XSD.decimal) and rows[0][4].toPython() == Decimal("12.0")


def test_ask(embedded):
    assert embedded.query(SAME_EVERYWHERE["ask-true"]) == Result(kind="ask", boolean=True)
    assert embedded.query(SAME_EVERYWHERE["ask-false"]).boolean is False


def test_construct_and_describe_give_graphs(embedded):
    graph = embedded.query(SAME_EVERYWHERE["construct"]).graph
    assert len(graph) == 6
    assert (SECRETARY, WSA.hasDuty, ID["demo-town-2021/duty/d2"]) in graph
    described = embedded.query(SAME_EVERYWHERE["describe"])
    assert described.kind == "graph"
    art3 = ID["demo-town-2021/provision/art3"]
    assert (art3, WSA.ordinal, Literal(3)) in described.graph
    assert not list(described.graph.triples((None, None, art3)))  # no incoming links
    selector = described.graph.value(art3, vocab.OA.hasSelector)
    assert described.graph.value(selector, vocab.OA.start) == Literal(120)  # blank node closure


def test_prefixes_are_predeclared_and_can_be_overridden(embedded):
    assert embedded.query("ASK { ?d a wsa:Duty }").boolean
    assert not embedded.query("PREFIX wsa: <urn:other#> ASK { ?d a wsa:Duty }").boolean
    head = analyse("PREFIX wsa: <urn:other#>\nASK { ?d a wsa:Duty ; dcterms:title ?t }").prefix_block()
    assert "PREFIX wsa:" not in head and "PREFIX dcterms:" in head  # what the remote engine sends


def test_select_star_lists_variables_in_order_of_appearance(embedded):
    result = embedded.query(SAME_EVERYWHERE["select-star"])
    assert result.variables == ("post", "role", "label")


def test_blank_nodes_are_relabelled_in_order(embedded):
    rows = embedded.query(SAME_EVERYWHERE["blank-node"]).rows
    assert str(rows[0][1]) == "b0"


def test_bind_an_iri(embedded):
    query = "SELECT ?post ?label WHERE { ?post wsa:definedIn ?doc ; a wsa:Post ; rdfs:label ?label }"
    town = embedded.query(query, bindings={"doc": TOWN})  # ?doc is not projected: VALUES
    assert town.rows == ((SECRETARY, Literal("镇党委书记", lang="zh")),)
    projected = embedded.query(
        "SELECT ?doc ?post WHERE { ?post a wsa:Post ; wsa:definedIn ?doc }", bindings={"?doc": CITY}
    )  # projected: pyoxigraph substitution
    assert projected.rows == ((CITY, ID["demo-city-2020/post/gov.government_head"]),)
    described = embedded.query("DESCRIBE ?doc WHERE { ?doc a wsa:PolicyDocument }", bindings={"doc": CITY})
    assert set(described.graph.subjects()) == {CITY}


def test_bind_a_chinese_literal(embedded):
    query = "SELECT ?person WHERE { ?person foaf:name ?name }"
    assert embedded.query(query, bindings={"name": Literal(RARE_NAME, lang="zh")}).rows == ((ID["demo-town-2021/person/p1"],),)
    assert embedded.query(query, bindings={"name": Literal(RARE_NAME)}).rows == ()  # no tag, no match
    ask = "ASK { ?d wsa:text ?t }"
    assert embedded.query(ask, bindings={"t": Literal("每年带队督查安全生产工作不少于2次 😀", lang="zh")}).boolean


def test_bindings_are_terms_not_text(embedded):
    with pytest.raises(QueryError, match="URIRef or Literal"):
        embedded.query("SELECT ?s WHERE { ?s ?p ?o }", bindings={"s": "https://w3id.org/wsa/id/x"})
    with pytest.raises(QueryError, match="variable name"):
        embedded.query("SELECT ?s WHERE { ?s ?p ?o }", bindings={"s }": URIRef("urn:x")})
    hostile = Literal('镇" } ; DROP ALL ; #', lang="zh")
    assert embedded.query("SELECT ?s WHERE { ?s rdfs:label ?l }", bindings={"l": hostile}).rows == ()


def test_syntax_error_names_line_and_column(embedded):
    with pytest.raises(QueryError) as caught:
        embedded.query("SELECT ?x WHERE {\n  ?x a wsa:Post .\n  ?x rdfs:label\n}")
    assert "4:1" in str(caught.value)  # line 4, column 1: the prefixes did not shift it


def test_max_rows_truncates(embedded):
    query = "SELECT ?s WHERE { ?s a ?type } ORDER BY ?s"
    full = embedded.query(query)
    cut = embedded.query(query, max_rows=2)
    assert cut.truncated and cut.rows == full.rows[:2]
    assert not embedded.query(query, max_rows=len(full.rows)).truncated


def test_bad_turtle_is_a_source_error_naming_the_file(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "project")
    broken = tmp_path / "project" / "data" / "broken.ttl"
    broken.write_text("@prefix wsa: <https://w3id.org/wsa/ontology#> .\nwsa:a wsa:b .\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        open_store(root=tmp_path / "project", endpoint="")
    assert "broken.ttl" in str(caught.value) and "line 2" in str(caught.value)


def test_open_store_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KGTOOL_HOME", str(FIXTURE))
    monkeypatch.delenv("KGTOOL_ENDPOINT", raising=False)
    store = open_store()
    assert isinstance(store, EmbeddedStore) and len(store.graphs()) == 3
    monkeypatch.setenv("KGTOOL_ENDPOINT", "http://127.0.0.1:9/sparql")
    remote = open_store()
    assert isinstance(remote, RemoteStore) and remote.endpoint == "http://127.0.0.1:9/sparql"
    assert isinstance(open_store(endpoint=""), EmbeddedStore)
    with pytest.raises(SourceError):
        open_store(root=tmp_path, endpoint="")


def test_graph_store_url_for_known_engines():
    assert graph_store_url("http://h:8890/sparql", authenticated=False) == "http://h:8890/sparql-graph-crud"
    assert graph_store_url("http://h:8890/sparql") == "http://h:8890/sparql-graph-crud-auth"


# --------------------------------------------------------------------------------------
# Real Virtuoso


@pytest.fixture(scope="module")
def pushed(virtuoso):
    started = time.monotonic()
    counts = push(FIXTURE, virtuoso.endpoint, user=virtuoso.user, password=virtuoso.password)
    seconds = time.monotonic() - started
    print(f"\nVirtuoso ready in {virtuoso.start_seconds:.1f} s; push of {sum(counts.values())} triples in {seconds:.2f} s")
    return counts


@pytest.fixture()
def remote(virtuoso, pushed):
    store = open_store(endpoint=virtuoso.endpoint, timeout=30)
    yield store
    store.close()


@pytest.mark.virtuoso
def test_push_sends_every_graph_with_digest_auth(pushed, remote, embedded, virtuoso):
    assert pushed == expected_counts(FIXTURE)
    assert remote.graphs() == embedded.graphs() == sorted(pushed)
    seen = []
    again = push(
        FIXTURE,
        virtuoso.endpoint,
        user=virtuoso.user,
        password=virtuoso.password,
        progress=lambda graph, done, total, triples: seen.append((done, total)),
    )
    assert again == pushed and seen[-1] == (len(pushed), len(pushed))
    per_graph = remote.query(SAME_EVERYWHERE["per-graph"]).rows  # PUT replaced, never appended
    assert {g: int(n) for g, n in per_graph} == pushed


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", sorted(SAME_EVERYWHERE))
def test_remote_and_embedded_give_equal_results(name, remote, embedded):
    query = SAME_EVERYWHERE[name]
    assert remote.query(query) == embedded.query(query)


@pytest.mark.virtuoso
def test_chinese_literals_round_trip_through_virtuoso(remote):
    rows = remote.query(SAME_EVERYWHERE["optional"]).rows
    assert Literal(RARE_NAME, lang="zh") in {row[2] for row in rows}
    titles = {row[1] for row in remote.query(SAME_EVERYWHERE["documents"]).rows}
    assert Literal(TITLE, lang="zh") in titles


@pytest.mark.virtuoso
def test_durations_come_back_as_durations(remote):
    periods = [row[2] for row in remote.query(SAME_EVERYWHERE["frequencies"]).rows]
    assert periods == [Literal("P1M", datatype=XSD.duration), Literal("P3M", datatype=XSD.duration), Literal("P1Y", datatype=XSD.duration)]


@pytest.mark.virtuoso
def test_system_triples_never_appear(remote, virtuoso):
    assert not remote.query('ASK { ?s ?p ?o FILTER(STRSTARTS(STR(?p), "http://www.openlinksw.com/")) }').boolean
    assert not remote.query('ASK { GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), "https://w3id.org/wsa/")) }').boolean
    # the raw endpoint, without our dataset, does have them
    raw = requests.get(
        virtuoso.endpoint,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    ).json()
    assert int(raw["results"]["bindings"][0]["n"]["value"]) > sum(expected_counts(FIXTURE).values())


@pytest.mark.virtuoso
def test_remote_bindings_match_embedded(remote, embedded):
    cases = [
        ("SELECT ?post ?label WHERE { ?post wsa:definedIn ?doc ; a wsa:Post ; rdfs:label ?label }", {"doc": TOWN}),
        ("SELECT ?doc ?post WHERE { ?post a wsa:Post ; wsa:definedIn ?doc }", {"doc": CITY}),
        ("SELECT ?person WHERE { ?person foaf:name ?name }", {"name": Literal(RARE_NAME, lang="zh")}),
        ("SELECT ?person WHERE { ?person foaf:name ?name }", {"name": Literal(RARE_NAME)}),
        ("SELECT ?d WHERE { SELECT ?d ?t WHERE { ?d wsa:dutyType ?t } } ORDER BY ?d", {"t": vocab.concept("dutytype", "meeting")}),
        ("SELECT ?d WHERE { { SELECT ?d ?t WHERE { ?d wsa:dutyType ?t } } } ORDER BY ?d", {"t": vocab.concept("dutytype", "meeting")}),
        ("ASK { ?d wsa:text ?t }", {"t": Literal("每年带队督查安全生产工作不少于2次 😀", lang="zh")}),
        ("CONSTRUCT { ?post rdfs:label ?l } WHERE { ?post org:postIn ?b ; rdfs:label ?l }", {"b": ID["demo-town-2021/body/party"]}),
        ("DESCRIBE ?doc WHERE { ?doc a wsa:PolicyDocument }", {"doc": CITY}),
    ]
    for query, bindings in cases:
        got = remote.query(query, bindings=bindings)
        assert got == embedded.query(query, bindings=bindings), query
    assert remote.query(cases[2][0], bindings=cases[2][1]).rows  # not vacuous


@pytest.mark.virtuoso
def test_remote_syntax_error_names_line_and_column(remote):
    with pytest.raises(QueryError) as caught:
        remote.query("SELECT ?x WHERE {\n  ?x a wsa:Post .\n  ?x rdfs:label\n}")
    assert "line 3" in str(caught.value) or "line 4" in str(caught.value)


@pytest.mark.virtuoso
def test_query_virtuoso_rejects_is_a_query_error(remote):
    # Valid SPARQL 1.1 that Virtuoso refuses (trailing VALUES on an unprojected variable).
    with pytest.raises(QueryError, match="SQ200"):
        remote.query("SELECT ?s WHERE { ?s ?p ?o } VALUES ?o { 1 }")


@pytest.mark.virtuoso
def test_remote_max_rows(remote, embedded):
    # isIRI: Virtuoso does not sort blank nodes before IRIs as SPARQL 1.1 says Oxigraph does
    query = "SELECT ?s WHERE { ?s a ?type FILTER(isIRI(?s)) } ORDER BY ?s"
    assert remote.query(query, max_rows=3) == embedded.query(query, max_rows=3)
    assert remote.query(query, max_rows=3).truncated


@pytest.mark.virtuoso
def test_push_into_one_graph_and_wrong_credentials(virtuoso, pushed):
    target = URIRef("https://w3id.org/wsa/graph-all/test")
    counts = push(FIXTURE, virtuoso.endpoint, user=virtuoso.user, password=virtuoso.password, graph=target)
    assert list(counts) == [target] and counts[target] == sum(pushed.values())
    single = RemoteStore(virtuoso.endpoint, graphs=[target], timeout=30)
    assert int(single.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]) == counts[target]
    single.close()
    with pytest.raises(EngineError, match="credentials"):
        push(FIXTURE, virtuoso.endpoint, user=virtuoso.user, password="wrong")
    with pytest.raises(EngineError, match="credentials"):
        push(FIXTURE, virtuoso.endpoint, user=virtuoso.user, password=virtuoso.password, auth_scheme="basic")


# --------------------------------------------------------------------------------------
# The project's own ontology/ and data/, loaded unchanged


PROJECT = Path(__file__).resolve().parent.parent


def _project_with_data() -> Path:
    if not list((PROJECT / "data").glob("*.ttl")):
        pytest.skip("the project has no data/*.ttl yet")
    return PROJECT


def test_project_files_load_unchanged():
    root = _project_with_data()
    store = open_store(root=root, endpoint="")
    assert load_files(store, root) == expected_counts(root)


@pytest.mark.virtuoso
def test_project_files_give_the_same_triples_on_virtuoso(virtuoso):
    root = _project_with_data()
    target = URIRef("https://example.org/kgtool-tests/whole-project")  # outside our graph prefix
    counts = push(root, virtuoso.endpoint, user=virtuoso.user, password=virtuoso.password, graph=target)
    remote = RemoteStore(virtuoso.endpoint, graphs=[target], timeout=60)
    embedded = open_store(root=root, endpoint="")
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }"
    remote_rows, embedded_rows = remote.query(query).rows, embedded.query(query).rows
    # the embedded union default graph repeats a triple once per graph stating it (the analysts'
    # agent node, described alike in each corrected document); the one pushed graph holds it once
    assert set(remote_rows) == set(embedded_rows) and len(remote_rows) == len(set(embedded_rows))
    total = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    assert int(remote.query(total).rows[0][0]) == counts[target] == int(embedded.query(total).rows[0][0])
    remote.close()


# --------------------------------------------------------------------------------------
# Endpoints that are missing, broken or slow


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # released on exit: nothing listens there


def test_nothing_listening_is_a_quick_engine_error():
    url = f"http://127.0.0.1:{_closed_port()}/sparql"
    store = RemoteStore(url, timeout=5)
    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        store.query("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 2
    assert url in str(caught.value) and caught.value.hint
    with pytest.raises(EngineError):
        push(FIXTURE, url, user="dba", password="dba", timeout=5)


class _Misbehaving(http.server.BaseHTTPRequestHandler):
    """Answers by path: /garbage, /html, /sleep, /trickle, /maxrows, /500, /notfound."""

    def log_message(self, *args):  # keep test output quiet
        pass

    def _reply(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = self.path.split("?")[0]
        try:
            if path == "/garbage":
                self._reply(200, b"\x00\xffnot json at all{", "application/sparql-results+json")
            elif path == "/html":
                self._reply(200, b"<html><body>Welcome</body></html>", "text/html")
            elif path == "/badrdf":
                self._reply(200, b"<http://a> <http://b> .", "application/n-triples")
            elif path == "/sleep":
                time.sleep(4)
                self._reply(200, b'{"head":{},"boolean":true}', "application/sparql-results+json")
            elif path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                for _ in range(40):  # a byte every 0.2 s: each read is quick, the whole is not
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif path == "/maxrows":
                body = (
                    b'{"head":{"vars":["s"]},"results":{"bindings":['
                    b'{"s":{"type":"uri","value":"urn:a"}},{"s":{"type":"uri","value":"urn:b"}}]}}'
                )
                self._reply(200, body, "application/sparql-results+json", {"X-SPARQL-MaxRows": "2"})
            elif path == "/500":
                self._reply(500, b"internal trouble", "text/plain")
            else:
                self._reply(404, b"not here", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def misbehaving():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _remote(base: str, path: str, timeout: float = 1.0) -> RemoteStore:
    return RemoteStore(base + path, graphs=[vocab.ONTOLOGY_GRAPH], timeout=timeout)


@pytest.mark.parametrize("path", ["/garbage", "/html", "/500", "/notfound"])
def test_garbage_and_http_errors_are_engine_errors(misbehaving, path):
    with pytest.raises(EngineError) as caught:
        _remote(misbehaving, path).query("SELECT ?s WHERE { ?s ?p ?o }")
    assert misbehaving + path in str(caught.value)


def test_unparsable_rdf_is_an_engine_error(misbehaving):
    with pytest.raises(EngineError):
        _remote(misbehaving, "/badrdf").query("CONSTRUCT WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("path", ["/sleep", "/trickle"])
def test_slow_endpoints_time_out_never_hang(misbehaving, path):
    started = time.monotonic()
    with pytest.raises(EngineError, match="within"):
        _remote(misbehaving, path, timeout=1.0).query("ASK { ?s ?p ?o }")
    assert time.monotonic() - started < 3.5


def test_engine_row_limit_header_marks_truncation(misbehaving):
    result = _remote(misbehaving, "/maxrows").query("SELECT ?s WHERE { ?s ?p ?o }")
    assert result.truncated and result.rows == ((URIRef("urn:a"),), (URIRef("urn:b"),))
    cut = _remote(misbehaving, "/maxrows").query("SELECT ?s WHERE { ?s ?p ?o }", max_rows=1)
    assert cut.truncated and cut.rows == ((URIRef("urn:a"),),)


def test_remote_syntax_error_is_caught_before_sending(misbehaving):
    with pytest.raises(QueryError, match="line 3"):
        _remote(misbehaving, "/garbage").query("SELECT ?x WHERE {\n  ?x a wsa:Post .\n  ?x rdfs:label }")
    with pytest.raises(QueryError):
        _remote(misbehaving, "/garbage").query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
