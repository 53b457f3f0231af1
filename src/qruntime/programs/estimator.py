"""The ``estimator`` program: EstimatorV2 pubs, and the V1 Estimator of the seed-era clients.

**V2** (``params["version"] == 2``)::

    {"pubs": [[QuantumCircuit, observables, ndarray (..., n_params), precision | None], ...],
     "options": {...}, "version": 2, "support_qiskit": True, "resilience_level": 1}

``observables`` is anything :class:`~qiskit.primitives.containers.ObservablesArray`
reads (nested lists of ``{"ZZ": 1.0}`` dicts as the stock client sends them,
``SparsePauliOp``, labels). Circuits must be ISA and must not measure. An
observable on as many qubits as the circuit's logical (pre-layout) circuit is
mapped through ``circuit.layout``; one on as many qubits as the ISA circuit is
taken as is; any other size is refused. Observables and parameter sets
broadcast as in Qiskit; the result's ``evs`` and ``stds`` have the broadcast
shape.

On an ideal backend the values are exact (``stds`` 0, whatever the precision;
see :mod:`qruntime.programs.expectation`). On a noisy one they come from
``ceil(1 / precision**2)`` measured shots, as on hardware
(:mod:`qruntime.programs.measured`): readout errors and shot noise included,
``stds`` the standard errors, the readout errors mitigated by TREX at
resilience level 1, the default, and gate errors by zero-noise extrapolation at
level 2 (:mod:`qruntime.programs.resilience`, :mod:`qruntime.programs.zne`). The
precision of a pub is its own, else ``1 / sqrt(default_shots)`` when
``options.default_shots`` is set, else ``options.default_precision`` (0.015625,
as the stock service). Options (the schema is
:data:`qruntime.programs.options.ESTIMATOR_V2`):

==================================  =============================================
Option                              Treatment
==================================  =============================================
``default_precision``               used; > 0; 0.015625 when unset
``default_shots``                   used; overrides ``default_precision``
``seed_estimator``,                 used (seed of shots and twirls; the
``simulator.seed_simulator``        latter wins)
``simulator.noise_model``           used: replaces the backend's noise model
``execution.init_qubits``           ``True`` only
``execution.rep_delay``             hint
``resilience_level`` (beside        used: 0 (none), 1 (TREX, the default), 2 (TREX,
``options``)                        gate twirling, ZNE by gate folding)
``resilience.measure_mitigation``,  used (TREX and its calibration)
``resilience.measure_noise_learning.*``
``resilience.zne_mitigation``,      used (``pea`` refused: no layer noise learning)
``resilience.zne.*``
``resilience.pec_mitigation``       ``False`` only (PEC needs layer noise learning)
``twirling.enable_measure``,        used (measurement and gate twirling)
``twirling.enable_gates``,
``twirling.num_randomizations``,
``twirling.shots_per_randomization``
``resilience.pec``,                 hint
``resilience.layer_noise_*``,
``twirling.strategy``,
``dynamical_decoupling.*``
``simulator.coupling_map``,         hint (V2 circuits are already ISA)
``simulator.basis_gates``
``experimental``, ``transpilation`` hint
``max_execution_time``              accepted; the engine enforces it
anything else                       refused, naming the option and the allowed ones
==================================  =============================================

Hints are recorded in the result's metadata under ``"ignored_options"``.

**V1** (no ``version``): the inputs of :mod:`qruntime.programs.legacy` plus
``observables`` (one per circuit entry, or picked with
``observable_indices``). The result is ``{"values": [...], "metadata":
[{"variance": v, "shots": n, ...}]}`` with ``v`` the observable's variance in
the prepared state, as the stock V1 Estimator reports it.

Example:
    >>> pubs = [[isa_bell, [{"ZZ": 1.0}, {"XX": 1.0}], np.array([]), None]]
    >>> run({"pubs": pubs, "version": 2}, backend)[0].data.evs
    array([1., 1.])
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit.primitives.containers import (
    BindingsArray,
    DataBin,
    EstimatorPubLike,
    PrimitiveResult,
    PubResult,
)
from qiskit.primitives.containers.estimator_pub import EstimatorPub

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import inputs, measured, options
from qruntime.programs.estimator_v1 import parse_v1, run_v1
from qruntime.programs.expectation import Task, estimate, plans
from qruntime.programs.observables import physical_observables
from qruntime.programs.resilience import (
    Resilience,
    amplified_tasks,
    by_factor,
    extrapolated,
    resilience_of,
)
from qruntime.programs.simulation import is_noisy, noise_model_of

#: Precision of a pub that names none, when neither default is set (stock default).
DEFAULT_PRECISION = 0.015625

V2_KEYS = ("pubs", "options", "version", "support_qiskit", "resilience_level")


@dataclass(frozen=True)
class EstimatorJob:
    """A validated EstimatorV2 job."""

    pubs: list[EstimatorPub]
    seed: int | None
    noise_model: Any
    max_shots: int
    ignored: dict[str, Any]
    resilience: Resilience


def validate(params: Mapping[str, Any], backend: BackendSpec) -> None:
    """Raise :class:`InvalidInputError` unless ``params`` can run on ``backend``."""
    if inputs.is_v2(params):
        parse_v2(params, backend)
    else:
        parse_v1(params, backend)


def run(params: Mapping[str, Any], backend: BackendSpec, *, job_id: str | None = None,
        checked: bool = False) -> Any:
    """Run the estimator job ``params`` on ``backend``."""
    if inputs.is_v2(params):
        return run_v2(parse_v2(params, backend), backend)
    return run_v1(parse_v1(params, backend), backend)


def assess(params: Mapping[str, Any], backend: BackendSpec,
           max_seconds: float | None = None) -> float:
    """Validate ``params`` as :func:`validate` does, plan the simulation, and return its
    rough work in amplitude updates (about 1e9 a second on one core).

    A wide circuit no simulation method fits here is refused now, before the job
    is queued (see :mod:`qruntime.programs.method`).
    """
    if not inputs.is_v2(params):
        v1 = parse_v1(params, backend)
        noisy = is_noisy(backend, v1.noise_model)
        return float(sum(
            inputs.simulation_cost(v1.circuits[e.source], 1, v1.shots if noisy else 1, noisy,
                                   observables=2 * v1.observables[k].num_terms)
            for k, e in enumerate(v1.entries)
        ))
    job = parse_v2(params, backend)
    if is_noisy(backend, job.noise_model):
        _, calls = measured.plan(_noisy_tasks(job), backend, job.noise_model,
                                 twirl=job.resilience.twirl, seed=job.seed,
                                 max_seconds=max_seconds)
        return measured.work(calls)
    return float(sum(plan.work * max(1, pub.parameter_values.size)
                     for pub, plan in zip(job.pubs, plans(_tasks(job), backend,
                                                          job.noise_model, max_seconds))))


# --- V2 ---------------------------------------------------------------------------------


def parse_v2(params: Mapping[str, Any], backend: BackendSpec) -> EstimatorJob:
    """Check an EstimatorV2 payload against ``backend``."""
    inputs.check_keys(params, V2_KEYS, "EstimatorV2 input")
    opts = params.get("options") or {}
    ignored = options.check_options(opts, options.ESTIMATOR_V2, "options")
    chosen = resilience_of(params.get("resilience_level"), opts)
    inputs.check_flag(options.pick(opts, "execution", "init_qubits"), True,
                      "options.execution.init_qubits",
                      "the simulator starts every shot from |0...0>. Allowed: True.")
    precision = _default_precision(opts, backend)
    raw_pubs = params.get("pubs")
    if not isinstance(raw_pubs, (list, tuple)) or not raw_pubs:
        raise InvalidInputError("params['pubs'] must be a non-empty list of pubs.")
    inputs.check_count(len(raw_pubs), backend.max_experiments, "pubs", backend.name)
    seed = options.pick(opts, "simulator", "seed_simulator",
                        default=options.pick(opts, "seed_estimator"))
    return EstimatorJob(
        pubs=[_pub(raw, i, precision, backend) for i, raw in enumerate(raw_pubs)],
        seed=inputs.check_seed(seed, "options.simulator.seed_simulator"),
        noise_model=noise_model_of(options.pick(opts, "simulator", "noise_model"),
                                   "options.simulator.noise_model"),
        max_shots=backend.max_shots,
        ignored=ignored,
        resilience=chosen,
    )


def run_v2(job: EstimatorJob, backend: BackendSpec) -> PrimitiveResult[PubResult]:
    """Estimate every pub of ``job``: from measured shots on a noisy backend (with the
    job's measurement mitigation), exactly on an ideal one."""
    noisy = is_noisy(backend, job.noise_model)
    tasks = _tasks(job)
    found: list[Any]
    if noisy:
        found = measured.estimate(_noisy_tasks(job, tasks), backend, job.noise_model,
                                  twirl=job.resilience.twirl, seed=job.seed)
    else:
        found = estimate(tasks, backend, job.noise_model, seed=job.seed)
    extrapolation = job.resilience.zne if noisy else None
    factors = len(extrapolation.noise_factors) if extrapolation else 1
    results = []
    for pub, task, amplified in zip(job.pubs, tasks, by_factor(found, len(tasks),
                                                                extrapolation)):
        sets = np.arange(pub.parameter_values.size).reshape(pub.parameter_values.shape)
        observables = np.arange(pub.observables.size).reshape(pub.observables.shape)
        sets, observables = np.broadcast_arrays(sets, observables)
        estimates = amplified[0]
        evs, stds = estimates.at(sets, observables)
        fields: dict[str, Any] = {}
        pub_metadata: dict[str, Any] = {
            "target_precision": pub.precision,
            "shots": (estimates.shots * factors if noisy
                      else _shots(pub.precision, job.max_shots)),
            "circuit_metadata": pub.circuit.metadata,
        }
        if extrapolation is not None:
            evs, stds, fields, chosen = extrapolated(extrapolation, amplified, task, sets,
                                                     observables)
            pub_metadata["resilience"] = {"zne": {"extrapolator": chosen}}
        if noisy:
            pub_metadata["num_randomizations"] = estimates.randomizations
            pub_metadata["simulation"] = {"method": estimates.method, "exact": False,
                                          "measured": True}
        else:
            pub_metadata["simulation"] = {"method": estimates.method, "exact": estimates.exact,
                                          "trajectories": estimates.shots}
        results.append(PubResult(DataBin(evs=evs, stds=stds, **fields, shape=evs.shape),
                                 metadata=pub_metadata))
    metadata: dict[str, Any] = {"version": 2}
    if noisy:
        metadata.update(job.resilience.metadata)
    chosen: list[dict[str, Any]] = []
    for e in found:  # once per distinct method (ZNE's noise factors share theirs)
        if e.plan is not None and e.plan.metadata() not in chosen:
            chosen.append(e.plan.metadata())
    if chosen:
        metadata["simulator"] = chosen[0] if len(chosen) == 1 else chosen
    if job.ignored:
        metadata["ignored_options"] = options.printable(job.ignored)
    return PrimitiveResult(results, metadata=metadata)


def _noisy_tasks(job: EstimatorJob, tasks: list[Task] | None = None) -> list[Task]:
    """The tasks a noisy backend runs: each pub's, at every ZNE noise factor in turn."""
    tasks = _tasks(job) if tasks is None else tasks
    extrapolation = job.resilience.zne
    if extrapolation is None:
        return tasks
    return amplified_tasks(tasks, extrapolation, job.seed)


def _tasks(job: EstimatorJob) -> list[Task]:
    return [
        Task(pub.circuit, _values(pub), list(pub.observables.sparse_observables_array().ravel()),
             _shots(pub.precision, job.max_shots))
        for pub in job.pubs
    ]


def _default_precision(opts: Mapping[str, Any], backend: BackendSpec) -> float:
    shots = options.pick(opts, "default_shots")
    if shots is not None:
        return 1 / math.sqrt(inputs.check_shots(shots, backend.max_shots, "options.default_shots"))
    return inputs.check_precision(
        options.pick(opts, "default_precision", default=DEFAULT_PRECISION),
        "options.default_precision",
    )


def _shots(precision: float | None, max_shots: int) -> int:
    """Trajectories that reach ``precision`` for an observable of norm 1."""
    return int(min(max_shots, math.ceil(1 / (precision or DEFAULT_PRECISION) ** 2)))


def _pub(raw: EstimatorPubLike | Any, index: int, precision: float, backend: BackendSpec
         ) -> EstimatorPub:
    where = f"pub {index}"
    if isinstance(raw, EstimatorPub):
        raw = [raw.circuit, raw.observables, raw.parameter_values.as_array(
            raw.circuit.parameters), raw.precision]
    if not isinstance(raw, (list, tuple)) or not 2 <= len(raw) <= 4:
        raise InvalidInputError(
            f"{where} must be [circuit, observables, parameter values, precision] "
            "(the last two optional)."
        )
    circuit = inputs.require_circuit(raw[0], f"{where}: the first item")
    backend.check_circuit(circuit, index)
    if inputs.has_measurements(circuit):
        raise InvalidInputError(
            f"{where}: the circuit measures qubits; an Estimator circuit must not. Remove the "
            "measurements, e.g. circuit.remove_final_measurements()."
        )
    observables = physical_observables(raw[1], circuit, where)
    values = inputs.parameter_array(raw[2] if len(raw) > 2 else None, circuit, where)
    if len(raw) > 3 and raw[3] is not None:
        precision = inputs.check_precision(raw[3], f"{where}: precision")
    bindings = BindingsArray({tuple(circuit.parameters): values}) if values.size else None
    sets_shape = values.shape[:-1] if values.size else ()
    try:
        np.broadcast_shapes(observables.shape, sets_shape)
    except ValueError as exc:
        raise InvalidInputError(
            f"{where}: observables of shape {observables.shape} and parameter sets of shape "
            f"{sets_shape} do not broadcast together."
        ) from exc
    with inputs.coercing(where):
        return EstimatorPub(circuit, observables, bindings, precision)


def _values(pub: EstimatorPub) -> np.ndarray | None:
    if pub.circuit.num_parameters == 0:
        return None
    values = pub.parameter_values.as_array(pub.circuit.parameters)
    return np.asarray(values, dtype=float).reshape(-1, pub.circuit.num_parameters)
