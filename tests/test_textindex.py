"""The FTS5 text index (kgtool.store.textindex) against the brute-force substring scan, on the five documents.

The index only narrows; what it returns must be exactly the literals whose lower-cased text
contains the lower-cased query, for any query: one character or a phrase, Chinese, Latin,
digits, punctuation, FTS5 syntax. Also: atomic on-disk builds, thread safety, and the web
search giving the same page data through the index as through the SPARQL scan.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgtool.store import RemoteStore, textindex
from kgtool.store.textindex import INDEXED_PREDICATES, Hit, TextIndex, build_index, index_for

# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def literals(store) -> list[tuple[str, str, str, str | None]]:
    """Every indexed literal, read independently of the index: by SPARQL over the named graphs."""
    values = " ".join(f"<{p}>" for p in INDEXED_PREDICATES)
    result = store.query(
        f"""
        SELECT ?s ?p ?o ?g WHERE {{
          VALUES ?p {{ {values} }}
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER(isIRI(?s) && isLITERAL(?o) && (DATATYPE(?o) = xsd:string || LANG(?o) != ""))
        }}""",
        max_rows=None,
    )
    rows = [(str(s), str(p), str(o), str(g)) for s, p, o, g in result.rows]
    assert len(rows) > 1000
    return rows


@pytest.fixture(scope="module")
def index(store) -> TextIndex:
    idx = build_index(store.ox, None)
    yield idx
    idx.close()


def brute(literals, q: str) -> Counter:
    if not q.strip():
        return Counter()
    ql = q.lower()
    return Counter(r for r in literals if ql in r[2].lower())


def found(idx: TextIndex, q: str, **kw) -> Counter:
    return Counter(tuple(h) for h in idx.search(q, **kw))


QUERIES = [
    # single characters, frequent and rare
    "安",
    "全",
    "检",
    "的",
    "冬",
    "镇",
    "党",
    # two-character words
    "检查",
    "安全",
    "季度",
    "演练",
    "会议",
    "隐患",
    "考核",
    "书记",
    # longer phrases
    "安全生产",
    "第一责任人",
    "每季度至少",
    "党政同责",
    "党政同责、一岗双责",
    "管行业必须管安全",
    "安全生产工作",
    "研究解决安全生产",
    # Latin, mixed case, digits, punctuation
    "Safety",
    "SAFETY",
    "safety",
    "sAfEtY",
    "Post",
    "duty",
    "the",
    "a",
    "e",
    "1",
    "12",
    "2021",
    "1次",
    "至少1次",
    "，",
    "、",
    "。",
    "（一）",
    "（",
    "《",
    "“",
    "：",
    ".",
    ",",
    "-",
    "(",
    ")",
    # FTS5 syntax, to be taken literally
    '"',
    '""',
    '"安全"',
    "*",
    "安*",
    "AND",
    "and",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(安 全)",
    "安 AND 全",
    "安 OR 全",
    "NOT 安",
    "(安)",
    "^安",
    "安^",
    ":",
    "g:安",
    "{g}: 安",
    "+",
    "-安",
    "'",
    "\\",
    "%",
    "_",
    # absent, mixed, spaced
    "没有这样的词语xyz",
    "安全 生产",
    "x安",
    "安x",
]


# --- index search = brute-force scan --------------------------------------------------------


@pytest.mark.parametrize("q", QUERIES)
def test_index_equals_the_scan(index, literals, q):
    assert found(index, q) == brute(literals, q)


def test_the_sample_finds_something(index, literals):
    """The query list is not vacuous: most of it hits, both frequent and rare."""
    counts = {q: len(index.search(q)) for q in QUERIES}
    assert counts["安"] > 500 and 0 < counts["季度"] < 100 and counts["党政同责"] > 0
    assert counts["Safety"] > 0 and counts["2021"] >= 0 and counts["，"] > 100
    assert sum(1 for n in counts.values() if n) > len(QUERIES) // 2


def test_hits_are_ordered_and_limited(index, literals):
    hits = index.search("安全")
    assert [h.subject for h in hits] == sorted(h.subject for h in hits)
    assert hits == index.search("安全")  # deterministic
    assert index.search("安全", limit=7) == hits[:7]
    assert index.search("安全", limit=0) == []
    assert all(isinstance(h, Hit) for h in hits)


def test_predicates_narrow(index, literals):
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    hits = index.search("安全", predicates=[label])
    assert hits and all(h.predicate == label for h in hits)
    assert Counter(tuple(h) for h in hits) == Counter(r for r in brute(literals, "安全").elements() if r[1] == label)
    assert index.search("安全", predicates=[]) == []
    assert index.search("安全", predicates=["urn:not-a-predicate"]) == []


def test_index_covers_every_literal(index, literals):
    assert len(index) == len(set(literals))


_texts = None


def _real_texts(literals) -> list[str]:
    global _texts
    if _texts is None:
        _texts = sorted({r[2] for r in literals})
    return _texts


_ALPHABET = st.sampled_from(
    list("安全生产检查季度责任人党政同责一岗双责镇市书记，。、（）《》“”：；")
    + list("aAbBsSfFeEtTyY019 .,-_()\"'*^:+%\\")
    + ["\u3000", "\t", "ß", "İ", "Σ", "ς"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_substrings_and_strings(index, literals, data):
    texts = _real_texts(literals)
    if data.draw(st.booleans(), label="from a real text"):
        text = data.draw(st.sampled_from(texts), label="text")
        start = data.draw(st.integers(0, max(0, len(text) - 1)), label="start")
        length = data.draw(st.integers(1, 12), label="length")
        q = text[start : start + length]
        if data.draw(st.booleans(), label="change case"):
            q = q.upper() if data.draw(st.booleans()) else q.swapcase()
    else:
        q = data.draw(st.text(_ALPHABET, min_size=0, max_size=8), label="random")
    assert found(index, q) == brute(literals, q)


# --- hostile and odd input ----------------------------------------------------------------


@pytest.mark.parametrize("q", ["", " ", "  \t\n", "\u3000", "\u3000 \u3000"])
def test_blank_queries_match_nothing(index, q):
    assert index.search(q) == []


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"""',
        '" OR "',
        "* * *",
        "(((",
        ")))",
        "NEAR(",
        "NEAR(a b, 2)",
        "a:b",
        "^",
        "^^",
        "{a b}: c",
        "AND OR NOT",
        "-",
        "\x00",
        "安\x00全",
        "\ud800" if False else "\U0001f600",
        "安" * 5000,
        "x" * 100_000,
        "'; DROP TABLE lit; --",
        "grams MATCH '*'",
        '\\"',
    ],
)
def test_hostile_queries_never_raise(index, literals, q):
    assert found(index, q) == brute(literals, q)


def test_a_whole_long_text_is_found(index, literals):
    longest = max((r[2] for r in literals), key=len)
    assert len(longest) > 100
    assert any(h.text == longest for h in index.search(longest))
    assert index.search(longest + "没有") == [] or all(longest + "没有" in h.text for h in index.search(longest + "没有"))


# --- on disk --------------------------------------------------------------------------------


def test_on_disk_build_is_atomic_and_equal(store, index, tmp_path):
    path = tmp_path / "text.sqlite"
    path.write_bytes(b"an older file, not even an index")
    disk = build_index(store.ox, path)
    try:
        assert sorted(os.listdir(tmp_path)) == ["text.sqlite"]  # no temporary file left, old one replaced
        for q in ("安全", "季度", "Safety", "，", '"'):
            assert disk.search(q) == index.search(q)
        reopened = TextIndex.open(path)
        assert reopened.search("检查") == index.search("检查")
        reopened.close()
    finally:
        disk.close()


def test_a_failed_build_leaves_the_old_index(store, tmp_path, monkeypatch):
    path = tmp_path / "text.sqlite"
    build_index(store.ox, path).close()
    before = path.read_bytes()

    def broken(conn, oxstore):
        conn.execute("CREATE TABLE half(x)")
        raise RuntimeError("disk full")

    monkeypatch.setattr(textindex, "_fill", broken)
    with pytest.raises(RuntimeError):
        build_index(store.ox, path)
    assert sorted(os.listdir(tmp_path)) == ["text.sqlite"]
    assert path.read_bytes() == before


def test_open_is_read_only_and_checks_the_file(store, tmp_path):
    path = tmp_path / "text.sqlite"
    build_index(store.ox, path).close()
    idx = TextIndex.open(path)
    with pytest.raises(sqlite3.OperationalError), idx._cursor() as conn:
        conn.execute("DELETE FROM lit")
    idx.close()
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ValueError):
        TextIndex.open(bad)


@pytest.mark.parametrize("on_disk", [False, True])
def test_searches_from_many_threads(store, tmp_path, on_disk):
    idx = build_index(store.ox, tmp_path / "t.sqlite" if on_disk else None)
    queries = ["安全", "检查", "季度", "Safety", "，", "第一责任人", "党", "1"] * 8
    expected = {q: idx.search(q) for q in set(queries)}
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(idx.search, queries))
        assert all(r == expected[q] for q, r in zip(queries, results))
    finally:
        idx.close()


# --- index_for ------------------------------------------------------------------------------


def test_index_for_an_embedded_store_is_built_once(project_root):
    from kgtool.store import open_store

    s = open_store(endpoint="", root=project_root)
    try:
        barrier = threading.Barrier(4)

        def get():
            barrier.wait()
            return index_for(s)

        with ThreadPoolExecutor(max_workers=4) as pool:
            got = list(pool.map(lambda _: get(), range(4)))
        assert got[0] is not None and all(g is got[0] for g in got)
        assert index_for(s) is got[0]
        assert got[0].search("季度")
    finally:
        s.close()


def test_index_for_prefers_the_stores_own_index(store, tmp_path):
    class Holder:
        pass

    path = tmp_path / "own.sqlite"
    own = build_index(store.ox, path)
    holder = Holder()
    holder.text_index = own
    assert index_for(holder) is own
    by_path = Holder()
    by_path.text_index = path
    opened = index_for(by_path)
    assert isinstance(opened, TextIndex) and opened is index_for(by_path)
    assert opened.search("季度") == own.search("季度")
    own.close()
    opened.close()


def test_index_for_a_remote_store_is_none():
    remote = RemoteStore("http://127.0.0.1:9/sparql")  # nothing is contacted
    assert index_for(remote) is None
    assert index_for(object()) is None


# --- the web search -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(project_root):
    from kgtool.web import create_app

    app = create_app({"ROOT": project_root, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    app.config["TESTING"] = True
    yield app
    app.extensions["kgtool"].close()


def scan_search(monkeypatch, site, q, filters):
    """The web search through the SPARQL scan (the branch remote engines take)."""
    from kgtool.web import textsearch

    with monkeypatch.context() as m:
        m.setattr(textsearch.textindex, "index_for", lambda store: None)
        return textsearch.search(site, q, filters)


@pytest.mark.parametrize("q", ["季度", "安全", "检查", "安", "书记", "Safety", "a", "1", "，", "（一）", "AND", "没有这样的词语xyz"])
def test_web_search_same_as_the_scan(app, monkeypatch, q):
    from kgtool.web import textsearch

    site = app.extensions["kgtool"]
    assert index_for(site.store) is not None
    assert textsearch.search(site, q, {}) == scan_search(monkeypatch, site, q, {})


def test_web_search_same_with_filters(app, monkeypatch):
    from kgtool.web import textsearch

    site = app.extensions["kgtool"]
    everything = textsearch.search(site, "安全", {})
    for facet in textsearch.FACETS:
        for value, _ in everything["facets"][facet][:2]:
            filters = {facet: [str(value)]}
            assert textsearch.search(site, "安全", filters) == scan_search(monkeypatch, site, "安全", filters)


def test_web_search_page(app, monkeypatch):
    import re

    client = app.test_client()
    for q in ("季度", "安全", '"><b>'):
        page = client.get("/search", query_string={"q": q})
        assert page.status_code == 200
        with monkeypatch.context() as m:
            from kgtool.web import textsearch

            m.setattr(textsearch.textindex, "index_for", lambda store: None)
            old = client.get("/search", query_string={"q": q})
        hits = re.findall(r'class="hit".*?href="([^"]+)"', page.get_data(as_text=True), re.S)
        assert hits == re.findall(r'class="hit".*?href="([^"]+)"', old.get_data(as_text=True), re.S)
        if q != '"><b>':
            assert hits
