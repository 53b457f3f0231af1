"""The public codec: dumps/loads, encode/decode, the JSON classes, and the protocol's example."""

from __future__ import annotations

import base64
import io
import json
import zlib

import numpy as np
import pytest
from qiskit.primitives.containers import BitArray, DataBin, PrimitiveResult, SamplerPubResult

from qruntime import wire
from qruntime.errors import InvalidInputError


def _npy_b64(array: np.ndarray) -> str:
    """Written the stock client's way: np.save without pickle, zlib, base64."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.standard_b64encode(zlib.compress(buffer.getvalue())).decode()


# Section 5 of shared/reference/runtime-rest-protocol.md, with a real array and metadata.
MEAS = np.array([[0], [3], [3], [0]], dtype=np.uint8)
PROTOCOL_EXAMPLE = (
    '{"__type__":"PrimitiveResult","__value__":{"pub_results":[{"__type__":"SamplerPubResult","__value__":'
    '{"data":{"__type__":"DataBin","__value__":{"field_names":["meas"],"shape":[],"fields":{"meas":'
    '{"__type__":"BitArray","__value__":{"array":{"__type__":"ndarray","__value__":"' + _npy_b64(MEAS) + '"},'
    '"num_bits":2}}}}},"metadata":{"shots":4,"circuit_metadata":{}}}}],"metadata":{"version":2}}}'
)


def test_protocol_example_is_read():
    result = wire.loads(PROTOCOL_EXAMPLE)
    assert isinstance(result, PrimitiveResult)
    assert result.metadata == {"version": 2}
    (pub,) = result
    assert type(pub) is SamplerPubResult
    assert pub.metadata == {"shots": 4, "circuit_metadata": {}}
    assert list(pub.data) == ["meas"]
    assert pub.data.meas.get_counts() == {"00": 2, "11": 2}


def test_protocol_example_is_what_we_write():
    result = PrimitiveResult(
        [SamplerPubResult(DataBin(meas=BitArray(MEAS, 2)), {"shots": 4, "circuit_metadata": {}})], {"version": 2}
    )
    ours = json.loads(wire.dumps(result))
    expected = json.loads(PROTOCOL_EXAMPLE)
    array_path = ("__value__", "pub_results", 0, "__value__", "data", "__value__", "fields", "meas", "__value__")
    array_path += ("array",)
    ours_array, expected_array = ours, expected
    for step in array_path:
        ours_array, expected_array = ours_array[step], expected_array[step]
    # Same layout; the array bytes differ only by zlib level, so compare them decoded.
    assert wire.loads(json.dumps(ours_array)).tolist() == MEAS.tolist()
    ours_array["__value__"] = expected_array["__value__"]
    assert ours == expected


def test_json_module_classes_work_like_the_stock_ones(bell):
    text = json.dumps({"circuit": bell, "n": np.int32(3)}, cls=wire.RuntimeEncoder, indent=1)
    back = json.loads(text, cls=wire.RuntimeDecoder)
    assert back == {"circuit": bell, "n": 3}


def test_decoder_refuses_other_object_hooks():
    with pytest.raises(TypeError, match="sets its own object hook"):
        json.loads("{}", cls=wire.RuntimeDecoder, object_pairs_hook=dict)


def test_dumps_passes_json_options():
    assert wire.dumps({"b": 1j, "a": 1}, sort_keys=True, separators=(",", ":")) == (
        '{"a":1,"b":{"__type__":"complex","__value__":[0.0,1.0]}}'
    )


def test_loads_reads_bytes():
    assert wire.loads(wire.dumps({"x": {1, 2}}).encode("utf-16")) == {"x": {1, 2}}


def test_encode_gives_the_json_of_dumps(bell):
    payload = {"pubs": [(bell, np.arange(2.0), 100)], 3: None, "ok": True, "when": [1.5, np.float64(2.5)]}
    structure = wire.encode(payload)
    assert json.dumps(structure) == wire.dumps(payload)
    assert structure["3"] is None
    assert type(structure["when"][1]) is float


def test_decode_leaves_its_input_alone():
    data = {"plain": {"list": [1, 2]}, "z": {"__type__": "complex", "__value__": [1.0, 2.0]}}
    snapshot = json.loads(json.dumps(data))
    decoded = wire.decode(data)
    assert decoded == {"plain": {"list": [1, 2]}, "z": 1 + 2j}
    assert data == snapshot
    assert decoded["plain"] is data["plain"]


def test_plain_json_passes_through(round_trip):
    payload = {"a": [1, 2.5, "x", None, True, {"b": []}], "nested": {"deep": [[{"k": "v"}]]}}
    assert round_trip(payload) == payload


# --- bad input ----------------------------------------------------------------------


def test_unknown_envelope_type_is_invalid_input():
    with pytest.raises(InvalidInputError, match=r"Unknown envelope type 'Pickle': expected one of .*QuantumCircuit"):
        wire.loads('{"__type__": "Pickle", "__value__": "gASV"}')


def test_non_string_envelope_type_is_invalid_input():
    with pytest.raises(InvalidInputError, match=r"Unknown envelope type \['set'\]"):
        wire.decode({"__type__": ["set"], "__value__": []})


def test_envelope_without_value_is_invalid_input():
    with pytest.raises(InvalidInputError, match=r"Invalid 'ndarray' envelope: it has no '__value__' key"):
        wire.loads('{"__type__": "ndarray"}')


def test_bad_envelope_deep_inside_is_invalid_input():
    text = '{"pubs": [[{"__type__": "QuantumCircuit", "__value__": "%%%"}, null, 10]]}'
    with pytest.raises(InvalidInputError, match=r"Invalid 'QuantumCircuit' envelope"):
        wire.loads(text)
    with pytest.raises(InvalidInputError, match=r"Invalid 'QuantumCircuit' envelope"):
        wire.decode(json.loads(text))


def test_text_that_is_not_json_is_invalid_input():
    with pytest.raises(InvalidInputError, match=r"Invalid JSON: Expecting value") as info:
        wire.loads('{"a": ')
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


def test_deeply_nested_json_is_invalid_input():
    with pytest.raises(InvalidInputError, match="nested too deeply"):
        wire.loads("[" * 100_000 + "]" * 100_000)


def test_a_circuit_repeated_in_one_document_is_encoded_once_and_decodes_equal() -> None:
    from qiskit import QuantumCircuit

    from qruntime import wire

    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    other = QuantumCircuit(1)
    other.x(0)
    text = wire.dumps({"circuits": [bell, other, bell]})
    first, second, third = wire.loads(text)["circuits"]
    assert first == third == bell and second == other
    assert wire.dumps({"circuits": [other]}) != wire.dumps({"circuits": [bell]})  # no memo leaks
