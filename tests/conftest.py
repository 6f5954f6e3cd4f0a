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
