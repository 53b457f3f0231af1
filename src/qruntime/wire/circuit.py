"""Circuits, instructions and parameters on the wire, as QPY.

* ``QuantumCircuit``: base64 of zlib of a QPY file holding the one circuit.
  We write QPY version ``min(17, qiskit.qpy.QPY_VERSION)``, the newest the
  0.51 client writes and IBM's service reads; we read every version the
  installed Qiskit reads (Qiskit 1.x clients write 11 to 13).
* ``Instruction``: the same, for a circuit whose only instruction it is.
* ``circuit.parameters`` (a ``ParameterView``): the list of its parameters.
* ``Parameter``: base64 (not compressed) of one QPY ``PARAMETER`` record:
  ``struct "!H16s"`` (name length, UUID bytes) followed by the UTF-8 name.

Before a circuit is built, the counts its QPY headers declare (programs,
qubits, clbits, instructions) are checked against the decode limits in force
(:class:`~qruntime.wire.blob.DecodeLimits`): a header of a few bytes can claim
millions of qubits, and building them is what costs.
"""

from __future__ import annotations

import io
import json
import struct
import uuid
from typing import Any, Final

from qiskit import qpy
from qiskit.circuit import ClassicalRegister, Instruction, Parameter, QuantumCircuit, QuantumRegister
from qiskit.circuit.parametertable import ParameterView

from qruntime.wire import blob
from qruntime.wire.registry import MalformedValue, WireType, invalid

SERVICE_MAX_QPY_VERSION: Final = 17
"""The newest QPY version the Qiskit Runtime service reads (0.51 client)."""

QPY_WRITE_VERSION: Final = min(SERVICE_MAX_QPY_VERSION, qpy.QPY_VERSION)
"""The QPY version we write circuits in."""

_QPY_MAGIC: Final = b"QISKIT"
_PARAMETER_HEAD: Final = struct.Struct("!H16s")

# The parts of Qiskit's QPY layout (qiskit/qpy/formats.py) read to learn a
# circuit's size: the file header (version 10 on adds the symbolic encoding),
# the program type key (version 5 on), the program offset table (16 on) and the
# circuit header, whose layout changed at versions 2 and 12.
_FILE_HEAD: Final = struct.Struct("!6sBBBBQ")
_FILE_HEAD_V10: Final = struct.Struct("!6sBBBBQc")
_OFFSET: Final = struct.Struct("!Q")
_CIRCUIT_HEAD: Final = struct.Struct("!HdIIQIQ")
_CIRCUIT_HEAD_V2: Final = struct.Struct("!H1cHIIQIQ")
_CIRCUIT_HEAD_V12: Final = struct.Struct("!H1cHIIQIQI")
_SMALLEST_INSTRUCTION: Final = 25
"""Bytes of the smallest QPY instruction record (``CIRCUIT_INSTRUCTION``)."""

JsonEncoderClass = type[json.JSONEncoder]
JsonDecoderClass = type[json.JSONDecoder]


def wire_types(metadata_encoder: JsonEncoderClass, metadata_decoder: JsonDecoderClass) -> list[WireType]:
    """The QPY-based wire types.

    Args:
        metadata_encoder: JSON encoder for circuit metadata (the stock client
            uses its ``RuntimeEncoder``, so metadata may hold arrays and such).
        metadata_decoder: The matching decoder.

    Returns:
        The ``QuantumCircuit``, ``Instruction`` and ``Parameter`` pairs, and
        ``circuit.parameters`` (a ``ParameterView``) sent as a plain list.
    """
    qpy_codec = _Qpy(metadata_encoder, metadata_decoder)
    return [
        WireType("QuantumCircuit", (QuantumCircuit,), qpy_codec.encode_circuit, qpy_codec.decode_circuit),
        WireType("Instruction", (Instruction,), qpy_codec.encode_instruction, qpy_codec.decode_instruction),
        WireType("Parameter", (Parameter,), encode_parameter, decode_parameter),
        WireType(None, (ParameterView,), list),
    ]


class _Qpy:
    """QPY dump and load with the codec's JSON classes for circuit metadata."""

    def __init__(self, metadata_encoder: JsonEncoderClass, metadata_decoder: JsonDecoderClass) -> None:
        self._encoder = metadata_encoder
        self._decoder = metadata_decoder

    def encode_circuit(self, circuit: QuantumCircuit) -> str:
        buffer = io.BytesIO()
        qpy.dump(circuit, buffer, metadata_serializer=self._encoder, version=QPY_WRITE_VERSION)
        return blob.pack(buffer.getbuffer())

    def decode_circuit(self, value: Any) -> QuantumCircuit:
        return self._load_one("QuantumCircuit", value)

    def encode_instruction(self, instruction: Instruction) -> str:
        # The stock client appends the instruction to an otherwise empty circuit.
        circuit = QuantumCircuit(QuantumRegister(instruction.num_qubits))
        if instruction.num_clbits:
            circuit.add_register(ClassicalRegister(instruction.num_clbits))
        circuit.append(instruction, circuit.qubits, circuit.clbits)
        return self.encode_circuit(circuit)

    def decode_instruction(self, value: Any) -> Instruction:
        circuit = self._load_one("Instruction", value)
        if not circuit.data:
            raise MalformedValue("the QPY circuit holds no instruction")
        return circuit.data[0].operation

    def _load_one(self, type_name: str, value: Any) -> QuantumCircuit:
        data = blob.unpack(value, type_name)
        check_qpy_header(data, type_name)
        check_qpy_size(data, type_name)
        try:
            programs = qpy.load(io.BytesIO(data), metadata_deserializer=self._decoder)
        except Exception as exc:  # QPY raises many types for corrupt input
            raise invalid(type_name, f"__value__ is not a readable QPY payload ({type(exc).__name__}: {exc})") from exc
        if len(programs) != 1 or not isinstance(programs[0], QuantumCircuit):
            raise MalformedValue(f"the QPY payload must hold one circuit, got {len(programs)} programs")
        return programs[0]


def check_qpy_header(data: bytes, type_name: str) -> int:
    """Check the QPY magic and that this Qiskit reads the payload's version.

    Args:
        data: The QPY bytes.
        type_name: The envelope's ``__type__``, for error messages.

    Returns:
        The payload's QPY version.

    Raises:
        InvalidInputError: If the bytes are not QPY, or are of a newer QPY
            version than the installed Qiskit reads.
    """
    if len(data) < len(_QPY_MAGIC) + 1 or not data.startswith(_QPY_MAGIC):
        raise invalid(type_name, "__value__ is not a QPY payload (no 'QISKIT' header)")
    version = data[len(_QPY_MAGIC)]
    if version > qpy.QPY_VERSION:
        raise invalid(
            type_name,
            f"the circuit is in QPY version {version}, newer than the {qpy.QPY_VERSION} "
            "this runtime's Qiskit reads; upgrade Qiskit on the runtime or send an older QPY version",
        )
    return version


def check_qpy_size(data: bytes, type_name: str) -> None:
    """Check the sizes a one-circuit QPY payload declares, before anything is built.

    Args:
        data: The QPY bytes (their magic and version already checked).
        type_name: The envelope's ``__type__``, for error messages.

    Raises:
        InvalidInputError: If the payload holds other than one circuit, declares
            more qubits, clbits or instructions than the decode limits allow, or
            more instructions than its bytes could hold.
    """
    try:
        qubits, clbits, instructions = _declared_sizes(data, type_name)
    except struct.error as exc:
        raise invalid(type_name, f"__value__ is not a readable QPY payload (truncated header: "
                                 f"{exc})") from exc
    allowed = blob.limits()
    for count, largest, what in ((qubits, allowed.max_qubits, "qubits"),
                                 (clbits, allowed.max_clbits, "clbits")):
        if count > largest:
            raise invalid(type_name, f"the circuit declares {count} {what}, more than the "
                                     f"{largest} this runtime takes")
    if instructions * _SMALLEST_INSTRUCTION > len(data):
        raise invalid(type_name, f"the circuit declares {instructions} instructions, more than "
                                 f"its {len(data)} QPY bytes can hold")
    blob.spend_instructions(instructions, type_name)


def _declared_sizes(data: bytes, type_name: str) -> tuple[int, int, int]:
    """(qubits, clbits, instructions) of the one circuit, as its headers declare them."""
    version = data[len(_QPY_MAGIC)]
    file_head = _FILE_HEAD_V10 if version >= 10 else _FILE_HEAD
    programs = file_head.unpack_from(data)[5]
    if programs != 1:
        raise invalid(type_name, f"the QPY payload must hold one circuit, not {programs}")
    offset = file_head.size + (1 if version >= 5 else 0)
    if version >= 16:
        offset = _OFFSET.unpack_from(data, offset)[0]
    if version < 2:
        _name, _phase, qubits, clbits, _meta, _regs, instructions = (
            _CIRCUIT_HEAD.unpack_from(data, offset))
    else:
        head = _CIRCUIT_HEAD_V12 if version >= 12 else _CIRCUIT_HEAD_V2
        _name, _kind, _phase, qubits, clbits, _meta, _regs, instructions, *_vars = (
            head.unpack_from(data, offset))
    return qubits, clbits, instructions


def encode_parameter(parameter: Parameter) -> str:
    """Write one QPY ``PARAMETER`` record (name and UUID), base64 encoded.

    Args:
        parameter: The parameter. A ``ParameterVectorElement`` is written as a
            plain parameter of the same name and UUID, as the stock client does.

    Returns:
        Base64 text, not compressed.
    """
    name = parameter.name.encode("utf-8")
    return blob.pack(_PARAMETER_HEAD.pack(len(name), parameter.uuid.bytes) + name, compress=False)


def decode_parameter(value: Any) -> Parameter:
    """Read a ``Parameter`` written by :func:`encode_parameter` or the stock client.

    Args:
        value: The envelope's base64 text.

    Returns:
        A parameter with the same name and UUID, so it equals the original.

    Raises:
        InvalidInputError: If the text is not base64.
        MalformedValue: If the record is truncated or has bytes left over.
    """
    data = blob.unpack(value, "Parameter", compressed=False)
    if len(data) < _PARAMETER_HEAD.size:
        raise MalformedValue(f"the QPY parameter record is {len(data)} bytes, too short for its header")
    name_size, uuid_bytes = _PARAMETER_HEAD.unpack_from(data)
    name = data[_PARAMETER_HEAD.size :]
    if len(name) != name_size:
        raise MalformedValue(f"the QPY parameter record names {name_size} name bytes but holds {len(name)}")
    return Parameter(name.decode("utf-8"), uuid=uuid.UUID(bytes=uuid_bytes))
