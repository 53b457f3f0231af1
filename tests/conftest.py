"""Fixtures shared by every test: an isolated runtime home and a service on it."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from live import DOORS, Server, _database, _Running, connect

#: Where the ``postgres`` tests create their databases unless QRUNTIME_TEST_PG_URL says otherwise.
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
os.environ.setdefault("QRUNTIME_TEST_PG_URL", DEFAULT_PG_URL)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A ``postgres`` test fails, before its fixtures, where PostgreSQL cannot be reached."""
    if item.get_closest_marker("postgres") is not None:
        problem = _postgres_problem(os.environ["QRUNTIME_TEST_PG_URL"])
        if problem:
            pytest.fail(problem, pytrace=False)


@functools.cache
def _postgres_problem(url: str) -> str | None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: say so, as written
        shown = url
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5})
        try:
            engine.connect().close()
        finally:
            engine.dispose()
    except Exception as exc:  # refused, unknown host, bad credentials, no driver, bad URL
        cause = str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__
        reason = cause.splitlines()[0]
        return (f"PostgreSQL is not reachable at QRUNTIME_TEST_PG_URL={shown} ({reason}). "
                "The postgres tests need a server there on which this user may create "
                "databases: start one, or set QRUNTIME_TEST_PG_URL to such a server's "
                "SQLAlchemy URL (e.g. postgresql+psycopg://user@host:5432/postgres).")
    return None


@pytest.fixture
def runtime_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh QRUNTIME_HOME (and an empty accounts file) for one test."""
    from qruntime.client.embedded import close_embedded

    home = tmp_path / "qruntime-home"
    monkeypatch.setenv("QRUNTIME_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_URL", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_INSTANCE"):
        monkeypatch.delenv(name, raising=False)
    yield home
    close_embedded()


@pytest.fixture(params=DOORS)
def door(request: pytest.FixtureRequest) -> str:
    """Which door a test goes through."""
    return str(request.param)


@pytest.fixture
def service(runtime_home: Path, door: str, _servers: dict[str, Any]):  # type: ignore[no-untyped-def]
    """A service through each door: the embedded runtime and a live server."""
    return connect(door, _servers)


@pytest.fixture
def seed_account(runtime_home: Path, door: str, _servers: dict[str, Any],
                 monkeypatch: pytest.MonkeyPatch) -> str:
    """Make a bare ``QiskitRuntimeService(channel=...)``/``IBMProvider()`` use ``door``.

    Over HTTP the account comes from the ``QISKIT_IBM_*`` variables, as a user
    of the stock client would set them.
    """
    if door == "http":
        server: Server = _servers["start"]("sqlite")
        monkeypatch.setenv("QISKIT_IBM_URL", server.url)
        monkeypatch.setenv("QISKIT_IBM_TOKEN", server.new_token())
    return door


@pytest.fixture
def bell():  # type: ignore[no-untyped-def]
    """The seed's circuit: a Bell pair on 2 qubits, 2 clbits, then measure_all."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


@pytest.fixture(scope="session")
def _servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    started: dict[str, Any] = {}
    cleanups: list[Any] = []

    def start(kind: str) -> Server:
        if kind not in started:
            database, drop = _database(kind, tmp_path_factory.mktemp(f"server-{kind}"))
            running = _Running(database, kind)
            cleanups.append((running, drop))
            started[kind] = running.server
        server: Server = started[kind]
        return server

    yield {"start": start}
    for running, drop in reversed(cleanups):
        running.stop()
        drop()
