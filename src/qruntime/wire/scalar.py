"""Python values JSON has no type for: ``complex``, ``datetime`` and ``set``.

* ``complex``: ``[real, imag]``.
* ``datetime``: ISO 8601 text (``isoformat()``); a ``date`` is written the same
  way and, as with the stock decoder, comes back as a ``datetime`` at midnight.
* ``set``: the list of its elements (``frozenset`` too). Lists inside it come
  back as tuples, since a set cannot hold lists (the stock decoder fails there).
"""

from __future__ import annotations

from datetime import date, datetime
from numbers import Real
from typing import Any

from qruntime.wire.registry import MalformedValue, WireType


def encode_complex(number: complex) -> list[float]:
    """Encode a complex number as ``[real, imag]``."""
    return [number.real, number.imag]


def decode_complex(value: Any) -> complex:
    """Decode ``[real, imag]`` into a complex number.

    Raises:
        MalformedValue: If the value is not a pair of real numbers.
    """
    if not (isinstance(value, list) and len(value) == 2 and all(_is_real(part) for part in value)):
        raise MalformedValue(f"__value__ must be [real, imag], got {value!r:.80}")
    return complex(value[0], value[1])


def _is_real(part: Any) -> bool:
    return isinstance(part, Real) and not isinstance(part, bool)


def encode_datetime(moment: date) -> str:
    """Encode a date or datetime as ISO 8601 text."""
    return moment.isoformat()


def decode_datetime(value: Any) -> datetime:
    """Decode ISO 8601 text into a datetime.

    Raises:
        MalformedValue: If the value is not ISO 8601 text.
    """
    if not isinstance(value, str):
        raise MalformedValue(f"__value__ must be ISO 8601 text, got {type(value).__name__}")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise MalformedValue(f"__value__ is not an ISO 8601 date and time: {value!r:.80}") from exc


def encode_set(items: set[Any] | frozenset[Any]) -> list[Any]:
    """Encode a set as the list of its elements."""
    return list(items)


def decode_set(value: Any) -> set[Any]:
    """Decode a list into a set, turning nested lists into tuples.

    Raises:
        MalformedValue: If the value is not a list.
        TypeError: If an element is unhashable (e.g. a dict).
    """
    if not isinstance(value, list):
        raise MalformedValue(f"__value__ must be a list, got {type(value).__name__}")
    return {_hashable(item) for item in value}


def _hashable(item: Any) -> Any:
    return tuple(_hashable(part) for part in item) if isinstance(item, list) else item


def wire_types() -> list[WireType]:
    """The ``complex``, ``datetime`` and ``set`` pairs."""
    return [
        WireType("complex", (complex,), encode_complex, decode_complex),
        WireType("datetime", (date,), encode_datetime, decode_datetime),
        WireType("set", (set, frozenset), encode_set, decode_set),
    ]
