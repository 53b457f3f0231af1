"""Wide jobs on a noisy device: the method rule's choice runs, with the device's noise."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager

from qruntime.backends.spec import BackendSpec
from qruntime.programs import sampler


def _ghz(width: int, falcon: BackendSpec) -> QuantumCircuit:
    circuit = QuantumCircuit(width)
    circuit.h(0)
    for qubit in range(width - 1):
        circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    return generate_preset_pass_manager(optimization_level=1, target=falcon.target).run(circuit)


def test_a_noisy_wide_clifford_circuit_runs_on_the_stabilizer_with_twirled_device_errors(
    falcon: BackendSpec,
) -> None:
    circuit = _ghz(20, falcon)
    result = sampler.run({"pubs": [[circuit, np.array([]), 2000]], "version": 2,
                          "options": {"simulator": {"seed_simulator": 5}}}, falcon)
    simulator = result.metadata["simulator"]
    assert simulator["method"] == "stabilizer"
    assert "Pauli-twirled" in simulator["noise"]
    counts = result[0].data.meas.get_counts()
    assert sum(counts.values()) == 2000
    ends = counts.get("0" * 20, 0) + counts.get("1" * 20, 0)
    # The device's errors show (a 20-qubit GHZ loses a good part of its shots), and
    # the state is still mostly GHZ: all-zeros and all-ones dominate, about equally.
    assert 0.2 * 2000 < ends < 0.95 * 2000
    assert abs(counts.get("0" * 20, 0) - counts.get("1" * 20, 0)) < 0.25 * ends


def test_a_users_own_noise_model_is_not_twirled(falcon: BackendSpec) -> None:
    circuit = _ghz(20, falcon)
    params = {"pubs": [[circuit, np.array([]), 100]], "version": 2,
              "options": {"simulator": {"noise_model": falcon.noise_model,
                                        "seed_simulator": 5}}}
    result = sampler.run(params, falcon)
    simulator = result.metadata["simulator"]
    assert simulator["noise"] == "the backend's noise model" and simulator["method"] != "stabilizer"


def test_a_noisy_wide_circuit_of_low_entanglement_shares_trajectories(
    falcon: BackendSpec,
) -> None:
    circuit = QuantumCircuit(20)
    circuit.h(0)
    circuit.rz(0.3, 0)  # not a Clifford gate: no stabilizer
    for qubit in range(19):
        circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, target=falcon.target).run(circuit)
    # Enough shots that one trajectory a shot would take long.
    shots = 40_000
    result = sampler.run({"pubs": [[isa, np.array([]), shots]], "version": 2,
                          "options": {"simulator": {"seed_simulator": 2}}}, falcon)
    simulator = result.metadata["simulator"]
    assert simulator["method"] == "matrix_product_state"
    assert simulator["trajectories"] == shots // 16 and "Pauli-twirled" in simulator["noise"]
    counts = result[0].data.meas.get_counts()
    assert sum(counts.values()) == shots and len(result[0].data.meas.get_bitstrings()) == shots
    ends = counts.get("0" * 20, 0) + counts.get("1" * 20, 0)
    assert 0.2 * shots < ends < 0.95 * shots
    assert abs(counts.get("0" * 20, 0) - counts.get("1" * 20, 0)) < 0.3 * ends


def test_a_truncated_matrix_product_state_reports_the_weight_it_discarded(
    falcon: BackendSpec, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qruntime.engine.execution import approximations
    from qruntime.programs import method

    # Bonds held to 4 and no memory for a statevector: the only run is approximate;
    # its noise as shared trajectories, each one state whose bonds Aer logs.
    monkeypatch.setattr(method, "MAX_BOND_DIMENSION", 4)
    monkeypatch.setattr(method, "SHARED_TRAJECTORY_WORK", 0)
    monkeypatch.setenv("QRUNTIME_SIMULATION_MEMORY_MB", "4")
    rng = np.random.default_rng(3)
    circuit = QuantumCircuit(20)
    for _ in range(3):
        for qubit in range(20):
            circuit.ry(rng.uniform(0, np.pi), qubit)
        for qubit in range(0, 19, 2):
            circuit.cx(qubit, qubit + 1)
        for qubit in range(1, 19, 2):
            circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, target=falcon.target,
                                       seed_transpiler=1).run(circuit)
    result = sampler.run({"pubs": [[isa, np.array([]), 200]], "version": 2,
                          "options": {"simulator": {"seed_simulator": 5}}}, falcon)
    simulator = result.metadata["simulator"]
    assert simulator["method"] == "matrix_product_state" and simulator["approximate"]
    assert simulator["trajectories"] == 128
    assert simulator["largest_bond"] == 4 and simulator["truncated"] is True
    # Bond 4 where 8 are needed: weight is lost at many gates, and the estimated
    # fidelity (the product of what each truncation kept) is well below 1.
    assert simulator["discarded_weight"] > 0.01
    assert 0 <= simulator["estimated_fidelity"] < 0.99
    (note,) = approximations(result)
    assert (f"largest bond reached 4, truncated: weight discarded "
            f"{simulator['discarded_weight']} in all, estimated fidelity to the exact state "
            f"{simulator['estimated_fidelity']}") in note
    assert sum(result[0].data.meas.get_counts().values()) == 200
