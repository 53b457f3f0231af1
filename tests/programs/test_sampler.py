"""sampler: SamplerV2 pubs and the V1 Sampler, against Qiskit's StatevectorSampler."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.primitives import PrimitiveResult, StatevectorSampler
from qiskit.result import QuasiDistribution
from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import get_program

SAMPLER = get_program("sampler")
#: Shots of the StatevectorSampler reference: enough that its own error hardly counts.
REFERENCE_SHOTS = 50_000


def v2(*pubs: list, **options: object) -> dict:
    return {"pubs": list(pubs), "options": options, "version": 2, "support_qiskit": True}


def measured(circuit: QuantumCircuit) -> QuantumCircuit:
    return circuit.measure_all(inplace=False)


def assert_close(counts: Mapping[str, int], reference: Mapping[str, int], sigmas: float = 4.0
                 ) -> None:
    """Two samples of one distribution agree outcome by outcome within ``sigmas``
    standard errors of their difference (with a half-count continuity correction)."""
    n, m = sum(counts.values()), sum(reference.values())
    for key in set(counts) | set(reference):
        p, q = counts.get(key, 0) / n, reference.get(key, 0) / m
        pooled = (counts.get(key, 0) + reference.get(key, 0)) / (n + m)
        error = math.sqrt(max(pooled * (1 - pooled), 1e-12) * (1 / n + 1 / m))
        assert abs(p - q) <= sigmas * error + 0.5 / n, (key, p, q, error)


def reference_counts(circuit: QuantumCircuit, values: np.ndarray | None = None,
                     joined: bool = False) -> list[dict]:
    """Counts of StatevectorSampler: of the ``meas`` register, or of all clbits when ``joined``."""
    pub = (circuit,) if values is None else (circuit, values)
    result = StatevectorSampler(default_shots=REFERENCE_SHOTS, seed=11).run([pub]).result()[0]
    data = result.join_data() if joined else result.data.meas
    return [data[i].get_counts() for i in np.ndindex(data.shape)] if data.shape else [
        data.get_counts()]


@pytest.mark.parametrize("name", ["bell", "ghz5"])
def test_v2_matches_statevector_sampler(
    ideal: BackendSpec, bell: QuantumCircuit, ghz5: QuantumCircuit, name: str
) -> None:
    circuit = bell if name == "bell" else measured(ghz5)
    isa = ideal.pass_manager(1).run(circuit)
    result = SAMPLER.run(v2([isa, np.array([]), 4000], simulator={"seed_simulator": 5}), ideal)
    assert result.metadata["version"] == 2
    assert result.metadata["simulator"]["method"] == "automatic"  # small: Aer's own choice
    pub = result[0]
    assert pub.metadata["shots"] == 4000 and pub.data.meas.num_shots == 4000
    assert_close(pub.data.meas.get_counts(), reference_counts(circuit)[0])


def test_v2_parameter_sweep(ideal: BackendSpec, ansatz: QuantumCircuit, sweep: np.ndarray
                            ) -> None:
    circuit = measured(ansatz)
    isa = ideal.pass_manager(1).run(circuit)
    result = SAMPLER.run(v2([isa, sweep, 3000], simulator={"seed_simulator": 8}), ideal)
    data = result[0].data
    assert data.shape == (10,) and data.meas.shape == (10,) and data.meas.num_bits == 4
    for ours, reference in zip((data.meas[i].get_counts() for i in range(10)),
                               reference_counts(circuit, sweep)):
        assert_close(ours, reference)


def test_v2_sweep_keeps_its_shape(ideal: BackendSpec, ansatz: QuantumCircuit, sweep: np.ndarray
                                  ) -> None:
    isa = ideal.pass_manager(1).run(measured(ansatz))
    result = SAMPLER.run(v2([isa, sweep.reshape(2, 5, 8), 10]), ideal)
    assert result[0].data.meas.shape == (2, 5)
    assert result[0].data.meas.array.shape == (2, 5, 10, 1)


def test_v2_one_bit_array_per_register(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    result = SAMPLER.run(v2([bell, None, 100]), ideal)
    data = result[0].data
    assert set(data) == {"c", "meas"}
    assert data.c.get_counts() == {"00": 100}
    assert set(data.meas.get_counts()) <= {"00", "11"}


def test_v2_scattered_and_wide_registers(ideal: BackendSpec) -> None:
    qubits, low, high = QuantumRegister(3), ClassicalRegister(2, "low"), ClassicalRegister(70, "w")
    circuit = QuantumCircuit(qubits, high, low)
    circuit.x(0)
    circuit.measure(0, high[69])
    circuit.measure(1, high[0])
    circuit.measure(0, low[1])
    result = SAMPLER.run(v2([circuit, None, 20]), ideal)
    assert result[0].data.low.get_counts() == {"10": 20}
    assert result[0].data.w.get_counts() == {"1" + "0" * 69: 20}


def test_v2_noisy_backend_shows_noise(falcon: BackendSpec, bell: QuantumCircuit) -> None:
    isa = falcon.pass_manager(1).run(bell)
    counts = SAMPLER.run(v2([isa, None, 4000], simulator={"seed_simulator": 1}), falcon)[
        0].data.meas.get_counts()
    wrong = counts.get("01", 0) + counts.get("10", 0)
    assert 0 < wrong < 400


def test_v2_seed_reproducible(ideal: BackendSpec, ansatz: QuantumCircuit, sweep: np.ndarray
                              ) -> None:
    isa = ideal.pass_manager(1).run(measured(ansatz))
    params = v2([isa, sweep, 100], simulator={"seed_simulator": 99})
    first, second = SAMPLER.run(params, ideal), SAMPLER.run(params, ideal)
    assert np.array_equal(first[0].data.meas.array, second[0].data.meas.array)


def test_v2_shots_per_pub_and_default_shots(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    result = SAMPLER.run(v2([bell, None, 30], [bell], [bell, None, None], default_shots=50),
                         ideal)
    assert [pub.data.meas.num_shots for pub in result] == [30, 50, 50]
    assert SAMPLER.run(v2([bell]), ideal)[0].data.meas.num_shots == 4096


def test_v2_hints_are_recorded_and_engine_options_accepted(ideal: BackendSpec,
                                                          bell: QuantumCircuit) -> None:
    result = SAMPLER.run(v2([bell, None, 10], twirling={"enable_gates": True},
                            dynamical_decoupling={"enable": True, "sequence_type": "XY4"},
                            execution={"init_qubits": True, "meas_type": "classified",
                                       "rep_delay": 1e-4},
                            max_execution_time=30), ideal)
    assert result.metadata["ignored_options"] == {
        "options.twirling.enable_gates": True,
        "options.dynamical_decoupling.enable": True,
        "options.dynamical_decoupling.sequence_type": "XY4",
        "options.execution.rep_delay": 1e-4,
    }


def test_v2_result_survives_the_stock_codec(ideal: BackendSpec, ansatz: QuantumCircuit,
                                            sweep: np.ndarray) -> None:
    isa = ideal.pass_manager(1).run(measured(ansatz))
    result = SAMPLER.run(v2([isa, sweep, 64], twirling={"enable_gates": True}), ideal)
    decoded = json.loads(json.dumps(result, cls=RuntimeEncoder), cls=RuntimeDecoder)
    assert isinstance(decoded, PrimitiveResult)
    assert np.array_equal(decoded[0].data.meas.array, result[0].data.meas.array)
    assert decoded.metadata == result.metadata


@pytest.mark.parametrize("name", ["bell", "ghz5", "ansatz"])
def test_v1_matches_statevector_sampler(
    ideal: BackendSpec, bell: QuantumCircuit, ghz5: QuantumCircuit, ansatz: QuantumCircuit,
    sweep: np.ndarray, name: str,
) -> None:
    circuit = {"bell": bell, "ghz5": measured(ghz5), "ansatz": measured(ansatz)}[name]
    values = sweep if name == "ansatz" else np.zeros((1, 0))
    count = len(values)
    params = {
        "circuits": [circuit] * count,
        "parameters": [list(circuit.parameters)] * count,
        "parameter_values": values.tolist(),
        "transpilation_settings": {"skip_transpilation": False,
                                   "optimization_settings": {"level": 1}},
        "resilience_settings": {"level": 0},
        "run_options": {"shots": 4000, "init_qubits": True, "seed_simulator": 3},
    }
    result = SAMPLER.run(params, ideal)
    assert set(result) == {"quasi_dists", "metadata"}
    assert result["metadata"] == [{"shots": 4000, "circuit_metadata": circuit.metadata}] * count
    references = reference_counts(circuit, values if name == "ansatz" else None, joined=True)
    for quasi, reference in zip(result["quasi_dists"], references):
        assert all(len(key) == circuit.num_clbits for key in quasi)
        decoded = QuasiDistribution(quasi)  # what the stock V1 decoder does
        counts = {format(k, f"0{circuit.num_clbits}b"): round(p * 4000)
                  for k, p in decoded.items()}
        assert_close(counts, reference)


def test_v1_circuit_indices_and_recorded_resilience(falcon: BackendSpec, bell: QuantumCircuit
                                                    ) -> None:
    result = SAMPLER.run({"circuits": [bell], "circuit_indices": [0, 0],
                          "parameter_values": [[], []], "resilience_settings": {"level": 1},
                          "run_options": {"shots": 500}}, falcon)
    assert len(result["quasi_dists"]) == 2
    assert result["metadata"][0]["ignored_options"] == {"params.resilience_settings.level": 1}
    assert max(result["quasi_dists"][0].values()) < 0.6


def test_cost_grows_with_sets_and_shots(ideal: BackendSpec, ansatz: QuantumCircuit,
                                        sweep: np.ndarray) -> None:
    isa = ideal.pass_manager(1).run(measured(ansatz))
    one = SAMPLER.assess(v2([isa, sweep[:1], 100]), ideal)
    assert 0 < one < SAMPLER.assess(v2([isa, sweep, 100]), ideal)
    assert one < SAMPLER.assess(v2([isa, sweep[:1], 10_000]), ideal)


# --- refused inputs -----------------------------------------------------------------------


def refused(params: dict, backend: BackendSpec) -> str:
    with pytest.raises(InvalidInputError) as info:
        SAMPLER.validate(params, backend)
    return str(info.value)


def test_v2_circuit_without_measurements(ideal: BackendSpec, ghz5: QuantumCircuit) -> None:
    assert "no measurements" in refused(v2([ghz5]), ideal)
    with_creg = QuantumCircuit(2, 2)
    with_creg.h(0)
    assert "no measurements" in refused(v2([with_creg]), ideal)


def test_v2_non_isa_circuit_names_the_instruction(falcon: BackendSpec, bell: QuantumCircuit
                                                  ) -> None:
    message = refused(v2([bell]), falcon)
    assert "not ISA" in message and "'h'" in message and "ecr" in message


def test_v2_parameter_values_of_wrong_shape(ideal: BackendSpec, ansatz: QuantumCircuit) -> None:
    isa = ideal.pass_manager(1).run(measured(ansatz))
    message = refused(v2([isa, np.zeros((10, 3))]), ideal)
    assert "(10, 3)" in message and "(..., 8)" in message
    assert "(..., 8)" in refused(v2([isa]), ideal)


@pytest.mark.parametrize(("pub_shots", "options", "expected"), [
    (0, {}, "pub 0: shots is 0"),
    (-5, {}, "pub 0: shots is -5"),
    (10**6, {}, "max_shots (100000)"),
    (None, {"default_shots": 0}, "options.default_shots is 0"),
])
def test_v2_bad_shots(ideal: BackendSpec, bell: QuantumCircuit, pub_shots: object,
                      options: dict, expected: str) -> None:
    assert expected in refused(v2([bell, None, pub_shots], **options), ideal)


@pytest.mark.parametrize(("options", "expected"), [
    ({"foo": 1}, "'options.foo'"),
    ({"twirling": {"enable_gatez": True}}, "'options.twirling.enable_gatez'"),
    ({"execution": {"meas_type": "kerneled"}}, "meas_type='kerneled' is not supported"),
    ({"execution": {"init_qubits": False}}, "init_qubits=False is not supported"),
    ({"simulator": {"seed_simulator": "x"}}, "seed_simulator must be"),
    ({"simulator": {"noise_model": 3}}, "noise_model must be"),
])
def test_v2_bad_options(ideal: BackendSpec, bell: QuantumCircuit, options: dict, expected: str
                        ) -> None:
    assert expected in refused(v2([bell], **options), ideal)


def test_v2_unknown_option_lists_the_allowed(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    message = refused(v2([bell], execution={"bogus": 1}), ideal)
    assert "init_qubits, meas_type, rep_delay" in message


def test_v2_bad_payloads(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    assert "non-empty list" in refused(v2(), ideal)
    assert "'extra'" in refused({**v2([bell]), "extra": 1}, ideal)
    too_many = ideal.max_experiments + 1
    assert f"Too many pubs: {too_many}" in refused(v2(*[[bell]] * too_many), ideal)
    assert "sampler pub is" in refused(v2([bell, None, 1, 2]), ideal)


def test_v1_bad_inputs(ideal: BackendSpec, bell: QuantumCircuit, ghz5: QuantumCircuit,
                       ansatz: QuantumCircuit) -> None:
    base = {"circuits": [bell], "parameter_values": [[]]}
    assert "no measurements" in refused({"circuits": [ghz5]}, ideal)
    message = refused({"circuits": [measured(ansatz)], "parameter_values": [[0.1, 0.2, 0.3]]},
                      ideal)
    assert "(3,)" in message and "(8,)" in message
    assert "run_options.shots is 0" in refused({**base, "run_options": {"shots": 0}}, ideal)
    assert "'params.run_options.memory'" in refused({**base, "run_options": {"memory": True}},
                                                    ideal)
    assert "coupling_map" in refused(
        {**base, "transpilation_settings": {"coupling_map": [[0, 1]]}}, ideal)
    assert "allowed: 0, 1, 2, 3" in refused(
        {**base, "transpilation_settings": {"optimization_settings": {"level": 5}}}, ideal)
    assert "'foo'" in refused({**base, "foo": 1}, ideal)


def test_v1_skip_transpilation_needs_isa(falcon: BackendSpec, bell: QuantumCircuit) -> None:
    message = refused({"circuits": [bell],
                       "transpilation_settings": {"skip_transpilation": True}}, falcon)
    assert "'h'" in message


def test_v1_equal_circuits_are_transpiled_once(ideal: BackendSpec, ansatz: QuantumCircuit,
                                               sweep: np.ndarray) -> None:
    from qruntime.programs import legacy

    copies = [measured(ansatz) for _ in sweep]  # equal, not identical, as decoded from QPY
    job = legacy.parse({"circuits": copies, "parameter_values": sweep.tolist()}, ideal)
    assert len(job.circuits) == 1 and [e.source for e in job.entries] == [0] * len(sweep)


def test_v2_own_noise_model(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    from qiskit_aer.noise import NoiseModel, ReadoutError

    model = NoiseModel()
    model.add_all_qubit_readout_error(ReadoutError([[0.5, 0.5], [0.5, 0.5]]))
    for noise_model in (model, model.to_dict()):
        result = SAMPLER.run(v2([bell, None, 2000], simulator={"noise_model": noise_model,
                                                               "seed_simulator": 1}), ideal)
        counts = result[0].data.meas.get_counts()
        assert set(counts) == {"00", "01", "10", "11"}  # readout noise on an ideal backend
