"""Zero-noise extrapolation: gate folding, the extrapolators, and level 2 on a device."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import estimator
from qruntime.programs.zne import amplified, extrapolate


def _trotter(steps: int) -> QuantumCircuit:
    circuit = QuantumCircuit(6)
    for _ in range(steps):
        for qubit in range(6):
            circuit.rx(0.3, qubit)
        for start in (0, 1):
            for qubit in range(start, 5, 2):
                circuit.rzz(0.5, qubit, qubit + 1)
    return circuit


def test_folding_multiplies_the_two_qubit_gates_and_keeps_the_unitary(falcon: BackendSpec
                                                                       ) -> None:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.rz(0.4, 1)
    circuit.cx(0, 1)
    # The device's gates on two qubits (a whole-device ISA circuit is too wide to compare).
    isa = transpile(circuit, basis_gates=["ecr", "rz", "sx", "x"], optimization_level=1)
    base = isa.count_ops()["ecr"]
    for factor in (3, 5):
        folded = amplified(isa, factor)
        assert folded.count_ops()["ecr"] == factor * base
        assert set(folded.count_ops()) <= set(falcon.target.operation_names)
        assert Operator(folded).equiv(Operator(circuit))


def test_extrapolators_recover_the_zero_noise_value_of_their_own_model() -> None:
    factors = [1, 3, 5]
    exponential = 0.9 * np.exp(-0.15 * np.array(factors))
    linear = 0.8 - 0.1 * np.array(factors)
    values = np.stack([exponential, linear])
    errors = np.full_like(values, 1e-4)
    found = extrapolate(factors, values, errors, ["exponential", "linear"], [0, 1, 3, 5],
                        np.ones(2))
    assert found.values[0] == pytest.approx(0.9, abs=1e-3)
    assert found.chosen[0] == "exponential"
    # The linear series decays too: exponential's guess at zero is within range and
    # wins; the linear extrapolator still gives 0.8 in the curves.
    assert found.curves[1, 1, 0] == pytest.approx(0.8, abs=1e-3)
    assert found.curves.shape == (2, 2, 4) and found.curve_stds.shape == (2, 2, 4)
    assert np.all(found.stds > 0) and np.all(found.stds < 0.01)


def test_an_extrapolation_out_of_range_falls_back_to_the_next_extrapolator() -> None:
    factors = [1, 3, 5]
    values = np.array([[0.99, 0.7, 0.41]])  # linear goes to 1.135 > 1 at zero noise
    found = extrapolate(factors, values, np.full_like(values, 1e-3), ["linear", "fallback"],
                        [0], np.ones(1))
    assert found.chosen[0] == "fallback" and found.values[0] == pytest.approx(0.99)


def test_level_2_beats_level_1_on_gate_noise(falcon: BackendSpec) -> None:
    circuit = _trotter(4)
    labels = ["I" * (5 - q) + "Z" + "I" * q for q in range(6)]
    exact = np.array([Statevector(circuit).expectation_value(SparsePauliOp(label)).real
                      for label in labels])
    isa = falcon.pass_manager(1).run(circuit)
    observables = [SparsePauliOp(label).apply_layout(isa.layout) for label in labels]
    results = {}
    for level in (1, 2):
        params = {"pubs": [[isa, observables, None, 0.01]], "version": 2,
                  "resilience_level": level, "options": {"seed_estimator": 3}}
        results[level] = estimator.run(params, falcon)
    errors = {level: float(np.mean(np.abs(r[0].data.evs - exact)))
              for level, r in results.items()}
    stds = {level: float(np.mean(r[0].data.stds)) for level, r in results.items()}
    # 40 ECR gates: TREX leaves about 0.1 of gate error, which ZNE takes to ~0.01
    # (each mean |error| is known to better than the mean of the stds).
    assert errors[1] - errors[2] > 4 * (stds[1] + stds[2]), (errors, stds)
    level2 = results[2]
    assert level2.metadata["resilience"]["zne_mitigation"] is True
    assert level2.metadata["twirling"]["enable_gates"] is True
    data = level2[0].data
    assert data.evs_noise_factors.shape == (6, 3) and data.evs_extrapolated.shape == (6, 2, 4)
    # Noise grows with the factor: the values shrink towards 0 as it does.
    assert np.all(np.abs(data.evs_noise_factors[:, 0]) > np.abs(data.evs_noise_factors[:, 2]))
    assert level2[0].metadata["resilience"]["zne"]["extrapolator"][0] in ("exponential",
                                                                          "linear")


@pytest.mark.parametrize(("resilience", "expected"), [
    ({"zne_mitigation": True, "zne": {"amplifier": "pea"}}, "layer noise learning"),
    ({"pec_mitigation": True}, "pec_mitigation=True is not available"),
    ({"zne_mitigation": True, "zne": {"extrapolator": "cubic"}}, "allowed: one or a list"),
    ({"zne_mitigation": True, "zne": {"noise_factors": [1], "extrapolator": "linear"}},
     "needs at least 2 distinct noise factors"),
    ({"zne_mitigation": True, "zne": {"noise_factors": [0.5, 1]}}, "from 1 to 1000"),
])
def test_zne_and_pec_options_that_cannot_run_are_refused(falcon: BackendSpec, resilience: dict,
                                                         expected: str) -> None:
    circuit = QuantumCircuit(1)
    circuit.x(0)
    isa = falcon.pass_manager(1).run(circuit)
    params = {"pubs": [[isa, [{"Z": 1.0}]]], "version": 2,
              "options": {"resilience": resilience}}
    with pytest.raises(InvalidInputError) as info:
        estimator.validate(params, falcon)
    assert expected in str(info.value)
