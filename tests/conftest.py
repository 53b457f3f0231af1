"""Fixtures shared by every test: an isolated runtime home and a service on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from live import DOORS, Server, _database, _Running, connect

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


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
