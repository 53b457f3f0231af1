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
only, so they do not bias these values: the result is what hardware gives
after measurement-error mitigation (resilience level 1, the stock default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp
from qiskit.quantum_info import Pauli, SparseObservable

from qruntime.programs.inputs import NO_WORK, active_qubits
from qruntime.programs.simulation import Batch, run_batch

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


def estimate(
    tasks: Sequence[Task], simulator: Any, *, noisy: bool, seed: int | None
) -> list[Estimates]:
    """Estimate every task's observables: one simulator call per method and shot count.

    Args:
        tasks: What to estimate.
        simulator: The Aer simulator (with the job's noise model, if any).
        noisy: Whether ``simulator`` carries noise.
        seed: Seed of the trajectories.
    """
    plans = [_plan(task, noisy) for task in tasks]
    results: list[Estimates | None] = [None] * len(tasks)
    for method, shots in dict.fromkeys((plan.method, plan.shots) for plan in plans):
        chosen = [i for i, p in enumerate(plans) if (p.method, p.shots) == (method, shots)]
        batch = Batch()
        spans = [batch.add(plans[i].circuit, tasks[i].values) for i in chosen]
        raw = run_batch(
            simulator, batch, shots=shots, seed_simulator=seed,
            **({} if method == "automatic" else {"method": method}),
        )
        stochastic = method == "statevector"
        for i, span in zip(chosen, spans):
            samples = _term_samples(raw, span, plans[i].terms, stochastic)
            results[i] = Estimates(samples, plans[i].coefficients, not stochastic, method, shots)
    return [r for r in results if r is not None]


@dataclass(frozen=True)
class _Plan:
    circuit: QuantumCircuit
    terms: list[Term]
    coefficients: np.ndarray
    method: str
    shots: int


def _plan(task: Task, noisy: bool) -> _Plan:
    terms, coefficients = pauli_terms(task.observables)
    method = _method(task, terms, noisy, task.shots)
    circuit = task.circuit.copy()
    pershot = method == "statevector"
    everything = range(circuit.num_qubits)
    for index, term in enumerate(terms):
        if term[1]:
            circuit.save_expectation_value(
                _full_pauli(term, circuit.num_qubits), everything, label=f"t{index}",
                pershot=pershot,
            )
    return _Plan(circuit, terms, coefficients, method, task.shots if pershot else 1)


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


def _method(task: Task, terms: list[Term], noisy: bool, shots: int) -> str:
    if not noisy and not _has_non_unitary(task.circuit):
        return "automatic"
    # Aer may keep one idle qubit besides these (qubit 0), hence the + 1.
    width = len(active_qubits(task.circuit) | {q for _, qubits in terms for q in qubits}) + 1
    if width <= MAX_DENSITY_MATRIX_QUBITS and 2**width <= max(shots, 2**6):
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
