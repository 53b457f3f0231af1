"""The simulation method rule: the cheapest method that gives the right answer, or a refusal."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

from circuits import ghz
from qruntime.errors import InvalidInputError
from qruntime.programs.method import Shape, choose


def spread_bell(width: int = 27) -> QuantumCircuit:
    """A Bell pair on two distant qubits of a wide circuit, every qubit measured."""
    circuit = QuantumCircuit(width)
    circuit.h(3)
    circuit.cx(3, 17)
    circuit.measure_all()
    return circuit


def opposites(width: int) -> QuantumCircuit:
    """Non-Clifford, each qubit entangled with its opposite: hard for every method."""
    circuit = QuantumCircuit(width)
    half = width // 2
    for _ in range(2):
        circuit.ry(0.3, range(width))
        circuit.cx(range(half), range(half, width))
    circuit.measure_all()
    return circuit


def test_small_jobs_keep_aers_own_choice() -> None:
    assert choose([ghz(5)], noisy=True, shots=1000).name == "automatic"


def test_a_measured_but_idle_register_is_simulated_as_a_small_matrix_product_state() -> None:
    method = choose([spread_bell()], noisy=True, shots=1000)
    assert method.name == "matrix_product_state" and not method.approximate
    assert method.shape.qubits == 27 and method.shape.width == 2
    assert method.memory_bytes < 2**20  # a statevector would be 2 GiB


def test_a_ghz_chain_needs_bond_2_however_wide() -> None:
    shape = Shape.of([ghz(100)])
    assert shape.width == 100 and shape.bond_exponent == 1
    method = choose([ghz(100)], noisy=True, shots=1000)
    assert method.name == "matrix_product_state" and not method.approximate


def test_ideal_clifford_circuits_too_entangled_for_a_small_bond_use_the_stabilizer() -> None:
    circuit = QuantumCircuit(200)
    for _ in range(2):
        circuit.h(range(200))
        circuit.s(range(200))
        circuit.cx(range(100), range(100, 200))
    circuit.measure_all()
    method = choose([circuit], noisy=False, shots=100, exact_only=True)
    assert method.name == "stabilizer"


def test_interleaved_pairs_need_a_wide_bond_though_each_group_is_two_qubits() -> None:
    shape = Shape.of([opposites(20)])
    assert shape.width == 2 and shape.bond_exponent == 10
    assert choose([opposites(20)], noisy=False, shots=100, exact_only=True).name == "statevector"


def test_what_no_method_fits_is_refused_naming_the_need_and_what_would_run() -> None:
    with pytest.raises(InvalidInputError) as info:
        choose([opposites(40)], noisy=False, shots=100, exact_only=True, backend_name="sim")
    message = str(info.value)
    assert "cannot run on 'sim'" in message and "act on 40 qubits" in message
    assert "statevector needs 16 TiB against a limit of 4 GiB" in message
    assert "What would run: at most 28 qubits" in message


def test_device_backends_may_approximate_with_a_bounded_bond() -> None:
    method = choose([opposites(40)], noisy=False, shots=100)
    assert method.name == "matrix_product_state" and method.approximate
    assert method.run_options()["matrix_product_state_max_bond_dimension"] == 256
    assert method.metadata()["approximate"] is True


def test_a_required_stabilizer_refuses_a_non_clifford_gate_by_name() -> None:
    circuit = ghz(3)
    circuit.t(0)
    with pytest.raises(InvalidInputError, match="'t' is not a Clifford gate"):
        choose([circuit], noisy=False, shots=10, required="stabilizer")
