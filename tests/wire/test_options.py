"""CouplingMap, NoiseModel, to_json objects and callables on the wire."""

from __future__ import annotations

import json

import pytest
from qiskit.transpiler import CouplingMap
from qiskit_aer.noise import NoiseModel, depolarizing_error, pauli_error

from qruntime import wire
from qruntime.errors import InvalidInputError


def test_coupling_map_travels_as_edge_list(round_trip):
    assert round_trip(CouplingMap([[0, 1], [1, 2]])) == [[0, 1], [1, 2]]


def _noise_model() -> NoiseModel:
    noise = NoiseModel(basis_gates=["rz", "sx", "x", "cx"])
    noise.add_all_qubit_quantum_error(depolarizing_error(0.01, 2), ["cx"])
    noise.add_quantum_error(pauli_error([("X", 0.05), ("I", 0.95)]), ["x"], [0])
    return noise


# Aer deprecated NoiseModel.from_dict in 0.15 but offers no other reader of the
# format the stock client sends; both decoders use it.
@pytest.mark.filterwarnings("ignore:from_dict has been deprecated:DeprecationWarning")
def test_noise_model_round_trips(round_trip):
    noise = _noise_model()
    back = round_trip({"simulator": {"noise_model": noise}})["simulator"]["noise_model"]
    assert isinstance(back, NoiseModel)
    # Aer's own to_dict/from_dict is not exact (Pauli errors come back as unitaries),
    # so the decoded model is compared with what Aer itself rebuilds, by its JSON.
    assert wire.dumps(back) == wire.dumps(NoiseModel.from_dict(noise.to_dict()))
    assert back.noise_instructions == noise.noise_instructions
    assert back.noise_qubits == noise.noise_qubits


def test_noise_model_envelope_layout():
    envelope = json.loads(wire.dumps(_noise_model()))
    assert envelope["__type__"] == "NoiseModel"
    assert {"errors"} <= set(envelope["__value__"])


class _Report:
    def to_json(self) -> str:
        return '{"ok": true}'


def test_to_json_object_travels_as_its_json(round_trip):
    assert round_trip(_Report()) == '{"ok": true}'


def test_callable_is_sent_as_null_with_a_warning():
    with pytest.warns(UserWarning, match="not JSON serializable"):
        assert wire.loads(wire.dumps({"callback": print})) == {"callback": None}


def test_other_objects_are_not_serializable():
    with pytest.raises(TypeError, match="Object of type bytes is not JSON serializable"):
        wire.dumps(b"raw")
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        wire.encode([object()])


def test_malformed_noise_model_is_invalid_input():
    problem = r"Invalid 'NoiseModel' envelope: __value__ must be an object, got list"
    with pytest.raises(InvalidInputError, match=problem):
        wire.loads(json.dumps({"__type__": "NoiseModel", "__value__": []}))
