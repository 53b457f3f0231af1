"""Qiskit's primitive data containers and PUBs on the wire.

=====================  =========================================================
``__type__``           ``__value__``
=====================  =========================================================
``BitArray``           ``{"array": ndarray(uint8), "num_bits": int}``
``DataBin``            ``{"field_names": [str], "shape": [int], "fields": {name: value}}``
``BindingsArray``      ``{"shape": [int], "data": {'["a", "b"]': ndarray}}``: each key is
                       the JSON text of a list of parameter names
``ObservablesArray``   ``tolist()``: nested lists of ``{"ZZ": 1.0}`` dicts
=====================  =========================================================

PUBs have no envelope: a ``SamplerPub`` is sent as the list ``[circuit,
parameter values (ndarray), shots]`` and an ``EstimatorPub`` as ``[circuit,
observables (nested list of dicts), parameter values, precision]``, which is
what the runtime's ``pubs`` parameter holds; they come back as plain lists.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
from qiskit.primitives.containers import BitArray, DataBin
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.observables_array import ObservablesArray
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qruntime.errors import InvalidInputError
from qruntime.wire.registry import MalformedValue, WireType, require_keys

Loads = Callable[[str], Any]


def encode_bit_array(bits: BitArray) -> dict[str, Any]:
    """Encode a ``BitArray`` as its packed ``uint8`` array and bit count."""
    return {"array": bits.array, "num_bits": bits.num_bits}


def decode_bit_array(value: Any) -> BitArray:
    """Decode a ``BitArray`` from ``{"array", "num_bits"}``."""
    fields = require_keys(value, ("array", "num_bits"))
    return BitArray(fields["array"], fields["num_bits"])


def encode_data_bin(data: DataBin) -> dict[str, Any]:
    """Encode a ``DataBin`` as its field names, shape and fields."""
    fields = dict(data.items())
    return {"field_names": list(fields), "shape": list(data.shape), "fields": fields}


def decode_data_bin(value: Any) -> DataBin:
    """Decode a ``DataBin`` from ``{"field_names", "shape", "fields"}``.

    The field order is that of ``fields``; ``field_names`` is informative, as
    for the stock decoder.
    """
    parts = require_keys(value, ("fields", "shape"), optional=("field_names",))
    fields, shape = parts["fields"], parts["shape"]
    if not isinstance(fields, dict):
        raise MalformedValue(f"'fields' must be an object, got {type(fields).__name__}")
    return DataBin(shape=_shape(shape), **fields)


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int) and not isinstance(shape, bool):
        return (shape,)
    if not isinstance(shape, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in shape):
        raise MalformedValue(f"'shape' must be a list of integers, got {shape!r:.80}")
    return tuple(shape)


def encode_bindings_array(bindings: BindingsArray) -> dict[str, Any]:
    """Encode a ``BindingsArray`` as its shape and its arrays keyed by JSON name lists."""
    data = {json.dumps(list(names)): values for names, values in bindings.data.items()}
    return {"shape": list(bindings.shape), "data": data}


def encode_observables_array(observables: ObservablesArray) -> list[Any]:
    """Encode an ``ObservablesArray`` as nested lists of Pauli-label dicts."""
    nested: list[Any] = observables.tolist()
    return nested


def decode_observables_array(value: Any) -> ObservablesArray:
    """Decode an ``ObservablesArray`` from nested lists of Pauli-label dicts."""
    if not isinstance(value, (list, dict)):
        raise MalformedValue(f"__value__ must be a (nested) list of observables, got {type(value).__name__}")
    return ObservablesArray(value)


def encode_sampler_pub(pub: SamplerPub) -> tuple[Any, ...]:
    """Send a ``SamplerPub`` as ``(circuit, parameter values, shots)``."""
    return (pub.circuit, pub.parameter_values.as_array(pub.circuit.parameters), pub.shots)


def encode_estimator_pub(pub: EstimatorPub) -> tuple[Any, ...]:
    """Send an ``EstimatorPub`` as ``(circuit, observables, parameter values, precision)``."""
    values = pub.parameter_values.as_array(pub.circuit.parameters)
    return (pub.circuit, pub.observables.tolist(), values, pub.precision)


class _BindingsDecoder:
    """Decodes ``BindingsArray``; its keys are JSON text read with the codec's ``loads``."""

    def __init__(self, loads: Loads) -> None:
        self._loads = loads

    def __call__(self, value: Any) -> BindingsArray:
        parts = require_keys(value, (), optional=("shape", "data"))
        shape = parts.get("shape")
        data = parts.get("data")
        if data is not None and not isinstance(data, dict):
            raise MalformedValue(f"'data' must be an object, got {type(data).__name__}")
        bindings = {self._key(text): self._values(text, values) for text, values in (data or {}).items()}
        return BindingsArray(bindings or None, shape=None if shape is None else _shape(shape))

    def _key(self, text: str) -> tuple[Any, ...]:
        try:
            names = self._loads(text)
        except InvalidInputError as exc:
            raise MalformedValue(f"'data' key {text!r:.80} is not a JSON list of names ({exc})") from exc
        if not isinstance(names, list):
            raise MalformedValue(f"'data' key {text!r:.80} is not a JSON list of parameter names")
        return tuple(names)

    @staticmethod
    def _values(text: str, values: Any) -> np.ndarray:
        if not isinstance(values, np.ndarray):
            raise MalformedValue(f"'data' entry {text!r:.80} must be an ndarray, got {type(values).__name__}")
        return values


def wire_types(loads: Loads) -> list[WireType]:
    """The container and PUB pairs.

    Args:
        loads: The codec's JSON reader, for ``BindingsArray`` keys (which may
            hold ``Parameter`` envelopes when written by old clients).

    Returns:
        The ``BitArray``, ``DataBin``, ``BindingsArray`` and ``ObservablesArray``
        pairs, and the envelope-less PUB encoders.
    """
    return [
        WireType("BitArray", (BitArray,), encode_bit_array, decode_bit_array),
        WireType("DataBin", (DataBin,), encode_data_bin, decode_data_bin),
        WireType("BindingsArray", (BindingsArray,), encode_bindings_array, _BindingsDecoder(loads)),
        WireType("ObservablesArray", (ObservablesArray,), encode_observables_array, decode_observables_array),
        WireType(None, (SamplerPub,), encode_sampler_pub),
        WireType(None, (EstimatorPub,), encode_estimator_pub),
    ]
