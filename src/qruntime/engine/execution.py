"""Running one job's program: the same function inline or in a worker process.

:func:`execute` never raises: every failure becomes an :class:`Outcome` with a
reason the user can read, and the traceback goes to the job's logs.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qruntime.engine.state import JobState, ReasonCode
from qruntime.errors import QRuntimeError


@dataclass
class Task:
    """What a worker needs to run a job. ``params`` is the decoded form, if at hand."""

    job_id: str
    program_id: str
    backend: str
    params_text: str | None = None
    params: dict[str, Any] | None = None
    max_execution_time: float | None = None


@dataclass
class Outcome:
    """How a job's attempt ended."""

    state: JobState
    result_text: str | None = None
    result: Any = field(default=None, repr=False)
    reason: str | None = None
    reason_code: int | None = None
    logs: str = ""
    usage_seconds: float = 0.0
    retry: bool = False
    ended: datetime | None = None


def execute(task: Task, *, keep_object: bool = False) -> Outcome:
    """Run ``task``'s program and encode its result."""
    from qruntime.backends.catalog import default_catalog
    from qruntime.programs import get_program

    started = time.perf_counter()
    try:
        program = get_program(task.program_id)
        backend = default_catalog().get(task.backend)
        checked = task.params is not None  # validated by this process when submitted
        params = task.params if checked else _decode_stored(task.params_text or "{}")
        result = program.run(params, backend, checked=checked)
        text = encode_result(result, task.job_id)
    except QRuntimeError as exc:
        return Outcome(
            JobState.FAILED, reason=str(exc), reason_code=int(ReasonCode.FAILED_IN_PROGRAM),
            logs=_log_line(task, f"failed: {exc}"), usage_seconds=time.perf_counter() - started,
        )
    except Exception as exc:  # a program bug must still end the job, with its traceback
        return Outcome(
            JobState.FAILED,
            reason=f"{type(exc).__name__}: {exc}",
            reason_code=int(ReasonCode.FAILED_IN_PROGRAM),
            logs=_log_line(task, "failed\n" + traceback.format_exc()),
            usage_seconds=time.perf_counter() - started,
        )
    elapsed = time.perf_counter() - started
    if task.max_execution_time is not None and elapsed > task.max_execution_time:
        return ran_too_long(task, elapsed)
    logs = _log_line(task, f"completed in {elapsed:.4f} s")
    logs += "".join(_log_line(task, note) for note in approximations(result))
    return Outcome(
        JobState.COMPLETED, result_text=text, result=result if keep_object else None,
        logs=logs, usage_seconds=elapsed,
    )


def approximations(result: Any) -> list[str]:
    """A log line for each approximate simulation in ``result``'s
    ``metadata["simulator"]``: its method and bound, and, where the run reported it,
    the largest bond it reached and whether anything was discarded."""
    metadata = getattr(result, "metadata", None)
    found = metadata.get("simulator") if isinstance(metadata, dict) else None
    entries = found if isinstance(found, list) else [found]
    notes = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("approximate"):
            continue
        note = f"approximate simulation ({entry.get('method')}): {entry.get('reason')}"
        if "largest_bond" in entry:
            note += f"; largest bond reached {entry['largest_bond']}, " + (
                f"truncated: weight discarded {entry.get('discarded_weight')} in all, "
                f"estimated fidelity to the exact state {entry.get('estimated_fidelity')}"
                if entry.get("truncated") else "below the bound: nothing was discarded")
        notes.append(note)
    return notes


def _decode_stored(text: str) -> dict[str, Any]:
    # Stored params passed the submitting door's size limits already, whatever that
    # server's body cap was; a worker decodes them under no tighter ones.
    from qruntime import wire
    from qruntime.wire import blob

    stored = blob.DecodeLimits(max_inflated_bytes=1 << 62, max_qubits=1 << 31,
                               max_clbits=1 << 31, max_instructions=1 << 62,
                               reason="params stored after their check at submission")
    with blob.limited(stored):
        params: dict[str, Any] = wire.loads(text)
    return params


def ran_too_long(task: Task, elapsed: float) -> Outcome:
    """The outcome of a job stopped at its maximum execution time (reason code 1305)."""
    return Outcome(
        JobState.CANCELLED,
        reason=f"Job ran longer than its maximum execution time of "
        f"{task.max_execution_time:g} seconds.",
        reason_code=int(ReasonCode.RAN_TOO_LONG),
        logs=_log_line(task, f"stopped after {elapsed:.3f} s: past max_execution_time"),
        usage_seconds=elapsed,
    )


def encode_result(result: Any, job_id: str) -> str:
    """The stored text of a program's result, stamped with the job's id."""
    from qiskit.result import Result

    from qruntime import wire

    _stamp_job_id(result, job_id)
    # backend.run results travel as a bare Result.to_dict(): the stock client's
    # RunnerResult reads that, not a "Result" envelope.
    return wire.dumps(result.to_dict() if isinstance(result, Result) else result)


def decode_result(program_id: str, text: str) -> Any:
    """A program's result object from its stored text (the reverse of :func:`encode_result`)."""
    from qiskit.result import Result

    from qruntime import wire

    payload = wire.loads(text)
    if program_id in ("circuit-runner", "qasm3-runner") and isinstance(payload, dict):
        return Result.from_dict(payload)
    return payload


def _stamp_job_id(result: Any, job_id: str) -> None:
    if hasattr(result, "job_id") and not callable(getattr(result, "job_id")):
        result.job_id = job_id


def _log_line(task: Task, message: str) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return f"{stamp} {task.program_id} on {task.backend}: {message}\n"
