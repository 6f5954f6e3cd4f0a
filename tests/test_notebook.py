"""The notebook API (`kgtool.open`, issue 17 item 5) and the notebook under docs/ that shows it.

docs/notebook.ipynb is executed here with nbclient in a fresh python3 kernel, as CI does, and
its outputs must show the five documents' answers with no error; the committed copy must be the
one scripts/make-notebook.py makes, with its outputs. The API itself is checked on the five
documents: columns, label columns, typed parameters, and errors a person can act on.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from rdflib import URIRef

import kgtool
from kgtool.errors import QueryError, SourceError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"
#: The jurisdictions of the five documents, as their rdfs:label@zh in data/places.ttl and the documents.
FIVE = ("巴中市", "本溪高新区", "绵阳市", "无锡市", "铜川镇")
FIRST_RESPONSIBLE_COLUMNS = [
    "jurisdiction",
    "jurisdictionLabel",
    "document",
    "post",
    "postLabel",
    "bodyLabel",
    "roleLabel",
    "holderName",
    "levelWording",
    "provision",
    "provisionMarker",
]


def _script():
    spec = importlib.util.spec_from_file_location("make_notebook", ROOT / "scripts" / "make-notebook.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outputs(cell) -> str:
    """Everything a code cell shows: streams, and the text and HTML of its results."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            parts.extend(str(output["data"].get(kind, "")) for kind in ("text/plain", "text/html"))
    return "\n".join(parts)


def _check_outputs(nb) -> None:
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o["output_type"] == "error"]
    assert not errors, [f"{o['ename']}: {o['evalue']}" for o in errors]
    assert all(c.execution_count for c in code), "a code cell did not run"
    by_source = {c.source: _outputs(c) for c in code}
    shown = "\n".join(by_source.values())
    for name in FIVE:
        assert name in shown, name
    answers = {
        "kg.documents()": FIVE,  # the documents
        'kg.query("first-responsible-persons")': FIVE,  # one row at least per document
        'kg.query("duty-counts-per-role-per-jurisdiction")': FIVE,
        'compare_tables(by="frequency")': FIVE,  # a column per jurisdiction
        "SELECT ?jurisdiction (COUNT": FIVE,  # ad-hoc SPARQL, labels added
    }
    for marker, names in answers.items():
        (output,) = [text for source, text in by_source.items() if marker in source]
        missing = [n for n in names if n not in output]
        assert not missing, f"the cell with {marker} does not show {missing}"
    tongchuan = next(text for source, text in by_source.items() if 'jurisdiction="铜川镇"' in source)
    assert "闫旻" in tongchuan and "巴中市" not in tongchuan  # the typed parameter, given as a label
    meetings = next(text for source, text in by_source.items() if "dutytype:meeting" in source)
    assert "每季度" in meetings and "12.0" in meetings  # 每月 → 12 times a year


@pytest.mark.slow
def test_the_notebook_runs_and_shows_the_five_documents(tmp_path):
    script = _script()
    nb = script.execute(script.notebook())
    nbformat.validate(nb)
    _check_outputs(nb)


def test_the_committed_notebook_is_the_scripts_with_its_outputs():
    committed = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(committed)
    made = _script().notebook()
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in made.cells], (
        "docs/notebook.ipynb differs from what scripts/make-notebook.py makes: run it"
    )
    _check_outputs(committed)


# --- the API on the five documents -------------------------------------------------------------


@pytest.fixture(scope="module")
def kg(project_root):
    project = kgtool.open(project_root)
    yield project
    project.close()


def test_documents(kg, store):
    from kgtool.query.counts import KINDS, by_document, counts_query

    docs = kg.documents()
    assert sorted(docs["jurisdictionLabel"]) == sorted(FIVE)
    assert docs["document"].str.startswith("https://w3id.org/wsa/id/").all()
    counted = by_document(store.query(counts_query(ROOT).sparql))
    for row in docs.itertuples():
        assert {k: getattr(row, k) for k in KINDS} == counted[URIRef(row.document)]
    assert pd.api.types.is_integer_dtype(docs["duties"])


def test_saved_query_columns_and_values(kg):
    firsts = kg.query("first-responsible-persons")
    assert list(firsts.columns) == FIRST_RESPONSIBLE_COLUMNS  # every IRI column named by the query itself
    assert set(firsts["jurisdictionLabel"]) == set(FIVE)
    assert firsts["jurisdiction"].str.startswith("https://w3id.org/wsa/id/place/").all()
    assert firsts.attrs == {"query": "first-responsible-persons", "truncated": False}
    meetings = kg.query("frequency-requirements-per-year", action="dutytype:meeting")
    assert pd.api.types.is_float_dtype(meetings["timesPerYear"]) and pd.api.types.is_integer_dtype(meetings["minOccurrences"])
    assert {"P1M", "P3M"} <= set(meetings["period"])
    assert 12.0 in set(meetings["timesPerYear"])


def test_a_label_column_beside_each_unnamed_iri_column(kg):
    from kgtool import labels

    frame = kg.query("SELECT ?post ?role WHERE { ?post a wsa:Post ; org:role ?role } ORDER BY ?post")
    assert list(frame.columns) == ["post", "postLabel", "role", "roleLabel"]
    names = labels.in_store(kg.store, map(URIRef, set(frame["post"]) | set(frame["role"])))
    assert list(frame["postLabel"]) == [names.get(URIRef(p)) for p in frame["post"]]
    roles = dict(zip(frame["role"], frame["roleLabel"]))
    assert roles["https://w3id.org/wsa/concept/role/party_secretary"] == "党委书记"
    triples = kg.query("CONSTRUCT { ?d a wsa:PolicyDocument } WHERE { ?d a wsa:PolicyDocument }")
    assert list(triples.columns) == ["subject", "predicate", "object", "objectLabel"] and len(triples) == 5
    assert set(triples["objectLabel"]) == {"政策文件"}
    assert kg.query("ASK { ?p org:role role:safety_deputy }") is True


def test_typed_parameters(kg):
    by_label = kg.query("first-responsible-persons", jurisdiction="铜川镇")
    by_iri = kg.query("first-responsible-persons", jurisdiction="https://w3id.org/wsa/id/place/tongchuan")
    assert set(by_label["jurisdictionLabel"]) == {"铜川镇"} and "闫旻" in set(by_label["holderName"])
    assert by_label.to_dict("records") == by_iri.to_dict("records")
    bound = kg.query("SELECT ?post WHERE { ?post org:role ?role }", role=URIRef("https://w3id.org/wsa/concept/role/safety_deputy"))
    assert 0 < len(bound) < len(kg.query("SELECT ?post WHERE { ?post org:role ?role }"))


def test_errors_name_what_is_wrong(kg):
    with pytest.raises(QueryError, match="no saved query 'first-responsible-person'") as exc:
        kg.query("first-responsible-person")
    assert "first-responsible-persons" in exc.value.hint
    with pytest.raises(QueryError, match="has no parameter 'place'") as exc:
        kg.query("first-responsible-persons", place="无锡市")
    assert exc.value.where == "first-responsible-persons: parameter place" and "jurisdiction" in exc.value.hint
    with pytest.raises(QueryError, match="nothing in the graph is called '火星'") as exc:
        kg.query("first-responsible-persons", jurisdiction="火星")
    assert exc.value.where == "first-responsible-persons: parameter jurisdiction"
    with pytest.raises(QueryError, match="one value per parameter"):
        kg.query("first-responsible-persons", jurisdiction=["无锡市", "铜川镇"])
    with pytest.raises(QueryError, match="no variable"):
        kg.query("SELECT ?s WHERE { ?s a wsa:Post }", post="x")
    with pytest.raises(QueryError, match="not allowed"):
        kg.query("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="SERVICE is not allowed"):
        kg.query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    with pytest.raises(QueryError, match="unknown comparison"):
        kg.compare(by="colour")
    with pytest.raises(SourceError, match="is not a folder"):
        kgtool.open(ROOT / "no-such-project")


def test_a_project_folder_with_its_own_typed_query(tmp_path):
    """kgtool.open(folder): its own data and queries; an integer parameter checked as one."""
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    (tmp_path / "data").mkdir()
    for name in ("wuxi-towns-2021.ttl", "places.ttl"):  # a document, and the places' names
        shutil.copy(ROOT / "data" / name, tmp_path / "data")
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "posts-with-duties.rq").write_text(
        textwrap.dedent("""\
        #+ title:
        #+   zh: 职责不少于若干条的岗位
        #+   en: Posts with at least some duties
        #+ params:
        #+   - name: least
        #+     type: integer
        #+     default: 1
        SELECT ?post ?duties WHERE {
          { SELECT ?post (COUNT(?duty) AS ?duties) WHERE { ?post a wsa:Post ; wsa:hasDuty ?duty } GROUP BY ?post }
          FILTER(?duties >= ?least)
        }
        """),
        encoding="utf-8",
    )
    with kgtool.open(tmp_path) as project:
        assert list(project.queries()["name"]) == ["posts-with-duties"]
        assert list(project.documents()["jurisdictionLabel"]) == ["无锡市"]
        frame = project.query("posts-with-duties", least=1)
        assert list(frame.columns) == ["post", "postLabel", "duties"] and len(frame) >= 1
        assert project.query("posts-with-duties", least=10_000).empty
        with pytest.raises(QueryError, match="'many' is not an integer") as exc:
            project.query("posts-with-duties", least="many")
        assert exc.value.where == "posts-with-duties: parameter least"


def test_comparisons_as_dataframes(kg):
    from kgtool.compare.output import comparison_tables

    long = kg.compare(by="frequency")
    assert list(long.columns)[:3] == ["holder", "holder_zh", "holder_en"] and "times_per_year" in long.columns
    assert tuple(long.columns) == comparison_tables(kg.store, None, "frequency").long.headers  # the CSV's columns
    assert set(long["jurisdiction"]) == {
        "bazhong-econ-2018",
        "benxi-hitech-2019",
        "mianyang-union-2020",
        "tongchuan-town-2022",
        "wuxi-towns-2021",
    }
    ((title, wide),) = kg.compare_tables(by="frequency").items()
    assert "每年最少次数" in title and set(FIVE) <= set(wide.columns) and wide.attrs["note"]
    structure = kg.compare(by="structure")
    assert len(structure) == 5 and pd.api.types.is_integer_dtype(structure["posts"])
    pair = kg.compare(diff=True, jurisdictions=["wuxi", "tongchuan"])
    assert set(pair["jurisdiction"]) <= {"wuxi-towns-2021", "tongchuan-town-2022"} and len(pair) > 0


def test_importing_kgtool_needs_no_pandas():
    code = textwrap.dedent("""\
        import builtins, json, sys
        sys.modules["pandas"] = None  # as if pandas were not installed
        import kgtool
        from kgtool import *
        assert open is builtins.open, "from kgtool import * hid the builtin open"
        import kgtool.notebook
        try:
            kgtool.open()
        except kgtool.errors.KgtoolError as exc:
            print(json.dumps({"message": str(exc)}))
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    message = json.loads(done.stdout)["message"]
    assert "pandas" in message and "pip install kgtool[notebook]" in message


def test_the_extras_name_what_the_notebook_needs():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert any(d.startswith("pandas~=") for d in extras["notebook"])
    for needed in ("pandas", "nbclient", "nbformat", "ipykernel"):
        assert any(d.startswith(f"{needed}~=") for d in extras["test"]), needed
    assert not any(d.startswith("pandas") for d in project["dependencies"])  # optional, not required
