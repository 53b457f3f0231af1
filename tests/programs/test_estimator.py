"""estimator: EstimatorV2 pubs and the V1 Estimator, against Qiskit's StatevectorEstimator."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.primitives import PrimitiveResult, StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import get_program

ESTIMATOR = get_program("estimator")

BELL_OBSERVABLES = [{"ZZ": 1.0}, {"XX": 1.0}, {"YY": 1.0}, {"ZI": 1.0}, {"IZ": 0.5, "XY": 2.0}]
GHZ5_OBSERVABLES = [{"ZZZZZ": 1.0}, {"XXXXX": 1.0}, {"ZIIII": 1.0}, {"IIIZZ": 1.0},
                    {"YYXXX": 0.5, "ZZIII": -1.0}]
ANSATZ_OBSERVABLES = [[{"ZZII": 1.0}], [{"XIXI": 0.7, "IIIZ": -0.3}], [{"YYYY": 1.0}]]


def v2(*pubs: list, **options: object) -> dict:
    return {"pubs": list(pubs), "options": options, "version": 2, "support_qiskit": True}


def unmeasured(bell: QuantumCircuit) -> QuantumCircuit:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    return circuit


def reference_evs(circuit: QuantumCircuit, observables: object, values: object = None
                  ) -> np.ndarray:
    pub = (circuit, observables) if values is None else (circuit, observables, values)
    return StatevectorEstimator().run([pub]).result()[0].data.evs


@pytest.mark.parametrize("name", ["bell", "ghz5"])
def test_v2_ideal_matches_statevector_estimator(
    ideal: BackendSpec, ghz5: QuantumCircuit, name: str
) -> None:
    circuit = unmeasured(None) if name == "bell" else ghz5
    observables = BELL_OBSERVABLES if name == "bell" else GHZ5_OBSERVABLES
    isa = ideal.pass_manager(1).run(circuit)
    result = ESTIMATOR.run(v2([isa, observables, np.array([]), None]), ideal)
    pub = result[0]
    assert result.metadata == {"version": 2}
    np.testing.assert_allclose(pub.data.evs, reference_evs(circuit, observables), atol=1e-9)
    assert np.all(pub.data.stds == 0)  # exact, and honest about it
    assert pub.metadata["target_precision"] == 0.015625 and pub.metadata["shots"] == 4096
    assert pub.metadata["simulation"]["exact"] is True


def test_v2_sweep_broadcasts(ideal: BackendSpec, ansatz: QuantumCircuit, sweep: np.ndarray
                             ) -> None:
    isa = ideal.pass_manager(1).run(ansatz)
    result = ESTIMATOR.run(v2([isa, ANSATZ_OBSERVABLES, sweep, 0.01]), ideal)
    evs = result[0].data.evs
    assert evs.shape == (3, 10) and result[0].data.stds.shape == (3, 10)
    np.testing.assert_allclose(evs, reference_evs(ansatz, ANSATZ_OBSERVABLES, sweep), atol=1e-9)
    assert result[0].metadata["target_precision"] == 0.01


def test_v2_noisy_follows_the_noise_model(falcon: BackendSpec, ghz5: QuantumCircuit) -> None:
    isa = falcon.pass_manager(1).run(ghz5)
    pub = ESTIMATOR.run(v2([isa, GHZ5_OBSERVABLES, None, None]), falcon)[0]
    truth = reference_evs(ghz5, GHZ5_OBSERVABLES)
    assert pub.metadata["simulation"] == {"method": "density_matrix", "exact": True,
                                          "trajectories": 1}
    assert np.all(np.abs(pub.data.evs - truth) < 0.25)
    assert abs(pub.data.evs[0] - truth[0]) > 1e-4 or abs(pub.data.evs[1] - truth[1]) > 1e-4
    # one-qubit terms on the far side of the layout: qiskit-aer#2442 gets these wrong
    assert abs(pub.data.evs[2]) < 0.05


def test_v2_meets_precision_with_trajectories(falcon: BackendSpec) -> None:
    circuit = QuantumCircuit(10)
    circuit.h(0)
    for qubit in range(9):
        circuit.cx(qubit, qubit + 1)
    isa = falcon.pass_manager(1).run(circuit)
    observables = [{"Z" * 10: 1.0}, {"IIIIIIIIZZ": 1.0}, {"X" * 10: 1.0}]
    exact = ESTIMATOR.run(v2([isa, observables, None, 0.005]), falcon)[0]
    sampled = ESTIMATOR.run(v2([isa, observables, None, 0.05], simulator={"seed_simulator": 3}),
                            falcon)[0]
    assert exact.metadata["simulation"]["method"] == "density_matrix"
    assert sampled.metadata["simulation"] == {"method": "statevector", "exact": False,
                                              "trajectories": 400}
    stds = sampled.data.stds
    assert np.all(stds > 0) and np.all(stds <= 0.05)
    assert np.all(np.abs(sampled.data.evs - exact.data.evs) <= 4 * stds)


def test_default_shots_overrides_precision(ideal: BackendSpec) -> None:
    pub = ESTIMATOR.run(v2([unmeasured(None), {"ZZ": 1.0}], default_shots=10_000,
                           default_precision=0.5), ideal)[0]
    assert pub.metadata["target_precision"] == pytest.approx(0.01)
    assert pub.metadata["shots"] == 10_000


def test_observables_logical_or_physical(falcon: BackendSpec, ghz5: QuantumCircuit) -> None:
    isa = falcon.pass_manager(1).run(ghz5)
    logical = SparsePauliOp(["ZZIII", "XXXXX"])
    physical = logical.apply_layout(isa.layout)
    by_logical = ESTIMATOR.run(v2([isa, logical]), falcon)[0].data.evs
    by_physical = ESTIMATOR.run(v2([isa, physical]), falcon)[0].data.evs
    np.testing.assert_allclose(by_logical, by_physical)


def test_v2_seed_and_hints(falcon: BackendSpec, ghz5: QuantumCircuit) -> None:
    isa = falcon.pass_manager(1).run(ghz5)
    params = {**v2([isa, {"ZZZZZ": 1.0}, None, 0.2], seed_estimator=4,
                   resilience={"measure_mitigation": True}), "resilience_level": 1}
    result = ESTIMATOR.run(params, falcon)
    assert result.metadata["ignored_options"] == {
        "options.resilience.measure_mitigation": True, "resilience_level": 1,
    }


def test_v2_result_survives_the_stock_codec(ideal: BackendSpec, ansatz: QuantumCircuit,
                                            sweep: np.ndarray) -> None:
    isa = ideal.pass_manager(1).run(ansatz)
    result = ESTIMATOR.run(v2([isa, ANSATZ_OBSERVABLES, sweep]), ideal)
    decoded = json.loads(json.dumps(result, cls=RuntimeEncoder), cls=RuntimeDecoder)
    assert isinstance(decoded, PrimitiveResult)
    np.testing.assert_array_equal(decoded[0].data.evs, result[0].data.evs)
    assert decoded[0].metadata == result[0].metadata


@pytest.mark.parametrize("name", ["bell", "ghz5", "ansatz"])
def test_v1_matches_statevector(
    ideal: BackendSpec, ghz5: QuantumCircuit, ansatz: QuantumCircuit, sweep: np.ndarray,
    name: str,
) -> None:
    circuit = {"bell": unmeasured(None), "ghz5": ghz5, "ansatz": ansatz}[name]
    observable = {"bell": SparsePauliOp(["ZZ", "XI"], [1.0, 0.5]),
                  "ghz5": SparsePauliOp(["XXXXX", "ZZIII"]),
                  "ansatz": SparsePauliOp(["ZZII", "XIXI", "IIIY"], [1.0, 0.7, -0.3])}[name]
    values = sweep if name == "ansatz" else np.zeros((1, 0))
    count = len(values)
    params = {
        "circuits": [circuit] * count, "observables": [observable] * count,
        "parameters": [list(circuit.parameters)] * count, "parameter_values": values.tolist(),
        "transpilation_settings": {"optimization_settings": {"level": 1}},
        "resilience_settings": {"level": 0}, "run_options": {"shots": 4000},
    }
    result = ESTIMATOR.run(params, ideal)
    assert set(result) == {"values", "metadata"} and len(result["values"]) == count
    for value, metadata, row in zip(result["values"], result["metadata"], values):
        state = Statevector(circuit.assign_parameters(row) if len(row) else circuit)
        mean = state.expectation_value(observable).real
        square = state.expectation_value(observable @ observable).real
        assert value == pytest.approx(mean, abs=1e-9)
        assert metadata["variance"] == pytest.approx(square - mean**2, abs=1e-9)
        assert metadata["shots"] == 4000


def test_v1_on_a_noisy_device(falcon: BackendSpec, ghz5: QuantumCircuit) -> None:
    result = ESTIMATOR.run({"circuits": [ghz5], "observables": ["ZZZZZ"],
                            "resilience_settings": {"level": 1}}, falcon)
    assert 0 < abs(result["values"][0]) < 0.2  # odd parity of a GHZ state, blurred by noise
    assert result["metadata"][0]["ignored_options"] == {"params.resilience_settings.level": 1}


def test_cost_grows_with_sets(ideal: BackendSpec, ansatz: QuantumCircuit, sweep: np.ndarray
                              ) -> None:
    isa = ideal.pass_manager(1).run(ansatz)
    one = ESTIMATOR.assess(v2([isa, {"ZZZZ": 1.0}, sweep[:1]]), ideal)
    assert 0 < one < ESTIMATOR.assess(v2([isa, {"ZZZZ": 1.0}, sweep]), ideal)


# --- refused inputs -----------------------------------------------------------------------


def refused(params: dict, backend: BackendSpec) -> str:
    with pytest.raises(InvalidInputError) as info:
        ESTIMATOR.validate(params, backend)
    return str(info.value)


def test_observables_of_the_wrong_size(falcon: BackendSpec, ghz5: QuantumCircuit) -> None:
    isa = falcon.pass_manager(1).run(ghz5)
    message = refused(v2([isa, {"ZZZ": 1.0}]), falcon)
    assert "acts on 3 qubits" in message and "27 (5 before layout)" in message
    no_layout = QuantumCircuit(2)
    message = refused(v2([no_layout, {"ZZZ": 1.0}]), falcon)
    assert "acts on 3 qubits" in message and "has 2" in message


def test_parameter_values_of_the_wrong_shape(ideal: BackendSpec, ansatz: QuantumCircuit) -> None:
    isa = ideal.pass_manager(1).run(ansatz)
    message = refused(v2([isa, {"ZZZZ": 1.0}, np.zeros((10, 7))]), ideal)
    assert "(10, 7)" in message and "(..., 8)" in message
    message = refused(v2([isa, [{"ZZZZ": 1.0}] * 3, np.zeros((10, 8))]), ideal)
    assert "(3,)" in message and "(10,)" in message and "broadcast" in message


@pytest.mark.parametrize(("pub_precision", "options", "expected"), [
    (0, {}, "pub 0: precision is 0"),
    (-0.1, {}, "pub 0: precision is -0.1"),
    (None, {"default_precision": 0.0}, "options.default_precision is 0.0"),
    (None, {"default_shots": 0}, "options.default_shots is 0"),
])
def test_bad_precision(ideal: BackendSpec, pub_precision: object, options: dict, expected: str
                       ) -> None:
    message = refused(v2([unmeasured(None), {"ZZ": 1.0}, None, pub_precision], **options), ideal)
    assert expected in message


def test_bad_options_and_payloads(ideal: BackendSpec, falcon: BackendSpec, ghz5: QuantumCircuit
                                  ) -> None:
    bell = unmeasured(None)
    assert "'options.zne'" in refused(v2([bell, {"ZZ": 1}], zne={"noise_factors": [1, 3]}), ideal)
    assert "resilience_level is 3" in refused({**v2([bell, {"ZZ": 1}]), "resilience_level": 3},
                                              ideal)
    assert "'h'" in refused(v2([ghz5, {"ZZZZZ": 1}]), falcon)
    assert "must not" in refused(v2([bell.measure_all(inplace=False), {"ZZ": 1}]), ideal)
    assert "observables" in refused(v2([bell, {"ZQ": 1}]), ideal)
    assert "[circuit, observables" in refused(v2([bell]), ideal)


def test_v1_bad_inputs(ideal: BackendSpec, ghz5: QuantumCircuit) -> None:
    assert "1 circuit entries need as many observables; 2 given" in refused(
        {"circuits": [ghz5], "observables": ["ZZZZZ", "XXXXX"]}, ideal)
    message = refused({"circuits": [ghz5], "observables": ["ZZ"]}, ideal)
    assert "acts on 2 qubits" in message and "has 5" in message
    assert "no 'observables'" in refused({"circuits": [ghz5]}, ideal)
