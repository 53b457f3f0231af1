"""The long-poll behind ``GET /jobs/{id}/wait``, and the fresh status read of ``GET /jobs/{id}``.

A long-poll holds no thread: it waits on the event loop for the engine's
notice that its job ended here, and between notices reads the job's state now
and then (a job may end in another server process), each read a short task
for a small pool of threads of its own. So hundreds of long-polls cost a few
threads' time, and the status reads the stock clients make never queue behind
them. A server that is stopping answers every long-poll at once, with the
job's current document; the client simply asks again.

:func:`read_fresh` is the status read: a job younger than the fresh window is
waited for until the window closes. Stock clients read a job's status right
after submitting it, then sleep (0.1 s for qiskit-ibm-runtime, 3 s for
qiskit-ibm-provider) whenever it is not final; a small job, done in
milliseconds, is then final at that first read instead of after a sleep.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import anyio

from qruntime.engine import Engine
from qruntime.engine.documents import is_final

FIRST_POLL_SECONDS = 0.25
"""When a long-poll reads its job again, unless told it ended; each pause is twice the last..."""
LAST_POLL_SECONDS = 2.0
"""... up to this: how late a long-poll may hear of a job that ended in another process."""
CHECK_THREADS = 4
"""Threads that read job states for all long-polls together."""


class LongPolls:
    """The long-polls in flight on one event loop, woken by the engine's finish notices."""

    def __init__(self, engine: Engine, stopping: threading.Event) -> None:
        self._engine = engine
        self._stopping = stopping
        self._checks = anyio.CapacityLimiter(CHECK_THREADS)
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        """Listen for finish notices; call on the event loop the long-polls run on."""
        self._loop = asyncio.get_running_loop()
        self._unsubscribe = self._engine.on_finish(self._notified)

    def stop(self) -> None:
        """Stop listening."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def wake_all(self) -> None:
        """Have every long-poll look at its job again now (from any thread)."""
        self._notified(None)

    async def wait(self, instance: str, job_id: str, seconds: float) -> dict[str, Any]:
        """The job's document (no params) once final, after ``seconds``, or once stopping."""
        deadline = time.monotonic() + seconds
        woken = asyncio.Event()
        self._waiting.setdefault(job_id, set()).add(woken)
        try:
            pause = FIRST_POLL_SECONDS
            while True:
                woken.clear()  # before the read: a notice during it is not lost
                document = await self._read(instance, job_id)
                remaining = deadline - time.monotonic()
                if is_final(document) or remaining <= 0 or self._stopping.is_set():
                    return document
                await _woken_or_after(woken, min(remaining, pause))
                pause = min(2 * pause, LAST_POLL_SECONDS)
        finally:
            self._forget(job_id, woken)

    async def _read(self, instance: str, job_id: str) -> dict[str, Any]:
        # engine.wait with no time to wait: the just-finished cache, else one store read.
        return await anyio.to_thread.run_sync(self._engine.wait, instance, job_id, 0.0,
                                              limiter=self._checks)

    def _forget(self, job_id: str, woken: asyncio.Event) -> None:
        events = self._waiting.get(job_id)
        if events is not None:
            events.discard(woken)
            if not events:
                del self._waiting[job_id]

    def _notified(self, job_id: str | None) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._wake, job_id)
        except RuntimeError:
            pass  # the loop has closed: nobody is waiting any more

    def _wake(self, job_id: str | None) -> None:
        if job_id is None:
            for events in self._waiting.values():
                for event in events:
                    event.set()
            return
        for event in self._waiting.get(job_id, ()):
            event.set()


async def _woken_or_after(woken: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(woken.wait(), seconds)
    except asyncio.TimeoutError:
        pass


def read_fresh(engine: Engine, instance: str, job_id: str, include_params: bool,
               window: float, stopping: threading.Event) -> dict[str, Any]:
    """The job's document; a job younger than ``window`` seconds is waited for until it is not.

    Runs in a thread and holds it for at most ``window`` (0.1 s by default, 5 s at most).
    """
    document = engine.job(instance, job_id, include_params=include_params)
    remaining = window - _age(document)
    if remaining <= 0 or is_final(document) or stopping.is_set():
        return document
    waited = engine.wait(instance, job_id, remaining)
    return engine.job(instance, job_id, include_params=True) if include_params else waited


def _age(document: dict[str, Any]) -> float:
    created = document.get("created")
    if not isinstance(created, str):
        return float("inf")
    moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - moment).total_seconds()
