"""Fixtures shared by every test: an isolated runtime home and a service on it."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

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


@pytest.fixture
def service(runtime_home: Path):  # type: ignore[no-untyped-def]
    """A service on the embedded runtime."""
    from qruntime import QiskitRuntimeService

    return QiskitRuntimeService(channel="local")


@pytest.fixture
def bell():  # type: ignore[no-untyped-def]
    """The seed's circuit: a Bell pair on 2 qubits, 2 clbits, then measure_all."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit
