"""Shared pytest fixtures. Keep each group under its own heading."""

from __future__ import annotations

import pytest

try:
    from oxigraph_server import oxigraph_server
    from virtuoso_server import VirtuosoServer, virtuoso_server
except ImportError:  # tests/ imported as a package
    from tests.oxigraph_server import oxigraph_server
    from tests.virtuoso_server import VirtuosoServer, virtuoso_server


# --- Virtuoso (tests/virtuoso_server.py) ------------------------------------------------
@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):
    """A scratch Virtuoso Open Source server for the whole test session.

    Skipped when `virtuoso-t` is not installed, unless CI is set: then it fails.
    Yields a `VirtuosoServer` (.endpoint, .graph_store, .user, .password).
    """
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        server_: VirtuosoServer = server
        yield server_


# --- The project's own graph ----------------------------------------------------------------
@pytest.fixture(scope="session")
def project_root():
    from kgtool.settings import project_root as root

    return root()


@pytest.fixture(scope="session")
def store(project_root):
    """The five documents and the ontology in the embedded engine, loaded once."""
    from kgtool.store import open_store

    s = open_store(endpoint="", root=project_root)
    yield s
    s.close()


@pytest.fixture(scope="session")
def remote_store(tmp_path_factory, project_root):
    """The same graph pushed to a Virtuoso of its own (test_store's fixture data would mix
    into the union of our graphs on a shared server), queried through the SPARQL protocol."""
    from kgtool.store import RemoteStore, push

    with virtuoso_server(tmp_path_factory.mktemp("virtuoso-library")) as server:
        push(project_root, server.endpoint, user=server.user, password=server.password)
        s = RemoteStore(server.endpoint)
        yield s
        s.close()


# --- The reader alone, without the analysts' corrections (issue 14) -------------------------------
@pytest.fixture(scope="session")
def reader_root(tmp_path_factory, project_root):
    """A project-shaped folder with what the reader alone reads (`kgtool build --without-corrections
    --out`): the tests of the reader's known misreadings run on it, since corrections are for
    analysts and the reader is measured alone."""
    from kgtool.build import build, project_copy

    out = project_copy(project_root, tmp_path_factory.mktemp("reader-alone"))
    build(project_root, corrections=False, out=out)
    return out


@pytest.fixture(scope="session")
def reader_store(reader_root):
    """The reader-alone graph in the embedded engine."""
    from kgtool.store import open_store

    s = open_store(endpoint="", root=reader_root)
    yield s
    s.close()


@pytest.fixture(scope="session")
def oxigraph_store(tmp_path_factory, project_root):
    """The same graph pushed to a real Oxigraph server (`oxigraph serve`, tests/oxigraph_server.py),
    the second remote engine, queried through the SPARQL protocol at its /query."""
    from kgtool.store import RemoteStore, push

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-library")) as server:
        push(project_root, server.endpoint)
        s = RemoteStore(server.endpoint)
        yield s
        s.close()


# --- The web app on the project's own graph --------------------------------------------------
@pytest.fixture(scope="session")
def web_client(project_root):
    """Flask's test client of the web app over the five documents (embedded store, in-process queries)."""
    from kgtool.web import create_app

    app = create_app({"ROOT": project_root, "ENDPOINT": "", "SPARQL_WORKERS": 0})
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["kgtool"].close()


# --- Pins awaiting the new reading (issue 12) ------------------------------------------------
#: Tests that pin facts of the previous reader's graph (its post labels, its duty counts, its
#: role names) which the new reader reads differently, listed in tests/repin.txt. They run and
#: report as xfail until each is re-pinned to the new reading against the text; a listed test
#: that passes is reported as XPASS, so the list only shrinks.
def pytest_collection_modifyitems(config, items):
    from pathlib import Path

    listed = Path(__file__).with_name("repin.txt")
    if not listed.exists():
        return
    ids = {line.strip() for line in listed.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")}
    for item in items:
        if item.nodeid in ids:
            item.add_marker(
                pytest.mark.xfail(reason="pinned to the previous reader's graph; re-pin to the new reading (issue 12)", strict=False)
            )
