"""Every --format that `kgtool query` and `kgtool sparql` offer either answers or says, in one
line with exit 2, why it does not fit the query's form: never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kgtool.cli import cli

FORMS = {
    "select": ["sparql", "SELECT ?d WHERE { ?d a wsa:PolicyDocument }"],
    "ask": ["sparql", "ASK { ?d a wsa:PolicyDocument }"],
    "saved": ["query", "policy-documents"],
    "construct": ["sparql", "CONSTRUCT { ?d a wsa:PolicyDocument } WHERE { ?d a wsa:PolicyDocument }"],
}
ROWS = ["table", "csv", "tsv", "json", "xml"]
RDF = ["turtle", "nt", "json-ld"]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("fmt", RDF)
@pytest.mark.parametrize("form", ["select", "ask", "saved"])
def test_rdf_format_for_rows_is_a_usage_error(form, fmt):
    result = run(*FORMS[form], "--format", fmt)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.count("\n") == 1 and "--format" in result.output and fmt in result.output


@pytest.mark.parametrize("fmt", ROWS)
@pytest.mark.parametrize("form", ["select", "ask", "saved"])
def test_row_formats_answer(form, fmt):
    result = run(*FORMS[form], "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.output.strip()


@pytest.mark.parametrize("fmt,parse", [("turtle", "turtle"), ("nt", "nt"), ("json-ld", "json-ld"), ("xml", "xml")])
def test_construct_answers_in_rdf_that_parses(fmt, parse):
    result = run(*FORMS["construct"], "--format", fmt)
    assert result.exit_code == 0, result.output
    assert len(Graph().parse(data=result.output, format=parse)) == 5
