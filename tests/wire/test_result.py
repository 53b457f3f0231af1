"""PrimitiveResult, the pub results and backend.run's Result on the wire."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.primitives import StatevectorEstimator, StatevectorSampler
from qiskit.primitives.containers import BitArray, DataBin, PrimitiveResult, PubResult, SamplerPubResult
from qiskit.quantum_info import Statevector
from qiskit.result import Result
from qiskit_aer import AerSimulator
from qiskit_ibm_runtime import RuntimeDecoder as StockDecoder
from qiskit_ibm_runtime import RuntimeEncoder as StockEncoder
from qiskit_ibm_runtime.results import EstimatorPubResult as StockEstimatorPubResult

from qruntime import wire
from qruntime.errors import InvalidInputError


def _envelope(type_name: str, value: object) -> str:
    return json.dumps({"__type__": type_name, "__value__": value})


def _assert_same_data(left: DataBin, right: DataBin) -> None:
    assert list(left) == list(right)
    assert left.shape == right.shape
    for name, value in left.items():
        if isinstance(value, BitArray):
            assert right[name] == value
            assert right[name].get_counts() == value.get_counts()
        else:
            np.testing.assert_array_equal(right[name], value)


def _assert_same_result(left: PrimitiveResult, right: PrimitiveResult) -> None:
    assert isinstance(right, PrimitiveResult)
    assert right.metadata == left.metadata
    assert len(right) == len(left)
    for ours, theirs in zip(left, right, strict=True):
        assert theirs.metadata == ours.metadata
        _assert_same_data(ours.data, theirs.data)


@pytest.fixture
def sampler_result(bell: QuantumCircuit) -> PrimitiveResult:
    return StatevectorSampler(seed=11).run([bell, (bell, None, 64)]).result()


@pytest.fixture
def estimator_result() -> PrimitiveResult:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    return StatevectorEstimator(seed=3).run([(circuit, [["ZZ", "XX"], ["IZ", "ZI"]])]).result()


def test_sampler_primitive_result_round_trips(round_trip, sampler_result):
    back = round_trip(sampler_result)
    _assert_same_result(sampler_result, back)
    assert all(type(pub) is SamplerPubResult for pub in back)
    assert back[0].data.c.get_counts() == sampler_result[0].data.c.get_counts()


def test_estimator_primitive_result_round_trips(round_trip, estimator_result):
    back = round_trip(estimator_result)
    _assert_same_result(estimator_result, back)
    assert back[0].data.evs.shape == (2, 2)


@pytest.mark.parametrize("cls", [PubResult, SamplerPubResult, wire.EstimatorPubResult], ids=lambda c: c.__name__)
def test_pub_result_keeps_its_wire_name(our_round_trip, cls):
    pub = cls(DataBin(evs=np.array([1.0, 0.5]), shape=(2,)), {"shots": 8})
    assert json.loads(wire.dumps(pub))["__type__"] == cls.__name__
    back = our_round_trip(pub)
    assert type(back) is cls
    assert back.metadata == {"shots": 8}
    _assert_same_data(pub.data, back.data)


def test_estimator_pub_result_reads_as_the_stock_class():
    pub = wire.EstimatorPubResult(DataBin(evs=np.array(0.5), stds=np.array(0.01)), {"target_precision": 0.01})
    back = json.loads(wire.dumps(pub), cls=StockDecoder)
    assert type(back) is StockEstimatorPubResult
    assert back.metadata == pub.metadata
    _assert_same_data(pub.data, back.data)


def test_stock_estimator_pub_result_reads_as_ours():
    pub = StockEstimatorPubResult(DataBin(evs=np.array([0.5]), shape=(1,)), {"resilience": {}})
    back = wire.loads(json.dumps(PrimitiveResult([pub], {"version": 2}), cls=StockEncoder))
    assert type(back[0]) is wire.EstimatorPubResult
    _assert_same_data(pub.data, back[0].data)


def test_backend_run_result_round_trips(round_trip, bell):
    result = AerSimulator(seed_simulator=5).run([bell, bell], shots=50, memory=True).result()
    back = round_trip(result)
    assert back.to_dict() == result.to_dict()
    assert back.get_counts(0) == result.get_counts(0)
    assert back.get_memory(1) == result.get_memory(1)


def _statevector_result(bell: QuantumCircuit) -> Result:
    circuit = bell.remove_final_measurements(inplace=False)
    circuit.save_statevector()
    return AerSimulator(method="statevector").run(circuit).result()


def test_result_with_statevector_round_trips(our_round_trip, bell):
    result = _statevector_result(bell)
    back = our_round_trip(result)
    assert type(back.get_statevector()) is Statevector
    assert back.get_statevector() == result.get_statevector()


def test_stock_result_with_aer_statevector_is_read(bell):
    # The stock encoder names Aer's Statevector subclass; we allow that module.
    result = _statevector_result(bell)
    text = json.dumps(result, cls=StockEncoder)
    assert '"__module__": "qiskit_aer.backends.compatibility"' in text
    assert wire.loads(text).get_statevector() == result.get_statevector()


def test_statevector_reaches_stock_decoder_as_settings_dict(bell):
    # The stock decoder rebuilds operators only; it leaves states as their envelope.
    back = json.loads(wire.dumps(_statevector_result(bell)), cls=StockDecoder)
    envelope = back.data()["statevector"]
    assert envelope["__class__"] == "Statevector"
    assert envelope["__module__"].startswith("qiskit.quantum_info.states")


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "value", "problem"),
    [
        ("PrimitiveResult", {"metadata": {}}, r"__value__ lacks 'pub_results'"),
        ("PrimitiveResult", {"pub_results": {}, "metadata": {}}, r"'pub_results' must be a list, got dict"),
        ("SamplerPubResult", {"data": {}, "metadata": []}, r"'metadata' must be an object, got list"),
        ("PubResult", "x", r"__value__ must be an object, got str"),
        ("Result", [], r"__value__ must be an object, got list"),
        ("Result", {"results": "x"}, r"\w+Error: "),
    ],
)
def test_malformed_result_is_invalid_input(type_name, value, problem):
    with pytest.raises(InvalidInputError, match=rf"Invalid '{type_name}' envelope: {problem}"):
        wire.loads(_envelope(type_name, value))
