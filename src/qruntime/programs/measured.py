"""Expectation values from measured outcomes, as a device gives them.

On a noisy backend an Estimator's values come from shots, as on hardware. The
Pauli terms of a task's observables are grouped into measurement bases (terms
that agree on every qubit they share); the circuit runs once per basis with the
basis change (``rz sx rz`` for X, ``sx`` for Y, in the devices' own gates, with
their errors) and measurements appended, and a term's value is the mean parity
of its qubits' bits. Readout errors and shot noise are in the values, and
``stds`` are the standard errors of those means.

**TREX** (twirled readout error extinction, :class:`Twirl`): each of the
randomizations of a basis flips a random subset of the measured qubits with an
``x`` before measuring them and flips their bits back after. That turns any
readout error into one that scales each term's value by a factor of its
qubits. The factors are learned from calibration circuits (the same twirled
measurements of ``|0...0>``, on the same noisy simulator and qubits) and
divided out; their own uncertainty goes into ``stds``. Nothing is read from the
noise model.

Shots split into randomizations as IBM's service splits them
(:func:`randomizations`): ``max(64, ceil(shots / 32))`` a randomization when
both counts are ``"auto"``.

Example:
    >>> found = estimate([Task(isa, None, [SparseObservable("Z")], 4096)], falcon,
    ...                  twirl=Twirl(), seed=1)
    >>> found[0].at(np.array([0]), np.array([0]))   # (means, stds)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit

from qruntime.backends.spec import BackendSpec
from qruntime.errors import EngineError
from qruntime.programs.expectation import Task, Term, pauli_terms
from qruntime.programs.method import Method
from qruntime.programs.simulation import (
    Batch,
    experiment_data,
    method_for,
    run_batch,
    simulator_for,
)

#: Randomizations of the readout calibration when the job names none (IBM's default).
CALIBRATION_RANDOMIZATIONS = 32

#: Smallest calibration factor divided by: a smaller one (the readout of those qubits
#: carries next to no information) is taken as this, with its sign, so the value and
#: its std come out large rather than infinite.
MIN_FACTOR = 1e-3


@dataclass(frozen=True)
class Twirl:
    """Measurement twirling with readout calibration (TREX).

    Attributes:
        randomizations: Randomizations of each basis, or ``None`` for ``"auto"``.
        shots_per_randomization: Shots of each, or ``None`` for ``"auto"``.
        calibration_randomizations: Randomizations of the calibration circuits.
        calibration_shots: Shots of each calibration randomization, or ``None``
            for ``"auto"`` (as many calibration shots in all as the task has).
        mitigate: Whether the learned factors are divided out (``False``:
            measurement twirling only).
        gates: Whether each randomization also Pauli-twirls the two-qubit gates
            (Qiskit's :func:`~qiskit.circuit.pauli_twirl_2q_gates`, kept ISA).
    """

    randomizations: int | None = None
    shots_per_randomization: int | None = None
    calibration_randomizations: int = CALIBRATION_RANDOMIZATIONS
    calibration_shots: int | None = None
    mitigate: bool = True
    gates: bool = False


def randomizations(shots: int, count: int | None, per: int | None) -> tuple[int, int]:
    """``(randomizations, shots each)`` for ``shots`` shots, by IBM's rule for
    ``"auto"`` (``None``): ``max(64, ceil(shots / 32))`` shots a randomization when
    both are automatic, else what the named one leaves."""
    if count is None and per is None:
        per = max(64, math.ceil(shots / 32))
        return math.ceil(shots / per), per
    if per is None:
        assert count is not None
        return count, math.ceil(shots / count)
    if count is None:
        return math.ceil(shots / per), per
    return count, per


@dataclass(frozen=True)
class Basis:
    """One measurement basis: a Pauli letter for each measured qubit, in order."""

    qubits: tuple[int, ...]
    letters: str

    def position(self, qubit: int) -> int:
        """Where ``qubit``'s bit is in this basis's register."""
        return self.qubits.index(qubit)


def bases(terms: Sequence[Term]) -> tuple[list[Basis], list[int]]:
    """Group ``terms`` into measurement bases, greedily, heaviest terms first.

    Returns the bases and, for each term, the index of its basis (``-1`` for the
    identity, which needs no measurement).
    """
    groups: list[dict[int, str]] = []
    where = [-1] * len(terms)
    for index in sorted(range(len(terms)), key=lambda i: -len(terms[i][1])):
        label, qubits = terms[index]
        if not qubits:
            continue
        for number, group in enumerate(groups):
            if all(group.get(q, p) == p for p, q in zip(label, qubits)):
                group.update(zip(qubits, label))
                where[index] = number
                break
        else:
            where[index] = len(groups)
            groups.append(dict(zip(qubits, label)))
    found = []
    for group in groups:
        qubits = tuple(sorted(group))
        found.append(Basis(qubits, "".join(group[q] for q in qubits)))
    return found, where


def measured(circuit: QuantumCircuit, basis: Basis, flips: np.ndarray | None = None
             ) -> QuantumCircuit:
    """``circuit`` measured in ``basis`` into a new last register, with an ``x``
    before each measurement ``flips`` marks (the bits are flipped back when read)."""
    out = circuit.copy()
    register = ClassicalRegister(len(basis.qubits), _free_name(out))
    out.add_register(register)
    for position, (qubit, letter) in enumerate(zip(basis.qubits, basis.letters)):
        if letter == "X":
            out.rz(math.pi / 2, qubit)
            out.sx(qubit)
            out.rz(math.pi / 2, qubit)
        elif letter == "Y":
            out.sx(qubit)
        if flips is not None and flips[position]:
            out.x(qubit)
        out.measure(qubit, register[position])
    return out


def _free_name(circuit: QuantumCircuit) -> str:
    names = {register.name for register in circuit.cregs}
    name = "meas"
    while name in names:
        name += "_"
    return name


@dataclass(frozen=True)
class MeasuredEstimates:
    """Values and standard errors of one task's observables, ``[set, observable]``."""

    means: np.ndarray
    stds: np.ndarray
    method: str
    shots: int
    randomizations: int
    plan: Method | None = None
    exact: bool = False

    def at(self, sets: np.ndarray, observables: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Means and standard errors for index arrays ``sets`` and ``observables``."""
        return self.means[sets, observables], self.stds[sets, observables]


@dataclass
class _Job:
    """One task's circuits to run, and how to read them back."""

    task: Task
    terms: list[Term]
    coefficients: np.ndarray
    bases: list[Basis]
    where: list[int]
    count: int
    per: int
    flips: list[np.ndarray]  # per basis: [randomization, qubit]
    calibration: Basis | None
    calibration_count: int
    calibration_per: int
    calibration_flips: np.ndarray | None
    variants: list[QuantumCircuit] | None = None  # gate-twirled circuits, one a randomization


@dataclass(frozen=True)
class Call:
    """One simulator call: circuits of one shot count, and the method chosen for them."""

    shots: int
    entries: list[tuple[int, str, int, int]]  # (task, "basis"|"calibration", basis, r)
    method: Method
    circuits: list[QuantumCircuit]  # one per entry


def plan(tasks: Sequence[Task], backend: BackendSpec, noise_model: Any = None, *,
         twirl: Twirl | None, seed: int | None = None, max_seconds: float | None = None
         ) -> tuple[list[_Job], list[Call]]:
    """The circuits of every task and the simulator calls that run them.

    Raises :class:`InvalidInputError` when no simulation method fits a call (or
    its ``max_execution_time``), so that submission refuses the job.
    """
    rng = np.random.default_rng(seed)
    jobs: list[_Job] = []
    calls: dict[int, list[tuple[int, str, int, int]]] = {}
    for number, task in enumerate(tasks):
        terms, coefficients = pauli_terms(task.observables)
        found, where = bases(terms)
        if twirl is None:
            count, per = 1, task.shots
        else:
            count, per = randomizations(task.shots, twirl.randomizations,
                                        twirl.shots_per_randomization)
        flips = [rng.integers(0, 2, (count, len(b.qubits))) if twirl else
                 np.zeros((count, len(b.qubits)), dtype=np.int64) for b in found]
        calibration, cal_count, cal_per, cal_flips = None, 0, 0, None
        if twirl is not None and twirl.mitigate and found:
            qubits = tuple(sorted({q for b in found for q in b.qubits}))
            calibration = Basis(qubits, "Z" * len(qubits))
            cal_count = twirl.calibration_randomizations
            cal_per = twirl.calibration_shots or math.ceil(count * per / cal_count)
            cal_flips = rng.integers(0, 2, (cal_count, len(qubits)))
        variants = None
        if twirl is not None and twirl.gates and found:
            from qiskit.circuit import pauli_twirl_2q_gates

            twirled = pauli_twirl_2q_gates(task.circuit, seed=int(rng.integers(0, 2**31 - 1)),
                                           target=backend.target, num_twirls=count)
            variants = twirled if isinstance(twirled, list) else [twirled]
        jobs.append(_Job(task, terms, coefficients, found, where, count, per, flips,
                         calibration, cal_count, cal_per, cal_flips, variants))
        for b in range(len(found)):
            for r in range(count):
                calls.setdefault(per, []).append((number, "basis", b, r))
        for r in range(cal_count):
            calls.setdefault(cal_per, []).append((number, "calibration", 0, r))
    planned = []
    for shots, entries in calls.items():
        circuits = [_circuit(jobs, entry) for entry in entries]
        chosen = method_for(backend, circuits, noisy=True, shots=shots,
                            twirlable=noise_model is None, max_seconds=max_seconds)
        planned.append(Call(shots, entries, chosen, circuits))
    return jobs, planned


def _circuit(jobs: Sequence[_Job], entry: tuple[int, str, int, int]) -> QuantumCircuit:
    number, kind, b, r = entry
    job = jobs[number]
    if kind == "basis":
        base = job.task.circuit if job.variants is None else job.variants[r]
        return measured(base, job.bases[b], job.flips[b][r])
    assert job.calibration is not None and job.calibration_flips is not None
    empty = QuantumCircuit(job.task.circuit.num_qubits)
    return measured(empty, job.calibration, job.calibration_flips[r])


def work(calls: Sequence[Call]) -> float:
    """Estimated amplitude updates of ``calls`` (about 1e9 a second on one core)."""
    return float(sum(call.method.work for call in calls))


def estimate(tasks: Sequence[Task], backend: BackendSpec, noise_model: Any = None, *,
             twirl: Twirl | None, seed: int | None = None) -> list[MeasuredEstimates]:
    """Estimate every task's observables from measured shots (see the module's text).

    Args:
        tasks: What to estimate; ``task.shots`` is the shots each basis gets.
        backend: The noisy backend whose simulator runs them.
        noise_model: A noise model the job brings in place of the backend's.
        twirl: TREX settings, or ``None`` for plain measurements (resilience level 0).
        seed: Seed of the randomizations and the simulator.
    """
    jobs, calls = plan(tasks, backend, noise_model, twirl=twirl, seed=seed)
    counts: dict[tuple[int, str, int, int], list[dict[str, Any]]] = {}
    for number, call in enumerate(calls):
        call_seed = None if seed is None else seed + number  # run_batch decorrelates them
        batch = Batch()
        spans = []
        for entry, circuit in zip(call.entries, call.circuits):
            values = jobs[entry[0]].task.values if entry[1] == "basis" else None
            spans.append(batch.add(circuit, values))
        raw = run_batch(simulator_for(backend, noise_model, call.method), batch, call.method,
                        shots=call.shots, seed_simulator=call_seed)
        for entry, span in zip(call.entries, spans):
            counts[entry] = experiment_data(raw, span)
    # Each task's method is that of the call that ran its measured circuits.
    methods = {entry[0]: call.method for call in calls for entry in call.entries
               if entry[1] == "basis"}
    return [_read(number, job, counts, methods.get(number)) for number, job in enumerate(jobs)]


def _read(number: int, job: _Job, counts: dict[tuple[int, str, int, int], list[dict[str, Any]]],
          method: Method | None) -> MeasuredEstimates:
    sets = 1 if job.task.values is None else len(job.task.values)
    offset = job.task.circuit.num_clbits
    factors, factor_vars = _factors(number, job, counts, offset)
    observables = job.coefficients.shape[0]
    means = np.zeros((sets, observables))
    variances = np.zeros((sets, observables))
    identity = [t for t, b in enumerate(job.where) if b == -1]
    for t in identity:
        means += job.coefficients[:, t][None, :]
    for b, basis in enumerate(job.bases):
        members = [t for t, found in enumerate(job.where) if found == b]
        positions = [[basis.position(q) for q in job.terms[t][1]] for t in members]
        weights_of = job.coefficients[:, members] / factors[members][None, :]
        for s in range(sets):
            bits, weights = _outcomes(
                [counts[(number, "basis", b, r)][s]["counts"] for r in range(job.count)],
                job.flips[b], offset, len(basis.qubits))
            parities = np.stack([_parity(bits, p) for p in positions], axis=1)
            values = parities @ weights_of.T  # [outcome, observable]
            total = weights.sum()
            mean = weights @ values / total
            spread = weights @ (values - mean) ** 2 / max(total - 1, 1)
            means[s] += mean
            variances[s] += spread / total
            # The calibration's own error, to first order, per term.
            term_means = weights @ parities / total / factors[members]
            variances[s] += ((job.coefficients[:, members] * term_means[None, :]) ** 2
                             * (factor_vars[members] / factors[members] ** 2)[None, :]).sum(axis=1)
    name = method.name if method is not None else "automatic"
    return MeasuredEstimates(means, np.sqrt(variances), name, job.count * job.per, job.count,
                             method)


def _factors(number: int, job: _Job, counts: dict[tuple[int, str, int, int], list[dict[str, Any]]],
             offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Each term's learned readout factor and its variance (1 and 0 without TREX)."""
    terms = len(job.terms)
    if job.calibration is None or job.calibration_flips is None:
        return np.ones(terms), np.zeros(terms)
    bits, weights = _outcomes(
        [counts[(number, "calibration", 0, r)][0]["counts"] for r in range(job.calibration_count)],
        job.calibration_flips, 0, len(job.calibration.qubits))
    total = weights.sum()
    factors, variances = np.ones(terms), np.zeros(terms)
    for t, (_, qubits) in enumerate(job.terms):
        if not qubits:
            continue
        positions = [job.calibration.position(q) for q in qubits]
        value = weights @ _parity(bits, positions) / total
        factors[t] = value if abs(value) >= MIN_FACTOR else math.copysign(MIN_FACTOR, value or 1)
        variances[t] = max(1 - value * value, 0.0) / total
    return factors, variances


def _parity(bits: np.ndarray, positions: Sequence[int]) -> np.ndarray:
    """Each outcome's value (+1 or -1) of the Z product on ``positions`` of ``bits``."""
    return (1 - 2 * (bits[:, positions].sum(axis=1) % 2)).astype(float)


def _outcomes(counts: Sequence[dict[str, int]], flips: np.ndarray, offset: int, width: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Bits ``[outcome, position]`` of one register (from clbit ``offset``, ``width``
    wide) over several randomizations' counts, flipped back, and their weights."""
    rows, weights = [], []
    for r, found in enumerate(counts):
        if not found:
            continue
        keys = [int(key, 16) if key.startswith("0x") else int(key.replace(" ", ""), 2)
                for key in found]
        text = [format(key >> offset, "b").zfill(width)[-width:][::-1] for key in keys]
        bits = np.frombuffer("".join(text).encode(), dtype=np.uint8).reshape(len(keys), width)
        rows.append(((bits - ord("0")) ^ flips[r].astype(np.uint8)).astype(np.int64))
        weights.append(np.fromiter(found.values(), dtype=float, count=len(found)))
    if not rows:
        raise EngineError("a measured circuit returned no shots.")
    return np.concatenate(rows), np.concatenate(weights)
