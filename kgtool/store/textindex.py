"""Substring search over the graph's labels and texts through an SQLite FTS5 index.

Why: the web search (and anyone looking for a word) used to scan every literal with SPARQL
``CONTAINS(LCASE(STR(?text)), LCASE(?q))`` — about half a second at a million triples.
Chinese has no spaces, so a word index does not work; this one indexes every single
character and every pair of adjacent characters of the lower-cased text as FTS5 tokens
(``unicode61`` tokenizer, ``detail=none``: row ids only, no positions). A query of one
character looks up that character; a longer one ANDs the pairs it is made of. The index
only narrows: every candidate is checked with Python's ``in`` on the lower-cased text, so
the hits are exactly those of the case-insensitive substring scan, for any query length,
Chinese, Latin or mixed.

Nothing a user types reaches FTS5 syntax: each pair is passed as a quoted FTS5 string
(``"..."``, inner quotes doubled), so quotes, ``*``, ``AND``/``OR``/``NOT``/``NEAR``,
parentheses, ``^`` and ``:`` are plain characters. Pairs holding punctuation or spaces are
left out of the lookup (FTS5 drops those characters); a query made only of such characters
scans the table instead.

Indexed: string literals (``xsd:string`` or language-tagged) of `INDEXED_PREDICATES` whose
subject is an IRI, in every graph (the union the store's queries see). The index is a
snapshot: it does not follow later changes to the store.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from kgtool.vocab import WSA

#: Properties whose literals are searchable (the web search's labels and duty texts).
INDEXED_PREDICATES: tuple[str, ...] = (
    str(RDFS.label),
    str(SKOS.prefLabel),
    str(SKOS.altLabel),
    str(FOAF.name),
    str(DCTERMS.title),
    str(WSA.text),
)
_STRING_TYPES = frozenset({"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"})
#: Bumped when the file layout changes; `TextIndex.open` refuses other versions.
FORMAT_VERSION = "1"
#: At most this many character pairs of a query are looked up (more only narrows further,
#: and FTS5 expressions of thousands of terms are slow to parse).
MAX_LOOKUP_TERMS = 24


class Hit(NamedTuple):
    """One matching literal: who says it, with which property, the text, and in which graph.

    ``graph`` is None for the store's default graph.
    """

    subject: str
    predicate: str
    text: str
    graph: str | None


_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE lit(
  id INTEGER PRIMARY KEY,       -- the hit order (see _literals)
  subject TEXT NOT NULL,
  predicate TEXT NOT NULL,
  text TEXT NOT NULL,
  folded TEXT,                  -- text.lower() when it differs from text, else NULL
  graph TEXT                    -- NULL: the default graph
);
CREATE VIRTUAL TABLE grams USING fts5(
  g, content='', detail=none, tokenize="unicode61 remove_diacritics 0"
);
"""


def _is_token_char(ch: str) -> bool:
    """Characters FTS5's unicode61 tokenizer keeps (letters, numbers, private use)."""
    cat = unicodedata.category(ch)
    return cat[0] in "LN" or cat == "Co"


def _grams(folded: str) -> str:
    """The FTS5 document of a lower-cased text: its characters and adjacent pairs, space-separated."""
    out = set(folded)
    out.update(folded[i : i + 2] for i in range(len(folded) - 1))
    return " ".join(out)


def _lookup_terms(folded_q: str) -> list[str]:
    """The index tokens every text containing ``folded_q`` has (a subset, bounded in number).

    One character: itself. Longer: its adjacent pairs. Only pieces made wholly of token
    characters are used: FTS5 would drop the others' punctuation and spaces anyway.
    """
    pieces = [folded_q] if len(folded_q) == 1 else [folded_q[i : i + 2] for i in range(len(folded_q) - 1)]
    usable = sorted({p for p in pieces if all(_is_token_char(c) for c in p)})
    if len(usable) > MAX_LOOKUP_TERMS:  # spread the kept ones over the query
        step = len(usable) / MAX_LOOKUP_TERMS
        usable = [usable[int(i * step)] for i in range(MAX_LOOKUP_TERMS)]
    return usable


def _match_expression(terms: list[str]) -> str:
    """FTS5 query ANDing the terms, each a quoted string: no user text is ever syntax."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _literals(store: ox.Store) -> list[tuple[str, str, str, str | None]]:
    """The indexed literals as (subject, predicate, text, graph), in hit order.

    Hit order: subject, then property in `INDEXED_PREDICATES` order, then the store's own
    order of the literals (the order a SPARQL scan meets them), then graph. Deterministic
    for given data.
    """
    first_seen: dict[tuple[str, str, str, str | None], tuple[int, int]] = {}
    for rank, predicate in enumerate(INDEXED_PREDICATES):
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            obj, subject = quad.object, quad.subject
            if not isinstance(subject, ox.NamedNode) or not isinstance(obj, ox.Literal):
                continue
            if obj.datatype.value not in _STRING_TYPES:
                continue
            graph = quad.graph_name
            key = (subject.value, predicate, obj.value, graph.value if isinstance(graph, ox.NamedNode) else None)
            first_seen.setdefault(key, (rank, len(first_seen)))
    seen_text: dict[tuple[str, int, str], int] = {}  # one place per text, whatever its graph
    for (s, _, text, _), (rank, seq) in first_seen.items():
        seen_text.setdefault((s, rank, text), seq)
    return sorted(first_seen, key=lambda r: (r[0], first_seen[r][0], seen_text[(r[0], first_seen[r][0], r[2])], r[3] or ""))


def _fill(conn: sqlite3.Connection, store: ox.Store) -> int:
    rows = _literals(store)
    conn.executescript(_SCHEMA)

    def literal_rows():
        for i, (s, p, text, g) in enumerate(rows, start=1):
            folded = text.lower()
            yield i, s, p, text, folded if folded != text else None, g

    conn.executemany("INSERT INTO lit(id, subject, predicate, text, folded, graph) VALUES (?,?,?,?,?,?)", literal_rows())
    conn.executemany(
        "INSERT INTO grams(rowid, g) VALUES (?, ?)", ((i, _grams(text.lower())) for i, (_, _, text, _) in enumerate(rows, start=1))
    )
    conn.execute("INSERT INTO grams(grams) VALUES ('optimize')")
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [("format", FORMAT_VERSION), ("literals", str(len(rows)))])
    conn.commit()
    return len(rows)


@dataclass
class TextIndex:
    """An open index: search it from any thread.

    File-backed indexes give each thread its own read-only connection; an in-memory one
    has a single connection, used under a lock.
    """

    path: Path | None
    _memory: sqlite3.Connection | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)
    _connections: list[sqlite3.Connection] = field(default_factory=list)

    @classmethod
    def open(cls, path: Path | str) -> TextIndex:
        """Open an index file read-only (checks it is one, of this format)."""
        index = cls(path=Path(path))
        with index._cursor() as conn:
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            except sqlite3.DatabaseError as exc:
                index.close()
                raise ValueError(f"{path}: not a kgtool text index ({exc})") from exc
        if row is None or row[0] != FORMAT_VERSION:
            index.close()
            raise ValueError(f"{path}: text index format {row[0] if row else '?'}, expected {FORMAT_VERSION}")
        return index

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA mmap_size = 1073741824")  # read pages straight from the OS cache
        with self._lock:
            self._connections.append(conn)
        return conn

    def _cursor(self) -> _Using:
        if self._memory is not None:
            return _Using(self._memory, self._lock)
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return _Using(conn, None)

    def __len__(self) -> int:
        with self._cursor() as conn:
            return int(conn.execute("SELECT value FROM meta WHERE key = 'literals'").fetchone()[0])

    def search(self, q: str, *, predicates: Iterable[str] | None = None, limit: int | None = None) -> list[Hit]:
        """Literals containing ``q``, case-insensitively (exactly ``q.lower() in text.lower()``).

        In the index's order (subject, property, the store's order of texts, graph); ``predicates`` keeps only those
        properties; ``limit`` stops after that many hits. Blank ``q`` matches nothing.
        """
        if not q or not q.strip() or (limit is not None and limit <= 0):
            return []
        folded_q = q.lower()
        preds = sorted({str(p) for p in predicates}) if predicates is not None else None
        if preds is not None and not preds:
            return []
        terms = _lookup_terms(folded_q)
        where, params = [], []
        if terms:
            sql = (
                "SELECT l.subject, l.predicate, l.text, l.folded, l.graph FROM grams "
                "JOIN lit AS l ON l.id = grams.rowid WHERE grams MATCH ?"
            )
            params.append(_match_expression(terms))
        else:  # only punctuation or spaces: nothing to look up, read every row
            sql = "SELECT l.subject, l.predicate, l.text, l.folded, l.graph FROM lit AS l WHERE 1"
        if preds is not None:
            where.append(f" AND l.predicate IN ({','.join('?' * len(preds))})")
            params.extend(preds)
        sql += "".join(where) + (" ORDER BY grams.rowid" if terms else " ORDER BY l.id")
        hits: list[Hit] = []
        with self._cursor() as conn:
            for subject, predicate, text, folded, graph in conn.execute(sql, params):
                if folded_q in (folded if folded is not None else text):
                    hits.append(Hit(subject, predicate, text, graph))
                    if limit is not None and len(hits) >= limit:
                        break
        return hits

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
            if self._memory is not None:
                self._memory.close()
                self._memory = None
        self._local = threading.local()


class _Using:
    """A connection for one search, holding the lock when the connection is shared."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.Lock | None):
        self.conn, self.lock = conn, lock

    def __enter__(self) -> sqlite3.Connection:
        if self.lock is not None:
            self.lock.acquire()
        return self.conn

    def __exit__(self, *exc: object) -> None:
        if self.lock is not None:
            self.lock.release()


def build_index(store: ox.Store, path: Path | str | None = None) -> TextIndex:
    """Index the store's searchable literals; in memory when ``path`` is None.

    With a path, the index is written to a temporary file beside it and renamed over it
    when complete, so a reader never sees a half-written index (an old one is replaced).
    """
    if path is None:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(conn, store)
        return TextIndex(path=None, _memory=conn)
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # a fresh temporary file: nothing to roll back to
            conn.execute("PRAGMA synchronous = OFF")
            _fill(conn, store)
        finally:
            conn.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return TextIndex.open(path)


_BUILD_LOCK = threading.Lock()
_CACHE_ATTR = "_kgtool_text_index"


def index_for(store: Any, *, build: bool = True) -> TextIndex | None:
    """The text index of a store, or None when its engine must search by itself (remote).

    A store's own ``text_index`` (a `TextIndex`, or the path of an index file) wins;
    otherwise an embedded store gets an in-memory index built on first use and kept on
    the store object (built once even when several threads ask at the same time), unless
    ``build`` is false (one lookup is cheaper as a scan than building the index for it).
    """
    own = getattr(store, "text_index", None)
    if own is not None and not isinstance(own, TextIndex):
        own = _cached(store, lambda: TextIndex.open(own))
    if own is not None:
        return own
    from kgtool.store.embedded import EmbeddedStore  # here: the engine is heavy and this module is not

    if not isinstance(store, EmbeddedStore) or not (build or hasattr(store, _CACHE_ATTR)):
        return None
    oxstore = store.ox
    return _cached(store, lambda: build_index(oxstore, None))


def _cached(store: Any, make) -> TextIndex:
    index = getattr(store, _CACHE_ATTR, None)
    if index is None:
        with _BUILD_LOCK:
            index = getattr(store, _CACHE_ATTR, None)
            if index is None:
                index = make()
                setattr(store, _CACHE_ATTR, index)
    return index
