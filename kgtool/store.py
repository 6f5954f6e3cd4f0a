"""One query interface over two engines: embedded pyoxigraph, or any SPARQL 1.1 endpoint.

Everything above this module (saved queries, reports, the web app) calls `Store.query` and
gets a `Result` of rdflib terms; the same query over the same data gives an equal `Result`
from either engine. Embedded is the default (`open_store()` loads ontology/ and data/ into
memory); a remote endpoint is reached over the SPARQL 1.1 Protocol and filled with `push`
through the SPARQL 1.1 Graph Store HTTP Protocol.

Graph layout, the same in both engines:

- ``ontology/*.ttl`` -> named graph ``vocab.ONTOLOGY_GRAPH``
- ``data/<stem>.ttl`` -> named graph ``vocab.GRAPH[<stem>]``

Queries see the union of those graphs as their default graph, and only those as named graphs:
an engine's own system triples (Virtuoso keeps thousands in its default graph) never show.

Engine differences smoothed over here (see also shared/RECIPES.md):

- Literals are rdflib-normalised (``"12.0"^^xsd:decimal`` vs ``"12"``, ``1.0E0`` vs ``1``),
  ``xsd:string`` is a plain literal and language tags are lower-cased, as both engines do.
- Virtuoso 7.2 stores ``xsd:duration`` values as numbers and answers ``"1"^^xsd:duration``
  for ``P1M`` (months) and ``"86400.0"^^xsd:duration`` for ``P1D`` (seconds): read back as
  durations. Server-side ``STR(?duration)`` still gives the number there: compare durations
  by value (``?p = "P1M"^^xsd:duration``), never as strings.
- Virtuoso's DESCRIBE adds incoming triples; it is asked for the concise bounded description
  that Oxigraph gives.
- ``SELECT *`` lists variables in order of first appearance in the query text.
- Blank nodes in rows are relabelled ``b0``, ``b1`` … in order of appearance.

This module holds the remote engine and `open_store`, which chooses among the engines; the
embedded engine and what both engines share live below it in `kgtool.embedded` (the on-disk
store, `kgtool.persist`, builds on them) and are re-exported here.
"""
from __future__ import annotations

import contextlib
import functools
import http.client
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests
import urllib3
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kgtool import vocab
from kgtool.embedded import (  # the embedded engine and what both engines share: re-exported
    _OUR_GRAPHS,
    DEFAULT_TIMEOUT,
    PARSE_LOCK,
    EmbeddedStore,
    Result,
    Store,
    _BlankLabels,
    _check_bindings,
    _graph_result,
    _insert_values,
    _literal,
    _order_select,
    _prefix_block,
    _query_form,
    graph_files,
    load_files,
    parse_turtle,
    reading,
    with_prefixes,
)
from kgtool.errors import EngineError, KgtoolError, QueryError
from kgtool.persist import open_persistent
from kgtool.settings import project_root, setting

__all__ = [
    "DEFAULT_TIMEOUT",
    "EmbeddedStore",
    "RemoteStore",
    "Result",
    "Store",
    "graph_files",
    "graph_store_url",
    "load_files",
    "open_store",
    "parse_turtle",
    "project_root",
    "push",
    "reading",
    "with_prefixes",
]

#: Seconds to wait for a TCP connection to a remote endpoint (capped by the query timeout).
CONNECT_TIMEOUT = 10.0
#: Seconds a Graph Store Protocol upload of one graph may take, by default.
PUSH_TIMEOUT = 300.0

_JSON_RESULTS = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"

# --------------------------------------------------------------------------------------
# Remote engine


def _content_type(headers: Mapping[str, str]) -> str:
    return headers.get("Content-Type", "").split(";")[0].strip().lower()


_RDF_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/ntriples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}

_LINE_IN_MESSAGE = re.compile(r"\b(line\s+)(\d+)", re.IGNORECASE)


#: Virtuoso echoes one X-SPARQL-default-graph header per graph of the dataset, and Python's
#: http.client refuses a response with more than 100 headers ("got more than 100 headers"):
#: without this, every query fails once a corpus has about 95 documents.
http.client._MAXHEADERS = max(getattr(http.client, "_MAXHEADERS", 100), 100_000)  # type: ignore[attr-defined]


class RemoteStore:
    """Any SPARQL 1.1 endpoint, over the SPARQL 1.1 Protocol (HTTP POST, form encoded).

    ``graphs``: the named graphs that make up the data (sent as ``default-graph-uri`` and
    ``named-graph-uri`` with every query, unless the query names its own with FROM); by
    default those on the server whose IRI starts with ``graph_prefix``, found once and
    cached (`refresh` forgets them). ``auth``: a requests auth object or ``(user, password)``
    for endpoints that need one to read. ``timeout``: seconds per request, connect and read.
    """

    def __init__(self, endpoint: str, *, graphs: Iterable[URIRef | str] | None = None,
                 timeout: float | None = DEFAULT_TIMEOUT, auth: Any = None,
                 session: requests.Session | None = None, graph_prefix: str = _OUR_GRAPHS):
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EngineError(f"not an http(s) URL: {endpoint!r}", where="endpoint",
                              hint="e.g. http://127.0.0.1:8890/sparql")
        self.endpoint = endpoint
        self.timeout = timeout if timeout else DEFAULT_TIMEOUT
        self.auth = auth
        self.graph_prefix = graph_prefix
        self._fixed_graphs = [URIRef(str(g)) for g in graphs] if graphs is not None else None
        self._graphs: list[URIRef] | None = self._fixed_graphs
        self._session = session or requests.Session()
        self._own_session = session is None
        self._server: str | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    def refresh(self) -> None:
        """Forget the discovered graph list (after a push, say)."""
        with self._lock:
            self._graphs = self._fixed_graphs

    def graphs(self) -> list[URIRef]:
        with self._lock:
            if self._graphs is not None:
                return list(self._graphs)
            found = self._discover()
            if found:  # an empty server is asked again next time (a push may come)
                self._graphs = found
            return list(found)

    def _discover(self) -> list[URIRef]:
        prefix = Literal(self.graph_prefix).n3()
        sparql = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                  f"FILTER(STRSTARTS(STR(?g), {prefix})) }}")
        body, headers = self._post([("query", sparql)], _JSON_RESULTS, self.timeout)
        data = self._json(body, headers)
        try:
            found = {URIRef(b["g"]["value"]) for b in data["results"]["bindings"] if b.get("g", {}).get("type") == "uri"}
        except (KeyError, TypeError, AttributeError) as exc:
            raise self._garbage(headers, body) from exc
        return sorted(found)

    # -- HTTP --------------------------------------------------------------------------

    def _post(self, data: list[tuple[str, str]], accept: str, timeout: float,
              line_offset: int = 0) -> tuple[bytes, Mapping[str, str]]:
        connect = min(timeout, CONNECT_TIMEOUT)
        deadline = time.monotonic() + timeout
        url = self.endpoint
        try:
            response = self._session.post(url, data=data, headers={"Accept": accept}, auth=self.auth,
                                          timeout=(connect, timeout), stream=True)
            try:
                body = _read_before(response, deadline)
            finally:
                response.close()
        except requests.exceptions.ConnectTimeout as exc:
            raise EngineError(f"no connection within {connect:g} s", where=url,
                              hint="is the host reachable and the port right?") from exc
        except requests.exceptions.ReadTimeout as exc:
            raise EngineError(f"no complete answer within {timeout:g} s", where=url,
                              hint="the query may be too heavy: narrow it, add a LIMIT, or raise the timeout") from exc
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise EngineError(f"no complete answer within {timeout:g} s", where=url,
                                  hint="narrow the query or raise the timeout") from exc
            raise EngineError(f"cannot connect: {_short(exc)}", where=url,
                              hint="is the SPARQL endpoint running at this URL (see KGTOOL_ENDPOINT)?") from exc
        except requests.exceptions.RequestException as exc:
            raise EngineError(f"request failed: {_short(exc)}", where=url) from exc
        self._server = response.headers.get("Server", "") or self._server or ""
        if response.status_code >= 300:
            text = body.decode("utf-8", "replace").strip()
            if line_offset:
                text = _LINE_IN_MESSAGE.sub(
                    lambda m: m.group(1) + str(int(m.group(2)) - line_offset)
                    if int(m.group(2)) > line_offset else m.group(0), text)
            snippet = text[:600]
            status = response.status_code
            if status == 400 or (status == 500 and re.search(r"SPARQL compiler|Error S[PQ]\d", text)):
                raise QueryError(f"the engine rejected the query (HTTP {status}): {snippet}", where=url)
            hints = {401: "the endpoint wants credentials: pass auth", 403: "the endpoint refuses this user",
                     404: "no SPARQL endpoint at this URL: check the path (Virtuoso: /sparql)"}
            raise EngineError(f"HTTP {status} {response.reason}: {snippet}", where=url,
                              hint=hints.get(status, "see the engine's log"))
        return body, response.headers

    def _garbage(self, headers: Mapping[str, str], body: bytes) -> EngineError:
        kind = _content_type(headers) or "no content type"
        return EngineError(f"the answer is not a SPARQL result ({kind}): {body[:120]!r}", where=self.endpoint,
                           hint="is this URL a SPARQL 1.1 endpoint (not a web page or proxy)?")

    def _json(self, body: bytes, headers: Mapping[str, str]) -> dict:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise self._garbage(headers, body) from exc
        if not isinstance(data, dict):
            raise self._garbage(headers, body)
        return data

    def _is_virtuoso(self) -> bool:
        if self._server is None:
            self._post([("query", "ASK {}")], _JSON_RESULTS, self.timeout)
        return "virtuoso" in (self._server or "").lower()

    # -- queries -------------------------------------------------------------------------

    def query(self, sparql: str, *, bindings: Mapping[str, Identifier] | None = None,
              timeout: float | None = None, max_rows: int | None = None) -> Result:
        form, own_dataset = _analyse(sparql)
        binds = _check_bindings(bindings)
        limit = timeout if timeout else self.timeout
        text = _insert_values(sparql, binds) if binds else sparql
        head = _prefix_block(text)
        if form == "describe" and self._is_virtuoso():
            head = 'DEFINE sql:describe-mode "CBD"\n' + head  # Oxigraph's DESCRIBE, not Virtuoso's
        data = [("query", head + text)]
        if not own_dataset:
            graphs = self.graphs() or [URIRef(vocab.ONTOLOGY_GRAPH)]  # none yet: an empty dataset
            data += [("default-graph-uri", str(g)) for g in graphs]
            data += [("named-graph-uri", str(g)) for g in graphs]
        accept = _RDF_ACCEPT if form in ("construct", "describe") else _JSON_RESULTS
        body, headers = self._post(data, accept, limit, line_offset=head.count("\n"))
        server_cut = bool(headers.get("X-SPARQL-MaxRows")) or headers.get("X-SQL-State", "").upper() == "S1TAT"
        if form in ("construct", "describe"):
            return self._graph(body, headers, max_rows, server_cut)
        answer = self._json(body, headers)
        if form == "ask":
            if not isinstance(answer.get("boolean"), bool):
                raise self._garbage(headers, body)
            return Result(kind="ask", boolean=answer["boolean"])
        return self._select(sparql, answer, headers, body, max_rows, server_cut)

    def _select(self, sparql: str, answer: dict, headers: Mapping[str, str], body: bytes,
                max_rows: int | None, server_cut: bool) -> Result:
        try:
            variables = [str(v) for v in answer["head"].get("vars", [])]
            bindings = answer["results"]["bindings"]
            blanks = _BlankLabels()
            rows = []
            truncated = server_cut
            for binding in bindings:
                if max_rows is not None and len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(tuple(_from_json(binding.get(name), blanks) for name in variables))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise self._garbage(headers, body) from exc
        variables, rows = _order_select(sparql, variables, rows)
        return Result(kind="select", variables=tuple(variables), rows=tuple(rows), truncated=truncated)

    def _graph(self, body: bytes, headers: Mapping[str, str], max_rows: int | None, server_cut: bool) -> Result:
        fmt = _RDF_FORMATS.get(_content_type(headers), ox.RdfFormat.TURTLE)
        try:
            triples = list(ox.parse(input=body, format=fmt))
        except (SyntaxError, ValueError) as exc:
            raise self._garbage(headers, body) from exc

        result = _graph_result(triples, max_rows)
        if server_cut and not result.truncated:
            result = Result(kind="graph", graph=result.graph, truncated=True)
        return result


def _read_before(response: requests.Response, deadline: float) -> bytes:
    """The whole body, or ReadTimeout once ``deadline`` passes, however the server trickles."""
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise requests.exceptions.ReadTimeout("deadline passed while reading the answer")
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is not None:  # each wait for bytes ends at the deadline, not a full timeout later
            with contextlib.suppress(OSError):
                sock.settimeout(max(remaining, 0.01))
        try:
            chunk = read1(1 << 16, decode_content=True) if read1 else raw.read(1 << 16, decode_content=True)
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
            raise requests.exceptions.ReadTimeout(str(exc)) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise requests.exceptions.ConnectionError(str(exc)) from exc
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _short(exc: BaseException) -> str:
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\][^'\")]*|Connection refused|Name or service not known|timed out", text)
    return match.group(0).strip() if match else text[:200]


def _from_json(cell: Any, blanks: _BlankLabels) -> Identifier | None:
    if cell is None:
        return None
    kind, value = cell["type"], cell["value"]
    if not isinstance(value, str):
        raise ValueError("value is not a string")
    if kind == "uri":
        return URIRef(value)
    if kind in ("literal", "typed-literal"):
        return _literal(value, cell.get("xml:lang") or cell.get("lang"), cell.get("datatype"))
    if kind == "bnode":
        return blanks(value)
    raise ValueError(f"unsupported term type {kind!r}")


@functools.lru_cache(maxsize=512)
def _analyse(sparql: str) -> tuple[str, bool]:
    """Syntax-check a query with rdflib before it is sent: its form, and whether it names
    its own dataset (FROM / FROM NAMED)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with PARSE_LOCK:
            parsed = parseQuery(sparql)
    except ParseException as exc:
        raise QueryError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}",
                         where="query", hint=f"near: {exc.line.strip()[:80]}") from exc
    except Exception as exc:  # rdflib raises assorted errors for odd input
        raise QueryError(f"SPARQL syntax error: {exc}", where="query") from exc
    body = parsed[1]
    form = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
            "DescribeQuery": "describe"}.get(body.name) or _query_form(sparql)
    return form, "datasetClause" in body


# --------------------------------------------------------------------------------------
# Opening and pushing


def open_store(*, endpoint: str | None = None, root: Path | None = None, timeout: float | None = None,
               auth: Any = None, graphs: Iterable[URIRef | str] | None = None, warm: bool = False) -> Store:
    """The store kgtool works on.

    ``endpoint`` None: $KGTOOL_ENDPOINT if set, else the embedded store of ``root`` (default
    `project_root`): its on-disk store if ``kgtool build --store`` made one (rebuilt first
    if ontology/ or data/ changed since; with ``warm``, copied into memory in the
    background, for long-running servers), else an in-memory `EmbeddedStore` loaded from
    the files. ``endpoint=""`` forces the embedded store. With an endpoint, a `RemoteStore`
    (``auth`` and ``graphs`` passed on); nothing is contacted until the first query.
    ``timeout`` (seconds per query unless a query says otherwise) defaults to the settings
    ``remote_timeout_s`` / ``query_timeout_s``.
    """

    if endpoint is None:
        endpoint = os.environ.get("KGTOOL_ENDPOINT") or None
    if endpoint:
        limit = timeout if timeout is not None else float(setting("remote_timeout_s"))
        return RemoteStore(endpoint, graphs=graphs, timeout=limit, auth=auth)
    limit = timeout if timeout is not None else float(setting("query_timeout_s"))
    folder = Path(root) if root is not None else project_root()
    persistent = open_persistent(folder, timeout=limit, warm=warm)
    if persistent is not None:
        return persistent
    store = EmbeddedStore(timeout=limit)
    load_files(store, folder)
    return store


def graph_store_url(endpoint: str, *, authenticated: bool = True) -> str:
    """The Graph Store Protocol URL that goes with a query endpoint.

    >>> graph_store_url("http://127.0.0.1:8890/sparql")
    'http://127.0.0.1:8890/sparql-graph-crud-auth'
    >>> graph_store_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/store'
    >>> graph_store_url("http://localhost:3030/ds/sparql")
    'http://localhost:3030/ds/data'
    """
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    if path == "/sparql":  # Virtuoso
        new = "/sparql-graph-crud-auth" if authenticated else "/sparql-graph-crud"
    elif path == "/query":  # Oxigraph server
        new = "/store"
    elif path.endswith(("/sparql", "/query")) and path.count("/") >= 2:  # Fuseki: /dataset/sparql
        new = path.rsplit("/", 1)[0] + "/data"
    else:
        raise KgtoolError(f"cannot tell the Graph Store Protocol URL for {endpoint}",
                          hint="pass graph_store= (Virtuoso: …/sparql-graph-crud-auth, Fuseki: …/data)")
    return urlunsplit((parts.scheme, parts.netloc, new, "", ""))


def _push_auth(user: str | None, password: str | None, scheme: str) -> Any:
    if user is None:
        if password is not None:
            raise KgtoolError("a password was given without a user")
        return None
    scheme = scheme.lower()
    if scheme == "digest":
        return requests.auth.HTTPDigestAuth(user, password or "")
    if scheme == "basic":
        return requests.auth.HTTPBasicAuth(user, password or "")
    raise KgtoolError(f"unknown auth scheme {scheme!r}", hint="use 'digest' (Virtuoso) or 'basic'")


def push(root: Path, endpoint: str, *, graph_store: str | None = None, user: str | None = None,
         password: str | None = None, auth_scheme: str = "digest", graph: URIRef | None = None,
         progress: Callable[[URIRef, int, int, int], None] | None = None,
         timeout: float = PUSH_TIMEOUT) -> dict[URIRef, int]:
    """Replace our named graphs on a remote store with ontology/ + data/ under ``root``.

    One HTTP PUT of N-Triples per named graph (SPARQL 1.1 Graph Store HTTP Protocol), or one
    PUT of everything into ``graph`` when given. Files are parsed locally first, so a syntax
    error stops the push before anything is sent. ``graph_store`` defaults to
    `graph_store_url` of ``endpoint``. ``progress(graph, done, total, triples)`` is called
    after each graph. Returns the triples sent per graph.
    """
    scratch = ox.Store()
    counts = load_files(scratch, Path(root))
    url = graph_store or graph_store_url(endpoint, authenticated=user is not None)
    auth = _push_auth(user, password, auth_scheme)
    if graph is not None:
        parts = [scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(g))) for g in counts]
        lines = {line for part in parts for line in part.splitlines() if line.strip()}
        payload = b"\n".join(sorted(lines)) + b"\n" if lines else b""
        uploads = [(URIRef(str(graph)), payload, len(lines))]
    else:
        uploads = [(g, scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(g))), n)
                   for g, n in counts.items()]
    sent: dict[URIRef, int] = {}
    with requests.Session() as session:
        for done, (target, payload, n) in enumerate(uploads, start=1):
            _put_graph(session, url, target, payload, auth, timeout)
            sent[target] = n
            if progress is not None:
                progress(target, done, len(uploads), n)
    return sent


def _put_graph(session: requests.Session, url: str, graph: URIRef, payload: bytes, auth: Any,
               timeout: float) -> None:
    try:
        response = session.put(url, params={"graph": str(graph)}, data=payload, auth=auth,
                               headers={"Content-Type": "application/n-triples; charset=utf-8"},
                               timeout=(min(timeout, CONNECT_TIMEOUT), timeout))
    except requests.exceptions.Timeout as exc:
        raise EngineError(f"upload of {graph} took longer than {timeout:g} s", where=url) from exc
    except requests.exceptions.RequestException as exc:
        raise EngineError(f"cannot connect: {_short(exc)}", where=url,
                          hint="is the Graph Store endpoint running at this URL?") from exc
    if response.status_code in (401, 403):
        raise EngineError(f"HTTP {response.status_code}: the store refused the credentials", where=url,
                          hint="check user and password; Virtuoso's /sparql-graph-crud-auth needs Digest auth")
    if response.status_code >= 300:
        raise EngineError(f"HTTP {response.status_code} uploading {graph}: {response.text.strip()[:400]}",
                          where=url, hint="see the engine's log")
