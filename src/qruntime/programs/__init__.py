"""The runtime programs: pure functions from a job's params and a backend to a result.

A program knows nothing of HTTP, stores or sessions, so the engine can run it
in a thread, a worker process or on another machine. Its ``params`` are the
job's params *after* envelope decoding (circuits are ``QuantumCircuit``,
arrays are ``ndarray``); its backend is a
:class:`~qruntime.backends.spec.BackendSpec`.

============== ===================================== ====================================
Program id     Payload                               Result
============== ===================================== ====================================
circuit-runner ``backend.run`` params                qiskit ``Result`` (``to_dict()`` as
qasm3-runner   (circuits may be OpenQASM 3 strings)  ``RunnerResult.from_dict`` reads it)
sampler        V2 pubs, or V1 circuits               ``PrimitiveResult`` / V1 dict
estimator      V2 pubs, or V1 circuits+observables   ``PrimitiveResult`` / V1 dict
============== ===================================== ====================================

Example (``params`` a SamplerV2 Bell pub, 4096 shots, on ``ibmq_qasm_simulator``):
    >>> program = get_program("sampler")
    >>> program.validate(params, backend)          # raises InvalidInputError, before queueing
    >>> program.assess(params, backend)            # validates; amplitude updates, ~1e9/s
    417812.0
    >>> result = program.run(params, backend)      # a PrimitiveResult
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import circuit_runner, estimator, sampler

Params = Mapping[str, Any]


class _Validate(Protocol):
    def __call__(self, params: Params, backend: BackendSpec) -> None: ...


class _Run(Protocol):
    def __call__(self, params: Params, backend: BackendSpec, *, job_id: str | None = None,
                 checked: bool = False) -> Any: ...


class _Cost(Protocol):
    def __call__(self, params: Params, backend: BackendSpec,
                 max_seconds: float | None = None) -> float: ...


@dataclass(frozen=True)
class Program:
    """One runtime program.

    Attributes:
        id: The program id clients send (``"sampler"``, ...).
        validate: ``validate(params, backend) -> None``; raises
            :class:`~qruntime.errors.InvalidInputError` for anything knowable
            before the job is queued.
        run: ``run(params, backend, *, job_id=None, checked=False) -> result``;
            validates again (it may run in another process) and simulates.
            ``checked`` says ``validate`` passed in this process, so a program
            may skip its costlier checks.
        assess: ``assess(params, backend, max_seconds=None) -> float``; validates
            as ``validate`` does, refuses a wide job that surely cannot finish
            within ``max_seconds`` (its ``max_execution_time``), and returns a
            rough count of amplitude updates (about 1e9 a second on one core)
            for choosing between in-process and worker execution, parsing the
            params once.
    """

    id: str
    validate: _Validate
    run: _Run
    assess: _Cost


_PROGRAMS: dict[str, Program] = {
    program.id: program
    for program in (
        Program("circuit-runner", circuit_runner.validate, circuit_runner.run,
                circuit_runner.assess),
        Program("qasm3-runner", circuit_runner.validate, circuit_runner.run,
                circuit_runner.assess),
        Program("sampler", sampler.validate, sampler.run, sampler.assess),
        Program("estimator", estimator.validate, estimator.run, estimator.assess),
    )
}

#: The program ids the runtime offers.
PROGRAM_IDS: tuple[str, ...] = tuple(_PROGRAMS)


def get_program(program_id: str) -> Program:
    """The program ``program_id``; :class:`InvalidInputError` names the allowed ids otherwise."""
    program = _PROGRAMS.get(program_id) if isinstance(program_id, str) else None
    if program is None:
        raise InvalidInputError(
            f"Unknown program {program_id!r}. Allowed: {', '.join(PROGRAM_IDS)}."
        )
    return program


__all__ = ["PROGRAM_IDS", "Params", "Program", "get_program"]
