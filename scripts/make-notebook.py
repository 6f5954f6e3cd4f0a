"""Make docs/notebook.ipynb, the tour of the notebook API (kgtool.open), and run it so that it is
committed with its outputs: the five documents' answers, as an analyst sees them.

    python scripts/make-notebook.py            # write and execute (nbclient, kernel python3)
    python scripts/make-notebook.py --no-run   # write the cells only

Needs the test extra (pandas, nbformat, nbclient, ipykernel). tests/test_notebook.py runs the
same notebook and checks that the committed one has these cells.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"
#: Seconds one cell may take: the first opens the store (a few seconds for five documents).
CELL_TIMEOUT = 600

#: (kind, source) of each cell, in order.
CELLS: tuple[tuple[str, str], ...] = (
    (
        "markdown",
        """\
# kgtool in a notebook

The knowledge graph of work-safety accountability (安全生产 党政同责、一岗双责) as pandas DataFrames:
`kgtool.open()` gives a project whose saved queries, ad-hoc SPARQL and comparisons answer in DataFrames,
with a name column beside each IRI column the query does not name itself.

Install with `pip install kgtool[notebook]` (pandas). This notebook is made and run by
`python scripts/make-notebook.py`; CI runs it again (`tests/test_notebook.py`).""",
    ),
    (
        "code",
        """\
import kgtool

kg = kgtool.open()  # this project; kgtool.open("path/to/project") or kgtool.open("http://host/sparql")
kg""",
    ),
    (
        "markdown",
        """\
## The documents

One row per policy document, with the counts that `kgtool stats` shows (each defined once, in
`queries/document-statistics.rq`).""",
    ),
    (
        "code",
        """\
docs = kg.documents()
docs[["jurisdictionLabel", "provinceLabel", "documentNumber", "issued", "posts", "duties", "frequencies", "principles"]]""",
    ),
    (
        "markdown",
        """\
## The saved queries

`kg.queries()` lists the library (`queries/*.rq`); `params` shows each parameter, `name=default` or `[optional]`.""",
    ),
    (
        "code",
        """\
library = kg.queries()
print(len(library), "saved queries")
library[["name", "title_en", "params"]].head(8)""",
    ),
    (
        "markdown",
        """\
## Who is the first responsible person (第一责任人)?

A document that names none still has one row, with the post columns empty.""",
    ),
    (
        "code",
        """\
firsts = kg.query("first-responsible-persons")
firsts[["jurisdictionLabel", "postLabel", "bodyLabel", "roleLabel", "holderName", "levelWording", "provisionMarker"]]""",
    ),
    (
        "markdown",
        """\
Parameters are typed: a jurisdiction may be given by its label.""",
    ),
    (
        "code",
        """\
kg.query("first-responsible-persons", jurisdiction="铜川镇")[["jurisdictionLabel", "postLabel", "holderName"]]""",
    ),
    (
        "markdown",
        """\
## Duties per role, per jurisdiction

The saved query gives one row per (jurisdiction, role); pandas turns it into a role × jurisdiction table.""",
    ),
    (
        "code",
        """\
counts = kg.query("duty-counts-per-role-per-jurisdiction")
counts.pivot_table(index="roleLabel", columns="jurisdictionLabel", values="duties", aggfunc="sum", fill_value=0)""",
    ),
    (
        "markdown",
        """\
## How often must meetings be held?

Every frequency requirement whose action is a meeting, normalised to times per year.""",
    ),
    (
        "code",
        """\
meetings = kg.query("frequency-requirements-per-year", action="dutytype:meeting")
meetings[["jurisdictionLabel", "holderLabel", "period", "minOccurrences", "timesPerYear", "requirementText"]]""",
    ),
    (
        "markdown",
        """\
## Comparison tables

`kg.compare_tables(by=...)` gives the tables `kgtool compare` prints (a column per jurisdiction);
`kg.compare(by=...)` the same comparison as one long table with ids and zh/en labels (its CSV).""",
    ),
    (
        "code",
        """\
((title, minimum_per_year),) = kg.compare_tables(by="frequency").items()
print(title)
minimum_per_year""",
    ),
    (
        "code",
        """\
kg.compare(by="structure")""",
    ),
    (
        "markdown",
        """\
## Ad-hoc SPARQL

Read-only (updates, `SERVICE` and local files are refused); the usual prefixes are declared.
`jurisdictionLabel` is added beside the IRI column.""",
    ),
    (
        "code",
        """\
kg.query(\"\"\"
SELECT ?jurisdiction (COUNT(DISTINCT ?post) AS ?postsWithPeriodicDuty) WHERE {
  ?post a wsa:Post ; wsa:definedIn ?document ; wsa:hasDuty/wsa:frequency ?requirement .
  ?document wsa:jurisdiction ?jurisdiction .
}
GROUP BY ?jurisdiction
ORDER BY DESC(?postsWithPeriodicDuty)
\"\"\")""",
    ),
    (
        "code",
        """\
kg.close()""",
    ),
)


def notebook():
    """The notebook's cells, without outputs."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, source) in enumerate(CELLS):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source, id=f"cell-{i:02d}"))
    return nb


def execute(nb, cwd: Path = ROOT):
    """Run every cell in a fresh python3 kernel (nbclient); a cell that raises fails the run."""
    from nbclient import NotebookClient

    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true", help="write the cells without executing them")
    parser.add_argument("--out", type=Path, default=NOTEBOOK, help=f"where to write (default {NOTEBOOK.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    import nbformat

    sys.path.insert(0, str(ROOT))
    from kgtool.build import write_atomic

    nb = notebook()
    if not args.no_run:
        execute(nb)
    nb.metadata.pop("widgets", None)
    write_atomic(args.out, (nbformat.writes(nb) + "\n").encode("utf-8"))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
