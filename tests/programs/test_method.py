"""The simulation method rule: the cheapest method that gives the right answer, or a refusal."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit_aer import AerSimulator

from circuits import ghz
from qruntime.errors import InvalidInputError
from qruntime.programs.method import Shape, choose, relabeled, snapped


def spread_bell(width: int = 27) -> QuantumCircuit:
    """A Bell pair on two distant qubits of a wide circuit, every qubit measured."""
    circuit = QuantumCircuit(width)
    circuit.h(3)
    circuit.cx(3, 17)
    circuit.measure_all()
    return circuit


def opposites(width: int) -> QuantumCircuit:
    """Non-Clifford, each qubit entangled with its neighbour and its opposite (a
    ladder closed into a cylinder): hard for every method, in any qubit order."""
    circuit = QuantumCircuit(width)
    half = width // 2
    for _ in range(2):
        circuit.ry(0.3, range(width))
        for qubit in range(width - 1):
            circuit.cx(qubit, qubit + 1)
        circuit.cx(range(half), range(half, width))
    circuit.measure_all()
    return circuit


def test_small_jobs_keep_aers_own_choice() -> None:
    assert choose([ghz(5)], noisy=True, shots=1000).name == "automatic"


def test_a_measured_but_idle_register_is_simulated_as_a_small_matrix_product_state() -> None:
    method = choose([spread_bell()], noisy=True, shots=1000, twirlable=False)
    assert method.name == "matrix_product_state" and not method.approximate
    assert method.noise == "device"
    assert method.shape.qubits == 27 and method.shape.width == 2
    assert method.memory_bytes < 2**20  # a statevector would be 2 GiB


def test_a_ghz_chain_needs_bond_2_however_wide() -> None:
    shape = Shape.of([ghz(100)])
    assert shape.width == 100 and shape.bond_exponent == 1
    method = choose([ghz(100)], noisy=True, shots=1000, twirlable=False)
    assert method.name == "matrix_product_state" and not method.approximate


def test_noisy_clifford_circuits_run_on_the_stabilizer_with_pauli_twirled_errors() -> None:
    method = choose([ghz(100)], noisy=True, shots=1000)
    assert (method.name, method.noise) == ("stabilizer", "pauli")
    assert "Pauli-twirled" in method.metadata()["noise"]
    assert choose([ghz(100)], noisy=False, shots=1000).noise == "none"


def test_ideal_clifford_circuits_too_entangled_for_a_small_bond_use_the_stabilizer() -> None:
    # Random pairings, layer after layer: no qubit order keeps the pairs close.
    rng = np.random.default_rng(7)
    circuit = QuantumCircuit(200)
    for _ in range(8):
        circuit.h(range(200))
        circuit.s(range(200))
        pairs = rng.permutation(200)
        circuit.cx(pairs[:100].tolist(), pairs[100:].tolist())
    circuit.measure_all()
    method = choose([circuit], noisy=False, shots=100, exact_only=True)
    assert method.name == "stabilizer"


def test_a_chain_laid_out_out_of_order_is_simulated_in_chain_order() -> None:
    # A GHZ chain over shuffled qubits: in Aer's order many gates cross each cut;
    # in the chain's own order one does.
    rng = np.random.default_rng(3)
    chain = rng.permutation(60).tolist()
    circuit = QuantumCircuit(60)
    circuit.ry(1.2, chain[0])  # not a Clifford gate: the stabilizer cannot take it
    for a, b in zip(chain, chain[1:]):
        circuit.cx(a, b)
    circuit.measure_all()
    natural = {q: q for q in range(60)}
    assert Shape.of([circuit]).crossings <= 2 < _most_crossings_in(natural, circuit)
    method = choose([circuit], noisy=False, shots=300)
    assert method.name == "matrix_product_state" and not method.approximate
    assert method.orders[0] is not None
    moved = relabeled(circuit, method.orders[0])
    counts = AerSimulator(method="matrix_product_state").run(
        moved, shots=300, seed_simulator=1).result().get_counts()
    assert set(counts) == {"0" * 60, "1" * 60}


def test_a_relabelled_circuit_writes_the_same_classical_bits() -> None:
    circuit = QuantumCircuit(QuantumRegister(5, "q"), ClassicalRegister(3, "a"),
                             ClassicalRegister(2, "b"))
    circuit.x([0, 3])
    circuit.measure([0, 1, 2, 3, 4], [4, 0, 1, 2, 3])
    moved = relabeled(circuit, (4, 2, 0, 1, 3))
    assert [r.name for r in moved.cregs] == ["a", "b"]
    for shown in (circuit, moved):
        counts = AerSimulator().run(shown, shots=10).result().get_counts()
        assert counts == {"10 100": 10}


def _most_crossings_in(position: dict[int, int], circuit: QuantumCircuit) -> int:
    from qruntime.programs import method as rule

    groups = rule._Groups()
    ops = rule._walk(circuit, range(circuit.num_qubits), groups)
    return rule._most_crossings(position, ops.spans)


def test_interleaved_pairs_are_reordered_next_to_each_other() -> None:
    # Each qubit entangled with its opposite only: in Aer's order the middle cut is
    # crossed by every pair (a 2**10 bond); side by side, by none.
    pairs = QuantumCircuit(20)
    for _ in range(2):
        pairs.ry(0.3, range(20))
        pairs.cx(range(10), range(10, 20))
    pairs.measure_all()
    shape = Shape.of([pairs])
    assert shape.width == 2 and shape.bond_exponent <= 2 and shape.orders[0] is not None
    natural = {q: q for q in range(20)}
    assert _most_crossings_in(natural, pairs) == 10
    method = choose([pairs], noisy=False, shots=100, exact_only=True)
    assert method.name == "matrix_product_state" and not method.approximate
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


def test_quarter_turns_left_inexact_by_transpiling_are_made_exact_for_the_stabilizer() -> None:
    circuit = QuantumCircuit(1)
    circuit.rz(-np.pi / 2 + 1e-12, 0)  # Aer's stabilizer refuses this angle as it is
    circuit.h(0)
    circuit.measure_all()
    simulator = AerSimulator(method="stabilizer")
    assert not simulator.run(circuit, shots=1).result().success
    counts = simulator.run(snapped(circuit), shots=400, seed_simulator=1).result().get_counts()
    assert set(counts) == {"0", "1"}


def test_a_job_that_cannot_finish_in_its_max_execution_time_is_refused() -> None:
    wide = opposites(28)  # a 28-qubit statevector on an exact simulator: about a minute
    chosen = choose([wide], noisy=False, shots=100, exact_only=True)
    assert chosen.name == "statevector" and chosen.seconds > 20
    assert chosen.least_seconds == pytest.approx(chosen.seconds / 2)
    with pytest.raises(InvalidInputError) as info:
        choose([wide], noisy=False, shots=100, exact_only=True, backend_name="sim",
               max_seconds=5)
    message = str(info.value)
    assert "cannot finish on 'sim' within its max_execution_time of 5 s" in message
    assert "statevector, needs about" in message and "act on 28 qubits" in message
    assert "What would run: a larger max_execution_time, fewer shots" in message
    assert choose([wide], noisy=False, shots=100, exact_only=True, max_seconds=600) == chosen


def test_a_bounded_matrix_product_state_is_refused_only_when_it_surely_takes_too_long() -> None:
    # Its estimate assumes every bond reaches the bound; most circuits stay far below.
    method = choose([opposites(40)], noisy=False, shots=100)
    assert method.approximate and method.least_seconds < method.seconds / 100
    assert choose([opposites(40)], noisy=False, shots=100,
                  max_seconds=method.seconds / 100) == method
    with pytest.raises(InvalidInputError, match="max_execution_time of 1e-06 s"):
        choose([opposites(40)], noisy=False, shots=100, max_seconds=1e-6)
