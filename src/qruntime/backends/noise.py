"""A device's Aer noise model, and a simulator that applies only the part a job uses.

Why the simulator is not a plain ``AerSimulator(noise_model=model)``: qiskit-aer
0.18 serialises the whole noise model to JSON and parses it again in C++ on
every ``run`` (``cpp_execute_circuits`` calls ``noise_model.to_dict(serializable=True)``).
For the 27-qubit device that is ~700 errors and 0.2-0.5 s per job (2-2.5 s
for 127 qubits), although a Bell circuit uses six of them and Aer truncates the
idle qubits away. So :class:`DeviceSimulator` gives each job the part of the model
for the (instruction, qubits) pairs its circuits contain, cached per such set,
and each error is serialised once. An error applies only to its own instruction
on its own qubits, so the part gives the same counts as the whole model, to the
sample with a fixed seed.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp
from qiskit.transpiler import Target
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel
from qiskit_aer.noise.noise_model import AerJSONEncoder

from qruntime.backends.target import TargetBackend

Use = tuple[str, tuple[int, ...]]  # an instruction name and the qubits it acts on
_CACHE_SIZE = 256


def device_noise_model(target: Target) -> NoiseModel:
    """Aer's model of ``target``: depolarising plus thermal relaxation on each gate,
    readout errors on each measurement, relaxation during delays."""
    return NoiseModel.from_backend(TargetBackend(target))


def used_instructions(circuits: QuantumCircuit | Iterable[Any]) -> frozenset[Use] | None:
    """The (name, qubits) pairs of all instructions of ``circuits``, control-flow
    bodies included; ``None`` if one of them is not a ``QuantumCircuit``."""
    if isinstance(circuits, QuantumCircuit):
        circuits = [circuits]
    used: set[Use] = set()
    for circuit in circuits:
        if not isinstance(circuit, QuantumCircuit):
            return None
        _collect(circuit, range(circuit.num_qubits), used)
    return frozenset(used)


def _collect(circuit: QuantumCircuit, physical: Sequence[int], used: set[Use]) -> None:
    index = {qubit: physical[i] for i, qubit in enumerate(circuit.qubits)}
    for instruction in circuit.data:
        qubits = tuple(index[qubit] for qubit in instruction.qubits)
        operation = instruction.operation
        if isinstance(operation, ControlFlowOp):
            for block in operation.blocks:
                _collect(block, qubits, used)
        else:
            used.add((operation.name, qubits))


class NoiseParts:
    """A noise model cut into its errors: gives the part for a set of uses, cached.

    Reads the model's private tables: ``NoiseModel`` has no public way to list
    its errors (read off qiskit-aer 0.18.2; a test compares the counts with the whole model).
    """

    def __init__(self, model: NoiseModel) -> None:
        self.model = model
        self._serialized: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._parts: OrderedDict[frozenset[Use], NoiseModel] = OrderedDict()
        self._lock = threading.Lock()

    def part(self, used: frozenset[Use]) -> NoiseModel:
        """The errors of ``model`` that some use in ``used`` triggers, as a noise model."""
        with self._lock:
            part = self._parts.get(used)
            if part is not None:
                self._parts.move_to_end(used)
                return part
        part = self._cut(used)
        with self._lock:
            self._parts[used] = part
            if len(self._parts) > _CACHE_SIZE:
                self._parts.popitem(last=False)
        return part

    def _cut(self, used: frozenset[Use]) -> NoiseModel:
        model = self.model
        part = _NoisePart(self, basis_gates=model.basis_gates)
        part._default_quantum_errors = dict(model._default_quantum_errors)
        part._default_readout_error = model._default_readout_error
        for name, by_qubits in model._local_quantum_errors.items():
            kept = {qubits: e for qubits, e in by_qubits.items() if (name, qubits) in used}
            if kept:
                part._local_quantum_errors[name] = kept
        part._local_readout_errors = {
            qubits: e
            for qubits, e in model._local_readout_errors.items()
            if ("measure", qubits) in used
        }
        part._custom_noise_passes = list(model._custom_noise_passes)
        part._noise_instructions = {*part._default_quantum_errors, *part._local_quantum_errors}
        if part._local_readout_errors or part._default_readout_error is not None:
            part._noise_instructions.add("measure")
        located = [*part._local_readout_errors]
        located.extend(qs for by_qubits in part._local_quantum_errors.values() for qs in by_qubits)
        part._noise_qubits = {q for qubits in located for q in qubits}
        return part

    def serialized(self, key: tuple[Any, ...], error: Any) -> dict[str, Any]:
        """The JSON-ready dict of one error, as ``NoiseModel.to_dict`` lists it."""
        found = self._serialized.get(key)
        if found is None:
            found = error.to_dict()
            if key[0] != "readout":
                found["operations"] = [key[1]]
            if key[-1] is not None:
                found["gate_qubits"] = [key[-1]]
            found = self._serialized[key] = json.loads(json.dumps(found, cls=AerJSONEncoder))
        return found


class _NoisePart(NoiseModel):
    """A part of a device model, not changed once cut, whose JSON form is assembled
    from errors serialised once. A deep copy (Aer makes one before adding a
    circuit's own errors) is a plain, mutable ``NoiseModel``."""

    def __init__(self, parts: NoiseParts, basis_gates: list[str]) -> None:
        super().__init__(basis_gates=basis_gates)
        self._parts = parts
        self._json: dict[str, Any] | None = None

    def to_dict(self, serializable: bool = False) -> dict[str, Any]:
        if not serializable:
            return super().to_dict()
        if self._json is None:
            self._json = {"errors": [self._parts.serialized(key, e) for key, e in self._errors()]}
        return self._json

    def _errors(self) -> Iterable[tuple[tuple[Any, ...], Any]]:
        # The order of NoiseModel.to_dict.
        for name, error in self._default_quantum_errors.items():
            yield ("quantum", name, None), error
        for name, by_qubits in self._local_quantum_errors.items():
            for qubits, error in by_qubits.items():
                yield ("quantum", name, qubits), error
        if self._default_readout_error is not None:
            yield ("readout", None), self._default_readout_error
        for qubits, error in self._local_readout_errors.items():
            yield ("readout", qubits), error

    def __deepcopy__(self, memo: dict[int, Any]) -> NoiseModel:
        clone = NoiseModel.__new__(NoiseModel)
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            if key not in ("_parts", "_json"):
                setattr(clone, key, copy.deepcopy(value, memo))
        return clone


class DeviceSimulator(AerSimulator):
    """An ``AerSimulator`` with a device's noise model, fast for jobs that use little of it.

    ``run`` without a ``noise_model`` option gets the part of the device model
    that the circuits' instructions trigger; everything else is ``AerSimulator``'s.
    """

    def __init__(self, noise_model: NoiseModel, **options: Any) -> None:
        super().__init__(noise_model=noise_model, **options)
        self._noise_parts = NoiseParts(noise_model)

    def run(self, circuits: Any, parameter_binds: Any = None, **run_options: Any) -> Any:
        if "noise_model" not in run_options:
            used = used_instructions(circuits)
            if used is not None:
                run_options["noise_model"] = self._noise_parts.part(used)
        return super().run(circuits, parameter_binds=parameter_binds, **run_options)


def build_simulator(noise_model: NoiseModel | None, method: str = "automatic") -> AerSimulator:
    """The simulator of a backend: plain Aer when ideal, a :class:`DeviceSimulator` when
    noisy; ``method`` is Aer's simulation method (``"automatic"``: Aer's choice per circuit)."""
    if noise_model is None:
        return AerSimulator(method=method)
    return DeviceSimulator(noise_model, method=method)
