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

from circuits import ghz

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


def noisy_exact(isa: QuantumCircuit, observables: list, backend: BackendSpec) -> np.ndarray:
    """The exact values of ``observables`` under the backend's gate noise (a density
    matrix; saved values do not see readout errors), from Aer directly."""
    from qiskit_aer import AerSimulator

    circuit = isa.copy()
    paulis = [SparsePauliOp.from_list(list(o.items())).apply_layout(isa.layout)
              for o in observables]
    for k, pauli in enumerate(paulis):
        circuit.save_expectation_value(pauli, range(isa.num_qubits), label=f"o{k}")
    data = AerSimulator(method="density_matrix", noise_model=backend.noise_model).run(
        circuit).result().data()
    return np.array([np.real(data[f"o{k}"]) for k in range(len(paulis))])


def test_v2_noisy_values_come_from_measured_shots(falcon: BackendSpec, ghz5: QuantumCircuit
                                                   ) -> None:
    isa = falcon.pass_manager(1).run(ghz5)
    truth = noisy_exact(isa, GHZ5_OBSERVABLES, falcon)
    pub = ESTIMATOR.run(v2([isa, GHZ5_OBSERVABLES, None, 0.01], seed_estimator=2), falcon)[0]
    assert pub.metadata["simulation"]["measured"] and pub.metadata["shots"] == 10_016  # 32 randomizations of 313
    stds = pub.data.stds
    assert np.all(stds > 0.002) and np.all(stds < 0.03)
    # Mitigated readout (level 1, the default): the gate noise's exact values, within
    # the shots' standard errors.
    assert np.all(np.abs(pub.data.evs - truth) < 4.5 * stds), (pub.data.evs, truth, stds)
    # one-qubit terms on the far side of the layout: qiskit-aer#2442 gets these wrong
    assert abs(pub.data.evs[2]) < 0.05


def test_v2_level_0_shows_the_readout_error_that_level_1_removes(falcon: BackendSpec) -> None:
    circuit = QuantumCircuit(1)
    circuit.x(0)  # |1>: read as 0 with the qubit's readout error
    isa = falcon.pass_manager(1).run(circuit)
    pubs = [isa, [{"Z": 1.0}], None, 0.01]
    raw = ESTIMATOR.run({**v2(pubs, seed_estimator=1), "resilience_level": 0}, falcon)[0]
    trex = ESTIMATOR.run({**v2(pubs, seed_estimator=1), "resilience_level": 1}, falcon)[0]
    (raw_value,), (raw_std,) = raw.data.evs, raw.data.stds
    (trex_value,), (trex_std,) = trex.data.evs, trex.data.stds
    assert raw.metadata["num_randomizations"] == 1 and trex.metadata["num_randomizations"] == 32
    # The exact value is about -1 (an x gate's error is ~3e-4): level 0 is off by the
    # readout error, many standard errors wide; level 1 is within its errors.
    assert raw_value + 1 > 8 * raw_std
    assert abs(trex_value + 1) < 4 * trex_std + 1e-3
    assert abs(trex_value + 1) < abs(raw_value + 1) / 3


def test_v2_stds_are_the_shots_standard_errors(falcon: BackendSpec) -> None:
    isa = falcon.pass_manager(1).run(ghz(10).remove_final_measurements(inplace=False))
    observables = [{"Z" * 10: 1.0}, {"IIIIIIIIZZ": 1.0}, {"X" * 10: 1.0}]
    values, stds = [], []
    for seed in range(6):
        pub = ESTIMATOR.run({**v2([isa, observables, None, 0.05], seed_estimator=seed),
                             "resilience_level": 0}, falcon)[0]
        assert pub.metadata["shots"] == 400 and pub.metadata["num_randomizations"] == 1
        assert np.all(pub.data.stds > 0) and np.all(pub.data.stds <= 0.05)
        values.append(pub.data.evs)
        stds.append(pub.data.stds)
    # Independent seeds scatter by about the reported standard error.
    spread = np.std(values, axis=0, ddof=1)
    assert np.all(spread < 0.12) and np.all(spread > 0.005)
    ratio = spread / np.mean(stds, axis=0)
    assert np.all(ratio > 0.3) and np.all(ratio < 2.0), ratio  # 6 seeds: chi with 5 dof


def test_default_shots_overrides_precision(ideal: BackendSpec) -> None:
    pub = ESTIMATOR.run(v2([unmeasured(None), {"ZZ": 1.0}], default_shots=10_000,
                           default_precision=0.5), ideal)[0]
    assert pub.metadata["target_precision"] == pytest.approx(0.01)
    assert pub.metadata["shots"] == 10_000


def test_observables_logical_or_physical(falcon: BackendSpec, ghz5: QuantumCircuit) -> None:
    isa = falcon.pass_manager(1).run(ghz5)
    logical = SparsePauliOp(["ZZIII", "XXXXX"])
    physical = logical.apply_layout(isa.layout)
    by_logical = ESTIMATOR.run(v2([isa, logical], seed_estimator=3), falcon)[0].data.evs
    by_physical = ESTIMATOR.run(v2([isa, physical], seed_estimator=3), falcon)[0].data.evs
    np.testing.assert_allclose(by_logical, by_physical)


def test_v2_seed_and_hints(falcon: BackendSpec, ghz5: QuantumCircuit) -> None:
    isa = falcon.pass_manager(1).run(ghz5)
    params = {**v2([isa, {"ZZZZZ": 1.0}, None, 0.2], seed_estimator=4,
                   resilience={"measure_mitigation": True, "layer_noise_learning": {}},
                   dynamical_decoupling={"enable": True}),
              "resilience_level": 2}
    result = ESTIMATOR.run(params, falcon)
    assert result.metadata["ignored_options"] == {
        "options.resilience.layer_noise_learning": {}, "options.dynamical_decoupling.enable": True,
    }
    assert result.metadata["resilience"] == {"measure_mitigation": True,
                                             "zne_mitigation": True, "pec_mitigation": False}
    again = ESTIMATOR.run(params, falcon)
    assert again[0].data.evs == result[0].data.evs  # the seed fixes shots, twirls and folds


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
    assert abs(result["values"][0]) < 0.2  # odd parity of a GHZ state: about 0
    metadata = result["metadata"][0]
    assert metadata["resilience"]["measure_mitigation"] is True
    assert "ignored_options" not in metadata and metadata["simulation"]["measured"]


def test_v1_levels_mitigate_readout_and_gate_noise(falcon: BackendSpec) -> None:
    circuit = QuantumCircuit(2)
    circuit.x(0)
    for _ in range(6):  # twelve CNOTs that multiply to the identity: gate noise only
        circuit.cx(0, 1)
        circuit.barrier()  # (the transpiler would cancel each pair)
        circuit.cx(0, 1)
        circuit.barrier()
    values, variances = {}, {}
    for level in (0, 1, 2):
        result = ESTIMATOR.run({"circuits": [circuit], "observables": ["IZ"],
                                "resilience_settings": {"level": level},
                                "run_options": {"shots": 20_000, "seed_simulator": 5}}, falcon)
        values[level] = result["values"][0]
        variances[level] = result["metadata"][0]["variance"]
    errors = {level: abs(value + 1) for level, value in values.items()}  # exact <Z_0> = -1
    stds = {level: (variances[level] / 20_000) ** 0.5 for level in values}
    assert errors[0] - errors[1] > 4 * (stds[0] + stds[1]), (errors, stds)
    assert errors[1] - errors[2] > 3 * (stds[1] + stds[2]), (errors, stds)


def test_v1_level_3_and_unknown_amplifiers_are_refused(falcon: BackendSpec,
                                                       ghz5: QuantumCircuit) -> None:
    params = {"circuits": [ghz5], "observables": ["ZZZZZ"]}
    message = refused({**params, "resilience_settings": {"level": 3}}, falcon)
    assert "level=3" in message and "level 1" in message
    message = refused({**params, "resilience_settings": {
        "level": 2, "noise_amplifier": "GlobalFoldingAmplifier"}}, falcon)
    assert "'GlobalFoldingAmplifier'" in message and "TwoQubitAmplifier" in message


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
