"""``circuit-runner`` and ``qasm3-runner``: ``backend.run`` as a runtime program.

The circuits must already be ISA for the backend (no transpilation here: the
check is a set lookup per instruction). All of them go to the backend's
simulator in one call, and the result is a Qiskit :class:`~qiskit.result.Result`
whose ``to_dict()`` is what the stock client's ``RunnerResult.from_dict``
reads: ``backend_name`` is the runtime backend's name, counts are keyed in hex
(``"0x3"``), each experiment's header carries ``creg_sizes``, ``memory_slots``,
``name`` and ``metadata``, so ``result.get_counts()`` spaces registers apart
(``{'00 00': 2011, '11 00': 1989}`` for a ``QuantumCircuit(2, 2)`` Bell circuit
with ``measure_all()``).

Params (what ``IBMBackend.run`` sends; see :data:`~qruntime.programs.options.CIRCUIT_RUNNER`)::

    {"circuits": [QuantumCircuit | OpenQASM 3 str, ...] | QuantumCircuit,
     "shots": 4000, "memory": False, "meas_level": 2, "init_qubits": True,
     "meas_return": "avg", "seed_simulator": None, "noise_model": None,
     "rep_delay": ..., "header": {...}, "use_measure_esp": ..., ...}

The engine sets the job id: :func:`run` takes ``job_id`` and otherwise leaves
:data:`PENDING_JOB_ID`, for the engine to overwrite (``result.job_id = ...``).

Example:
    >>> from qiskit import QuantumCircuit
    >>> bell = QuantumCircuit(2, 2); bell.h(0); bell.cx(0, 1); bell.measure_all()
    >>> result = run({"circuits": [bell], "shots": 1000, "seed_simulator": 7}, backend)
    >>> sorted(result.get_counts())
    ['00 00', '11 00']
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from qiskit import QuantumCircuit
from qiskit.result import Result

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import inputs, options
from qruntime.programs.method import Method
from qruntime.programs.simulation import (
    Batch,
    is_noisy,
    method_for,
    noise_model_of,
    run_batch,
    simulator_for,
)

#: The job id a result carries until the engine stamps the real one.
PENDING_JOB_ID = "pending"

DEFAULT_SHOTS = 4000
#: ``meas_return`` values: either is the same with ``meas_level`` 2.
MEAS_RETURNS = ("avg", "single")


@dataclass(frozen=True)
class RunnerJob:
    """A validated ``circuit-runner`` job."""

    circuits: list[QuantumCircuit]
    shots: int
    memory: bool
    seed: int | None
    noise_model: Any
    header: dict[str, Any]
    ignored: dict[str, Any]


def parse(params: Mapping[str, Any], backend: BackendSpec, *, checked: bool = False
          ) -> RunnerJob:
    """Check ``params`` against ``backend`` and return the job they describe.

    With ``checked``, the circuits are known to have passed :func:`validate` on
    this backend already (in this process), and their ISA check is skipped.
    """
    params = inputs.require_mapping(params, "params")
    ignored = options.check_options(params, options.CIRCUIT_RUNNER, "params")
    if "circuits" not in params:
        raise InvalidInputError("params has no 'circuits': give a circuit or a list of circuits.")
    items = inputs.circuit_list(params["circuits"], "params['circuits']")
    inputs.check_count(len(items), backend.max_experiments, "circuits", backend.name)
    circuits = [_circuit(item, index, backend, checked) for index, item in enumerate(items)]
    _check_measurement_options(params)
    if params.get("init_circuit") is not None:
        raise InvalidInputError(
            "params['init_circuit'] is not supported: every shot starts from |0...0> on the "
            "simulator. Put the initialisation at the start of each circuit instead."
        )
    header = params.get("header")
    if header is None:
        header = {}
    if not isinstance(header, Mapping):
        raise InvalidInputError(f"params['header'] must be a dict, not {type(header).__name__}.")
    return RunnerJob(
        circuits=circuits,
        shots=inputs.check_shots(options.pick(params, "shots", default=DEFAULT_SHOTS),
                                 backend.max_shots, "params['shots']"),
        memory=inputs.check_bool(params.get("memory"), False, "params['memory']"),
        seed=inputs.check_seed(params.get("seed_simulator"), "params['seed_simulator']"),
        noise_model=noise_model_of(params.get("noise_model"), "params['noise_model']"),
        header=dict(header),
        ignored=ignored,
    )


def validate(params: Mapping[str, Any], backend: BackendSpec) -> None:
    """Raise :class:`InvalidInputError` unless ``params`` can run on ``backend``."""
    parse(params, backend)


def run(params: Mapping[str, Any], backend: BackendSpec, *, job_id: str | None = None,
        checked: bool = False) -> Result:
    """Run the circuits of ``params`` on ``backend`` in one simulator call.

    ``checked`` says the circuits passed :func:`validate` in this process.
    """
    job = parse(params, backend, checked=checked)
    plan = _plan(job, backend)
    batch = Batch()
    for circuit in job.circuits:
        batch.add(circuit)
    raw = run_batch(
        simulator_for(backend, job.noise_model, plan), batch, plan,
        shots=job.shots, memory=job.memory, seed_simulator=job.seed,
    )
    return _runtime_result(raw, job, backend, job_id or PENDING_JOB_ID, plan)


def assess(params: Mapping[str, Any], backend: BackendSpec,
           max_seconds: float | None = None) -> float:
    """Validate ``params`` as :func:`validate` does, refuse what no simulation method
    fits, and return their rough simulation work (see :func:`inputs.simulation_cost`),
    parsing them once."""
    job = parse(params, backend)
    plan = _plan(job, backend, max_seconds)
    if plan.name != "automatic":
        return plan.work
    noisy = is_noisy(backend, job.noise_model)
    return sum(inputs.simulation_cost(circuit, 1, job.shots, noisy) for circuit in job.circuits)


def _plan(job: RunnerJob, backend: BackendSpec, max_seconds: float | None = None) -> Method:
    return method_for(backend, job.circuits, noisy=is_noisy(backend, job.noise_model),
                      shots=job.shots, twirlable=job.noise_model is None,
                      max_seconds=max_seconds)


def _circuit(item: Any, index: int, backend: BackendSpec, checked: bool = False
             ) -> QuantumCircuit:
    where = f"circuit {index}"
    if isinstance(item, str):
        item = _load_qasm3(item, where)
    circuit = inputs.require_circuit(item, where)
    if not checked:
        backend.check_circuit(circuit, index)
    inputs.check_bound(circuit, where + (f" ({circuit.name!r})" if circuit.name else ""))
    return circuit


def _load_qasm3(text: str, where: str) -> QuantumCircuit:
    from qiskit import qasm3

    try:
        return qasm3.loads(text)
    except Exception as exc:  # the importer raises its own error types
        raise InvalidInputError(f"{where} is not valid OpenQASM 3: {exc}") from exc


def _check_measurement_options(params: Mapping[str, Any]) -> None:
    level = params.get("meas_level")
    if level is not None and (isinstance(level, bool) or not isinstance(level, Integral)
                              or level != 2):
        raise InvalidInputError(
            f"params['meas_level']={level!r} is not supported: the simulator returns "
            "classified results only. Allowed: 2."
        )
    inputs.check_flag(
        params.get("init_qubits"), True, "params['init_qubits']",
        "the simulator starts every shot from |0...0>. Allowed: True.",
    )
    inputs.check_choice(params.get("meas_return"), MEAS_RETURNS, "params['meas_return']")
    inputs.check_bool(params.get("skip_transpilation"), False, "params['skip_transpilation']")


def _runtime_result(raw: Result, job: RunnerJob, backend: BackendSpec, job_id: str,
                    plan: Method) -> Result:
    data = raw.to_dict()
    data.update(
        backend_name=backend.name,
        backend_version=backend.backend_version,
        qobj_id=uuid.uuid4().hex,
        job_id=job_id,
        header={**job.header, "backend_name": backend.name,
                "backend_version": backend.backend_version},
    )
    metadata = dict(data.get("metadata") or {})
    if job.ignored:
        metadata["ignored_options"] = options.printable(job.ignored)
    metadata["simulator"] = plan.metadata()
    data["metadata"] = metadata
    for experiment in data["results"]:
        experiment["meas_level"] = int(experiment.get("meas_level", 2))
        experiment.setdefault("data", {}).setdefault("counts", {})
    return Result.from_dict(data)
