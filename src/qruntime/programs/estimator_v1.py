"""The V1 Estimator (qiskit-ibm-runtime <= 0.27): one value per circuit entry.

Params are those of :mod:`qruntime.programs.legacy` plus::

    {"observables": [SparsePauliOp | label | {"ZZ": 1.0}, ...],
     "observable_indices": [int, ...]}          # older clients only

Entry ``k`` pairs circuit entry ``k`` with ``observables[k]`` (or
``observables[observable_indices[k]]``). Observables are written for the
circuit as sent (logical qubits); after the server's transpilation they are
mapped through the transpiled circuit's layout. The result is the dict the
stock V1 decoder turns into an ``EstimatorResult``::

    {"values": [<O_0>, ...],
     "metadata": [{"variance": <O_0^2> - <O_0>^2, "shots": 4000, ...}, ...]}

On a noisy backend the values come from ``run_options.shots`` measured shots,
mitigated as ``resilience_settings.level`` asks (0 none, 1 TREX, the default, 2
TREX and ZNE; see :func:`~qruntime.programs.resilience.resilience_of_v1`), and
``variance`` is ``shots * std**2`` of the value's standard error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparseObservable

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import inputs, legacy, measured, options
from qruntime.programs.expectation import Task, estimate
from qruntime.programs.observables import as_observable, logical_size
from qruntime.programs.resilience import (
    Resilience,
    amplified_tasks,
    by_factor,
    extrapolated,
    resilience_of_v1,
)
from qruntime.programs.simulation import is_noisy


@dataclass(frozen=True)
class EstimatorV1Job:
    """A validated V1 Estimator job: the V1 inputs, one observable per entry, and the
    mitigation its ``resilience_settings`` ask for (used on noisy backends)."""

    base: legacy.V1Job
    observables: list[SparseObservable]
    resilience: Resilience

    @property
    def circuits(self) -> list[QuantumCircuit]:
        """The distinct circuits, as sent."""
        return self.base.circuits

    @property
    def entries(self) -> list[legacy.Entry]:
        """Circuit entries, one value each."""
        return self.base.entries

    @property
    def shots(self) -> int:
        """``run_options.shots``: trajectories where a value is not exact."""
        return self.base.shots

    @property
    def noise_model(self) -> Any:
        """The job's own noise model, if any."""
        return self.base.noise_model


def parse_v1(params: Mapping[str, Any], backend: BackendSpec) -> EstimatorV1Job:
    """Check a V1 Estimator payload against ``backend``."""
    base = legacy.parse(params, backend, extra_keys=("observables", "observable_indices"))
    raw = params.get("observables")
    if raw is None:
        raise InvalidInputError("params has no 'observables': give one observable per circuit.")
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    found = [as_observable(item, f"observable {i}") for i, item in enumerate(items)]
    picks = params.get("observable_indices")
    if picks is None:
        picks = list(range(len(found)))
    if len(picks) != len(base.entries) or not all(0 <= int(i) < len(found) for i in picks):
        raise InvalidInputError(
            f"{len(base.entries)} circuit entries need as many observables; "
            f"{len(picks)} given."
        )
    observables = [found[int(i)] for i in picks]
    for k, (entry, observable) in enumerate(zip(base.entries, observables)):
        circuit = base.circuits[entry.source]
        _check_size(observable, circuit, k, base.skip_transpilation)
        if inputs.has_measurements(circuit):
            raise InvalidInputError(
                f"circuit {entry.source} measures qubits; an Estimator circuit must not. Remove "
                "the measurements, e.g. circuit.remove_final_measurements()."
            )
    resilience = resilience_of_v1(params.get("resilience_settings"))
    return EstimatorV1Job(base, observables, resilience)


def run_v1(job: EstimatorV1Job, backend: BackendSpec) -> dict[str, Any]:
    """Transpile, estimate and return ``{"values", "metadata"}`` in entry order.

    On a noisy backend the values come from measured shots with the job's
    mitigation (:mod:`qruntime.programs.measured`); on an ideal one they are exact.
    """
    base = job.base
    circuits = legacy.transpile(base)
    groups = legacy.grouped(base)
    if is_noisy(backend, base.noise_model):
        return _run_measured(job, backend, circuits, groups)
    tasks = []
    for source, positions in groups.items():
        circuit = circuits[source]
        observables = []
        for position in positions:
            observable = _laid_out(job.observables[position], circuit, base.skip_transpilation)
            squared = observable.as_paulis().compose(observable.as_paulis()).simplify()
            observables += [observable, squared]
        sets = (np.array([base.entries[p].values for p in positions])
                if circuit.num_parameters else None)
        tasks.append(Task(circuit, sets, observables, base.shots))
    found = estimate(tasks, backend, base.noise_model, seed=base.seed)
    values = [0.0] * len(base.entries)
    metadata: list[dict[str, Any]] = [{} for _ in base.entries]
    extra = {"ignored_options": options.printable(base.ignored)} if base.ignored else {}
    for (source, positions), estimates in zip(groups.items(), found):
        count = len(positions)
        sets = np.arange(count) if circuits[source].num_parameters else np.zeros(count, int)
        means, _ = estimates.at(np.repeat(sets, 2), np.arange(2 * count))
        for k, position in enumerate(positions):
            mean, square = float(means[2 * k]), float(means[2 * k + 1])
            values[position] = mean
            metadata[position] = {"variance": max(0.0, square - mean**2), "shots": base.shots,
                                  "simulation": {"method": estimates.method,
                                                 "exact": estimates.exact}, **extra}
    return {"values": values, "metadata": metadata}


def _run_measured(job: EstimatorV1Job, backend: BackendSpec, circuits: list[QuantumCircuit],
                  groups: dict[int, list[int]]) -> dict[str, Any]:
    base = job.base
    tasks = []
    for source, positions in groups.items():
        circuit = circuits[source]
        observables = [_laid_out(job.observables[p], circuit, base.skip_transpilation)
                       for p in positions]
        sets = (np.array([base.entries[p].values for p in positions])
                if circuit.num_parameters else None)
        tasks.append(Task(circuit, sets, observables, base.shots))
    extrapolation = job.resilience.zne
    run = tasks if extrapolation is None else amplified_tasks(tasks, extrapolation, base.seed)
    found = measured.estimate(run, backend, base.noise_model, twirl=job.resilience.twirl,
                              seed=base.seed)
    ignored = {k: v for k, v in base.ignored.items()
               if not k.startswith("params.resilience_settings.")}
    extra: dict[str, Any] = {"resilience": job.resilience.metadata["resilience"]}
    if ignored:
        extra["ignored_options"] = options.printable(ignored)
    values = [0.0] * len(base.entries)
    metadata: list[dict[str, Any]] = [{} for _ in base.entries]
    factors = 1 if extrapolation is None else len(extrapolation.noise_factors)
    for (source, positions), task, amplified in zip(groups.items(), tasks,
                                                    by_factor(found, len(tasks), extrapolation)):
        count = len(positions)
        sets = np.arange(count) if circuits[source].num_parameters else np.zeros(count, int)
        means, stds = amplified[0].at(sets, np.arange(count))
        if extrapolation is not None:
            means, stds, _, _ = extrapolated(extrapolation, amplified, task, sets,
                                             np.arange(count))
        for k, position in enumerate(positions):
            values[position] = float(means[k])
            # V1's variance is per shot: the standard error is sqrt(variance / shots).
            metadata[position] = {"variance": float(stds[k]) ** 2 * base.shots,
                                  "shots": amplified[0].shots * factors,
                                  "simulation": {"method": amplified[0].method, "exact": False,
                                                 "measured": True}, **extra}
    return {"values": values, "metadata": metadata}


def _check_size(observable: SparseObservable, circuit: QuantumCircuit, k: int, skip: bool
                ) -> None:
    allowed = {circuit.num_qubits}
    if skip and logical_size(circuit) is not None:
        allowed.add(logical_size(circuit) or 0)
    if observable.num_qubits not in allowed:
        raise InvalidInputError(
            f"observable {k} acts on {observable.num_qubits} qubits, but its circuit has "
            f"{' or '.join(map(str, sorted(allowed)))}."
        )


def _laid_out(observable: SparseObservable, circuit: QuantumCircuit, skip: bool
              ) -> SparseObservable:
    if circuit.layout is None or (skip and observable.num_qubits == circuit.num_qubits):
        return observable
    return observable.apply_layout(circuit.layout)
