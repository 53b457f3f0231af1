"""Request bodies: JSON objects read as bytes, and typed fields that name themselves when wrong.

Bodies are parsed by hand rather than by a model so that every error is a 400
in the protocol's shape naming the field, and so that ``params`` reaches the
engine as the JSON text the client sent.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import Depends, Request

from qruntime.errors import InvalidInputError

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
               int: "a number", float: "a number", type(None): "null"}


async def raw_body(request: Request) -> bytes:
    """The request body, read (and capped by :mod:`qruntime.server.limits`) on the event loop."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def json_object(raw: bytes) -> dict[str, Any]:
    """Parse ``raw`` as a JSON object."""
    if not raw.strip():
        raise InvalidInputError("request body is empty; expected a JSON object.")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InvalidInputError(f"request body is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidInputError(f"request body must be a JSON object, not {kind(value)}.")
    return value


def kind(value: Any) -> str:
    """The JSON type of ``value``, with its article."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def wrong(name: str, expected: str, value: Any) -> InvalidInputError:
    """The error for field ``name`` holding ``value`` where ``expected`` belongs."""
    return InvalidInputError(f"field {name!r} must be {expected}, not {kind(value)}.")


def text(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    """The string field ``name`` (``None`` when absent or null, unless required)."""
    value = body.get(name)
    if value is None:
        if required:
            raise InvalidInputError(f"field {name!r} is required.")
        return None
    if not isinstance(value, str):
        raise wrong(name, "a string", value)
    if required and not value:
        raise InvalidInputError(f"field {name!r} must not be empty.")
    return value


def flag(body: dict[str, Any], name: str, default: bool = False) -> bool:
    """The boolean field ``name``."""
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise wrong(name, "a boolean", value)
    return value


#: The most seconds a field may hold: the store keeps them in 32-bit integer columns.
MAX_SECONDS = 2**31 - 1


def seconds(body: dict[str, Any], name: str) -> int | None:
    """The whole number of seconds, ``1..MAX_SECONDS``, in field ``name``, or ``None``."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise wrong(name, "a whole number of seconds", value)
    if not math.isfinite(value) or value != int(value) or not 0 < value <= MAX_SECONDS:
        raise InvalidInputError(f"field {name!r} must be a positive whole number of seconds, "
                                f"at most {MAX_SECONDS}, not {value!r}.")
    return int(value)


def strings(body: dict[str, Any], name: str) -> list[str]:
    """The list-of-strings field ``name`` (empty when absent or null)."""
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise wrong(name, "an array of strings", value)
    return value


def mapping(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The object field ``name`` (empty when absent or null)."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise wrong(name, "an object", value)
    return value
