"""How programs use a backend's simulator: which one, one call per job, checked results.

Every program sends all the circuits of a job to Aer in one ``run`` call (one
per distinct shot count in a SamplerV2 job, one per simulation method in an
Estimator job), with parameter sweeps as Aer ``parameter_binds`` (bound inside the simulator, far
cheaper than ``assign_parameters`` per set). Aer expands circuit ``i`` into
one experiment per parameter set, in order, so experiment ``k`` of the result
belongs to the circuit whose range of sets holds ``k``.
"""

from __future__ import annotations

import copy
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.result import Result

from qruntime.backends.spec import BackendSpec
from qruntime.errors import EngineError, InvalidInputError
from qruntime.programs import method, trajectories
from qruntime.programs.method import Method

Binds = dict[Parameter, np.ndarray]


@dataclass
class Batch:
    """Circuits for one simulator call, each with its parameter sets (maybe none)."""

    circuits: list[QuantumCircuit] = field(default_factory=list)
    binds: list[Binds] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)

    def add(self, circuit: QuantumCircuit, values: np.ndarray | None = None) -> range:
        """Add ``circuit`` with ``values`` of shape ``(sets, circuit.num_parameters)``.

        Returns the indices of the result's experiments that will hold its sets.
        """
        start = sum(self.sizes)
        if circuit.num_parameters == 0 or values is None:
            self.circuits.append(circuit)
            self.binds.append({})
            self.sizes.append(1)
            return range(start, start + 1)
        columns = np.asarray(values, dtype=float).reshape(-1, circuit.num_parameters)
        self.circuits.append(circuit)
        self.binds.append({p: columns[:, i] for i, p in enumerate(circuit.parameters)})
        self.sizes.append(columns.shape[0])
        return range(start, start + columns.shape[0])

    def __len__(self) -> int:
        return len(self.circuits)


def noise_model_of(value: Any, where: str) -> Any:
    """A user-given noise model (an Aer ``NoiseModel`` or its dict form), or ``None``."""
    if value is None:
        return None
    from qiskit_aer.noise import NoiseModel

    if isinstance(value, NoiseModel):
        return value
    if isinstance(value, Mapping):
        try:
            with warnings.catch_warnings():
                # Deprecated since Aer 0.15, yet still the only reader of the dict form.
                warnings.simplefilter("ignore", DeprecationWarning)
                return NoiseModel.from_dict(dict(value))
        except Exception as exc:  # Aer raises many types for a malformed dict
            raise InvalidInputError(f"{where} is not a valid Aer noise model: {exc}") from exc
    raise InvalidInputError(
        f"{where} must be a qiskit_aer NoiseModel or its to_dict() form, "
        f"not {type(value).__name__}."
    )


def simulator_for(backend: BackendSpec, noise_model: Any = None,
                  plan: Method | None = None) -> Any:
    """The backend's cached simulator, or a fresh one when the job brings a noise model.

    A ``plan`` whose noise is Pauli-twirled gets the backend's twirled simulator.
    """
    if noise_model is None:
        if plan is not None and plan.noise == "pauli":
            return backend.pauli_simulator()
        return backend.simulator()
    from qruntime.backends.noise import build_simulator

    return build_simulator(noise_model)


def is_noisy(backend: BackendSpec, noise_model: Any = None) -> bool:
    """Whether a job's simulation carries noise."""
    if noise_model is None:
        return backend.has_noise  # without building the model: submission asks this too
    return not getattr(noise_model, "is_ideal", lambda: False)()


def method_for(backend: BackendSpec, circuits: Sequence[QuantumCircuit], *, noisy: bool,
               shots: int, twirlable: bool = True, max_seconds: float | None = None) -> Method:
    """The simulation method of one call on ``backend`` (see :mod:`qruntime.programs.method`).

    Raises :class:`InvalidInputError` when nothing fits, so that programs call it
    when they assess a job, before it is queued, as well as when they run it.
    ``twirlable`` is false when the job brings its own noise model (used as given);
    ``max_seconds`` is the job's ``max_execution_time``, at submission.
    """
    return method.choose(circuits, noisy=noisy, shots=shots, required=_required(backend),
                         exact_only=backend.is_simulator, budget=method.Budget.from_environment(),
                         backend_name=backend.name, twirlable=twirlable,
                         max_seconds=max_seconds)


def _required(backend: BackendSpec) -> str | None:
    # IBM's simulator family each run one method.
    chosen = backend.simulation_method
    return None if chosen == "automatic" else chosen


def run_batch(simulator: Any, batch: Batch, plan: Method | None = None,
              **options: Any) -> Result:
    """Run every circuit of ``batch`` in one simulator call and check that all succeeded.

    ``plan`` is the call's simulation method, whose options are added to ``options``;
    a ``seed_simulator`` goes to Aer through :func:`aer_seed`.
    """
    options = {k: v for k, v in options.items() if v is not None}
    if "seed_simulator" in options:
        options["seed_simulator"] = aer_seed(options["seed_simulator"])
    if plan is not None:
        options.update(plan.run_options())
    if any(batch.binds):
        options["parameter_binds"] = batch.binds
    if plan is not None and plan.trajectories:
        return _run_shared(simulator, batch, plan, options)
    circuits = batch.circuits
    if plan is not None and any(order is not None for order in plan.orders):
        # A matrix product state in a bandwidth-reducing qubit order (the result's
        # bits are the classical bits, unchanged); with noise, one order for the
        # call, and the noise model relabelled to it (see DeviceSimulator.run).
        circuits = [c if order is None else method.relabeled(c, order)
                    for c, order in zip(circuits, plan.orders)]
        if plan.noise != "none":
            options["qubit_order"] = next(o for o in plan.orders if o is not None)
    if plan is not None and plan.name == "stabilizer":
        circuits = [method.snapped(c) for c in circuits]
    result = simulator.run(circuits, **options).result()
    check_result(result)
    return compact_bond_logs(result) if options.get("mps_log_data") else result


def aer_seed(seed: int) -> int:
    """The seed Aer gets for a job's ``seed_simulator``: drawn from it, since Aer's own
    samples of neighbouring seeds are alike (seeds 1, 2 and 3 give 202, 203 and 207
    zeros of 400 for ``|+>``), and users try seeds 0, 1, 2, ... in turn."""
    return int(np.random.default_rng(seed).integers(0, 2**31 - 1))


def _run_shared(simulator: Any, batch: Batch, plan: Method, options: dict[str, Any]) -> Result:
    """A noisy call with shared trajectories (:mod:`qruntime.programs.trajectories`)."""
    shots = int(options.pop("shots", 1))
    seed = options.get("seed_simulator")
    wanted_memory = bool(options.pop("memory", False))
    rng = np.random.default_rng(seed)
    model = simulator._noise_parts.model  # the backend's Pauli-twirled model
    count = min(plan.trajectories, shots)
    per = math.ceil(shots / count)
    count = math.ceil(shots / per)
    order = next((o for o in plan.orders if o is not None), None)
    circuits, binds = [], []
    for circuit, bind in zip(batch.circuits, batch.binds):
        for _ in range(count):
            realized = trajectories.realize(circuit, model, rng)
            circuits.append(realized if order is None else method.relabeled(realized, order))
            binds.append(bind)
    readout = trajectories.readout_model(model, order)
    # Aer's bond log of a noisy trajectory runs to megabytes: only each circuit's first
    # trajectory keeps it (a call of its own), the rest run without.
    logged = bool(options.pop("mps_log_data", False))
    first = [i for i in range(len(circuits)) if i % count == 0] if logged else []
    rest = [i for i in range(len(circuits)) if i % count] if logged else list(range(len(circuits)))
    parts = {}
    for indices, log in ((first, True), (rest, False)):
        if not indices:
            continue
        call = dict(options)
        if any(binds):
            call["parameter_binds"] = [binds[i] for i in indices]
        if log:
            call["mps_log_data"] = True
        part = simulator.run([circuits[i] for i in indices], shots=per, memory=True,
                             noise_model=readout, **call).result()
        if not part.success and not any(exp.success for exp in part.results):
            check_result(part)
        if log:
            compact_bond_logs(part)
        experiments = iter(part.results)
        for i in indices:  # realisation i is of circuit i // count, with its sets
            parts[i] = [next(experiments) for _ in range(batch.sizes[i // count])]
    result = copy.copy(part)
    result.results = [experiment for i in range(len(circuits)) for experiment in parts[i]]
    return trajectories.merge(result, batch.sizes, count, shots, rng, wanted_memory)


def compact_bond_logs(result: Result) -> Result:
    """``result`` with each experiment's ``MPS_log_data`` (Aer's log of an approximate
    matrix product state: the bonds and the weight discarded at every gate, often
    megabytes) replaced by its figures: ``mps_largest_bond``, ``mps_discarded_weight``
    (the sum of the weights truncated along the run) and ``mps_fidelity`` (the product
    of what each truncation kept: the usual estimate of the fidelity to the exact
    state)."""
    for experiment in result.results:
        metadata = getattr(experiment, "metadata", None)
        if not isinstance(metadata, dict) or "MPS_log_data" not in metadata:
            continue
        log = metadata.pop("MPS_log_data") or ""
        bonds = [int(b) for found in _BONDS.findall(log) for b in found.split()]
        metadata["mps_largest_bond"] = max(bonds, default=1)
        discarded = [min(float(d), 1.0) for d in _DISCARDED.findall(log)]
        metadata["mps_discarded_weight"] = float(sum(discarded))
        metadata["mps_fidelity"] = float(np.prod([1.0 - d for d in discarded]))
    return result


def bond_report(result: Result, plan: Method) -> dict[str, Any]:
    """For an approximate matrix product state, what its run reports over the
    experiments that logged their bonds (see :func:`compact_bond_logs`; with shared
    trajectories, each circuit's first): the largest bond reached, whether it
    was truncated (weight was discarded), the largest weight discarded in one
    experiment and the lowest estimated fidelity; nothing otherwise."""
    limit = plan.options.get("matrix_product_state_max_bond_dimension")
    if not plan.approximate or not limit:
        return {}
    found = [exp.metadata for exp in result.results
             if isinstance(getattr(exp, "metadata", None), dict)
             and "mps_largest_bond" in exp.metadata]
    if not found:
        return {}
    reached = max(int(m["mps_largest_bond"]) for m in found)
    discarded = max(float(m["mps_discarded_weight"]) for m in found)
    fidelity = min(float(m["mps_fidelity"]) for m in found)
    return {"largest_bond": reached, "truncated": discarded > 0,
            "discarded_weight": float(f"{discarded:.3g}"),
            "estimated_fidelity": float(f"{fidelity:.3g}")}


_BONDS = re.compile(r"BD=\[([0-9 ]+)\]")
_DISCARDED = re.compile(r"discarded_value=([0-9.eE+-]+)")


def check_result(result: Result) -> None:
    """Raise :class:`EngineError` with Aer's reason when any experiment failed."""
    if result.success and all(exp.success for exp in result.results):
        return
    reasons = [str(exp.status) for exp in result.results if not exp.success]
    reason = reasons[0] if reasons else str(getattr(result, "status", "unknown error"))
    raise EngineError(f"The simulation failed: {reason}")


def experiment_data(result: Result, indices: Sequence[int] | range) -> list[dict[str, Any]]:
    """The ``data`` dicts of the experiments at ``indices``."""
    return [result.results[i].data.to_dict() for i in indices]
