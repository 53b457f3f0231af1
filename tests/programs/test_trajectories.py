"""Shared noise trajectories: Pauli errors drawn into circuits, each run sampled for several shots."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer.noise import NoiseModel, ReadoutError, pauli_error

from qruntime.backends.spec import BackendSpec
from qruntime.programs.method import Method, Shape
from qruntime.programs.simulation import Batch, run_batch
from qruntime.programs.trajectories import (
    MAX_SHOTS_PER_TRAJECTORY,
    MIN_TRAJECTORIES,
    realize,
    trajectories_for,
)


def _plan(circuits: list[QuantumCircuit], trajectories: int) -> Method:
    return Method("matrix_product_state", Shape.of(circuits), 0.0, 0.0, "test", noise="pauli",
                  trajectories=trajectories)


def _distance(a: dict[str, int], b: dict[str, int]) -> float:
    total_a, total_b = sum(a.values()), sum(b.values())
    return 0.5 * sum(abs(a.get(k, 0) / total_a - b.get(k, 0) / total_b) for k in {*a, *b})


def test_every_shot_has_its_own_trajectory_up_to_a_floor_then_shots_share_them() -> None:
    assert trajectories_for(50) == 50
    assert trajectories_for(1000) == MIN_TRAJECTORIES
    assert trajectories_for(100_000) == 100_000 // MAX_SHOTS_PER_TRAJECTORY


def test_a_drawn_trajectory_places_each_pauli_after_its_gate_at_its_rate() -> None:
    model = NoiseModel()
    model.add_quantum_error(pauli_error([("X", 0.25), ("I", 0.75)]), "sx", [1])
    model.add_quantum_error(pauli_error([("ZZ", 1.0)]), "cx", [0, 1])
    circuit = QuantumCircuit(2)
    circuit.sx(0)
    circuit.sx(1)
    circuit.cx(0, 1)
    rng = np.random.default_rng(7)
    drawn = [realize(circuit, model, rng) for _ in range(2000)]
    with_x = [c for c in drawn if len(c.data) == 5]
    assert all(len(c.data) in (4, 5) for c in drawn)
    # The certain ZZ follows the cx; the X (a quarter of the draws) follows sx on qubit 1.
    assert all(c.data[-1].operation.name == "pauli" for c in drawn)
    assert all(c.data[2].operation.name == "x" and c.find_bit(c.data[2].qubits[0]).index == 1
               for c in with_x)
    assert abs(len(with_x) / 2000 - 0.25) < 4 * np.sqrt(0.25 * 0.75 / 2000)


def test_shared_trajectories_sample_the_noisy_distribution(falcon: BackendSpec) -> None:
    # A non-Clifford 4-qubit circuit on Falcon: shared trajectories against Aer's
    # own (one trajectory a shot) with the same twirled model and readout errors.
    circuit = QuantumCircuit(4)
    circuit.ry(1.1, 0)
    for q in range(3):
        circuit.cx(q, q + 1)
    circuit.rx(0.7, 2)
    circuit.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, target=falcon.target,
                                       seed_transpiler=3).run(circuit)
    simulator = falcon.pauli_simulator()
    batch = Batch()
    batch.add(isa)
    shared = run_batch(simulator, batch, _plan([isa], 500), shots=8000, seed_simulator=11,
                       memory=True)
    counts = shared.get_counts(0)
    assert sum(counts.values()) == 8000 and len(shared.get_memory(0)) == 8000
    reference = simulator.run(isa, shots=20000, seed_simulator=12,
                              method="density_matrix").result().get_counts()
    # 8000 shots over 16 outcomes: sampling alone puts the distance near 0.02.
    assert _distance(counts, reference) < 0.04
    ideal = {"0000": 1}
    assert _distance(counts, ideal) > 0.1  # and the device's errors show


def test_each_parameter_set_keeps_its_own_shots(falcon: BackendSpec) -> None:
    theta = Parameter("theta")
    circuit = QuantumCircuit(1)
    circuit.rx(theta, 0)
    circuit.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, target=falcon.target).run(circuit)
    batch = Batch()
    span = batch.add(isa, np.array([[0.0], [np.pi]]))
    result = run_batch(falcon.pauli_simulator(), batch, _plan([isa], 150), shots=1000,
                       seed_simulator=3)
    zero, one = (result.get_counts(k) for k in span)
    assert sum(zero.values()) == sum(one.values()) == 1000
    assert zero.get("0", 0) > 900 and one.get("1", 0) > 900


def test_readout_errors_stay_on_the_measured_qubits() -> None:
    model = NoiseModel()
    model.add_readout_error(ReadoutError([[0.0, 1.0], [1.0, 0.0]]), [1])  # always flips
    circuit = QuantumCircuit(2, 2)
    circuit.measure([0, 1], [0, 1])
    from qruntime.backends.noise import build_simulator

    simulator = build_simulator(model)
    batch = Batch()
    batch.add(circuit)
    counts = run_batch(simulator, batch, _plan([circuit], 10), shots=100,
                       seed_simulator=1).get_counts(0)
    assert counts == {"10": 100}


def test_control_flow_is_refused() -> None:
    circuit = QuantumCircuit(1, 1)
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.x(0)
    with pytest.raises(ValueError, match="control flow"):
        realize(circuit, NoiseModel(), np.random.default_rng())
    assert Shape.of([circuit]).dynamic
