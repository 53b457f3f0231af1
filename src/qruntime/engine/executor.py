"""Where programs run: in the calling thread, or in warm worker processes.

qiskit-aer holds the GIL for a whole simulation, so anything that must stay
responsive while a job simulates (the HTTP server) runs programs in worker
processes. Each worker is a process with Qiskit already imported; a job that
is cancelled or runs past its maximum execution time is stopped by ending its
worker, and a fresh one takes its place.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from multiprocessing.connection import Connection
from typing import Any, Callable, Protocol

from qruntime.engine.execution import Outcome, Task, execute, ran_too_long
from qruntime.engine.state import JobState

logger = logging.getLogger(__name__)


class Executor(Protocol):
    """Runs a task to its outcome. ``should_stop`` is polled while it runs."""

    def run(self, task: Task, should_stop: Callable[[], bool]) -> Outcome:
        """Run ``task`` and return how it ended."""
        ...

    def close(self) -> None:
        """Release the executor's resources."""
        ...


class InlineExecutor:
    """Runs programs in the calling thread: no hop, for jobs that finish in milliseconds."""

    def run(self, task: Task, should_stop: Callable[[], bool]) -> Outcome:
        """Run ``task`` here; it cannot be interrupted once it starts."""
        return execute(task, keep_object=True)

    def close(self) -> None:
        """Nothing to release."""


class ProcessExecutor:
    """A pool of warm worker processes.

    Args:
        size: How many worker processes run at once.
        poll_interval: How often a waiting job checks for cancel and deadline.
    """

    def __init__(self, size: int = 1, poll_interval: float = 0.05) -> None:
        self.size = max(1, size)
        self.poll_interval = poll_interval
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._started = 0
        self._lock = threading.Lock()
        self._closed = False
        self._all: set[_Worker] = set()

    def warm_up(self) -> None:
        """Start every worker now, in parallel, and wait until each is ready."""
        with self._lock:
            missing = self.size - self._started
            self._started += missing
        starting = [_Worker() for _ in range(missing)]
        for worker in starting:
            self._admit(worker)

    def reserve(self) -> _Reserved | None:
        """An idle, started worker held for one job, or ``None`` if none is idle now."""
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            return None
        return _Reserved(self, worker)

    def run(self, task: Task, should_stop: Callable[[], bool],
            worker: _Worker | None = None) -> Outcome:
        """Run ``task`` in a worker; end the worker if the job is stopped or overruns."""
        worker = worker or self._acquire()
        started = time.perf_counter()
        try:
            worker.send(task)
        except (OSError, EOFError):
            self._discard(worker)
            return _worker_lost(task)
        deadline = started + task.max_execution_time if task.max_execution_time else None
        try:
            return self._await(worker, task, should_stop, started, deadline)
        except BaseException:
            self._discard(worker)  # never leave a worker out of the pool
            raise

    def _await(self, worker: _Worker, task: Task, should_stop: Callable[[], bool],
               started: float, deadline: float | None) -> Outcome:
        while True:
            try:
                if worker.poll(self.poll_interval):
                    outcome = worker.receive()
                    self._release(worker)
                    return outcome
            except (OSError, EOFError):
                self._discard(worker)
                return _worker_lost(task)
            if should_stop():
                self._discard(worker)
                return Outcome(JobState.CANCELLED, reason="Cancelled while running.")
            if deadline is not None and time.perf_counter() > deadline:
                self._discard(worker)
                return ran_too_long(task, time.perf_counter() - started)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()

    def _acquire(self) -> _Worker:
        with self._lock:
            start = self._idle.empty() and self._started < self.size
            if start:
                self._started += 1
        if start and not self._admit(_Worker()) and self._idle.empty():
            raise RuntimeError("a worker process could not start; see the server's log")
        return self._idle.get()

    def _admit(self, worker: _Worker) -> bool:
        """Put a starting worker in the pool once it is ready; forget it if it never is."""
        if worker.wait_ready(_READY_TIMEOUT):
            with self._lock:
                self._all.add(worker)
            self._release(worker)
            return True
        if not self._closed:
            logger.error("a qruntime worker process did not start")
        worker.kill()
        with self._lock:
            self._started -= 1
        return False

    def _release(self, worker: _Worker) -> None:
        if self._closed:
            worker.stop()
        else:
            self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        # A replacement starts in the background and joins the pool once ready, so
        # the next job does not wait for Qiskit to import. One that fails to start
        # is not retried here: a worker that dies as it starts cannot loop.
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                self._started -= 1
                return
        threading.Thread(target=lambda: self._admit(_Worker()), daemon=True,
                         name="qruntime-worker-start").start()


class _Reserved:
    """An executor bound to one reserved worker, for exactly one job."""

    def __init__(self, pool: ProcessExecutor, worker: _Worker) -> None:
        self._pool = pool
        self._worker: _Worker | None = worker

    def run(self, task: Task, should_stop: Callable[[], bool]) -> Outcome:
        worker, self._worker = self._worker, None
        assert worker is not None, "a reserved worker runs one job"
        return self._pool.run(task, should_stop, worker=worker)

    def close(self) -> None:
        """Give the worker back if no job ran on it."""
        if self._worker is not None:
            self._pool._release(self._worker)
            self._worker = None


_READY = "ready"
_READY_TIMEOUT = 300.0


def _worker_lost(task: Task) -> Outcome:
    return Outcome(
        JobState.QUEUED, retry=True,
        reason="The worker process running the job stopped unexpectedly.",
    )


class _Worker:
    """One worker process and the pipe to it; it says "ready" once warm."""

    def __init__(self) -> None:
        # OpenMP threads spin for a while after each parallel region by default
        # (GNU's spin count is 300,000). Worker processes spinning between small
        # jobs starve every other process of a small machine: on 2 cores a Bell job
        # over HTTP took 9 ms instead of 3.6. A short spin costs ~2% on a
        # 20-qubit simulation. The child inherits this at spawn; set it to override.
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True,
                                       name="qruntime-worker")
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> bool:
        """Whether the worker said it is ready within ``timeout`` seconds."""
        try:
            return bool(self._conn.poll(timeout)) and self._conn.recv() == _READY
        except (OSError, EOFError):
            return False

    def send(self, task: Task) -> None:
        self._conn.send(Task(task.job_id, task.program_id, task.backend, task.params_text,
                             None, task.max_execution_time))

    def poll(self, timeout: float) -> bool:
        if not self.process.is_alive() and not self._conn.poll():
            raise EOFError("worker process ended")
        return self._conn.poll(timeout)

    def receive(self) -> Outcome:
        outcome: Outcome = self._conn.recv()
        return outcome

    def stop(self) -> None:
        try:
            self._conn.send(None)
        except (OSError, EOFError):
            pass
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self._conn.close()


def _serve(conn: Connection) -> None:
    """The worker process's loop: receive a task, run it, send the outcome back."""
    import qruntime.programs  # noqa: F401  (import Qiskit and Aer once, up front)
    import qruntime.wire  # noqa: F401
    from qruntime.backends.catalog import default_catalog

    for spec in default_catalog().specs():  # targets, noise models, simulators
        spec.simulator()
    conn.send(_READY)

    while True:
        try:
            task: Any = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        conn.send(execute(task))
