"""A long saved-query answer a page at a time: the same rows as the whole answer, cut where the
page says, with the number of rows of the whole answer, on every engine, in the CLI and the web.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgtool.cli import cli
from kgtool.errors import QueryError
from kgtool.query import run_page, run_query
from kgtool.query.paging import Page, saved_page
from kgtool.query.saved import bind, library
from kgtool.store import Result
from kgtool.store.results import window

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = library(ROOT / "queries")


@pytest.fixture()
def disk_store(tmp_path):
    """The five documents in an on-disk store of their own, which keeps saved-query answers."""
    from kgtool.store.persist import ensure_store

    for folder in ("ontology", "data"):
        (tmp_path / folder).mkdir()
        for path in (ROOT / folder).glob("*.ttl"):
            shutil.copy(path, tmp_path / folder / path.name)
    store = ensure_store(tmp_path)
    yield store
    store.close()


def whole(store, name: str, values: dict[str, str] | None = None) -> Result:
    saved = LIBRARY[name]
    return run_query(store, saved.sparql, bindings=bind(store, saved, values or {}), max_rows=10**6)


def test_window_converts_only_the_page_and_counts_the_rest():
    converted = []

    def convert(n):
        converted.append(n)
        return (n,)

    rows, truncated, total = window(range(10), convert, offset=3, max_rows=4, count=True)
    assert rows == [(3,), (4,), (5,), (6,)] and truncated and total == 10
    assert converted == [3, 4, 5, 6]
    assert window(range(10), convert, offset=8, max_rows=4, count=True) == ([(8,), (9,)], False, 10)
    assert window(range(10), convert, offset=20, max_rows=4, count=True) == ([], False, 10)
    # without count, iteration stops at the first row past the window
    rows, truncated, total = window(iter(range(10**9)), convert, max_rows=2)
    assert rows == [(0,), (1,)] and truncated and total is None


@pytest.mark.parametrize(
    "name,values", [("duties-of-bodies", {}), ("post-provenance", {}), ("duties-of-role", {"role": "role:safety_deputy"})]
)
def test_pages_put_together_are_the_whole_answer(store, name, values):
    full = whole(store, name, values)
    assert len(full.rows) > 7, "the answer must be long enough to need pages"
    saved = LIBRARY[name]
    bindings = bind(store, saved, values)
    pages = []
    number = 1
    while True:
        page = run_page(store, saved.sparql, number=number, size=7, bindings=bindings)
        assert page.total == len(full.rows) and page.result.variables == full.variables
        pages.append(page)
        if not page.has_next:
            break
        number += 1
    assert [row for p in pages for row in p.result.rows] == list(full.rows)
    assert len(pages) == pages[0].pages == -(-len(full.rows) // 7)
    assert pages[0].describe() == f"rows 1–7 of {len(full.rows)} (page 1 of {len(pages)})"
    assert not pages[-1].has_next and pages[-1].last == len(full.rows)


def test_a_page_past_the_end_is_empty_and_says_how_many_rows_there_are(store):
    saved = LIBRARY["duties-of-role"]
    page = run_page(store, saved.sparql, number=500, size=5, bindings=bind(store, saved, {"role": "role:safety_deputy"}))
    assert page.result.rows == () and page.total and not page.has_next
    assert page.describe() == f"no rows on page 500: the answer has {page.total}"


@pytest.mark.parametrize("number,size,where", [(0, 5, "--page"), (-1, 5, "--page"), (1, 0, "--page-size")])
def test_bad_page_numbers_and_sizes_are_refused(store, number, size, where):
    with pytest.raises(QueryError) as caught:
        run_page(store, LIBRARY["policy-documents"].sparql, number=number, size=size)
    assert caught.value.where == where


def test_an_ask_answer_is_one_whole_page(store):
    page = run_page(store, "ASK { ?s a wsa:Post }", size=3)
    assert page.result.boolean is True and page.whole


def test_the_disk_store_cuts_pages_from_the_answer_it_keeps(disk_store):
    saved = LIBRARY["duties-of-bodies"]
    first = saved_page(disk_store, saved.sparql, number=2, size=5)  # a page: not kept
    full = whole(disk_store, "duties-of-bodies")
    from kgtool.query.answers import answers_dir

    folder = answers_dir(disk_store)
    assert folder is not None and not list(folder.glob("*.json"))  # a page is not the answer
    kept = saved_page(disk_store, saved.sparql, number=1, size=10**4)  # the whole answer: kept
    assert kept.whole and kept.result.rows == full.rows
    assert len(list(folder.glob("*.json"))) == 1
    again = saved_page(disk_store, saved.sparql, number=2, size=5)
    assert again.result.rows == first.result.rows == full.rows[5:10]
    assert again.total == first.total == len(full.rows)


def test_cli_prints_a_page_and_says_how_to_get_the_next(store):
    full = whole(store, "duties-of-role", {"role": "role:safety_deputy"})
    runner = CliRunner()
    done = runner.invoke(
        cli, ["query", "duties-of-role", "-p", "role=role:safety_deputy", "--format", "csv", "--page-size", "4", "--page", "2"]
    )
    assert done.exit_code == 0, done.output
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 + 4  # header and the page's rows
    assert lines[1].startswith(str(full.rows[4][0]))
    total = len(full.rows)
    assert (
        f"rows 5–8 of {total} (page 2 of {-(-total // 4)}); next: kgtool query duties-of-role "
        "-p role=role:safety_deputy --format csv --page-size 4 --page 3"
    ) in done.stderr
    every = runner.invoke(cli, ["query", "duties-of-role", "-p", "role=role:safety_deputy", "--format", "csv", "--all"])
    assert len(every.stdout.strip().splitlines()) == 1 + total and "page" not in every.stderr


def test_cli_says_nothing_of_pages_when_the_answer_fits_one(store):
    done = CliRunner().invoke(cli, ["query", "policy-documents", "--format", "csv"])
    assert done.exit_code == 0 and "rows" not in done.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (["--page", "0"], "--page: pages are numbered from 1, not 0"),
        (["--page-size", "-3"], "--page-size: a page holds at least one row, not -3"),
        (["--page", "x"], "'x' is not a valid integer"),
    ],
)
def test_cli_bad_page_options_are_one_line_exit_2(args, message):
    done = CliRunner().invoke(cli, ["query", "policy-documents", *args])
    assert done.exit_code == 2 and message in done.output
    assert "Traceback" not in done.output


def test_web_page_counts_every_row_but_converts_one_page(store, monkeypatch):
    import kgtool.web.library
    from kgtool.web import create_app

    monkeypatch.setattr(kgtool.web.library, "PAGE_ROWS", 5)
    full = whole(store, "post-provenance")
    app = create_app({"ROOT": ROOT, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    try:
        page = app.test_client().get("/queries/post-provenance?page=2&lang=en").get_data(as_text=True)
    finally:
        app.extensions["kgtool"].close()
    assert re.search(rf'<span id="row-count">{len(full.rows)}</span>', page)
    assert "showing rows 6–10" in page and 'id="truncated"' not in page
    assert page.count("<tr>") == 1 + 5


def test_page_describes_an_uncounted_answer():
    page = Page(Result(kind="select", variables=("x",), rows=((None,),) * 3, truncated=True), 2, 3, None)
    assert page.has_next and page.pages is None and page.describe() == "rows 4–6 (page 2)"


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param("remote_store", id="virtuoso", marks=pytest.mark.virtuoso),
        pytest.param("oxigraph_store", id="oxigraph", marks=pytest.mark.oxigraph),
    ],
)
def test_a_remote_engine_gives_the_same_pages(request, store, engine):
    remote = request.getfixturevalue(engine)
    saved = LIBRARY["post-provenance"]
    here = run_page(store, saved.sparql, number=3, size=6)
    there = run_page(remote, saved.sparql, number=3, size=6)
    assert there.total == here.total and len(there.result.rows) == len(here.result.rows) == 6
    assert there.describe() == here.describe()
