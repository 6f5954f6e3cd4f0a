"""Filling a remote store through the SPARQL 1.1 Graph Store HTTP Protocol."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests
from rdflib import URIRef

from kgtool.errors import EngineError, KgtoolError
from kgtool.store.loading import load_files
from kgtool.store.remote import CONNECT_TIMEOUT, short_reason

#: Seconds a Graph Store Protocol upload of one graph may take, by default.
PUSH_TIMEOUT = 300.0


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
        raise KgtoolError(
            f"cannot tell the Graph Store Protocol URL for {endpoint}",
            hint="pass graph_store= (Virtuoso: …/sparql-graph-crud-auth, Fuseki: …/data)",
        )
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


def _ntriples(store: ox.Store, graph: URIRef) -> bytes:
    """One named graph of the store as N-Triples."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(graph)))
    assert data is not None  # with no output, pyoxigraph returns the bytes
    return data


def push(
    root: Path,
    endpoint: str,
    *,
    graph_store: str | None = None,
    user: str | None = None,
    password: str | None = None,
    auth_scheme: str = "digest",
    graph: URIRef | None = None,
    progress: Callable[[URIRef, int, int, int], None] | None = None,
    timeout: float = PUSH_TIMEOUT,
) -> dict[URIRef, int]:
    """Replace our named graphs on a remote store with ontology/ + data/ under ``root``, each
    document's summary in its graph (as `load_files` loads them).

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
        parts = [_ntriples(scratch, g) for g in counts]
        lines = {line for part in parts for line in part.splitlines() if line.strip()}
        payload = b"\n".join(sorted(lines)) + b"\n" if lines else b""
        uploads = [(URIRef(str(graph)), payload, len(lines))]
    else:
        uploads = [(g, _ntriples(scratch, g), n) for g, n in counts.items()]
    sent: dict[URIRef, int] = {}
    with requests.Session() as session:
        if isinstance(auth, requests.auth.HTTPDigestAuth) and uploads:
            _exchange_credentials(session, url, uploads[0][0], auth, timeout)
        for done, (target, payload, n) in enumerate(uploads, start=1):
            _put_graph(session, url, target, payload, auth, timeout)
            sent[target] = n
            if progress is not None:
                progress(target, done, len(uploads), n)
    return sent


def _exchange_credentials(session: requests.Session, url: str, graph: URIRef, auth: requests.auth.HTTPDigestAuth, timeout: float) -> None:
    """Let Digest auth learn the server's nonce on an empty request, before any upload.

    Digest credentials are only sent after a 401, so without this the first PUT carries its
    whole body twice, once to be refused; with one graph of 1M triples on Virtuoso 7.2.5, 3 of
    12 such pushes then hung for good (all server threads waiting on locks), and none of 10
    after this exchange (docs/scaling.md). Whatever the status (Virtuoso answers HEAD with 501),
    only refused credentials stop the push here.
    """
    try:
        response = session.head(url, params={"graph": str(graph)}, auth=auth, timeout=(min(timeout, CONNECT_TIMEOUT), timeout))
    except requests.exceptions.RequestException as exc:
        raise EngineError(
            f"cannot connect: {short_reason(exc)}", where=url, hint="is the Graph Store endpoint running at this URL?"
        ) from exc
    if response.status_code in (401, 403):
        raise EngineError(
            f"HTTP {response.status_code}: the store refused the credentials",
            where=url,
            hint="check user and password; Virtuoso's /sparql-graph-crud-auth needs Digest auth",
        )


def _put_graph(session: requests.Session, url: str, graph: URIRef, payload: bytes, auth: Any, timeout: float) -> None:
    # Sent from a file object, so in blocks: a bytes body goes in one sendall(), which the connect
    # timeout bounds as a whole, and an engine that parses while it reads (Oxigraph: about 20 s
    # for 1M triples) then fails the upload after 10 s ("cannot connect: timed out").
    try:
        response = session.put(
            url,
            params={"graph": str(graph)},
            data=io.BytesIO(payload),
            auth=auth,
            headers={"Content-Type": "application/n-triples; charset=utf-8"},
            timeout=(min(timeout, CONNECT_TIMEOUT), timeout),
        )
    except requests.exceptions.Timeout as exc:
        raise EngineError(f"upload of {graph} took longer than {timeout:g} s", where=url) from exc
    except requests.exceptions.RequestException as exc:
        raise EngineError(
            f"cannot connect: {short_reason(exc)}", where=url, hint="is the Graph Store endpoint running at this URL?"
        ) from exc
    if response.status_code in (401, 403):
        raise EngineError(
            f"HTTP {response.status_code}: the store refused the credentials",
            where=url,
            hint="check user and password; Virtuoso's /sparql-graph-crud-auth needs Digest auth",
        )
    if response.status_code >= 300:
        raise EngineError(
            f"HTTP {response.status_code} uploading {graph}: {response.text.strip()[:400]}", where=url, hint="see the engine's log"
        )
