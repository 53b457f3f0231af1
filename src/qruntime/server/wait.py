"""The long-poll behind ``GET /jobs/{id}/wait``, in slices so that a stopping server ends it.

A wait holds a worker thread (the engine's wait blocks). Waiting in short
slices lets a server that is shutting down answer every long-poll within a
slice, with the job's current document, instead of holding its exit for up to
a minute; the client simply asks again.

:func:`read_fresh` is the status read of ``GET /jobs/{id}``: a job younger than
the fresh window is waited for until the window closes. Stock clients read a
job's status right after submitting it, then sleep (0.1 s for qiskit-ibm-runtime,
3 s for qiskit-ibm-provider) whenever it is not final; a small job, done in
milliseconds, is then final at that first read instead of after a sleep.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any

from qruntime.engine import Engine
from qruntime.engine.documents import is_final

SLICE_SECONDS = 0.5


def wait_for(engine: Engine, instance: str, job_id: str, seconds: float,
             stopping: threading.Event) -> dict[str, Any]:
    """The job's document once final, after ``seconds``, or once ``stopping`` is set."""
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        document = engine.wait(instance, job_id, max(0.0, min(remaining, SLICE_SECONDS)))
        if is_final(document) or remaining <= SLICE_SECONDS or stopping.is_set():
            return document


def read_fresh(engine: Engine, instance: str, job_id: str, include_params: bool,
               window: float, stopping: threading.Event) -> dict[str, Any]:
    """The job's document; a job younger than ``window`` seconds is waited for until it is not."""
    document = engine.job(instance, job_id, include_params=include_params)
    remaining = window - _age(document)
    if remaining <= 0 or is_final(document):
        return document
    waited = wait_for(engine, instance, job_id, remaining, stopping)
    return engine.job(instance, job_id, include_params=True) if include_params else waited


def _age(document: dict[str, Any]) -> float:
    created = document.get("created")
    if not isinstance(created, str):
        return float("inf")
    moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - moment).total_seconds()
