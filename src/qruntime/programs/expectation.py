"""Expectation values of Pauli observables on a simulator: the core of both Estimators.

Each circuit gets one Aer ``save_expectation_value`` per distinct Pauli term of
its observables (written over every qubit, see :func:`_full_pauli`); Aer's
truncation keeps the simulation to the qubits the circuit and the observables
touch, even for an ISA circuit as wide as the backend. Parameter sweeps are
bound inside Aer, and observables are combined from the term values with
numpy, for every parameter set at once.

How a circuit is simulated decides how exact the answer is:

=====================  ============================  ===================================
Circuit                Method                        ``evs`` / ``stds``
=====================  ============================  ===================================
ideal, unitary         Aer's automatic (statevector  exact / 0
                       or stabilizer), one shot
noisy, or with resets  density matrix, one shot,     exact for the noise model / 0
                       when ``2**n <= shots`` and
                       ``n <= 12`` (n active qubits)
otherwise              statevector trajectories,     mean over trajectories /
                       ``shots`` of them             sample std / sqrt(shots)
=====================  ============================  ===================================

``shots`` is what the precision asks for (``ceil(1 / precision**2)``, or the
user's ``default_shots``). Readout errors of a noise model act on measurements
only, so they do not bias these values. Both Estimators use this module on ideal
backends; on noisy ones their values come from measured shots
(:mod:`qruntime.programs.measured`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp
from qiskit.quantum_info import Pauli, SparseObservable

from qruntime.backends.spec import BackendSpec
from qruntime.programs.inputs import NO_WORK, active_qubits
from qruntime.programs.method import AUTOMATIC_QUBITS, Method, relabeled
from qruntime.programs.simulation import (
    Batch,
    is_noisy,
    method_for,
    run_batch,
    simulator_for,
)

#: Largest active-qubit count simulated as a density matrix (16 * 4**12 B = 268 MB).
MAX_DENSITY_MATRIX_QUBITS = 12

#: Most samples combined at once when turning term values into observable values.
_CHUNK = 1 << 22

Term = tuple[str, tuple[int, ...]]
"""A Pauli term: its label (``"XZ"``, character ``k`` on qubit ``qubits[k]``) and qubits."""


@dataclass(frozen=True)
class Task:
    """Observables to estimate on one circuit, for each of its parameter sets.

    Args:
        circuit: The ISA circuit, parameters unbound.
        values: Parameter sets, shape ``(sets, circuit.num_parameters)``, or ``None``.
        observables: Observables on the circuit's qubits (already laid out), flat.
        shots: Trajectories to average where the value cannot be computed exactly.
    """

    circuit: QuantumCircuit
    values: np.ndarray | None
    observables: Sequence[SparseObservable]
    shots: int


@dataclass(frozen=True)
class Estimates:
    """Expectation values of one task's observables for each parameter set.

    ``terms[s, t, k]`` is sample ``k`` of Pauli term ``t`` at parameter set
    ``s`` (one sample when exact); ``coefficients[o, t]`` weighs term ``t`` in
    observable ``o``.
    """

    terms: np.ndarray
    coefficients: np.ndarray
    exact: bool
    method: str
    shots: int
    plan: Method | None = None

    def at(self, sets: np.ndarray, observables: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Means and standard errors for index arrays ``sets`` and ``observables`` of one shape."""
        sets, observables = np.asarray(sets), np.asarray(observables)
        flat_sets, flat_obs = sets.ravel(), observables.ravel()
        means = np.empty(flat_sets.shape)
        stds = np.zeros(flat_sets.shape)
        step = max(1, _CHUNK // max(1, self.terms.shape[1] * self.terms.shape[2]))
        for start in range(0, len(flat_sets), step):
            part = slice(start, start + step)
            samples = np.einsum(
                "kt,ktn->kn", self.coefficients[flat_obs[part]], self.terms[flat_sets[part]]
            )
            means[part] = samples.mean(axis=-1)
            if not self.exact and samples.shape[-1] > 1:
                stds[part] = samples.std(axis=-1, ddof=1) / np.sqrt(samples.shape[-1])
        return means.reshape(sets.shape), stds.reshape(sets.shape)


def estimate(tasks: Sequence[Task], backend: BackendSpec, noise_model: Any = None, *,
             seed: int | None = None) -> list[Estimates]:
    """Estimate every task's observables: one simulator call per method and shot count.

    Args:
        tasks: What to estimate.
        backend: The backend whose simulator (and noise) runs them.
        noise_model: A noise model the job brings in place of the backend's, or ``None``.
        seed: Seed of the trajectories.

    Raises:
        InvalidInputError: A wide task no simulation method fits (see :func:`plans`).
    """
    chosen_plans = plans(tasks, backend, noise_model)
    results: list[Estimates | None] = [None] * len(tasks)
    for key in dict.fromkeys(plan.key for plan in chosen_plans):
        chosen = [i for i, p in enumerate(chosen_plans) if p.key == key]
        batch = Batch()
        spans = [batch.add(chosen_plans[i].circuit, tasks[i].values) for i in chosen]
        first = chosen_plans[chosen[0]]
        # A relabelled task's circuit is in its simulation order already; its noise
        # is relabelled by the simulator.
        call = None if first.method is None else replace(first.method, orders=())
        relabel = first.order if call is not None and call.noise != "none" else None
        raw = run_batch(
            simulator_for(backend, noise_model, call), batch, call,
            shots=first.shots, seed_simulator=seed,
            method=None if first.name == "automatic" or first.method else first.name,
            qubit_order=relabel,
        )
        for i in chosen:
            plan = chosen_plans[i]
            samples = _term_samples(raw, spans[chosen.index(i)], plan.terms, plan.stochastic)
            results[i] = Estimates(samples, plan.coefficients, not plan.stochastic, plan.name,
                                   plan.shots, plan.method)
    return [r for r in results if r is not None]


def plans(tasks: Sequence[Task], backend: BackendSpec, noise_model: Any = None,
          max_seconds: float | None = None) -> list[Plan]:
    """How each task will be simulated: its circuit with the saved terms, and its method.

    A task on at most :data:`~qruntime.programs.method.AUTOMATIC_QUBITS` active
    qubits follows the table above; a wider one takes the method rule of
    :mod:`qruntime.programs.method` (stabilizer, matrix product state, ...), which
    refuses what cannot run here (or within ``max_seconds``, the job's
    ``max_execution_time``), so that assessing a job plans it too.
    """
    noisy = is_noisy(backend, noise_model)
    return [_plan(task, backend, noise_model, noisy, max_seconds) for task in tasks]


@dataclass(frozen=True)
class Plan:
    """How one task is simulated.

    Attributes:
        circuit: The task's circuit with one saved expectation value per term.
        terms: The distinct Pauli terms of its observables.
        coefficients: ``coefficients[o, t]``: the weight of term ``t`` in observable ``o``.
        name: The Aer method.
        shots: Shots of the simulator call (trajectories; 1 when exact).
        stochastic: Whether the values are means over trajectories.
        method: The method rule's choice for a wide task, else ``None``.
        order: The position each qubit of the task's circuit took in ``circuit``,
            or ``None`` when it kept its own.
    """

    circuit: QuantumCircuit
    terms: list[Term]
    coefficients: np.ndarray
    name: str
    shots: int
    stochastic: bool
    method: Method | None = None
    order: tuple[int, ...] | None = None

    @property
    def key(self) -> tuple[Any, ...]:
        """Tasks of one key share a simulator call: narrow ones by method and shots; a
        wide one runs alone, its method (qubit order, noise form) chosen for it."""
        return (self.name, self.shots) if self.method is None else ("wide", id(self))

    @property
    def work(self) -> float:
        """Estimated amplitude updates (about 1e9 a second on one core)."""
        if self.method is not None:
            return self.method.work
        width = len(active_qubits(self.circuit))
        shots = self.shots if self.stochastic else 1
        states = 4.0**width if self.name == "density_matrix" else shots * 2.0**width
        return max(len(self.circuit.data), 1) * states


def _plan(task: Task, backend: BackendSpec, noise_model: Any, noisy: bool,
          max_seconds: float | None = None) -> Plan:
    terms, coefficients = pauli_terms(task.observables)
    # Aer may keep one idle qubit besides these (qubit 0), hence the + 1.
    width = len(active_qubits(task.circuit) | {q for _, qubits in terms for q in qubits}) + 1
    chosen: Method | None = None
    if width <= AUTOMATIC_QUBITS:
        name = _narrow_method(task, width, noisy)
        stochastic = name == "statevector"
    else:
        chosen = method_for(backend, [_with_terms(task.circuit, terms, pershot=False)],
                            noisy=noisy, shots=task.shots, twirlable=noise_model is None,
                            max_seconds=max_seconds)
        name = chosen.name
        stochastic = noisy and name != "density_matrix"
    circuit = task.circuit
    order = chosen.orders[0] if chosen is not None and chosen.orders else None
    if order is not None:
        # Relabel before saving: a saved Pauli whose qubits are out of Aer's order
        # makes a matrix product state swap every qubit into place (std::bad_alloc
        # on 100 qubits), while the same Pauli on sorted qubits costs nothing.
        circuit = relabeled(circuit, order)
        terms = [(label, tuple(order[q] for q in qubits)) for label, qubits in terms]
    circuit = _with_terms(circuit, terms, pershot=stochastic)
    return Plan(circuit, terms, coefficients, name, task.shots if stochastic else 1, stochastic,
                chosen, order)


def _with_terms(circuit: QuantumCircuit, terms: list[Term], *, pershot: bool
                ) -> QuantumCircuit:
    """``circuit`` with one saved expectation value per non-identity term."""
    import qiskit_aer  # noqa: F401  (adds QuantumCircuit.save_expectation_value)

    circuit = circuit.copy()
    everything = range(circuit.num_qubits)
    for index, term in enumerate(terms):
        if term[1]:
            circuit.save_expectation_value(
                _full_pauli(term, circuit.num_qubits), everything, label=f"t{index}",
                pershot=pershot,
            )
    return circuit


def _full_pauli(term: Term, num_qubits: int) -> Pauli:
    """``term`` padded with identities to the whole circuit.

    qiskit-aer 0.18 remaps a Pauli saved on a subset of qubits wrongly when its
    truncation drops idle qubits (Qiskit/qiskit-aer#2442: ``<Z_14>`` of a Bell
    pair on qubits 14 and 16 of a 27-qubit circuit comes back as 1, not 0).
    Saved on every qubit, the Pauli is truncated correctly, and the identity
    positions cost nothing.
    """
    label = ["I"] * num_qubits
    for pauli, qubit in zip(*term):
        label[num_qubits - 1 - qubit] = pauli
    return Pauli("".join(label))


def pauli_terms(observables: Sequence[SparseObservable]) -> tuple[list[Term], np.ndarray]:
    """The distinct Pauli terms of ``observables`` and each observable's real coefficients.

    Returns ``(terms, coefficients)`` with ``coefficients[o, t]`` the weight of
    ``terms[t]`` in observable ``o``. Projector terms (``"0"``, ``"+"``, ...)
    are expanded into Paulis first.
    """
    index: dict[Term, int] = {}
    rows: list[dict[int, float]] = []
    for observable in observables:
        row: dict[int, float] = {}
        for label, qubits, coeff in observable.as_paulis().to_sparse_list():
            pairs = sorted(zip(qubits, label))
            term = ("".join(p for _, p in pairs), tuple(q for q, _ in pairs))
            column = index.setdefault(term, len(index))
            row[column] = row.get(column, 0.0) + float(np.real(coeff))
        rows.append(row)
    coefficients = np.zeros((len(rows), len(index)))
    for o, row in enumerate(rows):
        for t, value in row.items():
            coefficients[o, t] = value
    return list(index), coefficients


def _narrow_method(task: Task, width: int, noisy: bool) -> str:
    if not noisy and not _has_non_unitary(task.circuit):
        return "automatic"
    if width <= MAX_DENSITY_MATRIX_QUBITS and 2**width <= max(task.shots, 2**6):
        return "density_matrix"
    return "statevector"


def _has_non_unitary(circuit: QuantumCircuit) -> bool:
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name in NO_WORK:
            continue
        if operation.name in ("reset", "measure", "initialize") or isinstance(
            operation, ControlFlowOp
        ):
            return True
    return False


def _term_samples(raw: Any, span: range, terms: list[Term], pershot: bool) -> np.ndarray:
    """Array ``[set, term, sample]`` of the saved term values of one task."""
    samples = 1
    data = [raw.data(k) for k in span]
    if pershot:
        samples = next((len(d[f"t{t}"]) for d in data for t in range(len(terms)) if terms[t][1]),
                       1)
    out = np.ones((len(data), len(terms), samples))
    for s, values in enumerate(data):
        for t, (_, qubits) in enumerate(terms):
            if qubits:
                out[s, t, :] = np.real(values[f"t{t}"])
    return out
