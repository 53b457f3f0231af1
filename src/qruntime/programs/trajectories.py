"""Noisy sampling with shared trajectories: each sampled noise realisation gives several shots.

With noise, Aer runs one trajectory a shot: the whole circuit, with its errors
drawn afresh, for every shot. On a matrix product state of 127 qubits a
trajectory costs a quarter of a second, so 1000 shots cost minutes. For Pauli
noise (the device's errors in Pauli-twirled form, :mod:`qruntime.backends.pauli`)
a trajectory is the circuit with a Pauli drawn after each instruction from its
error; this module draws ``T`` of them, runs each as an ideal circuit (readout
errors kept: they do not stop Aer sampling many shots from one final state) and
takes ``ceil(shots / T)`` shots from each.

The counts are an unbiased sample of the noisy distribution, as with one
trajectory a shot; their spread is larger by at most the factor the shots of a
trajectory share, and much less where a trajectory's outcome is mostly its
shots' own randomness (a wide circuit's bitstrings nearly always are). The
shots of all trajectories are shuffled, so ``memory`` reads in no trajectory's
order. :func:`trajectories_for` sets ``T``: every shot its own trajectory up to
:data:`MIN_TRAJECTORIES`, and at most :data:`MAX_SHOTS_PER_TRAJECTORY` shots
from one.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, ControlFlowOp
from qiskit.result import Result
from qiskit.result.models import ExperimentResultData

from qruntime.errors import EngineError

#: Jobs of at most this many shots get one trajectory a shot.
MIN_TRAJECTORIES = 128
#: Most shots taken from one trajectory.
MAX_SHOTS_PER_TRAJECTORY = 16

_PAULIS = frozenset({"x", "y", "z", "pauli"})


def trajectories_for(shots: int) -> int:
    """How many noise trajectories sample ``shots`` shots."""
    return max(min(shots, MIN_TRAJECTORIES), math.ceil(shots / MAX_SHOTS_PER_TRAJECTORY))


def realize(circuit: QuantumCircuit, model: Any, rng: np.random.Generator) -> QuantumCircuit:
    """``circuit`` with one draw of ``model``'s quantum errors written in as gates.

    Each instruction's error (a Pauli channel: each of its circuits one Pauli
    gate) is drawn once and its Pauli placed after the instruction, before it
    for a measurement, as Aer applies it. Readout errors are left to the simulator.

    Raises:
        ValueError: The circuit has control flow (its errors would depend on
            the branch), or an error that is not a mixture of unitary circuits.
    """
    local = model._local_quantum_errors
    default = model._default_quantum_errors
    realized = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation = instruction.operation
        if isinstance(operation, ControlFlowOp):
            raise ValueError("a circuit with control flow cannot share trajectories")
        qubits = tuple(circuit.find_bit(q).index for q in instruction.qubits)
        error = local.get(operation.name, {}).get(qubits) or default.get(operation.name)
        drawn = None if error is None else _draw(error, rng)
        if operation.name == "measure" and drawn:
            _append(realized, drawn, instruction.qubits)
        realized._append(instruction)
        if operation.name != "measure" and drawn:
            _append(realized, drawn, instruction.qubits)
    return realized


def _draw(error: Any, rng: np.random.Generator) -> QuantumCircuit | None:
    index = int(rng.choice(len(error.probabilities), p=_normalized(error.probabilities)))
    drawn = error.circuits[index]
    for inner in drawn.data:
        name = inner.operation.name
        if name == "pauli" and set(inner.operation.params[0]) <= {"I"}:
            continue
        if name != "id":
            return drawn
    return None  # the identity: nothing to add


def _normalized(probabilities: Sequence[float]) -> np.ndarray:
    found = np.asarray(probabilities, dtype=float)
    return found / found.sum()


def _append(target: QuantumCircuit, drawn: QuantumCircuit, qubits: Sequence[Any]) -> None:
    for inner in drawn.data:
        name = inner.operation.name
        if name == "id":
            continue
        if name not in _PAULIS:
            raise ValueError(f"an error made of {name!r} is not a Pauli error")
        targets = [qubits[drawn.find_bit(q).index] for q in inner.qubits]
        target._append(CircuitInstruction(inner.operation, targets, ()))


def readout_model(model: Any, order: Sequence[int] | None) -> Any:
    """The readout errors of ``model`` alone, on qubits relabelled by ``order``."""
    from qiskit_aer.noise import NoiseModel

    readout = NoiseModel()
    if model._default_readout_error is not None:
        readout.add_all_qubit_readout_error(model._default_readout_error)
    for qubits, error in model._local_readout_errors.items():
        moved = qubits if order is None else tuple(order[q] for q in qubits)
        readout.add_readout_error(error, list(moved))
    return readout


def merge(result: Result, sizes: Sequence[int], trajectories: int, shots: int,
          rng: np.random.Generator, memory: bool) -> Result:
    """``result`` of ``trajectories`` realisations of each circuit turned back into one
    experiment per circuit and parameter set, of ``shots`` shuffled shots.

    ``sizes[i]`` is circuit ``i``'s number of parameter sets; realisation ``t`` of
    circuit ``i`` came ``t``-th of its ``trajectories`` in the call.
    """
    experiments = result.results
    merged = []
    start = 0
    for size in sizes:
        for s in range(size):
            runs = [experiments[start + t * size + s] for t in range(trajectories)]
            failed = [run for run in runs if not run.success]
            if failed:
                raise EngineError(f"The simulation failed: {failed[0].status}")
            sample = [bits for run in runs for bits in run.data.memory]
            picked = [sample[i] for i in rng.permutation(len(sample))[:shots]]
            counts: dict[str, int] = {}
            for bits in picked:
                counts[bits] = counts.get(bits, 0) + 1
            first = copy.copy(runs[0])  # with its metadata: the bond figures, if logged
            first.shots = shots
            first.data = ExperimentResultData(counts=counts, memory=picked if memory else None)
            merged.append(first)
        start += trajectories * size
    result.results = merged
    return result

