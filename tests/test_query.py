"""Ad-hoc SPARQL and saved queries from the command line, and the read-only guard."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kgtool.cli import cli
from kgtool.errors import QueryError
from kgtool.query import check, run_query
from kgtool.query.saved import SavedQuery, bind, parse_file


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "insert data { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "PREFIX x: <urn:x#> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "# a comment\nCLEAR ALL",
        "DROP GRAPH <urn:g>",
        "CREATE GRAPH <urn:g>",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SeRvIcE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://x/> { ?s ?p ?o } } } }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_guard_refuses_writes_services_and_files(query):
    with pytest.raises(QueryError) as e:
        check(query)
    assert any(word in e.value.message for word in ("not allowed",))


@pytest.mark.parametrize(
    "query,form",
    [
        ("SELECT ?s WHERE { ?s a wsa:Post }", "select"),
        ("ASK { ?s a wsa:Duty }", "ask"),
        ("CONSTRUCT { ?s a wsa:Post } WHERE { ?s a wsa:Post }", "construct"),
        ("DESCRIBE <https://w3id.org/wsa/id/wuxi-towns-2021>", "describe"),
        ('SELECT ?x WHERE { ?x rdfs:label "DELETE WHERE" } # INSERT DATA', "select"),
    ],
)
def test_guard_accepts_reads(query, form):
    assert check(query) == form


def test_syntax_error_names_line_and_column():
    with pytest.raises(QueryError) as e:
        check("SELECT ?s\nWHERE { ?s a wsa:Post \n FILTER( }")
    assert e.value.message.startswith("syntax error at line ")
    assert "column" in e.value.message


def test_unknown_prefix_is_named():
    with pytest.raises(QueryError) as e:
        check("SELECT * WHERE { ?s nope:thing ?o }")
    assert "unknown prefix nope:" in e.value.message


def test_cli_sparql_select_table_and_json(store):
    q = "SELECT ?n WHERE { ?d wsa:documentNumber ?n } ORDER BY ?n"
    table = run("sparql", q)
    assert table.exit_code == 0 and "锡政办发〔2021〕85号" in table.output and "(5 rows)" in table.output
    out = json.loads(run("sparql", q, "--format", "json").output)
    assert out["results"]["bindings"][0]["n"]["value"] == "巴市经信发〔2018〕23号"


def test_cli_sparql_ask_construct_describe_and_file(tmp_path):
    assert run("sparql", "ASK { ?p org:role role:enforcement_officer }").output.strip() == "yes"
    ttl = run("sparql", "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p org:role role:government_head ; rdfs:label ?l }").output
    assert "行政主要负责人" in ttl and "@prefix" in ttl
    described = run("sparql", "DESCRIBE <https://w3id.org/wsa/id/wuxi-towns-2021>", "--format", "nt").output
    assert "锡政办发〔2021〕85号" in described
    path = tmp_path / "q.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?d a wsa:PolicyDocument }", encoding="utf-8")
    assert run("sparql", str(path), "--format", "csv").output.splitlines() == ["n", "5"]
    counted = run("sparql", "-", "--format", "csv", input="SELECT (COUNT(*) AS ?n) WHERE { ?d a wsa:PolicyDocument }")
    assert counted.output.splitlines() == ["n", "5"]


@pytest.mark.parametrize("fmt,marker", [("tsv", "?n\n"), ("xml", "<sparql"), ("csv", "n\n")])
def test_cli_result_formats(fmt, marker):
    out = run("sparql", "SELECT ?n WHERE { ?d wsa:documentNumber ?n }", "--format", fmt).output
    assert marker in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["sparql", "DROP ALL"], "SPARQL Update (DROP) is not allowed"),
        (["sparql", "SELECT * WHERE { ?s ?p }"], "syntax error at line 1"),
        (["sparql", "missing-file.rq"], "cannot read query file"),
        (["query", "no-such-query"], "no saved query 'no-such-query'"),
    ],
)
def test_cli_errors_are_one_line_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.startswith("kgtool: error: ") and message in result.output
    assert "Traceback" not in result.output


@pytest.fixture()
def saved(tmp_path) -> SavedQuery:
    path = tmp_path / "posts-of-role.rq"
    path.write_text(
        """#+ title:
#+   zh: 某角色的岗位
#+   en: Posts of a role
#+ description: Posts by role.
#+ params:
#+   - name: role
#+     type: resource
#+     kind: skos:Concept
#+   - name: minimum
#+     type: integer
#+     optional: true
PREFIX wsa: <https://w3id.org/wsa/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?post ?label WHERE { ?post org:role ?role ; rdfs:label ?label FILTER(!BOUND(?minimum) || ?minimum >= 0) } ORDER BY ?label
""",
        encoding="utf-8",
    )
    return parse_file(path)


#: Posts of each role as the documents name them (gold.json): the three heads of government
#: (Wuxi's, Benxi's and Tongchuan's 镇长) and two of the principal heads (Mianyang's, Bazhong's).
GOVERNMENT_HEADS = {"镇(街道、园区)行政主要负责人", "高新区管委会、街道办事处主要负责人", "铜川镇镇长"}


@pytest.mark.parametrize(
    "value, role, posts",
    [
        pytest.param(value, "government_head", GOVERNMENT_HEADS, id=value)
        for value in (
            "role:government_head",
            "https://w3id.org/wsa/concept/role/government_head",
            "行政主要负责人",
            "head of government",
            "政府主要负责人",
        )
    ]
    + [pytest.param("主要负责人", "principal_head", {"主要负责人", "委主要负责人"}, id="主要负责人")],
)
def test_resource_parameter_accepts_iri_prefixed_name_or_label(store, saved, value, role, posts):
    """A label resolves among resources of the parameter's kind: 主要负责人 is the role principal_head,
    not Mianyang's post of that name."""
    got = bind(store, saved, {"role": value})
    assert str(got["role"]) == f"https://w3id.org/wsa/concept/role/{role}"
    labels = {str(r[1]) for r in run_query(store, saved.sparql, bindings=got).rows}
    # every head of government; the principal heads at least: the graph also reads 常青村's 主任 in
    # Tongchuan's leading-group list as the town's principal head, which the text does not say
    assert labels == posts if role == "government_head" else posts <= labels


def test_parameter_values_are_never_spliced(store, saved):
    hostile = 'x" } ; DROP ALL ; SELECT * WHERE { "'
    with pytest.raises(QueryError) as e:
        bind(store, saved, {"role": hostile})
    assert "nothing in the graph is called" in e.value.message and e.value.where == "--param role"


@pytest.mark.parametrize(
    "values,message",
    [
        ({}, "needs parameter 'role'"),
        ({"role": "role:staff", "minimum": "two"}, "is not an integer"),
        ({"role": "role:staff", "nope": "1"}, "has no parameter 'nope'"),
    ],
)
def test_bad_parameters(store, saved, values, message):
    with pytest.raises(QueryError) as e:
        bind(store, saved, values)
    assert message in e.value.message


def test_header_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ title: [unclosed\nSELECT * WHERE {}", encoding="utf-8")
    with pytest.raises(QueryError) as e:
        parse_file(bad)
    assert str(bad) in str(e.value)
    untitled = tmp_path / "untitled.rq"
    untitled.write_text("#+ description: x\nSELECT * WHERE {}", encoding="utf-8")
    with pytest.raises(QueryError, match="title"):
        parse_file(untitled)
