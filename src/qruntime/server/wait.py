"""The long-poll behind ``GET /jobs/{id}/wait``, in slices so that a stopping server ends it.

A wait holds a worker thread (the engine's wait blocks). Waiting in short
slices lets a server that is shutting down answer every long-poll within a
slice, with the job's current document, instead of holding its exit for up to
a minute; the client simply asks again.
"""

from __future__ import annotations

import threading
import time
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
