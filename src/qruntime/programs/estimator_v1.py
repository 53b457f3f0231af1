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
from qruntime.programs import inputs, legacy, options
from qruntime.programs.expectation import Task, estimate
from qruntime.programs.observables import as_observable, logical_size


@dataclass(frozen=True)
class EstimatorV1Job:
    """A validated V1 Estimator job: the V1 inputs and one observable per entry."""

    base: legacy.V1Job
    observables: list[SparseObservable]

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
    return EstimatorV1Job(base, observables)


def run_v1(job: EstimatorV1Job, backend: BackendSpec) -> dict[str, Any]:
    """Transpile, estimate and return ``{"values", "metadata"}`` in entry order."""
    base = job.base
    circuits = legacy.transpile(base)
    groups = legacy.grouped(base)
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
