"""Binary payloads inside JSON: base64 text of (optionally zlib-compressed) bytes.

Circuits (QPY), arrays (``.npy``) and parameters travel this way. The stock
client writes standard base64 (``+/`` alphabet, padded) and zlib streams at the
default level; any zlib level reads back the same, so we choose ours for speed.

A payload is small on the wire but may be large once read: a zlib stream
expands up to about a thousandfold, and a QPY header of a few bytes may claim
millions of qubits. :class:`DecodeLimits` bounds what decoding one JSON
document may make; :func:`limited` sets the limits for the code it wraps (the
server does so for each request) and :func:`document` gives one document's
decode a single budget, shared by every payload in it.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from qruntime.errors import InvalidInputError
from qruntime.wire.registry import invalid

MIB: Final = 1024 * 1024

DEFAULT_MAX_INFLATED_BYTES: Final = 1024 * MIB
"""What one document's payloads may inflate to outside a server (the embedded
runtime, clients reading results): generous, yet far below memory exhaustion."""

INFLATION_PER_BODY_BYTE: Final = 8
"""A server lets a request's payloads inflate to this many times its body cap
(400 MiB for the default 50 MiB). QPY of real circuits compresses 3 to 30 fold
and base64 adds a third, so no body under the cap that the server could run is
refused; a zlib bomb (a thousandfold) is."""

DEFAULT_MAX_QUBITS: Final = 10_000
"""Qubits (and, separately, clbits) one circuit may declare outside a server.
A QPY header is read before its circuit is built: building 3,000,000 qubits
from a 72-character envelope took 11 s and 762 MB."""

DEFAULT_MAX_INSTRUCTIONS: Final = 10_000_000
"""Instructions the circuits of one document may declare in all (QPY reads
about a million a second)."""

INFLATE_STEP: Final = 16 * MIB
"""Bytes inflated at a time."""

ZLIB_LEVEL: Final = 1
"""Compression level we write. Readers accept any level; on 100,000 shots of
5-qubit GHZ bits level 1 compresses in 0.6 ms against 6.4 ms for the default
level 6, for 22 KB against 16 KB (and the same size on random bits)."""


@dataclass(frozen=True)
class DecodeLimits:
    """What decoding one JSON document may make, checked before the work is done.

    Args:
        max_inflated_bytes: Bytes all compressed payloads of the document may
            inflate to, together.
        max_qubits: Qubits one circuit may declare.
        max_clbits: Classical bits one circuit may declare.
        max_instructions: Instructions all circuits of the document may
            declare, together.
        reason: Where ``max_inflated_bytes`` comes from, for error messages.
    """

    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES
    max_qubits: int = DEFAULT_MAX_QUBITS
    max_clbits: int = DEFAULT_MAX_QUBITS
    max_instructions: int = DEFAULT_MAX_INSTRUCTIONS
    reason: str = "this runtime's limit"

    @classmethod
    def for_server(cls, max_body_bytes: int, max_qubits: int) -> DecodeLimits:
        """The limits of a server that takes bodies up to ``max_body_bytes`` and whose
        largest backend has ``max_qubits`` qubits."""
        return cls(
            max_inflated_bytes=INFLATION_PER_BODY_BYTE * max_body_bytes, max_qubits=max_qubits,
            reason=f"{INFLATION_PER_BODY_BYTE} times this server's request body limit of "
                   f"{max_body_bytes / MIB:g} MiB",
        )


class _Spent:
    """What one document's decode has made so far."""

    def __init__(self) -> None:
        self.inflated = 0
        self.instructions = 0


_LIMITS: Final = contextvars.ContextVar("qruntime_decode_limits", default=DecodeLimits())
_SPENT: Final[contextvars.ContextVar[_Spent | None]] = contextvars.ContextVar(
    "qruntime_decode_spent", default=None)


def limits() -> DecodeLimits:
    """The decode limits in force here."""
    return _LIMITS.get()


@contextmanager
def limited(decode_limits: DecodeLimits) -> Iterator[None]:
    """Decode under ``decode_limits`` inside the block (and the threads it hands work to)."""
    token = _LIMITS.set(decode_limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


@contextmanager
def document() -> Iterator[None]:
    """One budget for everything decoded inside the block; nested blocks share the outer one."""
    if _SPENT.get() is not None:
        yield
        return
    token = _SPENT.set(_Spent())
    try:
        yield
    finally:
        _SPENT.reset(token)


def spend_instructions(count: int, type_name: str) -> None:
    """Count ``count`` instructions against the document's budget, before they are read.

    Raises:
        InvalidInputError: If the document's circuits would hold more than the limit.
    """
    spent = _SPENT.get() or _Spent()
    largest = limits().max_instructions
    if spent.instructions + count > largest:
        raise invalid(type_name, f"the circuits hold {spent.instructions + count} instructions "
                                 f"or more, over this runtime's limit of {largest} per document")
    spent.instructions += count


def pack(data: bytes | bytearray | memoryview, *, compress: bool = True) -> str:
    """Turn bytes into the base64 text carried in an envelope.

    Args:
        data: The serialized payload (QPY, ``.npy``, ...).
        compress: Whether to zlib-compress it first, as every wire type but
            ``Parameter`` does.

    Returns:
        ASCII base64 text.
    """
    if compress:
        data = zlib.compress(data, ZLIB_LEVEL)
    return base64.b64encode(data).decode("ascii")


def unpack(text: Any, type_name: str, *, compressed: bool = True) -> bytes:
    """Turn an envelope's base64 text back into the serialized payload.

    Args:
        text: The ``__value__`` as found in the JSON.
        type_name: The envelope's ``__type__``, for error messages.
        compressed: Whether the bytes are a zlib stream.

    Returns:
        The decoded (and decompressed) bytes.

    Raises:
        InvalidInputError: If ``text`` is not a string of strict base64, not
            a complete zlib stream when ``compressed``, or inflates past what
            the document may still inflate to (:class:`DecodeLimits`).
    """
    if not isinstance(text, str):
        raise invalid(type_name, f"__value__ must be a base64 string, got {type(text).__name__}")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(type_name, f"__value__ is not valid base64 ({exc})") from exc
    if not compressed:
        return data
    spent = _SPENT.get() or _Spent()
    inflated = _inflate(data, limits().max_inflated_bytes - spent.inflated, type_name)
    spent.inflated += len(inflated)
    return inflated


def _inflate(data: bytes, allowed: int, type_name: str) -> bytes:
    # In steps of INFLATE_STEP bytes, so that a bomb costs about ``allowed`` bytes before
    # it is refused (one call with a larger cap would hold its output twice while it
    # joins its buffers); what was inflated is dropped before the error is raised.
    inflater = zlib.decompressobj()
    pieces: list[bytes] = []
    size = 0
    pending = data
    try:
        while True:
            piece = inflater.decompress(pending, INFLATE_STEP)
            size += len(piece)
            if size > allowed:
                del piece, pieces[:]
                raise _too_large(type_name)
            pieces.append(piece)
            pending = inflater.unconsumed_tail
            if inflater.eof or (not pending and len(piece) < INFLATE_STEP):
                break
    except zlib.error as exc:
        raise invalid(type_name, f"__value__ is not valid zlib-compressed data ({exc})") from exc
    if not inflater.eof:
        raise invalid(type_name, "__value__ is not valid zlib-compressed data (truncated stream)")
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def _too_large(type_name: str) -> InvalidInputError:
    largest = limits()
    return invalid(type_name, f"the payloads of this document inflate to more than "
                              f"{largest.max_inflated_bytes} bytes ({largest.reason})")
