"""The wire codec: Python objects <-> JSON with ``{"__type__", "__value__"}`` envelopes.

Two ways in and out, built on the same table of wire types:

* text: :func:`dumps` / :func:`loads`, or ``json.dumps(obj, cls=RuntimeEncoder)``
  / ``json.loads(text, cls=RuntimeDecoder)``. These run in the C JSON encoder
  and scanner and call back into Python only for non-JSON objects and JSON
  objects, so they are the fast path;
* structures: :func:`encode` / :func:`decode`, for callers that hold parsed
  JSON (a JSON column, a framework that parses bodies itself).
"""

from __future__ import annotations

import json
from typing import Any, Final

from qiskit.circuit import QuantumCircuit

from qruntime.errors import InvalidInputError
from qruntime.wire import blob, circuit, containers, ndarray, options, quantum_info, result, scalar, spans
from qruntime.wire.registry import Registry

_EXACT_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


class RuntimeEncoder(json.JSONEncoder):
    """A JSON encoder that writes Qiskit Runtime envelopes.

    It writes what the stock client's ``RuntimeEncoder`` writes, so the stock
    ``RuntimeDecoder`` reads it, and also converts numpy scalars of every kind.

    Example:
        >>> import json
        >>> json.dumps({"z": 1 + 2j}, cls=RuntimeEncoder)
        '{"z": {"__type__": "complex", "__value__": [1.0, 2.0]}}'
    """

    def default(self, o: Any) -> Any:
        """Encode one object JSON cannot, one level deep.

        A circuit that appears several times in one document (a sweep of the
        same circuit, say) is serialized once and its envelope reused.

        Args:
            o: The object.

        Returns:
            Its envelope or plain JSON replacement.

        Raises:
            TypeError: If ``o`` is of no wire type.
        """
        if not isinstance(o, QuantumCircuit):
            return _REGISTRY.encode_one(o)
        memo = self.__dict__.setdefault("_circuits", {})
        envelope = memo.get(id(o))
        if envelope is None:
            envelope = memo[id(o)] = _REGISTRY.encode_one(o)
        return envelope


class RuntimeDecoder(json.JSONDecoder):
    """A JSON decoder that turns Qiskit Runtime envelopes back into objects.

    It reads what the stock client's ``RuntimeEncoder`` writes. Envelopes of
    unknown type or with a malformed value raise
    :class:`~qruntime.errors.InvalidInputError` (the stock decoder passes
    unknown ones through as dicts).

    Args:
        **kwargs: Keyword arguments of :class:`json.JSONDecoder`, except the
            object hooks, which this class sets.

    Raises:
        TypeError: If ``object_hook`` or ``object_pairs_hook`` is given.

    Example:
        >>> import json
        >>> json.loads('{"__type__": "set", "__value__": [1, 2]}', cls=RuntimeDecoder)
        {1, 2}
    """

    def __init__(self, **kwargs: Any) -> None:
        if "object_hook" in kwargs or "object_pairs_hook" in kwargs:
            raise TypeError("RuntimeDecoder sets its own object hook")
        super().__init__(object_hook=_decode_envelope, **kwargs)

    def decode(self, s: str, *args: Any, **kwargs: Any) -> Any:
        """Parse one document; its payloads share one budget (:func:`blob.document`)."""
        with blob.document():
            return super().decode(s, *args, **kwargs)


def _decode_envelope(obj: dict[str, Any]) -> Any:
    return _REGISTRY.decode_envelope(obj)


def dumps(obj: Any, **json_kwargs: Any) -> str:
    """Serialize an object to JSON text with runtime envelopes.

    Args:
        obj: Any mix of JSON values, containers and wire types (circuits,
            arrays, primitive results, ...).
        **json_kwargs: Passed to :func:`json.dumps` (``indent``,
            ``sort_keys``, ``separators``, ...).

    Returns:
        The JSON text.

    Raises:
        TypeError: If ``obj`` holds an object of no wire type.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> bell = QuantumCircuit(2)
        >>> _ = bell.h(0), bell.cx(0, 1)
        >>> loads(dumps({"pubs": [[bell]]}))["pubs"][0][0] == bell
        True
    """
    if json_kwargs:
        return json.dumps(obj, cls=RuntimeEncoder, **json_kwargs)
    # A fresh encoder per call: its memo of circuits must not outlive the call.
    return RuntimeEncoder().encode(obj)


def loads(text: str | bytes | bytearray) -> Any:
    """Parse JSON text, decoding every runtime envelope in it.

    Args:
        text: The JSON document (bytes in UTF-8, -16 or -32).

    Returns:
        The decoded value.

    Raises:
        InvalidInputError: If the text is not JSON, or an envelope in it is of
            unknown type or malformed.

    Example:
        >>> loads('{"when": {"__type__": "datetime", "__value__": "2025-01-02T03:04:05+00:00"}}')
        {'when': datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)}
    """
    if isinstance(text, (bytes, bytearray)):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"Invalid JSON: {exc}") from exc
    except RecursionError as exc:
        raise InvalidInputError("Invalid JSON: nested too deeply") from exc


def encode(obj: Any) -> Any:
    """Turn an object into a JSON-compatible structure with runtime envelopes.

    ``json.dumps(encode(obj))`` gives the same JSON as ``dumps(obj)``; prefer
    :func:`dumps` when text is what you need (it is faster).

    Args:
        obj: Any mix of JSON values, containers and wire types.

    Returns:
        Nested dicts (with string keys), lists, strings, numbers, booleans
        and ``None``. Tuples become lists; subclasses of ``str``, ``int`` and
        ``float`` become the plain types.

    Raises:
        TypeError: If ``obj`` holds an object of no wire type, or a dict key
            JSON cannot hold.

    Example:
        >>> import numpy as np
        >>> encode({"shots": np.int32(100), "phase": 1j})
        {'shots': 100, 'phase': {'__type__': 'complex', '__value__': [0.0, 1.0]}}
    """
    kind = type(obj)
    if kind in _EXACT_SCALARS:
        return obj
    if isinstance(obj, dict):
        return {_encode_key(key): encode(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [encode(item) for item in obj]
    if isinstance(obj, str):
        return str.__str__(obj)
    if isinstance(obj, int):
        return int.__int__(obj)
    if isinstance(obj, float):
        return float.__float__(obj)
    return encode(_REGISTRY.encode_one(obj))


def _encode_key(key: Any) -> str:
    # The conversions json.dumps applies to dict keys.
    if isinstance(key, str):
        return str.__str__(key)
    if key is True or key is False or key is None:
        return json.dumps(key)
    if isinstance(key, (int, float)):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def decode(data: Any) -> Any:
    """Decode every runtime envelope in a parsed JSON structure.

    The input is not changed; the result shares the containers in which
    nothing was decoded.

    Args:
        data: Parsed JSON (dicts, lists and scalars), e.g. from
            :func:`encode` or a JSON column.

    Returns:
        The structure with each envelope replaced by its object.

    Raises:
        InvalidInputError: If an envelope is of unknown type or malformed.

    Example:
        >>> decode([{"__type__": "complex", "__value__": [0.0, 1.0]}, "plain"])
        [1j, 'plain']
    """
    try:
        with blob.document():
            return _decode(data)
    except RecursionError as exc:
        raise InvalidInputError("Invalid JSON structure: nested too deeply") from exc


def _decode(data: Any) -> Any:
    if isinstance(data, dict):
        return _REGISTRY.decode_envelope(_decode_items(data))
    if isinstance(data, list):
        return _decode_list(data)
    return data


def _decode_items(data: dict[str, Any]) -> dict[str, Any]:
    copy: dict[str, Any] | None = None
    for key, value in data.items():
        decoded = _decode(value)
        if decoded is not value:
            if copy is None:
                copy = dict(data)
            copy[key] = decoded
    return data if copy is None else copy


def _decode_list(data: list[Any]) -> list[Any]:
    copy: list[Any] | None = None
    for index, value in enumerate(data):
        decoded = _decode(value)
        if decoded is not value:
            if copy is None:
                copy = list(data)
            copy[index] = decoded
    return data if copy is None else copy


_REGISTRY: Final = Registry(
    [
        *scalar.wire_types(),
        *ndarray.wire_types(),
        *circuit.wire_types(RuntimeEncoder, RuntimeDecoder),
        *containers.wire_types(loads),
        *result.wire_types(),
        *spans.wire_types(),
        *quantum_info.wire_types(),
        *options.wire_types(),
    ],
    # The stock encoder's order for the duck-typed cases.
    fallbacks=(
        options.encode_to_json,
        options.encode_noise_model,
        quantum_info.encode_settings,
        options.encode_callable,
    ),
)
_DECODER: Final = RuntimeDecoder()
