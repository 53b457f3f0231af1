"""The table of wire types: which encode/decode pair handles which object.

Each wire type is a small pair of functions (Python object -> ``__value__``,
``__value__`` -> Python object) under one ``__type__`` name. The registry picks
the pair for an object by its class (walking the class's MRO once, then
caching), and the pair for an envelope by its ``__type__``. Objects that no
class entry claims go through an ordered list of fallbacks (objects with
``settings``, ``to_json``, ...), as the stock encoder's ``isinstance`` chain
ends in duck-typed checks.

Decoding is the trust boundary: every failure inside a decode pair leaves the
registry as :class:`~qruntime.errors.InvalidInputError`, naming the envelope
type and what is wrong, chained to the original exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from qruntime.errors import InvalidInputError

TYPE_KEY: Final = "__type__"
VALUE_KEY: Final = "__value__"

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]
Fallback = Callable[[Any], Any]
"""Returns the encoded form of an object, or :data:`UNHANDLED` to pass it on."""

UNHANDLED: Final = object()
"""What a fallback returns for an object it does not encode."""


class MalformedValue(ValueError):
    """A decode pair's own finding that a ``__value__`` is not what its type needs.

    The registry reports it as :class:`~qruntime.errors.InvalidInputError` with
    this message alone; foreign exceptions are reported with their class name.
    """


@dataclass(frozen=True)
class WireType:
    """One wire type: how its Python objects become JSON and back.

    Attributes:
        name: The ``__type__`` written and read. ``None`` for types that encode
            to a plain JSON value with no envelope (numpy scalars, coupling
            maps, ...); those have no decoder.
        types: The Python classes this pair encodes (subclasses included).
        encode: Object -> ``__value__`` (or the plain value when ``name`` is
            ``None``). The result may hold further non-JSON objects; they are
            encoded in turn.
        decode: ``__value__`` -> object, or the whole envelope when
            ``whole_envelope`` is true. It receives the value already decoded
            (envelopes nested inside it are decoded first).
        aliases: Other ``__type__`` names accepted on decode.
        whole_envelope: Whether ``decode`` wants the envelope dict (for
            envelopes with keys besides ``__value__``).
    """

    name: str | None
    types: tuple[type, ...] = ()
    encode: Encode | None = None
    decode: Decode | None = None
    aliases: tuple[str, ...] = ()
    whole_envelope: bool = False


def invalid(type_name: str, problem: str) -> InvalidInputError:
    """Build the error for a malformed envelope, in the one wording all pairs use.

    Args:
        type_name: The envelope's ``__type__``.
        problem: What is wrong with it, e.g. ``"__value__ is not valid base64"``.

    Returns:
        The error, for the caller to raise ``from`` the original exception.
    """
    return InvalidInputError(f"Invalid {type_name!r} envelope: {problem}")


def envelope(name: str, value: Any) -> dict[str, Any]:
    """Wrap a value in the ``{"__type__": name, "__value__": value}`` envelope."""
    return {TYPE_KEY: name, VALUE_KEY: value}


class Registry:
    """An immutable table of wire types and fallbacks.

    Args:
        wire_types: The encode/decode pairs. A class or ``__type__`` name may
            appear only once.
        fallbacks: Tried in order for objects whose class no pair claims.

    Raises:
        ValueError: If two pairs claim the same class or name.
    """

    def __init__(self, wire_types: Iterable[WireType], fallbacks: Iterable[Fallback] = ()) -> None:
        self._by_class: dict[type, WireType] = {}
        self._by_name: dict[str, WireType] = {}
        for wire in wire_types:
            self._claim_classes(wire)
            self._claim_names(wire)
        self._fallbacks = tuple(fallbacks)
        # Resolved class -> pair (or None for "use the fallbacks"), filled lazily.
        self._resolved: dict[type, WireType | None] = dict(self._by_class)

    def _claim_classes(self, wire: WireType) -> None:
        for cls in wire.types:
            if cls in self._by_class:
                raise ValueError(f"{cls.__qualname__} is claimed by two wire types")
            self._by_class[cls] = wire

    def _claim_names(self, wire: WireType) -> None:
        if wire.name is None or wire.decode is None:
            return
        for name in (wire.name, *wire.aliases):
            if name in self._by_name:
                raise ValueError(f"wire type name {name!r} is registered twice")
            self._by_name[name] = wire

    @property
    def names(self) -> frozenset[str]:
        """The ``__type__`` names this registry decodes."""
        return frozenset(self._by_name)

    def encode_one(self, obj: Any) -> Any:
        """Encode one non-JSON object one level deep.

        Args:
            obj: An object that is not a plain JSON value.

        Returns:
            An envelope or plain value; it may still hold non-JSON objects.

        Raises:
            TypeError: If no pair or fallback handles ``obj``.
        """
        wire = self._pair_for(type(obj))
        if wire is not None:
            value = wire.encode(obj)  # type: ignore[misc]
            return value if wire.name is None else envelope(wire.name, value)
        for fallback in self._fallbacks:
            encoded = fallback(obj)
            if encoded is not UNHANDLED:
                return encoded
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")

    def _pair_for(self, cls: type) -> WireType | None:
        try:
            return self._resolved[cls]
        except KeyError:
            pass
        found = next((self._by_class[base] for base in cls.__mro__ if base in self._by_class), None)
        self._resolved[cls] = found
        return found

    def decode_envelope(self, obj: dict[str, Any]) -> Any:
        """Turn one envelope into its object; return any other dict unchanged.

        Args:
            obj: A JSON object whose own nested values are already decoded.

        Returns:
            The decoded object, or ``obj`` itself when it has no ``__type__``.

        Raises:
            InvalidInputError: If the ``__type__`` is unknown, ``__value__`` is
                missing, or the value cannot be decoded.
        """
        if TYPE_KEY not in obj:
            return obj
        wire, name = self._wire_named(obj[TYPE_KEY])
        if VALUE_KEY not in obj:
            raise invalid(name, "it has no '__value__' key")
        try:
            return wire.decode(obj if wire.whole_envelope else obj[VALUE_KEY])  # type: ignore[misc]
        except InvalidInputError:
            raise
        except MalformedValue as exc:
            raise invalid(name, str(exc)) from exc
        except Exception as exc:  # the trust boundary: any failure is bad input
            raise invalid(name, f"{type(exc).__name__}: {exc!s:.300}") from exc

    def _wire_named(self, name: Any) -> tuple[WireType, str]:
        wire = self._by_name.get(name) if isinstance(name, str) else None
        if wire is None:
            raise InvalidInputError(
                f"Unknown envelope type {name!r:.80}: expected one of {', '.join(sorted(self._by_name))}"
            )
        return wire, name


def require_keys(value: Any, keys: Iterable[str], optional: Iterable[str] = ()) -> Mapping[str, Any]:
    """Check that an envelope's value is an object with the given keys.

    Args:
        value: The decoded ``__value__``.
        keys: Keys that must be present.
        optional: Keys that may be present besides them.

    Returns:
        ``value``, typed as a mapping.

    Raises:
        MalformedValue: If ``value`` is not a dict, lacks a required key, or has
            a key that is neither required nor optional.
    """
    if not isinstance(value, dict):
        raise MalformedValue(f"__value__ must be an object, got {type(value).__name__}")
    required = tuple(keys)
    missing = [key for key in required if key not in value]
    if missing:
        raise MalformedValue(f"__value__ lacks {', '.join(map(repr, missing))}")
    extra = set(value).difference(required, optional)
    if extra:
        raise MalformedValue(f"__value__ has unexpected keys {sorted(map(str, extra))}")
    return value
