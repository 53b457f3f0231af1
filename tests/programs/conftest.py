"""Backends and circuits for the program tests: the catalog's ideal and noisy backends."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import real_amplitudes

from qruntime.backends.catalog import default_catalog
from qruntime.backends.spec import BackendSpec


@pytest.fixture(scope="session")
def ideal() -> BackendSpec:
    """``ibmq_qasm_simulator``: 32 qubits, all-to-all, no noise."""
    return default_catalog().get("ibmq_qasm_simulator")


@pytest.fixture(scope="session")
def falcon() -> BackendSpec:
    """``ibm_qrt_falcon``: 27 qubits, heavy-hex, basis ecr/id/rz/sx/x, noisy."""
    return default_catalog().get("ibm_qrt_falcon")


@pytest.fixture
def ghz5() -> QuantumCircuit:
    """A 5-qubit GHZ state, unmeasured."""
    circuit = QuantumCircuit(5, name="ghz5")
    circuit.h(0)
    for qubit in range(4):
        circuit.cx(qubit, qubit + 1)
    return circuit


@pytest.fixture
def ansatz() -> QuantumCircuit:
    """A parametrised 4-qubit ansatz (8 parameters), unmeasured."""
    return real_amplitudes(4, reps=1)


@pytest.fixture
def sweep(ansatz: QuantumCircuit) -> np.ndarray:
    """Ten parameter sets for :func:`ansatz`, shape ``(10, 8)``."""
    return np.random.default_rng(1234).uniform(-np.pi, np.pi, (10, ansatz.num_parameters))

