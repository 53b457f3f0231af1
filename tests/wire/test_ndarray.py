"""Numpy arrays and numpy scalars on the wire."""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib

import numpy as np
import pytest

from qruntime import wire
from qruntime.errors import InvalidInputError

ARRAYS = {
    "float-2d": np.arange(12.0).reshape(3, 4),
    "uint8-bits": np.array([[0, 3], [1, 2]], dtype=np.uint8),
    "complex": np.array([1 + 2j, -1j]),
    "bool": np.array([True, False]),
    "empty": np.empty((0, 3)),
    "0-d": np.array(2.5),
    "fortran": np.asfortranarray(np.arange(6).reshape(2, 3)),
    "strided": np.arange(10)[::3],
    "unicode": np.array(["ZZ", "XI"]),
}


def _envelope(type_name: str, value: object) -> str:
    return json.dumps({"__type__": type_name, "__value__": value})


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data)).decode()


@pytest.mark.parametrize("array", list(ARRAYS.values()), ids=list(ARRAYS))
def test_array_round_trips(round_trip, array):
    back = round_trip(array)
    assert isinstance(back, np.ndarray)
    assert back.dtype == array.dtype
    np.testing.assert_array_equal(back, array)


def test_decoded_array_is_writable():
    back = wire.loads(wire.dumps(np.zeros(3)))
    back[0] = 1.0
    assert back[0] == 1.0


def test_array_value_is_zlib_npy_without_pickle():
    value = json.loads(wire.dumps(np.arange(3, dtype=np.int16)))["__value__"]
    loaded = np.load(io.BytesIO(zlib.decompress(base64.b64decode(value))), allow_pickle=False)
    np.testing.assert_array_equal(loaded, np.arange(3, dtype=np.int16))


def test_object_array_travels_as_nested_list(round_trip):
    array = np.array([[1, 2], [3, 4]], dtype=object)
    assert json.loads(wire.dumps(array))["__value__"] == [[1, 2], [3, 4]]
    np.testing.assert_array_equal(round_trip(array), np.array([[1, 2], [3, 4]]))


def test_extrapolator_name_in_array_envelope_passes_through():
    assert wire.loads(_envelope("ndarray", "polynomial_degree_2")) == "polynomial_degree_2"


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        (np.int8(-3), -3),
        (np.int32(7), 7),
        (np.uint64(2**63), 2**63),
        (np.int64(5), 5),
        (np.float32(0.5), 0.5),
        (np.float64(0.25), 0.25),
        (np.bool_(True), True),
        (np.complex64(1 - 1j), 1 - 1j),
    ],
    ids=lambda value: type(value).__name__,
)
def test_numpy_scalars_become_plain_values(our_round_trip, scalar, expected):
    back = our_round_trip({"x": scalar})["x"]
    assert back == expected
    assert type(back) is type(expected)


def test_numpy_scalars_are_read_by_stock_decoder():
    from qiskit_ibm_runtime import RuntimeDecoder

    text = wire.dumps([np.int32(1), np.float32(2.0), np.bool_(False), np.complex128(1j)])
    assert json.loads(text, cls=RuntimeDecoder) == [1, 2.0, False, 1j]


# --- bad input ----------------------------------------------------------------------


def test_pickled_array_is_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InvalidInputError, match=r"'ndarray' envelope: __value__ is not an .npy array .*pickle"):
        wire.loads(_envelope("ndarray", _pack(buffer.getvalue())))


def test_npz_archive_is_refused():
    buffer = io.BytesIO()
    np.savez(buffer, a=np.arange(3))
    with pytest.raises(InvalidInputError, match=r"'ndarray' envelope: __value__ is not an .npy array"):
        wire.loads(_envelope("ndarray", _pack(buffer.getvalue())))


def test_pickle_bytes_are_refused():
    with pytest.raises(InvalidInputError, match=r"'ndarray' envelope: __value__ is not an .npy array"):
        wire.loads(_envelope("ndarray", _pack(pickle.dumps([1, 2]))))


def test_truncated_array_is_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.arange(100))
    with pytest.raises(InvalidInputError, match=r"'ndarray' envelope: __value__ is not an .npy array"):
        wire.loads(_envelope("ndarray", _pack(buffer.getvalue()[:-8])))


def test_array_bad_base64_is_refused():
    with pytest.raises(InvalidInputError, match=r"'ndarray' envelope: __value__ is not valid base64"):
        wire.loads(_envelope("ndarray", "abc"))


def test_array_value_of_wrong_type_is_refused():
    problem = r"'ndarray' envelope: __value__ must be base64 text or a list, got dict"
    with pytest.raises(InvalidInputError, match=problem):
        wire.loads(_envelope("ndarray", {"a": 1}))
