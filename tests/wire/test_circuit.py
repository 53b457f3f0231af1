"""QuantumCircuit, Instruction, Parameter and ParameterView on the wire."""

from __future__ import annotations

import base64
import binascii
import io
import json
import zlib

import numpy as np
import pytest
from qiskit import QuantumCircuit, qpy
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import CXGate, Measure, RXGate, UnitaryGate

from qruntime import wire
from qruntime.errors import InvalidInputError

# Written by Qiskit 1.2.4 (``qpy.dump(circuit, version=N)``, zlib, base64): the
# circuit of ``_v1_circuit`` below, with theta's UUID f1630c90-429f-4a29-8ac6-a8af1f05ee58.
QPY_V11_FROM_QISKIT_1_2 = (
    "eJwL9Az29gzhZmRiYYAAxtRCBo40Bg4gkwmKQUASic2alJqTE19mWAHlM1Qr5RdlpmfmKVkpFWYWZ2eW6BrqGemZKNUWMoK1MTIWMqACxmSYTDK6D"
    "JzFiiGCCjzcE0tSIQazQZXhUhoUBVdbABUSZ2D9mMwzwWm+l2bXsRXr5VnfRZRkpJYkgs1iQPItmtsYnSPgZhWCxdiRZbFY7puaWFxaBNEB8S0JOsD"
    "hA1LzHwnA1AEAoas1Ww=="
)
QPY_V12_FROM_QISKIT_1_2 = (
    "eJwL9Az29gzhYWRiYYAAxtRCBo40Bg4gkwmKQUASic0KIpJSc3LiywwroGIM1Ur5RZnpmXlKVkqFmcXZmSW6hnpGeiZKtYWMYK2MjIUMqIAxGSaTj"
    "C4DZ7FiiKACD/fEklSIwWxQZbiUBkXB1RZAhcQZWD8m80xwmu+l2XVsxXp51ncRJRmpJYlgsxiQfIzmNkbnCLhZhWAxdmRZLJb7piYWlxZBdEB8S4I"
    "OcPiA1PxHAjB1ALDKNVw="
)


def _v1_circuit() -> QuantumCircuit:
    import uuid

    theta = Parameter("theta", uuid=uuid.UUID("f1630c90-429f-4a29-8ac6-a8af1f05ee58"))
    circuit = QuantumCircuit(2, 2, name="bell_v1x", metadata={"origin": "qiskit-1.2.4"})
    circuit.h(0)
    circuit.rz(theta, 0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def _envelope(type_name: str, value: object) -> str:
    return json.dumps({"__type__": type_name, "__value__": value})


def _qpy_bytes(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data)).decode()


def test_bell_circuit_round_trips(round_trip, bell):
    assert round_trip(bell) == bell


def test_parameterized_circuit_with_metadata_round_trips(round_trip):
    theta = Parameter("θ")
    vector = ParameterVector("v", 2)
    circuit = QuantumCircuit(3, 1, name="ansatz", metadata={"layer": 2, "tags": ["a", "b"]})
    circuit.rx(theta, 0)
    circuit.ry(vector[0] * 2 + vector[1], 1)
    circuit.append(UnitaryGate(np.eye(2)), [2])
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.x(1)
    back = round_trip(circuit)
    assert back == circuit
    assert back.metadata == circuit.metadata
    assert back.parameters == circuit.parameters


def test_circuit_metadata_may_hold_wire_types(our_round_trip, bell):
    bell.metadata = {"weights": np.arange(3.0), "phase": 1j}
    back = our_round_trip(bell)
    np.testing.assert_array_equal(back.metadata["weights"], np.arange(3.0))
    assert back.metadata["phase"] == 1j


def test_circuits_are_written_in_qpy_version_17(bell):
    assert min(17, qpy.QPY_VERSION) == wire.QPY_WRITE_VERSION
    data = _qpy_bytes(json.loads(wire.dumps(bell))["__value__"])
    assert data[:6] == b"QISKIT"
    assert data[6] == wire.QPY_WRITE_VERSION


@pytest.mark.parametrize("text", [QPY_V11_FROM_QISKIT_1_2, QPY_V12_FROM_QISKIT_1_2], ids=["v11", "v12"])
def test_circuits_written_by_qiskit_1_are_read(text):
    assert _qpy_bytes(text)[6] in (11, 12)
    circuit = wire.loads(_envelope("QuantumCircuit", text))
    assert circuit == _v1_circuit()
    assert circuit.metadata == {"origin": "qiskit-1.2.4"}


def test_qpy_version_13_is_read(bell):
    buffer = io.BytesIO()
    qpy.dump(bell, buffer, version=13)
    assert wire.loads(_envelope("QuantumCircuit", _pack(buffer.getvalue()))) == bell


@pytest.mark.parametrize("instruction", [RXGate(Parameter("a")), CXGate(), UnitaryGate(np.eye(4), label="id")], ids=str)
def test_instruction_round_trips(round_trip, instruction):
    back = round_trip(instruction)
    assert back == instruction
    assert back.name == instruction.name


def test_instruction_with_clbits_round_trips(our_round_trip):
    # The stock encoder fails here: it appends the instruction to qubits only.
    assert our_round_trip(Measure()) == Measure()
    assert json.loads(wire.dumps(Measure()))["__type__"] == "Instruction"


def test_parameter_round_trips(round_trip):
    theta = Parameter("θ_1")
    back = round_trip(theta)
    assert back == theta
    assert back.name == "θ_1"
    assert back.uuid == theta.uuid


def test_parameter_value_is_uncompressed_qpy_record():
    theta = Parameter("ab")
    raw = base64.b64decode(json.loads(wire.dumps(theta))["__value__"])
    assert raw == b"\x00\x02" + theta.uuid.bytes + b"ab"


def test_circuit_parameters_travel_as_a_list(round_trip):
    circuit = QuantumCircuit(1)
    circuit.rx(Parameter("a"), 0)
    circuit.rz(Parameter("b"), 0)
    assert round_trip(circuit.parameters) == list(circuit.parameters)


# --- bad input ----------------------------------------------------------------------


def test_circuit_bad_base64_is_invalid_input():
    with pytest.raises(InvalidInputError, match=r"'QuantumCircuit' envelope: __value__ is not valid base64") as info:
        wire.loads(_envelope("QuantumCircuit", "not base64!"))
    assert isinstance(info.value.__cause__, binascii.Error)


def test_circuit_bad_zlib_is_invalid_input():
    text = base64.b64encode(b"QISKIT plain bytes").decode()
    with pytest.raises(InvalidInputError, match=r"'QuantumCircuit' envelope: __value__ is not valid zlib") as info:
        wire.loads(_envelope("QuantumCircuit", text))
    assert isinstance(info.value.__cause__, zlib.error)


def test_circuit_that_is_not_qpy_is_invalid_input():
    with pytest.raises(InvalidInputError, match=r"'QuantumCircuit' envelope: __value__ is not a QPY payload"):
        wire.loads(_envelope("QuantumCircuit", _pack(b"\x93NUMPY not a circuit")))


def test_truncated_qpy_is_invalid_input(bell):
    data = _qpy_bytes(json.loads(wire.dumps(bell))["__value__"])
    with pytest.raises(InvalidInputError, match=r"'QuantumCircuit' envelope: __value__ is not a readable QPY") as info:
        wire.loads(_envelope("QuantumCircuit", _pack(data[:40])))
    assert info.value.__cause__ is not None


def test_qpy_newer_than_qiskit_is_invalid_input(bell):
    data = bytearray(_qpy_bytes(json.loads(wire.dumps(bell))["__value__"]))
    data[6] = qpy.QPY_VERSION + 1
    with pytest.raises(InvalidInputError, match=rf"QPY version {qpy.QPY_VERSION + 1}, newer than"):
        wire.loads(_envelope("QuantumCircuit", _pack(bytes(data))))


def test_circuit_value_must_be_text():
    problem = r"'QuantumCircuit' envelope: __value__ must be a base64 string, got list"
    with pytest.raises(InvalidInputError, match=problem):
        wire.loads(_envelope("QuantumCircuit", [1, 2]))


def test_instruction_from_empty_circuit_is_invalid_input():
    buffer = io.BytesIO()
    qpy.dump(QuantumCircuit(1), buffer)
    with pytest.raises(InvalidInputError, match=r"'Instruction' envelope: the QPY circuit holds no instruction"):
        wire.loads(_envelope("Instruction", _pack(buffer.getvalue())))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [(b"\x00\x05", "too short"), (b"\x00\x05" + bytes(16) + b"ab", "names 5 name bytes but holds 2")],
    ids=["short-header", "short-name"],
)
def test_truncated_parameter_is_invalid_input(raw, problem):
    with pytest.raises(InvalidInputError, match=rf"'Parameter' envelope: .*{problem}"):
        wire.loads(_envelope("Parameter", base64.b64encode(raw).decode()))
