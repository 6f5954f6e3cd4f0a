"""Shared pytest fixtures. Keep each group under its own heading."""
from __future__ import annotations

import pytest

try:
    from virtuoso_server import VirtuosoServer, virtuoso_server
except ImportError:  # tests/ imported as a package
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
