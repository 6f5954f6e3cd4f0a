"""The web app on the real documents: pages, content negotiation, the SPARQL endpoint, safety.

Most tests use Flask's test client; the SPARQL Protocol tests talk to a real HTTP server on
127.0.0.1 (tests/web_server.py) with SPARQLWrapper, as an outside client would.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kgtool.settings import project_root
from kgtool.vocab import CONCEPT, ID, ORG, WSA
from kgtool.web import create_app
from kgtool.web.links import path_for
from sources import copy_project

try:
    from web_server import running
except ImportError:  # tests/ imported as a package
    from tests.web_server import running

ROOT = project_root()
WUXI = ID["wuxi-towns-2021"]
#: The one post of the Wuxi document, as its title names it; 二、职责内容 gives it twelve duties.
WUXI_HEAD = "镇(街道、园区)行政主要负责人"
WUXI_QUARTERLY = ID["wuxi-towns-2021/duty/s2.p1"]  # 每季度至少1次系统听取安全生产工作情况汇报
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


# --- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app():
    app = create_app({"ROOT": ROOT, "ENDPOINT": "", "SPARQL_WORKERS": 1})
    app.config["TESTING"] = True
    yield app
    app.extensions["kgtool"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def server(app):
    with running(app) as base:
        yield base


def html(response) -> str:
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def post_iri(app, document: str, label: str) -> URIRef:
    """The post of a document with this label, found through the store (no IRI spelled by hand)."""
    store = app.extensions["kgtool"].store
    rows = store.query(
        "SELECT ?p WHERE { ?p a wsa:Post ; wsa:definedIn ?d ; rdfs:label ?l . FILTER(STR(?l) = ?label) }",
        bindings={"d": ID[document], "label": Literal(label)},
    ).rows
    assert len(rows) == 1, rows
    return rows[0][0]


@pytest.fixture(scope="module")
def wuxi_post(app) -> URIRef:
    return post_iri(app, "wuxi-towns-2021", WUXI_HEAD)


def triple_count(app) -> int:
    store = app.extensions["kgtool"].store
    return int(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0])


# --- pages ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "number, province",
    [
        ("锡政办发〔2021〕85号", "江苏省"),
        ("绵工办发〔2020〕75号", "四川省"),
        ("巴市经信发〔2018〕23号", "四川省"),
        ("铜政发〔2022〕12号", "内蒙古自治区"),
        ("本高党政办发〔2019〕58号", "辽宁省"),
    ],
)
def test_home_lists_documents_with_number_and_province(client, number, province):
    page = html(client.get("/?lang=zh"))
    row = next(r for r in page.split("<tr") if number in r)
    assert province in row
    assert 'href="/id/' in row


def test_home_counts_per_jurisdiction(client):
    page = html(client.get("/?lang=zh"))
    table = page.split('id="jurisdictions"')[1].split("</table>")[0]
    wuxi = next(r for r in table.split("<tr") if ">无锡市<" in r)
    cells = re.findall(r'<td class="num">([^<]*)<', wuxi)
    # provisions, bodies, posts, duties, frequencies of the Wuxi document: one post; its twelve
    # duties (二、职责内容 (一)–(十二)) and 三、(三) "各地要将…纳入年度安全生产考核评价"; three
    # frequencies: the post's quarterly hearing and yearly inspection, and that yearly assessment
    assert [int(c) for c in cells[-5:]][2:] == [1, 13, 3]
    for link in ("/queries", "/sparql/editor", "/gaps", "/compare", "/search"):
        assert f'href="{link}' in page


def test_wuxi_document_page_shows_post_and_provisions(client):
    page = html(client.get("/id/wuxi-towns-2021?lang=zh"))
    assert "锡政办发〔2021〕85号" in page
    assert 'id="p-s2.p1"' in page  # each provision is a block the resource pages link to
    assert "每季度至少1次系统听取安全生产工作情况汇报" in page
    chip = re.search(r'<a class="chip post" href="(/id/wuxi-towns-2021/post/[^"]+)"[^>]*>[^<]*' + re.escape(WUXI_HEAD) + "</a>", page)
    assert chip, "the post extracted from a provision is linked from it"
    assert 'data-src="/orgchart/wuxi-towns-2021.json"' in page


def test_wuxi_post_page_highlights_its_source(client, wuxi_post):
    page = html(client.get(path_for(str(wuxi_post)) + "?lang=zh"))
    assert WUXI_HEAD in page
    marks = re.findall(r"<mark>(.*?)</mark>", page, re.S)
    assert any("每季度至少1次系统听取安全生产工作情况汇报" in m for m in marks)
    assert 'href="/id/wuxi-towns-2021#p-s2.p1"' in page
    assert 'href="/concept/role/government_head"' in page


def test_duty_page_shows_its_passage_in_context(client):
    page = html(client.get(path_for(str(WUXI_QUARTERLY)) + "?lang=zh"))
    passage = page.split('id="source-passages"')[1]
    before, mark = passage.split("<mark>", 1)
    assert mark.split("</mark>")[0].startswith("(一)全面贯彻落实党中央")
    assert "主要履行以下安全生产职责" in before  # the context before the span
    assert WUXI_HEAD in page.split('id="incoming"')[1]  # held by the post (wsa:hasDuty)


def test_mianyang_safety_deputy_lists_six_duties(app, client):
    post = post_iri(app, "mianyang-union-2020", "分管安全生产工作的负责人")
    page = html(client.get(path_for(str(post))))
    duties = page.split('id="duties"')[1].split("</section>")[0]
    assert duties.count('<li class="duty">') == 6
    assert "协助主要负责人贯彻落实安全生产法律法规" in duties


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/ontology/Post", "wsa:Post"),
        ("/concept/role/safety_deputy", "role:safety_deputy"),
        ("/id/place/wuxi", "Wuxi"),
        ("/resource?iri=http%3A%2F%2Fwww.w3.org%2Fns%2Forg%23Post", "org:Post"),
    ],
)
def test_pretty_routes_and_resource_route(client, path, expected):
    page = html(client.get(path + ("&" if "?" in path else "?") + "lang=en"))
    assert expected in page
    assert 'id="incoming"' in page


def test_unknown_resources_are_404(client):
    assert client.get("/id/no-such-document").status_code == 404
    assert client.get("/resource?iri=https%3A%2F%2Fexample.org%2Fnothing").status_code == 404
    assert client.get("/concept/role/no_such_role", headers={"Accept": "text/turtle"}).status_code == 404


def test_orgchart_json_links_bodies_posts_duties(client, wuxi_post):
    data = client.get("/orgchart/wuxi-towns-2021.json").get_json()
    kinds = {n["data"]["id"]: n["data"]["kind"] for n in data["nodes"]}
    assert kinds[str(wuxi_post)] == "post"
    assert kinds[str(WUXI_QUARTERLY)] == "duty"
    edges = {(e["data"]["source"], e["data"]["target"]) for e in data["edges"]}
    assert (str(wuxi_post), str(WUXI_QUARTERLY)) in edges
    assert any(kinds.get(s) == "body" and t == str(wuxi_post) for s, t in edges)
    assert client.get("/orgchart/no-such-doc.json").status_code == 404


def test_search_finds_the_wuxi_quarterly_hearing(client):
    page = html(client.get("/search?q=季度&lang=zh"))
    hits = page.split('id="hits"')[1]
    assert path_for(str(WUXI_QUARTERLY)) in hits
    assert "<mark>季度</mark>" in hits
    facet = page.split('id="facet-jurisdiction"')[1].split("</ul>")[0]
    assert "无锡市" in facet and "巴中市" in facet
    # a facet link adds a filter; the filtered page keeps only Wuxi's hits
    link = re.search(r'<a href="([^"]+)">无锡市</a>', facet).group(1).replace("&amp;", "&")
    filtered = html(client.get(link))
    hits = filtered.split('id="hits"')[1]
    assert path_for(str(WUXI_QUARTERLY)) in hits
    assert "/id/bazhong-econ-2018/" not in hits
    assert 'class="remove"' in filtered


def test_search_facets_by_role_and_duty_type(client):
    page = html(client.get("/search?q=季度&lang=zh"))
    roles = page.split('id="facet-role"')[1].split("</ul>")[0]
    assert "role=https%3A%2F%2Fw3id.org%2Fwsa%2Fconcept%2Frole%2F" in roles
    duty_types = page.split('id="facet-dutytype"')[1].split("</ul>")[0]
    assert "dutytype=https%3A%2F%2Fw3id.org%2Fwsa%2Fconcept%2Fdutytype%2Fhear_report" in duty_types
    assert html(client.get("/search?q=没有这样的词语xyz")).count('class="hit"') == 0


# --- saved queries ----------------------------------------------------------------------
def test_query_library_lists_titles_in_both_languages(client):
    page = html(client.get("/queries?lang=zh"))
    assert "某一岗位角色在各辖区的全部职责" in page and "All duties of a role across jurisdictions" in page
    assert 'href="/queries/duties-of-role"' in page


def test_saved_query_with_parameters_returns_rows(client):
    page = html(client.get("/queries/duties-of-role?role=role:safety_deputy&jurisdiction=绵阳市"))
    rows = int(re.search(r'<span id="row-count">(\d+)</span>', page).group(1))
    assert rows == 6  # Mianyang's 分管安全生产工作的负责人 has six duties
    assert 'value="role:safety_deputy"' in page
    assert "/id/mianyang-union-2020/" in page and "/id/wuxi-towns-2021/" not in page


def test_saved_query_bad_parameter_is_a_400_on_the_form(client):
    response = client.get("/queries/duties-of-role?jurisdiction=没有这个地方")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="query-error"' in page and "没有这个地方" in page and 'id="params"' in page


@pytest.mark.parametrize(
    "fmt, media",
    [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
    ],
)
def test_saved_query_downloads(client, fmt, media):
    response = client.get(f"/queries/duties-of-role?role=role:safety_deputy&jurisdiction=绵阳市&format={fmt}")
    assert response.status_code == 200 and response.mimetype == media
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    if fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == 6
    elif fmt == "tsv":
        assert len(text.strip().splitlines()) == 7
    elif fmt == "json":
        assert len(json.loads(text)["results"]["bindings"]) == 6
    else:
        assert text.count("<result>") == 6


def _saved_query_names():
    return sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))


@pytest.mark.parametrize("name", _saved_query_names())
def test_every_saved_query_page_renders(client, name):
    response = client.get(f"/queries/{name}")
    assert response.status_code in (200, 400), response.data[:300]  # 400: a required parameter has no default
    page = response.get_data(as_text=True)
    assert 'id="params"' in page and ('id="result"' in page or 'id="query-error"' in page)


# --- content negotiation ----------------------------------------------------------------
@pytest.mark.parametrize(
    "accept, fmt, parse_as",
    [
        ("text/turtle", None, "turtle"),
        ("application/ld+json", None, "json-ld"),
        ("application/n-triples", None, "nt"),
        ("text/html", "turtle", "turtle"),
        ("text/html", "json-ld", "json-ld"),
        ("text/html", "nt", "nt"),
    ],
)
def test_resource_content_negotiation(client, wuxi_post, accept, fmt, parse_as):
    url = path_for(str(wuxi_post)) + (f"?format={fmt}" if fmt else "")
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200
    assert "Accept" in response.headers.get("Vary", "")
    graph = Graph().parse(data=response.get_data(as_text=True), format=parse_as)
    assert (wuxi_post, RDFS.label, Literal(WUXI_HEAD, lang="zh")) in graph
    assert (wuxi_post, WSA.hasDuty, WUXI_QUARTERLY) in graph
    assert all(s == wuxi_post or not isinstance(s, URIRef) for s in graph.subjects())  # a CBD


def test_content_negotiation_html_on_browsers_and_bad_format(client, wuxi_post):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get(path_for(str(wuxi_post)), headers={"Accept": browser}).mimetype == "text/html"
    assert client.get("/id/wuxi-towns-2021", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
    assert client.get(path_for(str(wuxi_post)) + "?format=yaml", headers=HTML).status_code == 400


# --- the SPARQL endpoint ----------------------------------------------------------------
SELECT_POSTS = "SELECT ?post ?label WHERE { ?post a wsa:Post ; rdfs:label ?label } ORDER BY ?post"
CONSTRUCT_POSTS = "CONSTRUCT { ?post rdfs:label ?label } WHERE { ?post a wsa:Post ; rdfs:label ?label ; wsa:definedIn id:wuxi-towns-2021 }"


def _wrapper(server, fmt, query):
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(server + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod("POST")
    return sw


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_sparql_select_formats_with_sparqlwrapper(app, server, fmt):
    result = _wrapper(server, fmt, SELECT_POSTS).query()
    body = result.response.read().decode("utf-8")
    store = app.extensions["kgtool"].store
    n_posts = int(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a wsa:Post ; rdfs:label ?l }").rows[0][0])
    if fmt == "json":
        assert len(json.loads(body)["results"]["bindings"]) == n_posts
    elif fmt == "xml":
        assert body.count("<result>") == n_posts
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == ["post", "label"] and len(rows) == n_posts + 1
    else:
        lines = body.strip("\n").split("\n")
        assert lines[0] == "?post\t?label" and len(lines) == n_posts + 1
        assert f'"{WUXI_HEAD}"@zh' in body


@pytest.mark.parametrize(
    "fmt, accept, parse_as", [("turtle", None, "turtle"), ("json-ld", None, "json-ld"), ("nt", "application/n-triples", "nt")]
)
def test_sparql_construct_formats_with_sparqlwrapper(server, wuxi_post, fmt, accept, parse_as):
    sw = _wrapper(server, fmt if fmt != "nt" else "turtle", CONSTRUCT_POSTS)
    if accept:
        sw.setOnlyConneg(True)
        sw.addCustomHttpHeader("Accept", accept)
    response = sw.query().response
    if accept:
        assert response.headers["Content-Type"].startswith(accept)
    graph = Graph().parse(data=response.read().decode("utf-8"), format=parse_as)
    assert (wuxi_post, RDFS.label, Literal(WUXI_HEAD, lang="zh")) in graph


def test_sparql_get_and_sparql_query_body(client):
    response = client.get("/sparql", query_string={"query": "ASK { ?p a wsa:Post }"}, headers={"Accept": "application/sparql-results+json"})
    assert response.get_json()["boolean"] is True
    response = client.post(
        "/sparql",
        data="SELECT ?s WHERE { ?s a wsa:PolicyDocument }",
        content_type="application/sparql-query",
        headers={"Accept": "text/csv"},
    )
    assert response.mimetype == "text/csv" and len(response.get_data(as_text=True).splitlines()) == 6
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_sparql_html_view_links_resources(client, wuxi_post):
    page = html(client.get("/sparql", query_string={"query": SELECT_POSTS}, headers=HTML))
    assert path_for(str(wuxi_post)) in page


UPDATES = [
    ("form update=", dict(data={"update": "INSERT DATA { <urn:x> <urn:y> <urn:z> }"}), (403,)),
    ("application/sparql-update", dict(data="DELETE WHERE { ?s ?p ?o }", content_type="application/sparql-update"), (403,)),
    ("update as query=", dict(data={"query": "DELETE WHERE { ?s ?p ?o }"}), (400,)),
    ("INSERT as query=", dict(data={"query": "INSERT DATA { <urn:x> <urn:y> <urn:z> }"}), (400,)),
    ("CLEAR", dict(data={"query": "CLEAR ALL"}), (400,)),
    ("LOAD", dict(data={"query": "LOAD <file:///etc/passwd>"}), (400,)),
    ("SERVICE", dict(data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"}), (400,)),
    ("FROM file", dict(data={"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}), (400,)),
]


@pytest.mark.parametrize("what, request_kwargs, statuses", UPDATES, ids=[u[0] for u in UPDATES])
def test_sparql_refuses_updates_load_service_and_changes_nothing(app, client, what, request_kwargs, statuses):
    before = triple_count(app)
    response = client.post("/sparql", headers={"Accept": "application/json"}, **request_kwargs)
    assert response.status_code in statuses
    message = response.get_json()["message"]
    assert re.search(r"not allowed|read-only", message), message
    assert triple_count(app) == before
    assert triple_count(app) > 5000


def test_sparql_update_with_sparqlwrapper_is_refused(app, server):
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    before = triple_count(app)
    sw = SPARQLWrapper(server + "/sparql")
    sw.setMethod(POST)
    sw.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")  # SPARQLWrapper sends it as update=
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)) as caught:
        sw.query()
    assert "403" in str(caught.value) or "read-only" in str(caught.value)
    assert triple_count(app) == before


def test_sparql_syntax_error_says_where(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p }"}, headers=JSON)
    assert response.status_code == 400
    assert "line" in response.get_json()["message"]


def test_sparql_body_too_large_is_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * limit
    assert client.post("/sparql", data=big, content_type="application/sparql-query").status_code == 413
    assert client.post("/sparql", data={"query": big}).status_code == 413
    assert client.get("/sparql", query_string={"query": big}).status_code == 413


def test_sparql_result_cut_at_max_rows_says_so():
    app = create_app({"ROOT": ROOT, "ENDPOINT": "", "SPARQL_WORKERS": 0, "MAX_ROWS": 5})
    client = app.test_client()
    response = client.get("/sparql", query_string={"query": SELECT_POSTS}, headers={"Accept": "text/csv"})
    assert response.headers["X-SPARQL-MaxRows"] == "5"
    assert len(response.get_data(as_text=True).splitlines()) == 6
    # a saved query's page is cut into pages of at most the row limit, not cut at it
    page = html(client.get("/queries/duties-of-role?role=role:safety_deputy&lang=en&page=2"))
    assert 'id="truncated"' not in page and "showing rows 6–10" in page and 'id="next-page"' in page
    assert re.search(r'<span id="row-count">41</span>', page)
    download = client.get("/queries/duties-of-role?role=role:safety_deputy&format=csv")
    assert download.headers["X-SPARQL-MaxRows"] == "5" and len(download.get_data(as_text=True).splitlines()) == 6
    assert (
        client.get(
            "/sparql", query_string={"query": "SELECT ?s WHERE { ?s a wsa:PolicyDocument }"}, headers={"Accept": "text/csv"}
        ).headers.get("X-SPARQL-MaxRows")
        is None
    )
    app.extensions["kgtool"].close()


@pytest.mark.slow
def test_sparql_runaway_query_is_stopped_in_time():
    app = create_app({"ROOT": ROOT, "ENDPOINT": "", "SPARQL_WORKERS": 1, "QUERY_TIMEOUT_S": 1.5})
    client = app.test_client()
    try:
        assert client.get("/sparql", query_string={"query": "ASK {}"}, headers=JSON).status_code == 200  # warm
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a a wsa:Duty . ?b a wsa:Duty . ?c a wsa:Provision . ?d a wsa:Provision }"
        started = time.monotonic()
        response = client.get("/sparql", query_string={"query": heavy}, headers=JSON)
        assert response.status_code == 503
        assert "1.5 s" in response.get_json()["message"]
        assert time.monotonic() - started < 5
        # a fresh worker takes the stopped one's place
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if client.get("/sparql", query_string={"query": "ASK {}"}, headers=JSON).status_code == 200:
                break
        else:
            pytest.fail("no worker came back")
    finally:
        app.extensions["kgtool"].close()


def test_sparql_without_query(client):
    assert client.get("/sparql", headers=HTML).status_code == 302
    assert client.get("/sparql", headers=JSON).status_code == 400
    editor = html(client.get("/sparql/editor"))
    config = json.loads(editor.split('<script type="application/json" id="editor-config">')[1].split("</script>")[0])
    assert config["endpoint"] == "/sparql"
    assert "PREFIX wsa: <https://w3id.org/wsa/ontology#>" in config["query"]


# --- gap report and comparison ----------------------------------------------------------
@pytest.mark.slow
def test_gap_report_links_findings_and_filters(client):
    page = html(client.get("/gaps?lang=zh"))
    findings = page.split('id="findings"')[1]
    assert findings.count('<article class="finding') > 0
    assert re.search(r'<a class="focus" href="/id/[^"]+">', findings)
    assert "<blockquote" in findings  # the source passage is quoted
    wuxi_only = html(client.get("/gaps?jurisdiction=无锡市"))
    for article in wuxi_only.split('<article class="finding')[1:]:
        assert "无锡市" in article
    warnings = html(client.get("/gaps?severity=Warning"))
    assert 'class="sev-badge sev-violation"' not in warnings


def test_compare_page_with_chosen_jurisdictions(client):
    page = html(client.get("/compare?j=wuxi-towns-2021&j=mianyang-union-2020&lang=zh"))
    if 'id="not-available"' in page:
        pytest.skip("kgtool.compare is not available")
    assert 'name="j" value="wuxi-towns-2021" checked' in page
    assert 'name="j" value="bazhong-econ-2018" >' in page or 'value="bazhong-econ-2018" ' in page
    heads = page.split('id="view-roles"')[1].split("</thead>")[0]
    assert "wuxi-towns-2021" in heads and "mianyang-union-2020" in heads and "bazhong-econ-2018" not in heads
    chart = client.get("/compare/chart/frequency.svg?j=wuxi-towns-2021&j=mianyang-union-2020")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml" and b"<svg" in chart.data
    assert client.get("/compare?j=nowhere").status_code == 400


def test_pages_say_when_validate_or_compare_is_missing(client, monkeypatch):
    import kgtool.web.compare
    import kgtool.web.report

    monkeypatch.setattr(kgtool.web.report, "get_report", lambda: None)
    monkeypatch.setattr(kgtool.web.compare, "_module", lambda: None)
    for url in ("/gaps?lang=en", "/compare?lang=en"):
        page = html(client.get(url))
        assert 'id="not-available"' in page and "Not available yet" in page


# --- safety ----------------------------------------------------------------------------
PLANTED = '<script>alert(1)</script>"onerror=alert(2) x'


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """The app on a copy of the project whose Wuxi post (its head of government) is labelled with markup."""
    root = tmp_path_factory.mktemp("hostile")
    for folder in ("ontology", "queries", "shapes"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, root / folder)
    (root / "data").mkdir()
    for path in (ROOT / "data").glob("*.ttl"):
        if path.stem == "wuxi-towns-2021":
            graph = Graph().parse(path)
            (post,) = graph.subjects(ORG.role, CONCEPT["role/government_head"])
            graph.set((post, RDFS.label, Literal(PLANTED, lang="zh")))
            graph.serialize(root / "data" / path.name, format="turtle", encoding="utf-8")
        else:
            shutil.copyfile(path, root / "data" / path.name)
    app = create_app({"ROOT": root, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    yield app
    app.extensions["kgtool"].close()


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/id/wuxi-towns-2021",
        "{post}",
        path_for(str(WUXI_QUARTERLY)),
        "/search?q=alert",
        "/search?q=%3Cscript%3E",
        "/queries/duties-of-role?role=role:government_head",
        "/compare",
        "/sparql?query=SELECT%20%3Fl%20WHERE%20%7B%20%3Fp%20rdfs%3Alabel%20%3Fl%20%7D",
    ],
)
def test_planted_markup_is_escaped(hostile_app, wuxi_post, url):
    url = url.format(post=path_for(str(wuxi_post)))  # the planted post's own page
    response = hostile_app.test_client().get(url, headers=HTML)
    page = html(response)
    assert "<script>alert(1)" not in page
    assert '"onerror=' not in page
    if any(part in url for part in ("search", "post", "sparql", "queries", "compare")):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_planted_markup_stays_data_in_json(hostile_app):
    data = hostile_app.test_client().get("/orgchart/wuxi-towns-2021.json")
    assert data.mimetype == "application/json"
    labels = [n["data"]["label"] for n in data.get_json()["nodes"]]
    assert any(label.startswith("<script>alert(1)") for label in labels)  # JSON, rendered as canvas text


def test_search_text_is_escaped(client):
    page = html(client.get("/search", query_string={"q": '"><img src=x onerror=alert(1)>'}))
    assert "<img src=x" not in page and "&lt;img src=x" in page


@pytest.mark.parametrize(
    "url",
    ["/", "/id/wuxi-towns-2021", "/sparql/editor", "/static/css/kgtool.css", "/orgchart/wuxi-towns-2021.json", "/no-such-page", "/queries"],
)
def test_security_headers(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_in_pages(client):
    for url in ("/", "/id/wuxi-towns-2021", "/sparql/editor", "/queries/duties-of-role", "/search?q=季度"):
        page = html(client.get(url))
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
        assert not re.search(r"\son[a-z]+=", page), "no inline event handlers"


@pytest.mark.parametrize(
    "url",
    [
        "/static/../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/static//etc/passwd",
        "/id/..%2f..%2f..%2fetc%2fpasswd",
        "/resource?iri=file:///etc/passwd",
        "/resource?iri=/etc/passwd",
        "/resource?iri=..%2F..%2Fetc%2Fpasswd",
        "/queries/..%2f..%2fetc%2fpasswd",
        "/compare/chart/..%2f..%2fetc%2fpasswd.svg",
    ],
)
def test_path_traversal_gives_no_file(client, url):
    response = client.get(url, follow_redirects=True)  # werkzeug merges "//" with a redirect
    assert response.status_code in (400, 404)
    assert b"root:" not in response.data


def test_static_vendor_files_carry_their_licences():
    static = Path(__file__).resolve().parent.parent / "kgtool" / "web" / "static" / "vendor"
    for package, main in (("yasgui", "yasgui.min.js"), ("cytoscape", "cytoscape.min.js")):
        assert (static / package / main).is_file()
        assert "MIT" in (static / package / "LICENSE").read_text()


# --- errors and language ----------------------------------------------------------------
def test_errors_as_json_or_html(client):
    response = client.get("/resource", headers=JSON)
    assert response.status_code == 400 and response.get_json()["where"] == "?iri"
    page = client.get("/resource?lang=en", headers=HTML)
    assert page.status_code == 400 and 'id="error"' in page.get_data(as_text=True)


def test_every_interface_string_exists_in_both_languages():
    from kgtool.web.i18n import STRINGS

    assert all(zh and en for zh, en in STRINGS.values())
    templates = Path(__file__).resolve().parent.parent / "kgtool" / "web" / "templates"
    used = set()
    for path in templates.rglob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_]+)'", path.read_text(encoding="utf-8")))
    assert used and not used - set(STRINGS), used - set(STRINGS)


def test_language_switch_by_parameter_and_cookie(client):
    english = client.get("/?lang=en")
    assert "kgtool_lang=en" in english.headers["Set-Cookie"]
    page = html(english)
    assert "Documents" in page and "Wuxi" in page and 'href="/?lang=zh"' in page
    page = html(client.get("/"))  # the cookie remembers the choice
    assert "Documents" in page
    page = html(client.get("/?lang=zh"))
    assert "文件" in page and "无锡市" in page


def test_serve_runs_waitress_on_a_free_port():
    from kgtool.web.serve import make_server

    server = make_server(port=0, root=ROOT, endpoint="", config={"SPARQL_WORKERS": 0})
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.effective_port}/?lang=zh", timeout=30) as r:
            assert r.status == 200 and "锡政办发〔2021〕85号" in r.read().decode("utf-8")
    finally:
        server.close()
        thread.join(timeout=10)
        server.kgtool_app.extensions["kgtool"].close()


# --- the same pages over a remote SPARQL endpoint (a scratch Virtuoso) -------------------
@pytest.fixture(scope="module")
def remote_app(tmp_path_factory):
    """The app browsing a real Virtuoso filled with ontology/ + data/ (its own server, not the session's)."""
    try:
        from virtuoso_server import virtuoso_server
    except ImportError:
        from tests.virtuoso_server import virtuoso_server
    from kgtool.store import push

    with virtuoso_server(tmp_path_factory.mktemp("web-virtuoso")) as server:
        push(ROOT, server.endpoint, user=server.user, password=server.password)
        app = create_app({"ROOT": ROOT, "ENDPOINT": server.endpoint})
        yield app
        app.extensions["kgtool"].close()


@pytest.mark.virtuoso
def test_pages_on_a_remote_endpoint(remote_app):
    client = remote_app.test_client()
    assert remote_app.extensions["kgtool"].runner is None  # the remote engine bounds its own time
    page = html(client.get("/?lang=zh"))
    assert "锡政办发〔2021〕85号" in page and "江苏省" in page
    post = post_iri(remote_app, "mianyang-union-2020", "分管安全生产工作的负责人")
    duties = html(client.get(path_for(str(post)))).split('id="duties"')[1].split("</section>")[0]
    assert duties.count('<li class="duty">') == 6
    wuxi_post = post_iri(remote_app, "wuxi-towns-2021", WUXI_HEAD)
    page = html(client.get(path_for(str(wuxi_post)) + "?lang=zh"))
    assert any("每季度至少1次系统听取" in m for m in re.findall(r"<mark>(.*?)</mark>", page, re.S))
    assert path_for(str(WUXI_QUARTERLY)) in html(client.get("/search?q=季度"))
    turtle = client.get(path_for(str(wuxi_post)), headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (wuxi_post, RDFS.label, Literal(WUXI_HEAD, lang="zh")) in graph
    ask = client.get("/sparql", query_string={"query": "ASK { ?p org:role role:safety_deputy }"}, headers=JSON)
    assert ask.get_json()["boolean"] is True
    refused = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=JSON)
    assert refused.status_code == 403
    assert html(client.get("/queries/duties-of-role?role=role:safety_deputy&jurisdiction=绵阳市")).count("<tr>") == 7


# --- response cache and paging -----------------------------------------------------------
def test_cached_page_keeps_language_and_format_apart(wuxi_post):
    app = create_app({"ROOT": ROOT, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    client = app.test_client()
    url = path_for(str(wuxi_post))
    try:
        for _ in range(2):  # the second round is served from the cache
            zh, en = html(client.get(url + "?lang=zh", headers=HTML)), html(client.get(url + "?lang=en", headers=HTML))
            assert 'lang="zh-Hans"' in zh and 'lang="en"' in en
            turtle = client.get(url, headers={"Accept": "text/turtle"})
            assert turtle.mimetype == "text/turtle" and "Accept" in turtle.headers["Vary"]
            page = client.get(url, headers=HTML)
            assert page.mimetype == "text/html" and page.headers["Content-Security-Policy"]
        assert len(app.extensions["kgtool"].responses) >= 3
    finally:
        app.extensions["kgtool"].close()


def test_cached_page_answers_a_conditional_request_with_304(client):
    first = client.get("/queries/policy-documents", headers=HTML)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get("/queries/policy-documents", headers={**HTML, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_cached_document_page_keeps_its_inline_style_policy(client):
    for _ in range(2):
        csp = client.get("/id/wuxi-towns-2021", headers=HTML).headers["Content-Security-Policy"]
        assert "'unsafe-inline'" in csp and "script-src 'self'" in csp


def test_response_cache_is_bounded_in_entries_and_bytes():
    from kgtool.web.cache import Entry, ResponseCache

    cache = ResponseCache(max_entries=3, max_bytes=100)
    entry = lambda n: Entry(status=200, headers=(), body=b"x" * n, etag="e", inline_styles=False)  # noqa: E731
    for i in range(5):
        cache.put((i,), entry(10))
    assert len(cache) == 3 and cache.get((0,)) is None and cache.get((4,)) is not None
    cache.put(("big",), entry(90))
    assert cache.size_bytes <= 100 and cache.get(("big",)) is not None
    cache.put(("huge",), entry(101))  # larger than the whole budget: not kept
    assert cache.get(("huge",)) is None


def test_response_cache_is_off_when_asked_and_errors_are_not_kept(wuxi_post):
    app = create_app({"ROOT": ROOT, "ENDPOINT": "", "SPARQL_WORKERS": 0, "RESPONSE_CACHE_ENTRIES": 0})
    try:
        assert app.test_client().get(path_for(str(wuxi_post))).status_code == 200
        assert len(app.extensions["kgtool"].responses) == 0
    finally:
        app.extensions["kgtool"].close()
    app = create_app({"ROOT": ROOT, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    try:
        assert app.test_client().get("/queries/duties-of-role?jurisdiction=没有这个地方").status_code == 400
        assert len(app.extensions["kgtool"].responses) == 0
    finally:
        app.extensions["kgtool"].close()


def test_edited_saved_query_is_not_answered_from_the_cache(tmp_path):
    root = copy_project(tmp_path / "project", ("ontology", "data", "queries", "shapes"))
    app = create_app({"ROOT": root, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    try:
        client = app.test_client()
        path = root / "queries" / "policy-documents.rq"
        assert "Documents-before" not in html(client.get("/queries/policy-documents?lang=en"))
        path.write_text(path.read_text(encoding="utf-8").replace("#+   en: ", "#+   en: Documents-before ", 1), encoding="utf-8")
        assert "Documents-before" in html(client.get("/queries/policy-documents?lang=en"))
    finally:
        app.extensions["kgtool"].close()


def test_saved_query_page_shows_one_page_of_rows_and_the_count(monkeypatch):
    import kgtool.web.library

    monkeypatch.setattr(kgtool.web.library, "PAGE_ROWS", 2)
    app = create_app({"ROOT": ROOT, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    try:
        client = app.test_client()
        url = "/queries/duties-of-role?role=role:safety_deputy&jurisdiction=绵阳市&lang=en"
        page = html(client.get(url))
        assert re.search(r'<span id="row-count">6</span>', page)  # all the rows are counted
        assert page.count("<tr>") == 3 and "showing rows 1–2" in page  # header + 2 rows
        assert 'id="previous-page"' not in page
        nxt = re.search(r'<a href="([^"]+)" rel="next" id="next-page">', page)
        assert nxt and "page=2" in nxt.group(1)
        last = html(client.get(url + "&page=3"))
        assert last.count("<tr>") == 3 and "showing rows 5–6" in last and 'id="next-page"' not in last
        assert 'id="previous-page"' in last
        assert html(client.get(url + "&page=x")).count("<tr>") == 3  # a bad page number shows the first
        csv_text = client.get(url + "&format=csv").get_data(as_text=True)
        assert len(list(csv.DictReader(io.StringIO(csv_text)))) == 6  # the download holds every row
    finally:
        app.extensions["kgtool"].close()


@pytest.mark.slow
def test_sparql_requests_beyond_the_waiting_slots_are_refused_at_once():
    """Each waiting /sparql request holds a server thread; only a few may wait per worker, so
    pages keep their threads when many clients send heavy queries."""
    import threading

    from kgtool.errors import EngineError
    from kgtool.web.runner import WAITING_PER_WORKER, QueryRunner

    runner = QueryRunner(ROOT, workers=1)
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a a wsa:Duty . ?b a wsa:Duty . ?c a wsa:Provision }"
    try:
        assert runner.run("ASK {}", timeout=30, max_rows=10).boolean is True  # started and warm
        running = threading.Thread(target=lambda: _quietly(runner.run, heavy, timeout=3, max_rows=10))
        waiting = [
            threading.Thread(target=lambda: _quietly(runner.run, "ASK {}", timeout=3, max_rows=10)) for _ in range(WAITING_PER_WORKER)
        ]
        running.start()
        time.sleep(0.3)
        for thread in waiting:
            thread.start()
        time.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(EngineError, match="other queries are waiting"):
            runner.run("ASK {}", timeout=3, max_rows=10)
        assert time.monotonic() - started < 0.5  # refused without waiting
        running.join()
        for thread in waiting:
            thread.join()
    finally:
        runner.close()


def _quietly(fn, *args, **kwargs) -> None:
    from kgtool.errors import KgtoolError

    with contextlib.suppress(KgtoolError):
        fn(*args, **kwargs)
