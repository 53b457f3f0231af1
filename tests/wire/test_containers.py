"""BitArray, DataBin, BindingsArray, ObservablesArray and PUBs on the wire."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives.containers import BitArray, DataBin
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.observables_array import ObservablesArray
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.quantum_info import SparsePauliOp

from qruntime import wire
from qruntime.errors import InvalidInputError


def _envelope(type_name: str, value: object) -> str:
    return json.dumps({"__type__": type_name, "__value__": value})


def _bits() -> BitArray:
    return BitArray.from_counts({"00": 3, "11": 5, "01": 1})


def test_bit_array_round_trips(round_trip):
    bits = _bits()
    back = round_trip(bits)
    assert isinstance(back, BitArray)
    assert back == bits
    assert back.get_counts() == {"00": 3, "11": 5, "01": 1}
    assert back.num_bits == 2


def test_wide_shaped_bit_array_round_trips(round_trip):
    rng = np.random.default_rng(7)
    bits = BitArray(rng.integers(0, 256, size=(2, 3, 50, 2), dtype=np.uint8) & np.uint8(0x0F), num_bits=12)
    back = round_trip(bits)
    assert back == bits
    assert back.shape == (2, 3)


def test_data_bin_round_trips(round_trip):
    meas = BitArray(np.array([[[0], [3]], [[1], [3]]], dtype=np.uint8), num_bits=2)
    data = DataBin(meas=meas, evs=np.array([0.5, -0.25]), shape=(2,))
    back = round_trip(data)
    assert isinstance(back, DataBin)
    assert back.shape == (2,)
    assert list(back) == ["meas", "evs"]
    assert back.meas == data.meas
    np.testing.assert_array_equal(back.evs, data.evs)


def test_data_bin_value_layout():
    value = json.loads(wire.dumps(DataBin(evs=np.zeros(2), shape=(2,))))["__value__"]
    assert value["field_names"] == ["evs"]
    assert value["shape"] == [2]
    assert value["fields"]["evs"]["__type__"] == "ndarray"


def test_bindings_array_round_trips(round_trip):
    a, b, c = Parameter("a"), Parameter("b"), Parameter("c")
    bindings = BindingsArray({(a, b): np.arange(12.0).reshape(3, 2, 2), c: np.ones((3, 2))}, shape=(3, 2))
    back = round_trip(bindings)
    assert isinstance(back, BindingsArray)
    assert back.shape == (3, 2)
    assert back.data.keys() == bindings.data.keys()
    for key, values in bindings.data.items():
        np.testing.assert_array_equal(back.data[key], values)


def test_empty_bindings_array_round_trips(round_trip):
    back = round_trip(BindingsArray(shape=(4,)))
    assert back.shape == (4,)
    assert back.data == {}


def test_bindings_array_keys_are_json_name_lists():
    value = json.loads(wire.dumps(BindingsArray({("a", "b"): np.ones(2)})))["__value__"]
    assert list(value["data"]) == ['["a", "b"]']


def test_observables_array_round_trips(round_trip):
    observables = ObservablesArray([[{"ZZ": 1.0, "XX": -0.5}], [SparsePauliOp("IZ")]])
    back = round_trip(observables)
    assert isinstance(back, ObservablesArray)
    assert back.shape == observables.shape
    assert back.tolist() == observables.tolist()


def test_sampler_pub_travels_as_plain_list(round_trip):
    theta = Parameter("theta")
    circuit = QuantumCircuit(1, 1)
    circuit.rx(theta, 0)
    circuit.measure(0, 0)
    pub = SamplerPub.coerce((circuit, [[0.1], [0.2]], 100))
    back_circuit, values, shots = round_trip(pub)
    assert back_circuit == circuit
    np.testing.assert_array_equal(values, [[0.1], [0.2]])
    assert shots == 100


def test_estimator_pub_travels_as_plain_list(round_trip):
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    pub = EstimatorPub.coerce((circuit, ["ZZ", "XX"], None, 0.01))
    back_circuit, observables, values, precision = round_trip(pub)
    assert back_circuit == circuit
    assert observables == [{"ZZ": 1.0}, {"XX": 1.0}]
    assert values.size == 0
    assert precision == 0.01


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "value", "problem"),
    [
        ("BitArray", {"array": [1, 2]}, r"__value__ lacks 'num_bits'"),
        ("BitArray", {"array": [[1]], "num_bits": 2, "x": 1}, r"__value__ has unexpected keys \['x'\]"),
        ("BitArray", [1, 2], r"__value__ must be an object, got list"),
        ("BitArray", {"array": [[1]], "num_bits": 2}, r"TypeError: .*"),
        ("DataBin", {"field_names": [], "shape": "x", "fields": {}}, r"'shape' must be a list of integers"),
        ("DataBin", {"field_names": [], "shape": [], "fields": []}, r"'fields' must be an object, got list"),
        ("BindingsArray", {"shape": [1], "data": {"not json": []}}, r"'data' key 'not json' is not a JSON list"),
        ("BindingsArray", {"shape": [1], "data": {'["a"]': [1.0]}}, r"'data' entry .* must be an ndarray, got list"),
        ("BindingsArray", {"shape": [1], "data": [1]}, r"'data' must be an object, got list"),
        ("ObservablesArray", "ZZ", r"__value__ must be a \(nested\) list of observables, got str"),
        ("ObservablesArray", [{"ZQ": 1.0}], r"ValueError: .*"),
    ],
)
def test_malformed_container_is_invalid_input(type_name, value, problem):
    with pytest.raises(InvalidInputError, match=rf"Invalid '{type_name}' envelope: {problem}"):
        wire.loads(_envelope(type_name, value))
