"""Numpy arrays and numpy scalars on the wire.

* ``ndarray``: base64 of zlib of the array in ``.npy`` format, written and read
  with ``allow_pickle=False``. Arrays of ``object`` dtype cannot be written that
  way, so, as in the stock client, they travel as the nested list of
  ``tolist()`` and come back as ``np.array(list)`` (with an inferred dtype).
* Numpy scalars become plain JSON numbers and booleans (``np.complex64`` and
  friends become ``complex`` envelopes). The stock encoder only converts
  ``np.int64``; it rejects ``np.int32``, ``np.float32`` and ``np.bool_``.
"""

from __future__ import annotations

import io
from typing import Any, Final

import numpy as np
from numpy.lib import format as npy

from qruntime.wire import blob
from qruntime.wire.registry import MalformedValue, WireType

# Zero-noise-extrapolation names that a stock server may send as an ``ndarray``
# envelope of a 0-d object array; the stock decoder passes them through.
_EXTRAPOLATORS: Final = frozenset(
    {
        "linear",
        "exponential",
        "double_exponential",
        "fallback",
        *(f"polynomial_degree_{degree}" for degree in range(1, 8)),
    }
)


def encode_ndarray(array: np.ndarray) -> str | Any:
    """Encode an array as base64 zlib ``.npy`` (object arrays as nested lists).

    Args:
        array: Any numpy array.

    Returns:
        The ``__value__`` of its ``ndarray`` envelope.
    """
    if array.dtype.hasobject:
        return array.tolist()
    buffer = io.BytesIO()
    npy.write_array(buffer, array, allow_pickle=False)
    return blob.pack(buffer.getbuffer())


def decode_ndarray(value: Any) -> np.ndarray | str:
    """Decode an ``ndarray`` envelope's value.

    Args:
        value: Base64 text of zlib ``.npy`` bytes; or a nested list or number
            (an encoded object array); or an extrapolator name, passed through.

    Returns:
        The array (or the extrapolator name).

    Raises:
        InvalidInputError: If the text is not base64 of zlib data.
        MalformedValue: If the bytes are not an ``.npy`` array that needs no
            pickle.
    """
    if isinstance(value, str):
        if value in _EXTRAPOLATORS:
            return value
        return _read_npy(blob.unpack(value, "ndarray"))
    if isinstance(value, (list, int, float)):
        return np.array(value)
    raise MalformedValue(f"__value__ must be base64 text or a list, got {type(value).__name__}")


def _read_npy(data: bytes) -> np.ndarray:
    try:
        return npy.read_array(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise MalformedValue(f"__value__ is not an .npy array ({exc})") from exc


def _number(scalar: np.generic) -> Any:
    return scalar.item()


def _complex_value(scalar: np.complexfloating) -> list[float]:
    number = complex(scalar)
    return [number.real, number.imag]


def wire_types() -> list[WireType]:
    """The numpy wire types.

    Returns:
        The ``ndarray`` pair, the plain conversions of numpy integer, float and
        bool scalars, and numpy complex scalars as ``complex`` envelopes.
    """
    return [
        WireType("ndarray", (np.ndarray,), encode_ndarray, decode_ndarray),
        WireType(None, (np.integer, np.floating, np.bool_), _number),
        # Decoded by the ``complex`` pair in scalar.py; no decoder here.
        WireType("complex", (np.complexfloating,), _complex_value),
    ]
