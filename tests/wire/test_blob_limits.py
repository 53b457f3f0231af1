"""What decoding a document may make is bounded before the work is done.

A compressed envelope may not inflate past the limit (all envelopes of one
document together), and a circuit's QPY header is read for its sizes before
the circuit is built.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib

import numpy as np
import pytest
from qiskit import QuantumCircuit, qpy

from qruntime import wire
from qruntime.errors import InvalidInputError
from qruntime.wire import blob

from .bombs import zero_envelope

SMALL = blob.DecodeLimits(max_inflated_bytes=1000)
GIB = 1024**3


def _bomb(size: int) -> str:
    return base64.b64encode(zlib.compress(b"\0" * size)).decode()


def _array(text: str) -> str:
    return '{"__type__": "ndarray", "__value__": "%s"}' % text


def _circuit_envelope(circuit: QuantumCircuit) -> dict[str, str]:
    buffer = io.BytesIO()
    qpy.dump(circuit, buffer, version=wire.QPY_WRITE_VERSION)
    return {"__type__": "QuantumCircuit", "__value__": blob.pack(buffer.getvalue())}


def _claiming(qubits: int = 0, clbits: int = 0, instructions: int | None = None) -> str:
    """A circuit envelope whose QPY header is rewritten to claim these sizes."""
    buffer = io.BytesIO()
    qpy.dump(QuantumCircuit(1), buffer, version=wire.QPY_WRITE_VERSION)
    data = bytearray(buffer.getvalue())
    offset = struct.unpack_from("!Q", data, 20)[0]  # the one circuit's header
    struct.pack_into("!II", data, offset + 5, qubits, clbits)
    if instructions is not None:
        struct.pack_into("!Q", data, offset + 25, instructions)
    return json.dumps({"__type__": "QuantumCircuit", "__value__": blob.pack(bytes(data))})


def test_inflation_past_the_limit_is_refused() -> None:
    with blob.limited(SMALL), pytest.raises(InvalidInputError,
                                            match="inflate to more than 1000 bytes"):
        wire.loads(_array(_bomb(100_000)))


def test_the_limit_is_for_the_whole_document() -> None:
    # Each array alone (448 bytes of .npy) is under the limit; three together are over it.
    array = wire.dumps(np.zeros(40))
    with blob.limited(SMALL):
        assert len(wire.loads(f"[{array}, {array}]")) == 2
        with pytest.raises(InvalidInputError, match="inflate to more than 1000 bytes"):
            wire.loads(f"[{array}, {array}, {array}]")
        with pytest.raises(InvalidInputError, match="inflate to more than 1000 bytes"):
            wire.decode(json.loads(f"[{array}, {array}, {array}]"))


def test_a_server_ties_the_limit_to_its_body_cap() -> None:
    limits = blob.DecodeLimits.for_server(2 * 1024 * 1024, max_qubits=127)
    assert limits.max_inflated_bytes == blob.INFLATION_PER_BODY_BYTE * 2 * 1024 * 1024
    with blob.limited(limits), pytest.raises(InvalidInputError) as caught:
        wire.loads(zero_envelope("ndarray", 32 * 1024 * 1024))
    assert "request body limit of 2 MiB" in caught.value.message


def test_a_two_gigabyte_bomb_stops_at_the_limit() -> None:
    # 2 MiB of zlib that would inflate to 2 GiB: inflating stops at the limit.
    bomb = zero_envelope("QuantumCircuit", 2 * GIB)
    with blob.limited(blob.DecodeLimits(max_inflated_bytes=16 * 1024 * 1024)):
        with pytest.raises(InvalidInputError, match="inflate to more than 16777216 bytes"):
            wire.loads(bomb)
    assert blob.DEFAULT_MAX_INFLATED_BYTES < 2 * GIB


def test_truncated_stream_is_refused() -> None:
    stream = base64.b64encode(zlib.compress(b"x" * 1000)[:-6]).decode()
    with pytest.raises(InvalidInputError, match="zlib"):
        wire.loads(_array(stream))


def test_qubits_are_counted_from_the_header_before_the_circuit_is_built() -> None:
    # Only the header check says "declares": building 3,000,000 qubits would take seconds.
    with pytest.raises(InvalidInputError, match="declares 3000000 qubits, more than the 10000"):
        wire.loads(_claiming(qubits=3_000_000))
    with blob.limited(blob.DecodeLimits(max_qubits=127)):
        with pytest.raises(InvalidInputError, match="declares 128 qubits, more than the 127"):
            wire.loads(_claiming(qubits=128))
        assert wire.loads(_claiming(qubits=127)).num_qubits == 127


def test_clbits_are_counted_from_the_header() -> None:
    with pytest.raises(InvalidInputError, match="declares 3000000 clbits"):
        wire.loads(_claiming(clbits=3_000_000))


def test_instructions_the_payload_cannot_hold_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="declares 4000000000 instructions, more than its"):
        wire.loads(_claiming(qubits=1, instructions=4_000_000_000))


def test_instructions_are_counted_over_the_whole_document() -> None:
    circuit = QuantumCircuit(2)
    for _ in range(30):
        circuit.cx(0, 1)
    text = json.dumps([_circuit_envelope(circuit)] * 3)
    with blob.limited(blob.DecodeLimits(max_instructions=60)):
        assert wire.loads(json.dumps([_circuit_envelope(circuit)] * 2))[1] == circuit
        with pytest.raises(InvalidInputError, match="hold 90 instructions or more, over this "
                                                    "runtime's limit of 60"):
            wire.loads(text)


def test_a_payload_of_several_programs_is_refused() -> None:
    buffer = io.BytesIO()
    qpy.dump([QuantumCircuit(1), QuantumCircuit(1)], buffer, version=wire.QPY_WRITE_VERSION)
    text = json.dumps({"__type__": "QuantumCircuit", "__value__": blob.pack(buffer.getvalue())})
    with pytest.raises(InvalidInputError, match="must hold one circuit, not 2"):
        wire.loads(text)


def test_a_truncated_header_is_refused() -> None:
    buffer = io.BytesIO()
    qpy.dump(QuantumCircuit(1), buffer, version=wire.QPY_WRITE_VERSION)
    head = buffer.getvalue()[:30]
    text = json.dumps({"__type__": "QuantumCircuit", "__value__": blob.pack(head)})
    with pytest.raises(InvalidInputError, match="truncated header"):
        wire.loads(text)
