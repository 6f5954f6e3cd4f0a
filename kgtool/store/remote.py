"""The remote engine: any SPARQL 1.1 endpoint over the SPARQL 1.1 Protocol."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
import urllib3
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kgtool import vocab
from kgtool.errors import EngineError, QueryError
from kgtool.store.results import DEFAULT_TIMEOUT, Result, window
from kgtool.store.sparqltext import analyse, check_bindings, insert_values, order_select
from kgtool.store.terms import BlankLabels, from_json, graph_result

#: Seconds to wait for a TCP connection to a remote endpoint (capped by the query timeout).
CONNECT_TIMEOUT = 10.0
#: The graphs of ours on a shared server: their IRIs start with this.
OUR_GRAPHS = str(vocab.GRAPH)

_JSON_RESULTS = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


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
#: How Virtuoso 7.2 ends an answer it cut at the client's ``timeout`` (HTTP 500 after partial rows).
_ANYTIME_STOP = "S1TAT Error"


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

    def __init__(
        self,
        endpoint: str,
        *,
        graphs: Iterable[URIRef | str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        auth: Any = None,
        session: requests.Session | None = None,
        graph_prefix: str = OUR_GRAPHS,
    ):
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EngineError(f"not an http(s) URL: {endpoint!r}", where="endpoint", hint="e.g. http://127.0.0.1:8890/sparql")
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
        sparql = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {prefix})) }}"
        reply = _Reply(*self._post([("query", sparql)], _JSON_RESULTS, self.timeout), self.endpoint)
        data = reply.json()
        try:
            found = {URIRef(b["g"]["value"]) for b in data["results"]["bindings"] if b.get("g", {}).get("type") == "uri"}
        except (KeyError, TypeError, AttributeError) as exc:
            raise reply.garbage() from exc
        return sorted(found)

    # -- HTTP --------------------------------------------------------------------------

    def _post(self, data: list[tuple[str, str]], accept: str, timeout: float, line_offset: int = 0) -> tuple[bytes, Mapping[str, str]]:
        connect = min(timeout, CONNECT_TIMEOUT)
        deadline = time.monotonic() + timeout
        url = self.endpoint
        try:
            response = self._session.post(
                url, data=data, headers={"Accept": accept}, auth=self.auth, timeout=(connect, timeout), stream=True
            )
            try:
                body = _read_before(response, deadline)
            finally:
                response.close()
        except requests.exceptions.ConnectTimeout as exc:
            raise EngineError(f"no connection within {connect:g} s", where=url, hint="is the host reachable and the port right?") from exc
        except requests.exceptions.ReadTimeout as exc:
            raise EngineError(
                f"no complete answer within {timeout:g} s",
                where=url,
                hint="the query may be too heavy: narrow it, add a LIMIT, or raise the timeout",
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise EngineError(
                    f"no complete answer within {timeout:g} s", where=url, hint="narrow the query or raise the timeout"
                ) from exc
            raise EngineError(
                f"cannot connect: {short_reason(exc)}", where=url, hint="is the SPARQL endpoint running at this URL (see KGTOOL_ENDPOINT)?"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise EngineError(f"request failed: {short_reason(exc)}", where=url) from exc
        self._server = response.headers.get("Server", "") or self._server or ""
        if response.status_code >= 300:
            text = body.decode("utf-8", "replace").strip()
            if line_offset:
                text = _LINE_IN_MESSAGE.sub(
                    lambda m: m.group(1) + str(int(m.group(2)) - line_offset) if int(m.group(2)) > line_offset else m.group(0), text
                )
            status = response.status_code
            if status == 500 and _ANYTIME_STOP in text:  # Virtuoso: partial rows, then this line
                raise EngineError(
                    f"no complete answer within {timeout:g} s: the engine stopped the query",
                    where=url,
                    hint="narrow the query or raise the timeout (Virtuoso also caps it at MaxQueryExecutionTime, see docs/scaling.md)",
                )
            snippet = text[:600]
            if status == 400 or (status == 500 and re.search(r"SPARQL compiler|Error S[PQ]\d", text)):
                raise QueryError(f"the engine rejected the query (HTTP {status}): {snippet}", where=url)
            hints = {
                401: "the endpoint wants credentials: pass auth",
                403: "the endpoint refuses this user",
                404: "no SPARQL endpoint at this URL: check the path (Virtuoso: /sparql)",
            }
            raise EngineError(f"HTTP {status} {response.reason}: {snippet}", where=url, hint=hints.get(status, "see the engine's log"))
        return body, response.headers

    def _is_virtuoso(self) -> bool:
        if self._server is None:
            self._post([("query", "ASK {}")], _JSON_RESULTS, self.timeout)
        return "virtuoso" in (self._server or "").lower()

    # -- queries -------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        offset: int = 0,
        count: bool = False,
    ) -> Result:
        analysis = analyse(sparql)
        form = analysis.form
        binds = check_bindings(bindings)
        limit = timeout if timeout else self.timeout
        text = insert_values(sparql, binds) if binds else sparql
        head = analysis.prefix_block()
        # no graph of ours yet: an empty dataset, not the engine's default graph
        graphs = [] if analysis.own_dataset else (self.graphs() or [URIRef(vocab.ONTOLOGY_GRAPH)])
        if form == "describe" and self._is_virtuoso():
            head = 'DEFINE sql:describe-mode "CBD"\n' + head  # Oxigraph's DESCRIBE, not Virtuoso's
        data = [("query", head + text)]
        if "virtuoso" in (self._server or "").lower():  # known from an earlier answer (discovery, say):
            # Virtuoso then stops the query when kgtool stops waiting, instead of running on
            data.append(("timeout", str(max(1000, int(limit * 1000)))))
        data += [("default-graph-uri", str(g)) for g in graphs]
        data += [("named-graph-uri", str(g)) for g in graphs]
        accept = _RDF_ACCEPT if form in ("construct", "describe") else _JSON_RESULTS
        body, headers = self._post(data, accept, limit, line_offset=head.count("\n"))
        if headers.get("X-SQL-State", "").upper() == "S1TAT":  # rows or counts so far: not an answer
            raise EngineError(
                f"no complete answer within {limit:g} s: the engine stopped the query",
                where=self.endpoint,
                hint="narrow the query or raise the timeout",
            )
        server_cut = bool(headers.get("X-SPARQL-MaxRows"))
        reply = _Reply(body, headers, self.endpoint)
        if form in ("construct", "describe"):
            return reply.graph(max_rows, server_cut)
        if form == "ask":
            return reply.boolean()
        return reply.select(sparql, max_rows, server_cut, offset=offset, count=count)


@dataclass(frozen=True)
class _Reply:
    """An endpoint's answer as it came over the wire, decoded into a `Result` or refused."""

    body: bytes
    headers: Mapping[str, str]
    endpoint: str

    def garbage(self) -> EngineError:
        kind = _content_type(self.headers) or "no content type"
        return EngineError(
            f"the answer is not a SPARQL result ({kind}): {self.body[:120]!r}",
            where=self.endpoint,
            hint="is this URL a SPARQL 1.1 endpoint (not a web page or proxy)?",
        )

    def json(self) -> dict:
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise self.garbage() from exc
        if not isinstance(data, dict):
            raise self.garbage()
        return data

    def boolean(self) -> Result:
        answer = self.json()
        if not isinstance(answer.get("boolean"), bool):
            raise self.garbage()
        return Result(kind="ask", boolean=answer["boolean"])

    def select(self, sparql: str, max_rows: int | None, server_cut: bool, *, offset: int = 0, count: bool = False) -> Result:
        """The rows of a SELECT answer, a window of them with ``offset``/``count`` (`window`); a
        total counted from an answer the server cut is no total, so it is left out."""
        answer = self.json()
        try:
            variables = [str(v) for v in answer["head"].get("vars", [])]
            bindings = answer["results"]["bindings"]
            blanks = BlankLabels()
            rows, truncated, total = window(
                bindings,
                lambda b: tuple(from_json(b.get(name), blanks) for name in variables),
                offset=offset,
                max_rows=max_rows,
                count=count,
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise self.garbage() from exc
        variables, rows = order_select(sparql, variables, rows)
        return Result(
            kind="select",
            variables=tuple(variables),
            rows=tuple(rows),
            truncated=truncated or server_cut,
            total=None if server_cut else total,
        )

    def graph(self, max_rows: int | None, server_cut: bool) -> Result:
        fmt = _RDF_FORMATS.get(_content_type(self.headers), ox.RdfFormat.TURTLE)
        try:
            triples = list(ox.parse(input=self.body, format=fmt))
        except (SyntaxError, ValueError) as exc:
            raise self.garbage() from exc
        result = graph_result(triples, max_rows)
        if server_cut and not result.truncated:
            result = Result(kind="graph", graph=result.graph, truncated=True)
        return result


def _read_before(response: requests.Response, deadline: float) -> bytes:
    """The whole body, or ReadTimeout once ``deadline`` passes, however the server trickles."""
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    chunks: list[bytes] = []
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


def short_reason(exc: BaseException) -> str:
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\][^'\")]*|Connection refused|Name or service not known|timed out", text)
    return match.group(0).strip() if match else text[:200]
