"""Where programs run: in the calling thread, or in warm worker processes.

qiskit-aer holds the GIL for a whole simulation, so anything that must stay
responsive while a job simulates (the HTTP server) runs programs in worker
processes (:mod:`qruntime.engine.pool`). Each worker is a process with Qiskit
already imported; a job that is cancelled or runs past its maximum execution
time is stopped by ending its worker, and a fresh one takes its place.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Protocol

from qruntime.engine.execution import Outcome, Task, execute, ran_too_long
from qruntime.engine.pool import PoolLimits, WorkerPool, WorkerUnavailable
from qruntime.engine.state import JobState
from qruntime.engine.worker import Worker, WorkerLost

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
    """Runs programs in a supervised pool of warm worker processes.

    Args:
        size: How many worker processes run at once.
        poll_interval: How often a running or waiting job checks for cancel and deadline.
        limits: When workers are started again or retired.
    """

    def __init__(self, size: int = 1, poll_interval: float = 0.05,
                 limits: PoolLimits | None = None) -> None:
        self.pool = WorkerPool(size, limits)
        self.poll_interval = poll_interval

    def warm_up(self) -> None:
        """Start every worker now, in the background."""
        self.pool.warm_up()

    def reserve(self) -> _Reserved | None:
        """An idle, started worker held for one job, or ``None`` if none is idle now."""
        try:
            worker = self.pool.try_acquire()
        except WorkerUnavailable:
            return None
        return _Reserved(self, worker) if worker is not None else None

    def run(self, task: Task, should_stop: Callable[[], bool],
            worker: Worker | None = None) -> Outcome:
        """Run ``task`` in a worker; end the worker if the job is stopped or overruns.

        Waiting for a worker counts towards nothing but is interrupted by a
        cancel, which then ends the job at once.
        """
        if worker is None:
            worker = self.pool.acquire(should_stop, self.poll_interval)
            if worker is None:
                return Outcome(JobState.CANCELLED, reason="Cancelled while running.")
        started = time.perf_counter()
        deadline = started + task.max_execution_time if task.max_execution_time else None
        try:
            worker.send(task)
            outcome = self._await(worker, task, should_stop, started, deadline)
        except WorkerLost as exc:
            if not self.pool.closed:  # closing ends busy workers on purpose
                logger.warning("worker process %s was lost running job %s: %s",
                               worker.pid, task.job_id, exc or "it ended")
            self.pool.discard(worker)
            return _worker_lost(task)
        except BaseException:
            self.pool.discard(worker)  # never leave a worker out of the pool
            raise
        return outcome

    def _await(self, worker: Worker, task: Task, should_stop: Callable[[], bool],
               started: float, deadline: float | None) -> Outcome:
        while True:
            if worker.poll(self.poll_interval):
                outcome = worker.receive()
                self.pool.release(worker)
                return outcome
            if should_stop():
                self.pool.discard(worker)
                return Outcome(JobState.CANCELLED, reason="Cancelled while running.")
            if deadline is not None and time.perf_counter() > deadline:
                self.pool.discard(worker)
                return ran_too_long(task, time.perf_counter() - started)

    def close(self) -> None:
        """Stop every worker."""
        self.pool.close()


class _Reserved:
    """An executor bound to one reserved worker, for exactly one job."""

    def __init__(self, executor: ProcessExecutor, worker: Worker) -> None:
        self._executor = executor
        self._worker: Worker | None = worker

    def run(self, task: Task, should_stop: Callable[[], bool]) -> Outcome:
        worker, self._worker = self._worker, None
        assert worker is not None, "a reserved worker runs one job"
        return self._executor.run(task, should_stop, worker=worker)

    def close(self) -> None:
        """Give the worker back if no job ran on it."""
        if self._worker is not None:
            self._executor.pool.release(self._worker)
            self._worker = None


def _worker_lost(task: Task) -> Outcome:
    return Outcome(
        JobState.QUEUED, retry=True,
        reason="The worker process running the job stopped unexpectedly.",
    )
