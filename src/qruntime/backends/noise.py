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

Why the model's errors are :func:`compacted <compact_error>`: Aer also parses
each error of the part and, for a density matrix, turns each of its circuits
into a superoperator, on every ``run``. ``NoiseModel.from_backend`` writes a
two-qubit gate's error as 16 Paulis times each qubit's relaxation terms: 144
circuits where both qubits have T2 <= T1 (identity, Z or reset each), 48 where
one has T2 > T1 (a Kraus channel), 16 where both have. So a Bell job's cost
followed the calibration of the two qubits it landed on (on Falcon's qubits
0-1, 144 circuits: ~7 ms in Aer against ~2 ms for 16), not the device. Many of
those circuits are one channel (a Pauli then Z is a Pauli; a reset forgets the
Pauli before it): merged, they are at most 25 (2 qubits) or 5 (1 qubit).
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp, Instruction
from qiskit.circuit.library import PauliGate
from qiskit.transpiler import Target
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel, QuantumError
from qiskit_aer.noise.noise_model import AerJSONEncoder

from qruntime.backends.target import TargetBackend

Use = tuple[str, tuple[int, ...]]  # an instruction name and the qubits it acts on
_CACHE_SIZE = 256


def device_noise_model(target: Target) -> NoiseModel:
    """Aer's model of ``target``: depolarising plus thermal relaxation on each gate,
    readout errors on each measurement, relaxation during delays; each gate's error
    compacted (:func:`compact_error`)."""
    model = NoiseModel.from_backend(TargetBackend(target))
    for by_qubits in model._local_quantum_errors.values():
        for qubits, error in by_qubits.items():
            by_qubits[qubits] = compact_error(error)
    return model


def compact_error(error: QuantumError) -> QuantumError:
    """``error`` with the circuits that are one channel merged, their probabilities summed.

    Exact: a Pauli followed by a Pauli (``pauli``, ``id``, ``x``, ``y``, ``z``) is one
    Pauli up to a phase; a reset forgets what came before it on its qubit, and a
    Pauli after it prepares 0 or 1. Any other one-qubit instruction (a Kraus channel)
    is kept, in order, with what follows it on its qubit; an error with another
    instruction of several qubits is returned as it is.

    Example:
        >>> relaxation = thermal_relaxation_error(100e-6, 80e-6, 1e-6)
        >>> depolarizing_error(0.01, 1).compose(relaxation).size  # 4 Paulis x 3
        12
        >>> compact_error(depolarizing_error(0.01, 1).compose(relaxation)).size
        5
    """
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for circuit, probability in zip(error.circuits, error.probabilities):
        key = _channel_key(circuit)
        if key is None:
            return error
        found = merged.setdefault(key[0], [key[1], 0.0])
        found[1] += probability
    if len(merged) == error.size:
        return error
    return QuantumError([(_circuit_of(qubits), p) for qubits, p in merged.values()])


_PAULI_GATES = {"id": "I", "x": "X", "y": "Y", "z": "Z"}
_PRODUCT = {(a, "I"): a for a in "IXYZ"} | {("I", b): b for b in "IXYZ"} | {
    (a, a): "I" for a in "XYZ"} | {
    (a, b): c for x, y, z in ("XYZ", "YZX", "ZXY") for a, b, c in ((x, y, z), (y, x, z))}


class _Qubit:
    """What an error circuit does to one qubit, as a channel: a Pauli, or a reset to
    0 or 1, then the instructions that could not be folded in (``tail``)."""

    def __init__(self) -> None:
        self.pauli = "I"
        self.reset: int | None = None
        self.tail: list[Instruction] = []

    def apply(self, letter: str) -> None:
        if self.tail:
            self.tail.append(PauliGate(letter))
        elif self.reset is not None:
            self.reset ^= letter in "XY"
        else:
            self.pauli = _PRODUCT[(self.pauli, letter)]

    def key(self) -> tuple[Any, ...]:
        return (self.pauli, self.reset, tuple(_instruction_key(op) for op in self.tail))


def _channel_key(circuit: QuantumCircuit) -> tuple[tuple[Any, ...], list[_Qubit]] | None:
    index = {qubit: i for i, qubit in enumerate(circuit.qubits)}
    qubits = [_Qubit() for _ in circuit.qubits]
    for instruction in circuit.data:
        operation = instruction.operation
        name = operation.name
        acted = [qubits[index[q]] for q in instruction.qubits]
        if name == "pauli":
            for qubit, letter in zip(acted, reversed(operation.params[0])):
                qubit.apply(letter)
        elif name in _PAULI_GATES:
            acted[0].apply(_PAULI_GATES[name])
        elif name == "reset" and not acted[0].tail:
            acted[0].pauli, acted[0].reset = "I", 0
        elif len(acted) == 1:
            acted[0].tail.append(operation)
        else:
            return None
    return tuple(qubit.key() for qubit in qubits), qubits


def _instruction_key(operation: Instruction) -> tuple[Any, ...]:
    params = tuple(np.asarray(p).tobytes() if isinstance(p, np.ndarray) else p
                   for p in operation.params)
    return (operation.name, params)


def _circuit_of(qubits: list[_Qubit]) -> QuantumCircuit:
    circuit = QuantumCircuit(len(qubits))
    label = "".join(qubit.pauli for qubit in reversed(qubits))
    if label.strip("I"):
        circuit.append(PauliGate(label), range(len(qubits)))
    for index, qubit in enumerate(qubits):
        if qubit.reset is not None:
            circuit.reset(index)
            if qubit.reset:
                circuit.x(index)
        for operation in qubit.tail:
            circuit.append(operation, [index])
    if not circuit.data:
        circuit.id(0)
    return circuit


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

    def part(self, used: frozenset[Use], order: Sequence[int] | None = None) -> NoiseModel:
        """The errors of ``model`` that some use in ``used`` triggers, as a noise model.

        With ``order``, ``used`` names the qubits of circuits relabelled so that qubit
        ``q`` became ``order[q]`` (:func:`qruntime.programs.method.relabeled`), and
        the part's errors are relabelled the same way: each stays on its own qubits.
        """
        key = (used, None if order is None else tuple(order))
        with self._lock:
            part = self._parts.get(key)
            if part is not None:
                self._parts.move_to_end(key)
                return part
        if order is None:
            part = self._cut(used, {})
        else:
            back = {new: old for old, new in enumerate(order)}
            part = self._cut(frozenset((name, tuple(back[q] for q in qubits))
                                       for name, qubits in used),
                             {old: new for old, new in enumerate(order)})
        with self._lock:
            self._parts[key] = part
            if len(self._parts) > _CACHE_SIZE:
                self._parts.popitem(last=False)
        return part

    def _cut(self, used: frozenset[Use], moved: dict[int, int]) -> NoiseModel:
        model = self.model

        def to(qubits: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(moved.get(q, q) for q in qubits)

        part = _NoisePart(self, basis_gates=model.basis_gates)
        part._default_quantum_errors = dict(model._default_quantum_errors)
        part._default_readout_error = model._default_readout_error
        for name, by_qubits in model._local_quantum_errors.items():
            kept = {to(qubits): e for qubits, e in by_qubits.items() if (name, qubits) in used}
            if kept:
                part._local_quantum_errors[name] = kept
        part._local_readout_errors = {
            to(qubits): e
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
        """The JSON-ready dict of one error, as ``NoiseModel.to_dict`` lists it.

        ``key`` is ``(kind, name, qubits)``; the same error relabelled to other
        qubits is another key, its dict sharing everything but ``gate_qubits``.
        """
        cache_key = (*key, id(error))
        found = self._serialized.get(cache_key)
        if found is None:
            found = error.to_dict()
            if key[0] != "readout":
                found["operations"] = [key[1]]
            if key[-1] is not None:
                found["gate_qubits"] = [key[-1]]
            found = self._serialized[cache_key] = json.loads(
                json.dumps(found, cls=AerJSONEncoder))
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
        """Aer's ``run``; the option ``qubit_order`` says the circuits were relabelled
        (qubit ``q`` to ``order[q]``), so the noise is relabelled with them."""
        order = run_options.pop("qubit_order", None)
        if "noise_model" not in run_options:
            used = used_instructions(circuits)
            if used is not None:
                run_options["noise_model"] = self._noise_parts.part(used, order)
        return super().run(circuits, parameter_binds=parameter_binds, **run_options)


def build_simulator(noise_model: NoiseModel | None, method: str = "automatic") -> AerSimulator:
    """The simulator of a backend: plain Aer when ideal, a :class:`DeviceSimulator` when
    noisy; ``method`` is Aer's simulation method (``"automatic"``: Aer's choice per circuit)."""
    if noise_model is None:
        return AerSimulator(method=method)
    return DeviceSimulator(noise_model, method=method)
