"""Pauli-twirled device noise: what it keeps of each error, and that the stabilizer runs it."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.exceptions import QiskitError
from qiskit.quantum_info import PTM, Pauli, Statevector, SuperOp, process_fidelity, state_fidelity
from qiskit_aer import AerSimulator
from qiskit_aer.noise import (
    NoiseModel,
    QuantumError,
    amplitude_damping_error,
    depolarizing_error,
    thermal_relaxation_error,
)

from circuits import ghz
from qruntime.backends import BackendCatalog, BackendSpec, TargetBackend
from qruntime.backends.noise import build_simulator
from qruntime.backends.pauli import pauli_noise_model, pauli_twirl

SHOTS = 4000


@pytest.fixture(scope="module")
def twirled(falcon: BackendSpec) -> NoiseModel:
    return pauli_noise_model(falcon.noise_model)


def transpiled(spec: BackendSpec, circuit: QuantumCircuit) -> QuantumCircuit:
    return transpile(circuit, backend=TargetBackend(spec.target), seed_transpiler=7)


def pauli_probabilities(error: QuantumError) -> dict[str, float]:
    """The twirled error as {Pauli label: probability}; fails on a term that is no Pauli."""
    return {Pauli(c).to_label(): p for c, p in zip(error.circuits, error.probabilities)}


def relaxed_and_depolarised() -> QuantumError:
    # T2 > T1 on qubit 0 (a Kraus channel), T2 < T1 on qubit 1 (resets), as on a device.
    relaxation = thermal_relaxation_error(100e-6, 150e-6, 660e-9).expand(
        thermal_relaxation_error(80e-6, 60e-6, 660e-9)
    )
    return depolarizing_error(0.01, 2).compose(relaxation)


@pytest.mark.parametrize(
    "error",
    [relaxed_and_depolarised(), thermal_relaxation_error(50e-6, 70e-6, 10e-6)],
    ids=["2q relaxation + depolarising", "1q relaxation"],
)
def test_twirl_is_the_pauli_channel_with_the_same_ptm_diagonal(error: QuantumError) -> None:
    original = PTM(SuperOp(error)).data
    twirled = pauli_twirl(error)
    ptm = PTM(SuperOp(twirled)).data
    assert np.abs(original - np.diag(np.diag(original))).max() > 1e-4  # not a Pauli channel
    assert np.allclose(ptm, np.diag(np.diag(ptm)), atol=1e-12)  # a Pauli channel
    assert np.allclose(np.diag(ptm), np.diag(original), atol=1e-12)
    assert process_fidelity(SuperOp(twirled)) == pytest.approx(process_fidelity(SuperOp(error)))
    assert len(pauli_probabilities(twirled)) == 4**error.num_qubits


def test_amplitude_damping_twirls_to_its_textbook_pauli_channel() -> None:
    gamma = 0.2
    root = math.sqrt(1 - gamma)
    expected = {"I": (1 + root) ** 2 / 4, "X": gamma / 4, "Y": gamma / 4, "Z": (1 - root) ** 2 / 4}
    found = pauli_probabilities(pauli_twirl(amplitude_damping_error(gamma)))
    assert found == pytest.approx(expected, abs=1e-12)


def test_stabilizer_runs_the_twirled_device_model_and_refuses_the_full_one(
    falcon: BackendSpec, twirled: NoiseModel
) -> None:
    circuit = transpiled(falcon, ghz(5))
    properties = falcon.target.qubit_properties
    assert any(p.t2 > p.t1 for p in properties)  # so the full model has Kraus channels
    # The whole model: the part a DeviceSimulator sends has Kraus channels only
    # where the circuit's qubits have T2 > T1.
    simulator = AerSimulator(method="stabilizer", noise_model=falcon.noise_model)
    refused = simulator.run(circuit, shots=10).result()  # Aer logs the failure, raises nothing
    assert not refused.success
    assert "invalid instructions" in refused.status and "kraus" in refused.status
    with pytest.raises(QiskitError):
        refused.get_counts()

    result = build_simulator(twirled, "stabilizer").run(circuit, shots=1000).result()
    assert result.results[0].metadata["method"] == "stabilizer"
    counts = result.get_counts()
    right = counts.get("00000", 0) + counts.get("11111", 0)
    assert 0.7 * 1000 < right < 1000, counts
    assert twirled.noise_instructions == falcon.noise_model.noise_instructions
    assert twirled.noise_qubits == falcon.noise_model.noise_qubits


def test_stabilizer_counts_agree_with_the_density_matrix_of_the_same_model(
    falcon: BackendSpec, twirled: NoiseModel
) -> None:
    circuit = transpiled(falcon, ghz(3))
    runs = {
        method: build_simulator(twirled, method).run(circuit, shots=SHOTS, seed_simulator=11)
        for method in ("stabilizer", "density_matrix")
    }
    counts = {method: run.result().get_counts() for method, run in runs.items()}
    for outcomes in (("000",), ("000", "111")):
        frequency = {m: sum(c.get(o, 0) for o in outcomes) / SHOTS for m, c in counts.items()}
        p = (frequency["stabilizer"] + frequency["density_matrix"]) / 2
        sigma = math.sqrt(2 * p * (1 - p) / SHOTS)  # of the difference of two frequencies
        assert abs(frequency["stabilizer"] - frequency["density_matrix"]) < 5 * sigma, counts
    assert 1 - frequency["stabilizer"] > 0.01  # the noise is there (~5% wrong)


def test_twirled_model_keeps_the_ghz_fidelity_of_the_full_model(
    falcon: BackendSpec, twirled: NoiseModel
) -> None:
    unmeasured = ghz(5).remove_final_measurements(inplace=False)
    circuit = transpiled(falcon, unmeasured)
    circuit.save_density_matrix(qubits=circuit.layout.final_index_layout())
    ideal = Statevector(unmeasured)
    fidelity = {}
    for name, model in (("full", falcon.noise_model), ("twirled", twirled)):
        result = build_simulator(model, "density_matrix").run(circuit, shots=1).result()
        fidelity[name] = state_fidelity(result.data()["density_matrix"], ideal)
    infidelity = 1 - fidelity["full"]
    assert infidelity > 0.01
    # Each twirled error has its original's process fidelity, so the two states
    # differ only where errors meet one another: second order, a small part of
    # the infidelity (seen: 1e-4 of it; dropping relaxation would cost ~half).
    assert abs(fidelity["twirled"] - fidelity["full"]) < 0.01 * infidelity, fidelity


def test_readout_errors_flip_bits_at_the_calibrated_rate(
    falcon: BackendSpec, twirled: NoiseModel
) -> None:
    n = falcon.target.num_qubits
    circuit = QuantumCircuit(n, n)
    circuit.measure(range(n), range(n))
    counts = build_simulator(twirled, "stabilizer").run(circuit, shots=SHOTS).result().get_counts()
    flips = np.zeros(n)
    for bits, count in counts.items():
        flips += count * np.array([int(b) for b in reversed(bits)])
    rates = np.array([falcon.target["measure"][(q,)].error for q in range(n)])
    assert rates.min() > 0.005
    sigma = np.sqrt(rates * (1 - rates) / SHOTS)
    assert np.all(np.abs(flips / SHOTS - rates) < 5 * sigma), flips / SHOTS
    assert abs(flips.sum() - rates.sum() * SHOTS) < 5 * math.sqrt((sigma**2).sum()) * SHOTS


def test_delays_relax_at_the_twirled_rate(falcon: BackendSpec, twirled: NoiseModel) -> None:
    qubit = 2
    t1 = falcon.target.qubit_properties[qubit].t1
    readout = falcon.target["measure"][(qubit,)].error
    microseconds = round(t1 * 1e6)  # about T1
    circuit = QuantumCircuit(falcon.target.num_qubits, 1)
    circuit.x(qubit)
    circuit.delay(microseconds, qubit, unit="us")
    circuit.measure(qubit, 0)
    decay = 1 - math.exp(-microseconds * 1e-6 / t1)
    # Twirled amplitude damping flips |1> with probability decay/2 (X or Y, each
    # decay/4), where the full model takes it to |0> with probability decay.
    cases = ((twirled, "stabilizer", decay / 2), (falcon.noise_model, "density_matrix", decay))
    for model, method, flip in cases:
        counts = build_simulator(model, method).run(circuit, shots=SHOTS).result().get_counts()
        zero = flip * (1 - readout) + (1 - flip) * readout
        sigma = math.sqrt(zero * (1 - zero) / SHOTS)
        # 0.005: the x gate's own error, ~1e-3.
        assert abs(counts.get("0", 0) / SHOTS - zero) < 5 * sigma + 0.005, (method, counts)


def test_device_models_convert_fast(falcon: BackendSpec, catalog: BackendCatalog) -> None:
    for spec, limit in ((falcon, 0.5), (catalog.get("ibm_qrt_eagle"), 2.0)):
        model = spec.noise_model
        start = time.perf_counter()
        pauli_noise_model(model)
        assert time.perf_counter() - start < limit, spec.name
