"""The ``sampler`` program: SamplerV2 pubs, and the V1 Sampler of the seed-era clients.

**V2** (``params["version"] == 2``)::

    {"pubs": [[QuantumCircuit, ndarray (..., n_params) or empty, shots | None], ...],
     "options": {...}, "version": 2, "support_qiskit": True}

Circuits must be ISA for the backend and must measure something. A pub's
parameter array may hold any sweep shape; its result's ``BitArray`` per
classical register (named after the register) has that shape. All pubs with
the same shots run in one simulator call, sweeps bound inside Aer. The result
is a :class:`~qiskit.primitives.containers.PrimitiveResult` of
:class:`~qiskit.primitives.containers.SamplerPubResult`, pub metadata
``{"shots", "circuit_metadata"}`` and top-level metadata ``{"version": 2}``
plus ``"ignored_options"`` (dotted path -> value) when hint-only options
were set. Options (the schema is :data:`qruntime.programs.options.SAMPLER_V2`):

==================================  =============================================
Option                              Treatment
==================================  =============================================
``default_shots``                   used; 4096 when unset (the stock default)
``simulator.seed_simulator``        used
``simulator.noise_model``           used: replaces the backend's noise model
``execution.meas_type``             ``"classified"`` only; ``"kerneled"`` and
                                    ``"avg_kerneled"`` are refused (no IQ data)
``execution.init_qubits``           ``True`` only
``execution.rep_delay``             hint
``dynamical_decoupling.*``          hint
``twirling.*``                      hint
``simulator.coupling_map``,         hint (V2 circuits are already ISA)
``simulator.basis_gates``
``experimental``, ``transpilation`` hint
``max_execution_time``              accepted; the engine enforces it
``resilience_level`` (beside        hint
``options``)
anything else                       refused, naming the option and the allowed ones
==================================  =============================================

**V1** (no ``version``): see :mod:`qruntime.programs.legacy`. The circuits
are transpiled on the server and the result is the plain dict the stock V1
decoder reads: ``{"quasi_dists": [{"0011": 0.5, ...}], "metadata": [{"shots":
4000, "circuit_metadata": {...}}]}``. Keys are full-width bit strings, not
ints: JSON keys are strings, and the stock ``QuasiDistribution`` reads only
bit strings or hex there.

Example:
    >>> result = run({"pubs": [[bell, np.array([]), 1000]], "version": 2}, backend)
    >>> result[0].data.meas.get_counts()
    {'00': 503, '11': 497}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit.primitives.containers import (
    BindingsArray,
    DataBin,
    PrimitiveResult,
    SamplerPub,
    SamplerPubResult,
)

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import inputs, legacy, options
from qruntime.programs.memory import bit_arrays
from qruntime.programs.method import Method
from qruntime.programs.simulation import (
    Batch,
    bond_report,
    experiment_data,
    is_noisy,
    method_for,
    noise_model_of,
    run_batch,
    simulator_for,
)

#: Shots of a pub that names none, when ``options.default_shots`` is unset (stock default).
DEFAULT_SHOTS = 4096
#: Most shots (parameter sets x shots, over all pubs) in one V2 job.
MAX_TOTAL_SHOTS = 10_000_000

V2_KEYS = ("pubs", "options", "version", "support_qiskit", "resilience_level")


@dataclass(frozen=True)
class SamplerJob:
    """A validated SamplerV2 job."""

    pubs: list[SamplerPub]
    seed: int | None
    noise_model: Any
    ignored: dict[str, Any]


def validate(params: Mapping[str, Any], backend: BackendSpec) -> None:
    """Raise :class:`InvalidInputError` unless ``params`` can run on ``backend``."""
    if inputs.is_v2(params):
        parse_v2(params, backend)
    else:
        _parse_v1(params, backend)


def run(params: Mapping[str, Any], backend: BackendSpec, *, job_id: str | None = None,
        checked: bool = False) -> Any:
    """Run the sampler job ``params`` on ``backend``."""
    if inputs.is_v2(params):
        return run_v2(parse_v2(params, backend), backend)
    return run_v1(_parse_v1(params, backend), backend)


def assess(params: Mapping[str, Any], backend: BackendSpec,
           max_seconds: float | None = None) -> float:
    """Validate ``params`` as :func:`validate` does and return their rough simulation
    work (see :func:`inputs.simulation_cost`), parsing them once."""
    if not inputs.is_v2(params):
        v1 = _parse_v1(params, backend)
        noisy = is_noisy(backend, v1.noise_model)
        method_for(backend, v1.circuits, noisy=noisy, shots=v1.shots,  # refuses what won't fit
                   twirlable=v1.noise_model is None, max_seconds=max_seconds)
        return float(sum(inputs.simulation_cost(v1.circuits[e.source], 1, v1.shots, noisy)
                         for e in v1.entries))
    v2 = parse_v2(params, backend)
    calls = _calls(v2, backend, max_seconds)  # refuses what no simulation method fits
    if any(plan.name != "automatic" for _, _, plan in calls):
        return float(sum(plan.work for _, _, plan in calls))
    noisy = is_noisy(backend, v2.noise_model)
    return float(sum(
        inputs.simulation_cost(p.circuit, p.parameter_values.size, p.shots or 1, noisy)
        for p in v2.pubs
    ))


# --- V2 ---------------------------------------------------------------------------------


def parse_v2(params: Mapping[str, Any], backend: BackendSpec) -> SamplerJob:
    """Check a SamplerV2 payload against ``backend``."""
    inputs.check_keys(params, V2_KEYS, "SamplerV2 input")
    opts = params.get("options") or {}
    ignored = options.check_options(opts, options.SAMPLER_V2, "options")
    if params.get("resilience_level") is not None:
        ignored["resilience_level"] = params["resilience_level"]
    meas_type = options.pick(opts, "execution", "meas_type", default="classified")
    if meas_type != "classified":
        raise InvalidInputError(
            f"options.execution.meas_type={meas_type!r} is not supported: a simulator has no "
            "measurement kernel to give IQ data. Allowed: 'classified'."
        )
    inputs.check_flag(options.pick(opts, "execution", "init_qubits"), True,
                      "options.execution.init_qubits",
                      "the simulator starts every shot from |0...0>. Allowed: True.")
    default_shots = inputs.check_shots(options.pick(opts, "default_shots", default=DEFAULT_SHOTS),
                                       backend.max_shots, "options.default_shots")
    raw_pubs = params.get("pubs")
    if not isinstance(raw_pubs, (list, tuple)) or not raw_pubs:
        raise InvalidInputError("params['pubs'] must be a non-empty list of pubs.")
    inputs.check_count(len(raw_pubs), backend.max_experiments, "pubs", backend.name)
    pubs = [_pub(raw, i, default_shots, backend) for i, raw in enumerate(raw_pubs)]
    total = sum(pub.parameter_values.size * (pub.shots or 0) for pub in pubs)
    if total > MAX_TOTAL_SHOTS:
        raise InvalidInputError(
            f"The job asks for {total} shots in all (parameter sets x shots over every pub); "
            f"at most {MAX_TOTAL_SHOTS} are allowed in one job. Split it over several jobs."
        )
    return SamplerJob(
        pubs=pubs,
        seed=inputs.check_seed(options.pick(opts, "simulator", "seed_simulator"),
                               "options.simulator.seed_simulator"),
        noise_model=noise_model_of(options.pick(opts, "simulator", "noise_model"),
                                   "options.simulator.noise_model"),
        ignored=ignored,
    )


def run_v2(job: SamplerJob, backend: BackendSpec) -> PrimitiveResult[SamplerPubResult]:
    """Sample every pub of ``job``: one simulator call per distinct shot count."""
    results: list[SamplerPubResult | None] = [None] * len(job.pubs)
    plans = []
    for shots, indices, plan in _calls(job, backend):
        batch = Batch()
        spans = [batch.add(job.pubs[i].circuit, _values(job.pubs[i])) for i in indices]
        raw = run_batch(simulator_for(backend, job.noise_model, plan), batch, plan,
                        shots=shots, memory=True,
                        seed_simulator=job.seed)
        for i, span in zip(indices, spans):
            results[i] = _pub_result(job.pubs[i], experiment_data(raw, span), shots)
        plans.append({**plan.metadata(), **bond_report(raw, plan)})
    metadata: dict[str, Any] = {"version": 2, "simulator": plans[0] if len(plans) == 1 else plans}
    if job.ignored:
        metadata["ignored_options"] = options.printable(job.ignored)
    return PrimitiveResult([r for r in results if r is not None], metadata=metadata)


def _calls(job: SamplerJob, backend: BackendSpec, max_seconds: float | None = None
           ) -> list[tuple[int, list[int], Method]]:
    """The simulator calls of a V2 job: one per distinct shot count, each with its method."""
    by_shots: dict[int, list[int]] = {}
    for index, pub in enumerate(job.pubs):
        by_shots.setdefault(int(pub.shots or DEFAULT_SHOTS), []).append(index)
    noisy = is_noisy(backend, job.noise_model)
    return [(shots, indices, method_for(backend, [job.pubs[i].circuit for i in indices],
                                        noisy=noisy, shots=shots,
                                        twirlable=job.noise_model is None,
                                        max_seconds=max_seconds))
            for shots, indices in by_shots.items()]


def _pub(raw: Any, index: int, default_shots: int, backend: BackendSpec) -> SamplerPub:
    where = f"pub {index}"
    if isinstance(raw, SamplerPub):
        raw = [raw.circuit, raw.parameter_values.as_array(raw.circuit.parameters), raw.shots]
    items = [raw] if not isinstance(raw, (list, tuple)) else list(raw)
    if not 1 <= len(items) <= 3:
        raise InvalidInputError(
            f"{where} has {len(items)} items; a sampler pub is [circuit, parameter values, shots]."
        )
    circuit = inputs.require_circuit(items[0], f"{where}: the first item")
    backend.check_circuit(circuit, index)
    inputs.require_measurements(circuit, f"{where}: circuit" +
                                (f" {circuit.name!r}" if circuit.name else ""))
    values = inputs.parameter_array(items[1] if len(items) > 1 else None, circuit, where)
    shots = items[2] if len(items) > 2 and items[2] is not None else default_shots
    shots = inputs.check_shots(shots, backend.max_shots, f"{where}: shots")
    with inputs.coercing(where):
        bindings = BindingsArray({tuple(circuit.parameters): values}) if values.size else None
        return SamplerPub(circuit, bindings, shots)


def _values(pub: SamplerPub) -> np.ndarray | None:
    if pub.circuit.num_parameters == 0:
        return None
    values = pub.parameter_values.as_array(pub.circuit.parameters)
    return np.asarray(values, dtype=float).reshape(-1, pub.circuit.num_parameters)


def _pub_result(pub: SamplerPub, data: list[dict[str, Any]], shots: int) -> SamplerPubResult:
    memory = [entry.get("memory", []) for entry in data]
    arrays = bit_arrays(memory, pub.circuit, pub.shape, shots)
    return SamplerPubResult(
        DataBin(**arrays, shape=pub.shape),
        metadata={"shots": shots, "circuit_metadata": pub.circuit.metadata},
    )


# --- V1 ---------------------------------------------------------------------------------


def _parse_v1(params: Mapping[str, Any], backend: BackendSpec) -> legacy.V1Job:
    job = legacy.parse(params, backend)
    for index, circuit in enumerate(job.circuits):
        inputs.require_measurements(circuit, f"circuit {index}")
    return job


def run_v1(job: legacy.V1Job, backend: BackendSpec) -> dict[str, Any]:
    """Transpile, sample and return ``{"quasi_dists", "metadata"}`` in entry order."""
    circuits = legacy.transpile(job)
    batch = Batch()
    spans: dict[int, range] = {}
    groups = legacy.grouped(job)
    for source, positions in groups.items():
        values = np.array([job.entries[p].values for p in positions])
        spans[source] = batch.add(circuits[source], values)
    plan = method_for(backend, circuits, noisy=is_noisy(backend, job.noise_model),
                      shots=job.shots, twirlable=job.noise_model is None)
    raw = run_batch(simulator_for(backend, job.noise_model, plan), batch, plan, shots=job.shots,
                    seed_simulator=job.seed)
    quasi: list[dict[str, float]] = [{} for _ in job.entries]
    for source, positions in groups.items():
        for position, experiment in zip(positions, spans[source]):
            counts = raw.results[experiment].data.to_dict().get("counts", {})
            quasi[position] = _quasi(counts, circuits[source].num_clbits, job.shots)
    extra = {"ignored_options": options.printable(job.ignored)} if job.ignored else {}
    metadata = [
        {"shots": job.shots, "circuit_metadata": job.circuits[e.source].metadata, **extra}
        for e in job.entries
    ]
    return {"quasi_dists": quasi, "metadata": metadata}


def _quasi(counts: Mapping[str, int], num_clbits: int, shots: int) -> dict[str, float]:
    return {format(int(key, 16), f"0{num_clbits}b"): n / shots for key, n in counts.items()}
