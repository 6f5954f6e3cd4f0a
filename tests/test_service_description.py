"""GET /sparql without a query gives the W3C SPARQL 1.1 Service Description (issue 17, item 4).

The description must be true of the endpoint, not just well-formed: every result format it
names is requested from the endpoint and must come back in that format; every format the
endpoint answers in must be named; the limits are the settings; the named graphs and their
triple counts are the store's; the union default graph it claims is checked with triples of
each graph. A browser still gets the editor, which now shows the same description.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import OWL, VOID
from rdflib.query import Result as RdflibResult

from kgtool.settings import setting

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = "http://www.w3.org/ns/formats/"
WSA = Namespace("https://w3id.org/wsa/ontology#")
ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "wsa.ttl"
ENDPOINT = "http://localhost/sparql"  # where Flask's test client puts the app

#: The W3C format IRIs (https://www.w3.org/ns/formats/) with their media types and how to read them back:
#: ("select", rdflib result parser) or ("graph", rdflib RDF parser).
W3C_FORMATS = {
    FORMATS + "SPARQL_Results_JSON": ("application/sparql-results+json", "select", "json"),
    FORMATS + "SPARQL_Results_XML": ("application/sparql-results+xml", "select", "xml"),
    FORMATS + "SPARQL_Results_CSV": ("text/csv", "select", "csv"),
    FORMATS + "SPARQL_Results_TSV": ("text/tab-separated-values", "select", "tsv"),
    FORMATS + "Turtle": ("text/turtle", "graph", "turtle"),
    FORMATS + "N-Triples": ("application/n-triples", "graph", "nt"),
    FORMATS + "JSON-LD": ("application/ld+json", "graph", "json-ld"),
    FORMATS + "RDF_XML": ("application/rdf+xml", "graph", "xml"),
    FORMATS + "N3": ("text/n3", "graph", "n3"),
    FORMATS + "TriG": ("application/trig", "graph", "trig"),
    FORMATS + "N-Quads": ("application/n-quads", "graph", "nquads"),
}
#: Accept header -> (status, media type, rdflib parser of the description).
DESCRIPTION_FORMS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
SELECT = "SELECT ?document ?title WHERE { ?document a wsa:PolicyDocument ; dcterms:title ?title } ORDER BY ?document"
CONSTRUCT = "CONSTRUCT { ?document a wsa:PolicyDocument } WHERE { ?document a wsa:PolicyDocument }"


@pytest.fixture(scope="module")
def client(web_client):
    return web_client


def description(client, accept: str = "text/turtle", **args) -> rdflib.Graph:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {}, query_string=args)
    assert response.status_code == 200, response.data[:300]
    fmt = DESCRIPTION_FORMS[response.mimetype]
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format=fmt)


def the_service(g: rdflib.Graph):
    services = list(g.subjects(RDF.type, SD.Service))
    assert len(services) == 1, services
    return services[0]


@pytest.mark.parametrize("accept", [*DESCRIPTION_FORMS, "*/*", None])
def test_parses_as_rdf_and_names_the_endpoint(client, accept):
    g = description(client, accept)
    service = the_service(g)
    assert g.value(service, SD.endpoint) == URIRef(ENDPOINT)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g


@pytest.mark.parametrize(
    "fmt,media",
    [("turtle", "text/turtle"), ("json-ld", "application/ld+json"), ("xml", "application/rdf+xml"), ("nt", "application/n-triples")],
)
def test_format_argument_picks_the_syntax(client, fmt, media):
    response = client.get("/sparql", query_string={"format": fmt}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == media
    assert the_service(rdflib.Graph().parse(data=response.get_data(as_text=True), format=DESCRIPTION_FORMS[media]))


def _answer(client, iri: str):
    media, kind, parser = W3C_FORMATS[iri]
    response = client.get("/sparql", query_string={"query": SELECT if kind == "select" else CONSTRUCT}, headers={"Accept": media})
    return response, media, kind, parser


def test_every_described_format_is_answered_in(client):
    g = description(client)
    named = {str(f) for f in g.objects(the_service(g), SD.resultFormat)}
    assert len(named) >= 8 and named <= set(W3C_FORMATS), named
    for iri in sorted(named):
        response, media, kind, parser = _answer(client, iri)
        assert response.status_code == 200, iri
        assert response.mimetype == media, (iri, response.mimetype)
        text = response.get_data(as_text=True)
        if kind == "select":
            rows = list(RdflibResult.parse(io.StringIO(text), format=parser))
            assert len(rows) == 5, (iri, len(rows))  # the five documents
        else:
            assert len(rdflib.Graph().parse(data=text, format=parser)) == 5, iri


def test_every_format_answered_in_is_described(client):
    g = description(client)
    named = {str(f) for f in g.objects(the_service(g), SD.resultFormat)}
    for iri in sorted(set(W3C_FORMATS) - named):
        response, media, _, _ = _answer(client, iri)
        assert response.mimetype != media, f"the endpoint answers in {media} but the description does not say so"


def test_limits_are_the_settings(client):
    g = description(client)
    service = the_service(g)
    assert g.value(service, WSA.queryTimeout).toPython() == pytest.approx(float(setting("query_timeout_s")))
    assert g.value(service, WSA.maxResultRows).toPython() == int(setting("max_rows"))
    assert g.value(service, WSA.maxRequestBytes).toPython() == int(setting("max_body_bytes"))


def test_limits_follow_the_app_config(project_root):
    """Not numbers written into the description: a differently configured app says its own."""
    from kgtool.web import create_app

    app = create_app(
        {"ROOT": project_root, "ENDPOINT": "", "SPARQL_WORKERS": 0, "MAX_ROWS": 7, "QUERY_TIMEOUT_S": 2.5, "MAX_BODY_BYTES": 4096}
    )
    try:
        client = app.test_client()
        g = description(client)
        service = the_service(g)
        assert g.value(service, WSA.maxResultRows).toPython() == 7
        assert g.value(service, WSA.queryTimeout).toPython() == pytest.approx(2.5)
        assert g.value(service, WSA.maxRequestBytes).toPython() == 4096
        many = client.get(
            "/sparql", query_string={"query": "SELECT ?s WHERE { ?s a wsa:Post }"}, headers={"Accept": "application/sparql-results+json"}
        )
        assert len(json.loads(many.data)["results"]["bindings"]) == 7 and many.headers["X-SPARQL-MaxRows"] == "7"
    finally:
        app.extensions["kgtool"].close()


def _count(client, query: str) -> list[dict]:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    return json.loads(response.data)["results"]["bindings"]


def test_default_dataset_names_every_graph_with_its_triples(client):
    g = description(client)
    dataset = g.value(the_service(g), SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    counted = {
        b["g"]["value"]: int(b["n"]["value"])
        for b in _count(client, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    described = {}
    for named in g.objects(dataset, SD.namedGraph):
        assert (named, RDF.type, SD.NamedGraph) in g
        described[str(g.value(named, SD.name))] = g.value(g.value(named, SD.graph), VOID.triples).toPython()
    assert described == counted
    assert "https://w3id.org/wsa/graph/ontology" in described
    assert sum(1 for name in described if name.startswith("https://w3id.org/wsa/graph/")) == len(described) >= 7
    default = g.value(dataset, SD.defaultGraph)
    union = _count(client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert g.value(default, VOID.triples).toPython() == int(union[0]["n"]["value"])
    assert max(counted.values()) < g.value(default, VOID.triples).toPython() <= sum(counted.values())


def test_the_union_default_graph_it_claims(client):
    g = description(client)
    assert (the_service(g), SD.feature, SD.UnionDefaultGraph) in g
    for named in g.objects(g.value(the_service(g), SD.defaultDataset), SD.namedGraph):
        name = g.value(named, SD.name)
        first = _count(client, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o FILTER(isIRI(?s) && !isBLANK(?o)) }} }} LIMIT 1")
        s, p, o = (first[0][v] for v in ("s", "p", "o"))
        obj = f"<{o['value']}>" if o["type"] == "uri" else Literal(o["value"], lang=o.get("xml:lang"), datatype=o.get("datatype")).n3()
        ask = client.get(
            "/sparql",
            query_string={"query": f"ASK {{ <{s['value']}> <{p['value']}> {obj} }}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert json.loads(ask.data)["boolean"] is True, name


def test_the_limit_terms_are_ours_and_documented():
    onto = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    for term in (WSA.queryTimeout, WSA.maxResultRows, WSA.maxRequestBytes):
        assert (term, RDF.type, OWL.DatatypeProperty) in onto
        assert (term, RDFS.domain, SD.Service) in onto
        assert {o.language for o in onto.objects(term, RDFS.label)} == {"zh", "en"}
        assert {o.language for o in onto.objects(term, RDFS.comment)} == {"zh", "en"}
    assert (SD.Service, RDF.type, OWL.Class) in onto


def test_every_wsa_term_of_the_description_is_declared(client):
    onto = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    used = {t for triple in description(client) for t in triple if isinstance(t, URIRef) and t.startswith(str(WSA))}
    assert used and all((t, RDF.type, None) in onto for t in used), used


def test_a_browser_still_gets_the_editor_with_the_description(client):
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 302 and response.location.endswith("/sparql/editor")
    page = client.get("/sparql/editor").get_data(as_text=True)
    assert 'id="yasgui"' in page  # the editor itself is still there
    section = page.split('<section id="service-description"')[1].split("</section>")[0]
    assert f'<code id="service-endpoint">{ENDPOINT}</code>' in section
    for value in (
        str(setting("max_rows")),
        str(setting("max_body_bytes")),
        "application/sparql-results+json",
        "text/turtle",
        "https://w3id.org/wsa/graph/ontology",
        "https://w3id.org/wsa/graph/wuxi-towns-2021",
    ):
        assert value in section, value
    links = [part.split('"')[0] for part in section.split('href="/sparql?format=')[1:]]
    assert sorted(links) == ["json-ld", "nt", "turtle", "xml"]
    for fmt in links:
        response = client.get(f"/sparql?format={fmt}")
        assert response.status_code == 200 and response.mimetype in DESCRIPTION_FORMS


def test_still_read_only_and_still_refuses_a_results_client_without_a_query(client):
    json_accept = {"Accept": "application/sparql-results+json"}
    assert client.get("/sparql", headers=json_accept).status_code == 400
    assert client.get("/sparql", headers={"Accept": "application/json"}).status_code == 400
    results_first = {"Accept": "application/sparql-results+json, text/html;q=0.5"}
    assert client.get("/sparql", headers=results_first).status_code == 400
    assert client.get("/sparql", query_string={"update": "CLEAR ALL"}, headers={"Accept": "text/turtle"}).status_code == 403
    assert client.post("/sparql", data={"update": "CLEAR ALL"}, headers=json_accept).status_code == 403
    assert client.get("/sparql", query_string={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, headers=json_accept).status_code == 400
    assert (
        client.get(
            "/sparql", query_string={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}, headers=json_accept
        ).status_code
        == 400
    )


def test_the_endpoint_takes_the_whole_dataset_named_and_refuses_a_part(client):
    """What a client that lists our graphs sends (kgtool's own remote engine) is the default
    dataset; naming only some graphs is refused, never silently widened to all."""
    from kgtool.store import open_store

    graphs = [str(g) for g in open_store(endpoint="").graphs()]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/wsa/ontology#PolicyDocument> }"
    accept = {"Accept": "application/sparql-results+json"}
    whole = client.post("/sparql", data={"query": query, "default-graph-uri": graphs, "named-graph-uri": graphs}, headers=accept)
    assert whole.status_code == 200, whole.get_data(as_text=True)
    assert int(whole.get_json()["results"]["bindings"][0]["n"]["value"]) == 5
    part = client.post("/sparql", data={"query": query, "default-graph-uri": graphs[:1]}, headers=accept)
    assert part.status_code == 400 and "whole dataset" in part.get_data(as_text=True)
    update = client.post("/sparql", data={"query": query, "using-graph-uri": graphs[:1]}, headers=accept)
    assert update.status_code == 400


def test_kgtool_reads_its_own_endpoint_as_a_remote_store():
    """kgtool's remote engine against a running kgtool server: the same answers as embedded."""
    from kgtool.query.saved import library
    from kgtool.settings import project_root
    from kgtool.store import open_store
    from kgtool.web import create_app

    try:
        from web_server import running
    except ImportError:  # tests/ imported as a package
        from tests.web_server import running

    query = library(project_root() / "queries")["first-responsible-persons"].sparql
    embedded = open_store(endpoint="").query(query)
    with running(create_app({"TESTING": True})) as base:
        remote = open_store(endpoint=f"{base}/sparql")
        assert sorted(map(str, remote.graphs())) == sorted(map(str, open_store(endpoint="").graphs()))
        assert sorted(remote.query(query).rows) == sorted(embedded.rows) and embedded.rows
