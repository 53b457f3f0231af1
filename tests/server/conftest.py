"""Server fixtures: the live servers themselves are started by the root conftest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from live import MAX_BODY, Server  # noqa: F401  (re-exported for the server tests)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, _servers: dict[str, Any]) -> Server:
    """The running server, on each kind of store."""
    started: Server = _servers["start"](request.param)
    return started


@pytest.fixture
def sqlite_server(_servers: dict[str, Any]) -> Server:
    """The running server on SQLite, for tests where the store makes no difference."""
    started: Server = _servers["start"]("sqlite")
    return started


@pytest.fixture
def api(sqlite_server: Server) -> Iterator[httpx.Client]:
    """A client of the SQLite server, logged in to an instance of its own."""
    with sqlite_server.client(sqlite_server.new_token()) as client:
        yield client
