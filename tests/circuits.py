"""Small circuits the tests share (importable as ``circuits``: tests/ is on the path)."""

from __future__ import annotations

from qiskit import QuantumCircuit


def bell(measure: bool = True) -> QuantumCircuit:
    """A Bell pair on 2 qubits, measured with ``measure_all`` unless told not to."""
    circuit = QuantumCircuit(2, name="bell")
    circuit.h(0)
    circuit.cx(0, 1)
    if measure:
        circuit.measure_all()
    return circuit


def ghz(n: int = 5) -> QuantumCircuit:
    """An ``n``-qubit GHZ state, measured."""
    circuit = QuantumCircuit(n, name=f"ghz{n}")
    circuit.h(0)
    for qubit in range(n - 1):
        circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    return circuit
