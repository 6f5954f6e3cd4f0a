"""Output people can read (issue 18, item 6): names first and IRIs after, tables that fit the terminal.

`kgtool reason` listed bare IRIs, and query tables ran to 339 characters while cutting IRIs at 60,
so that two provisions of one document looked the same. The tables are read back here cell by
cell, as a person would, to check that every IRI is whole and every line fits.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from kgtool.cli import cli
from kgtool.render import compact, table, width
from kgtool.store import Result

#: Two levels of provisions of one document: IRIs alike for 50 characters, with their texts as names.
PROVISIONS = (
    "SELECT ?provision ?parent WHERE { ?provision dcterms:isPartOf ?parent . "
    "?parent dcterms:isPartOf+ id:bazhong-econ-2018 } ORDER BY ?provision"
)


def run(*args: str, columns: int | None = 100) -> str:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": str(columns) if columns else None})
    assert result.exit_code == 0, result.output
    return result.stdout


def answer(*args: str) -> list[dict[str, str]]:
    """The same query as SPARQL JSON: what the table must show."""
    rows = json.loads(run(*args, "--format", "json"))["results"]["bindings"]
    return [{v: b["value"] if b["type"] == "literal" else compact(URIRef(b["value"]), path=True) for v, b in row.items()} for row in rows]


def _columns(line: str) -> str:
    """The line with a filler after each wide character, so that slices are terminal columns."""
    return "".join(c + "\0" * (width(c) - 1) for c in line)


def read_grid(text: str) -> list[dict[str, str]]:
    """The rows of a table, each cell's wrapped pieces joined again."""
    lines = text.splitlines()[:-1]
    rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"-+( +-+)*", line))
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]

    def cells(block: list[str]) -> list[str]:
        return ["".join(_columns(line)[a:b].replace("\0", "").strip() for line in block) for a, b in spans]

    body = lines[rule + 1 :]
    blocks = "\n".join(body).split("\n\n") if "" in body else body
    heads = cells(lines[:rule])
    return [dict(zip(heads, cells(block.split("\n")))) for block in blocks]


def read_records(text: str) -> list[dict[str, str]]:
    """The rows of a table shown record by record, each value's wrapped pieces joined again."""
    records: list[dict[str, str]] = []
    name = ""
    for line in text.splitlines()[:-1]:
        if re.fullmatch(r"\[\d+\]", line):
            records.append({})
        elif line.startswith(" "):
            records[-1][name] += line.strip()
        elif line:
            name, _, value = line.partition(" ")
            records[-1][name] = value.strip()
    return records


def fits(text: str, columns: int) -> bool:
    return max(map(width, text.splitlines())) <= columns


# --- tables -----------------------------------------------------------------------------
def test_a_wide_answer_wraps_to_the_terminal_and_keeps_every_iri_whole():
    text = run("sparql", PROVISIONS)
    assert fits(text, 100)
    shown, expected = read_grid(text), answer("sparql", PROVISIONS)
    assert len(shown) == len(expected) > 50
    assert [(r["provision"], r["parent"]) for r in shown] == [(r["provision"], r["parent"]) for r in expected]
    assert len({r["provision"] for r in shown}) == len(shown)  # no two provisions look alike


def test_names_lead_and_iris_follow():
    """The query asks for IRIs only: each comes after a column with the resource's name."""
    first = read_grid(run("sparql", PROVISIONS))[0]
    assert list(first) == ["provisionLabel", "provision", "parentLabel", "parent"]
    assert first["provisionLabel"] and first["parentLabel"]  # a provision, having no name, by its text
    rows = read_grid(run("sparql", "SELECT ?post WHERE { ?post org:role role:government_head } ORDER BY ?post"))
    wuxi = next(r for r in rows if r["post"] == "id:wuxi-towns-2021/post/main.government_head")
    assert list(wuxi) == ["postLabel", "post"] and wuxi["postLabel"] == "镇(街道、园区)行政主要负责人"


def test_a_query_that_names_its_iris_shows_its_own_names_first():
    text = run("query", "first-responsible-persons", columns=None)
    head = text.splitlines()[0].split()
    assert head.index("postLabel") < head.index("post") and head.index("jurisdictionLabel") < head.index("jurisdiction")
    assert head.index("provisionMarker") < head.index("provision") and "documentLabel" not in head


def test_too_many_columns_for_the_terminal_are_shown_record_by_record():
    text = run("query", "first-responsible-persons")
    assert fits(text, 100)
    shown, expected = read_records(text), answer("query", "first-responsible-persons")
    assert [{k: r.get(k, "") for k in ("post", "postLabel", "provision")} for r in shown] == [
        {k: r.get(k, "") for k in ("post", "postLabel", "provision")} for r in expected
    ]
    assert len(shown) > 5 and all(r["provision"].startswith("id:") for r in shown if r["provision"])


@pytest.mark.parametrize("columns", [40, 60, 80, 100, 140])
def test_every_width_is_kept(columns):
    for args in (("sparql", PROVISIONS), ("query", "document-statistics"), ("stats",)):
        assert fits(run(*args, columns=columns), columns), (args, columns)


def test_a_pipe_gets_one_line_per_row():
    text = run("query", "first-responsible-persons", columns=None)
    rows = answer("query", "first-responsible-persons")
    assert len(text.splitlines()) == len(rows) + 3 and f"({len(rows)} rows)" in text


def test_csv_tsv_and_json_are_unchanged():
    """Only the table gains names and prefixed IRIs; the formats for programs keep the answer as is."""
    rows = list(csv.reader(io.StringIO(run("sparql", PROVISIONS, "--format", "csv"))))
    assert rows[0] == ["provision", "parent"] and rows[1][0].startswith("https://w3id.org/wsa/id/bazhong-econ-2018/")
    tsv = run("sparql", PROVISIONS, "--format", "tsv").splitlines()
    assert tsv[0] == "?provision\t?parent" and tsv[1].startswith("<https://")
    assert set(json.loads(run("sparql", PROVISIONS, "--format", "json"))["head"]["vars"]) == {"provision", "parent"}


def test_numbers_line_up_on_the_right_and_nothing_is_cut():
    result = Result(
        kind="select", variables=("name", "n"), rows=((Literal("短"), Literal(7)), (Literal("一个很长的名字" * 10), Literal(1234)))
    )
    text = table(result, columns=40)
    assert fits(text, 40) and "…" not in text
    assert read_grid(text) == [{"name": "短", "n": "7"}, {"name": "一个很长的名字" * 10, "n": "1234"}]
    lines = [line for line in text.splitlines() if line.endswith(("7", "1234"))]
    assert len({len(_columns(line)) for line in lines}) == 1  # right-aligned


# --- reason -----------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")
def test_reason_names_each_class_and_member_before_its_iri():
    text = run("reason", "--document", "wuxi-towns-2021", columns=None)
    assert "负有定期职责的岗位  wsa:PostWithPeriodicDuty: 1 inferred" in text
    assert "  镇(街道、园区)行政主要负责人  id:wuxi-towns-2021/post/main.government_head" in text
    duty = next(line for line in text.splitlines() if line.endswith("id:wuxi-towns-2021/duty/s2.p1"))
    assert duty.strip().startswith("全面贯彻落实党中央")  # a duty is known by the beginning of its text
    assert "https://" not in text
