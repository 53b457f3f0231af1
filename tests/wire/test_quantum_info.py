"""Operators and states (settings envelopes) and PauliLindbladMap on the wire."""

from __future__ import annotations

import copy
import json
import sys

import numpy as np
import pytest
from qiskit.quantum_info import (
    DensityMatrix,
    Operator,
    Pauli,
    PauliLindbladMap,
    PauliList,
    SparsePauliOp,
    Statevector,
)
from qiskit_ibm_runtime import RuntimeEncoder as StockEncoder
from qiskit_ibm_runtime.json import _cast_strings_keys_to_int, _set_int_keys_flag

from qruntime import wire
from qruntime.errors import InvalidInputError
from qruntime.wire.quantum_info import flag_int_keys, restore_int_keys

OPERATORS = {
    "SparsePauliOp": SparsePauliOp(["XZ", "YY", "II"], [1.0, 2j, -0.5]),
    "Pauli": Pauli("-iXYZ"),
    "PauliList": PauliList(["XX", "ZI"]),
    "Operator": Operator(np.array([[0, 1], [1, 0]])),
}


@pytest.mark.parametrize("operator", list(OPERATORS.values()), ids=list(OPERATORS))
def test_operator_round_trips(round_trip, operator):
    back = round_trip(operator)
    assert type(back) is type(operator)
    assert back == operator


def test_sparse_pauli_op_envelope_layout():
    envelope = json.loads(wire.dumps(OPERATORS["SparsePauliOp"]))
    assert envelope["__type__"] == "settings"
    assert envelope["__module__"] == "qiskit.quantum_info.operators.symplectic.sparse_pauli_op"
    assert envelope["__class__"] == "SparsePauliOp"
    assert envelope["__value__"]["data"]["__class__"] == "PauliList"
    assert envelope["__value__"]["coeffs"]["__type__"] == "ndarray"


@pytest.mark.parametrize(
    "state", [Statevector([1, 1j]) / np.sqrt(2), DensityMatrix.from_label("0+")], ids=lambda s: type(s).__name__
)
def test_states_round_trip_through_our_codec(our_round_trip, state):
    # The stock decoder only rebuilds operators; it leaves states as their envelope dict.
    back = our_round_trip(state)
    assert type(back) is type(state)
    assert back == state


def test_stock_written_state_is_read():
    state = Statevector.from_label("01")
    assert wire.loads(json.dumps(state, cls=StockEncoder)) == state


def test_pauli_lindblad_map_round_trips(round_trip):
    rates = PauliLindbladMap.from_sparse_list([("XY", [0, 2], 0.01), ("Z", [1], 0.02)], num_qubits=3)
    back = round_trip(rates)
    assert isinstance(back, PauliLindbladMap)
    assert back == rates


def test_int_keys_are_flagged_like_the_stock_encoder():
    settings = {"table": {0: "a", 1: {2: "b"}}, "name": "x", "list": [{3: "c"}]}
    assert flag_int_keys(settings) == _set_int_keys_flag(copy.deepcopy(settings))
    assert settings == {"table": {0: "a", 1: {2: "b"}}, "name": "x", "list": [{3: "c"}]}


def test_int_keys_come_back_like_the_stock_decoder():
    wire_form = json.loads(json.dumps(flag_int_keys({"table": {0: "a", 1: {2: "b"}}, "name": "x"})))
    assert restore_int_keys(wire_form) == _cast_strings_keys_to_int(copy.deepcopy(wire_form))
    assert restore_int_keys(wire_form) == {"table": {0: "a", 1: {2: "b"}}, "name": "x"}


def test_object_with_settings_is_sent_under_its_own_class():
    class Custom:
        @property
        def settings(self) -> dict[str, dict[int, float]]:
            return {"weights": {0: 1.5}}

    envelope = json.loads(wire.dumps(Custom()))
    assert envelope["__class__"] == "Custom"
    assert envelope["__value__"] == {"weights": {"0": 1.5, "__int_keys__": True}}


# --- bad input ----------------------------------------------------------------------


def _settings(module: object, cls: object, value: object = None) -> str:
    return json.dumps({"__type__": "settings", "__module__": module, "__class__": cls, "__value__": value or {}})


@pytest.mark.parametrize(
    ("module", "cls", "problem"),
    [
        ("os", "system", r"module 'os' is not allowed"),
        ("subprocess", "Popen", r"module 'subprocess' is not allowed"),
        ("qiskit.quantum_info_evil", "X", r"module 'qiskit.quantum_info_evil' is not allowed"),
        ("qiskit.quantum_info.operators.no_such_module", "Pauli", r"no class 'Pauli' with settings in module"),
        ("qiskit.quantum_info.operators.symplectic.sparse_pauli_op", "np", r"no class 'np' with settings"),
        (None, "Pauli", r"'__module__' and '__class__' must be strings"),
    ],
)
def test_settings_of_disallowed_class_are_refused(module, cls, problem):
    with pytest.raises(InvalidInputError, match=rf"Invalid 'settings' envelope: {problem}"):
        wire.loads(_settings(module, cls))


def test_settings_never_import_the_named_module():
    assert "antigravity" not in sys.modules
    with pytest.raises(InvalidInputError, match="not allowed"):
        wire.loads(_settings("antigravity", "X"))
    with pytest.raises(InvalidInputError, match="no class"):
        wire.loads(_settings("qiskit.quantum_info.operators.antigravity", "X"))
    assert "antigravity" not in sys.modules
    assert "qiskit.quantum_info.operators.antigravity" not in sys.modules


def test_settings_that_do_not_fit_the_class_are_refused():
    with pytest.raises(InvalidInputError, match=r"Invalid 'settings' envelope: TypeError: .*"):
        wire.loads(_settings("qiskit.quantum_info.operators.symplectic.pauli", "Pauli", {"no_such_argument": 1}))


def test_settings_value_must_be_an_object():
    with pytest.raises(InvalidInputError, match=r"__value__ must be an object of settings, got list"):
        wire.loads(_settings("qiskit.quantum_info.operators.symplectic.pauli", "Pauli", ["XY"]))


def test_malformed_pauli_lindblad_map_is_refused():
    value = {"paulis": ["XY"], "num_qubits": 2}
    with pytest.raises(InvalidInputError, match=r"'PauliLindbladMap' envelope: 'paulis' must be a list of"):
        wire.loads(json.dumps({"__type__": "PauliLindbladMap", "__value__": value}))
