"""A supervised pool of worker processes that keeps itself at its size.

One supervisor thread starts every worker, one at a time (so that a worker's
"end with my parent" request is bound to a thread that lives as long as the
pool), and replaces each one that is lost, whenever that happens: while it starts, while
it is idle, mid-job, or while it is itself a replacement. Starts that keep
failing back off, up to :data:`MAX_BACKOFF` seconds between tries, and a job
asking for a worker meanwhile is told so rather than left waiting.

Workers are recycled too: one whose resident memory has grown past the pool's
limit, or that has run its quota of jobs, is retired after its job and a fresh
one takes its place, so that memory a simulation left behind (allocator
arenas, caches) is given back to the machine.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable

from qruntime.engine.worker import Worker

logger = logging.getLogger(__name__)

MAX_BACKOFF = 30.0


class WorkerUnavailable(Exception):
    """No worker process could be had: the pool is closed, or workers fail to start."""


@dataclass(frozen=True)
class PoolLimits:
    """When workers are started again or retired.

    Args:
        ready_timeout: Seconds a starting worker has to say it is ready.
        max_rss_bytes: A worker whose resident memory exceeds this after a job
            is retired (``None``: never).
        max_jobs: A worker that has run this many jobs is retired (``None``: never).
        failed_starts: Consecutive failed starts after which a job asking for a
            worker is refused instead of waiting.
    """

    ready_timeout: float = 120.0
    max_rss_bytes: int | None = 2 * 1024**3
    max_jobs: int | None = 2000
    failed_starts: int = 3

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> PoolLimits:
        """The defaults, overridden by ``QRUNTIME_WORKER_MAX_RSS_MB`` (0: no limit),
        ``QRUNTIME_WORKER_MAX_JOBS`` (0: no limit) and ``QRUNTIME_WORKER_READY_TIMEOUT``."""
        defaults = cls()
        rss = environ.get("QRUNTIME_WORKER_MAX_RSS_MB")
        jobs = environ.get("QRUNTIME_WORKER_MAX_JOBS")
        ready = environ.get("QRUNTIME_WORKER_READY_TIMEOUT")
        return cls(
            ready_timeout=float(ready) if ready else defaults.ready_timeout,
            max_rss_bytes=(int(float(rss) * 2**20) or None) if rss else defaults.max_rss_bytes,
            max_jobs=(int(jobs) or None) if jobs else defaults.max_jobs,
        )


class WorkerPool:
    """Up to ``size`` warm worker processes, started on first use.

    Args:
        size: How many workers run at once.
        limits: Start, recycle and give-up rules.
    """

    def __init__(self, size: int, limits: PoolLimits | None = None) -> None:
        self.size = max(1, size)
        self.limits = limits or PoolLimits()
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._starting = 0
        self._booting: set[Worker] = set()  # started, not yet ready
        self._failures = 0
        self._last_failure = ""
        self._closed = False
        self._supervisor: threading.Thread | None = None

    # --- taking and giving back ----------------------------------------------------

    def acquire(self, should_stop: Callable[[], bool], poll_interval: float = 0.05
                ) -> Worker | None:
        """An idle worker, waiting for one; ``None`` once ``should_stop()`` says so.

        Raises :class:`WorkerUnavailable` when the pool is closed or workers keep
        failing to start.
        """
        while True:
            worker = self.try_acquire()
            if worker is not None:
                return worker
            with self._cond:
                if self._failures >= self.limits.failed_starts and not self._idle:
                    raise WorkerUnavailable(
                        f"worker processes failed to start {self._failures} times in a row "
                        f"(last: {self._last_failure}); see the runtime's log"
                    )
                self._cond.wait(poll_interval)
            if should_stop():
                return None

    def try_acquire(self) -> Worker | None:
        """An idle worker now, or ``None`` if none is idle."""
        lost: list[Worker] = []
        try:
            with self._cond:
                if self._closed:
                    raise WorkerUnavailable("the worker pool is closed")
                self._supervise()
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        self._busy.add(worker)
                        return worker
                    lost.append(worker)
                    self._cond.notify_all()  # the supervisor replaces it
                return None
        finally:
            for worker in lost:
                logger.warning("worker process %s ended while idle; replacing it", worker.pid)
                worker.kill()

    def release(self, worker: Worker) -> None:
        """Give back a worker that finished its job; retire it if it has grown too large."""
        reason = self._retirement(worker)
        with self._cond:
            self._busy.discard(worker)
            keep = reason is None and not self._closed
            if keep:
                self._idle.append(worker)
            self._cond.notify_all()
        if not keep:
            if reason:
                logger.info("retiring worker process %s: %s", worker.pid, reason)
            threading.Thread(target=worker.stop, name="qruntime-worker-stop", daemon=True).start()

    def discard(self, worker: Worker) -> None:
        """End a worker that was lost, stopped or overran; a fresh one replaces it."""
        worker.kill()
        with self._cond:
            self._busy.discard(worker)
            self._cond.notify_all()

    def warm_up(self) -> None:
        """Start every worker now (in the background)."""
        with self._cond:
            self._supervise()

    def close(self) -> None:
        """Stop every worker: idle ones asked to exit, busy ones killed."""
        with self._cond:
            self._closed = True
            idle, busy = list(self._idle), list(self._busy) + list(self._booting)
            self._idle.clear()
            self._busy.clear()
            self._cond.notify_all()
            supervisor = self._supervisor
        for worker in busy:
            worker.kill()
        stoppers = [threading.Thread(target=w.stop, args=(1.0,), daemon=True) for w in idle]
        for thread in stoppers:
            thread.start()
        for thread in stoppers:
            thread.join(3)
        if supervisor is not None:
            supervisor.join(5)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def counts(self) -> dict[str, int]:
        """How many workers are idle, busy and starting."""
        with self._cond:
            return {"idle": len(self._idle), "busy": len(self._busy), "starting": self._starting}

    # --- the supervisor --------------------------------------------------------------

    def _supervise(self) -> None:
        # Called with the lock held: start the supervisor on first use.
        if self._supervisor is None and not self._closed:
            self._supervisor = threading.Thread(target=self._keep_size, daemon=True,
                                                name="qruntime-worker-pool")
            self._supervisor.start()

    def _keep_size(self) -> None:
        while True:
            with self._cond:
                # One start at a time: importing Qiskit takes a core for a second or
                # more, and several at once would slow the first job and everything
                # else on a small machine instead of making any worker ready sooner.
                while not self._closed and (not self._short() or self._starting):
                    self._cond.wait(1.0)
                    self._prune_idle()
                if self._closed:
                    return
                delay = min(MAX_BACKOFF, 0.5 * 2 ** (self._failures - 1)) if self._failures else 0
                if delay:
                    self._cond.wait(delay)
                    if self._closed or not self._short() or self._starting:
                        continue
                self._starting += 1
            try:
                worker = Worker()
            except Exception as exc:  # OSError: no memory, too many processes, ...
                logger.exception("a worker process could not be started")
                self._started(None, f"{type(exc).__name__}: {exc}")
                continue
            with self._cond:
                self._booting.add(worker)
                closed = self._closed
            if closed:  # the pool closed while this one was being started
                worker.kill()
            threading.Thread(target=self._await_ready, args=(worker,), daemon=True,
                             name="qruntime-worker-ready").start()

    def _short(self) -> bool:
        return len(self._idle) + len(self._busy) + self._starting < self.size

    def _prune_idle(self) -> None:
        dead = [w for w in self._idle if not w.alive()]
        for worker in dead:
            logger.warning("worker process %s ended while idle; replacing it", worker.pid)
            self._idle.remove(worker)
            worker.kill()

    def _await_ready(self, worker: Worker) -> None:
        ready = worker.wait_ready(self.limits.ready_timeout)
        with self._cond:
            self._booting.discard(worker)
        if ready:
            self._started(worker, "")
            return
        if self._closed:
            worker.kill()
            self._started(None, "the pool closed")
            return
        code = worker.process.poll()
        worker.kill()
        reason = (f"worker process {worker.pid} ended with code {code} while starting"
                  if code is not None else
                  f"worker process {worker.pid} was not ready after "
                  f"{self.limits.ready_timeout:g} s")
        logger.error("%s; starting another", reason)
        self._started(None, reason)

    def _started(self, worker: Worker | None, failure: str) -> None:
        with self._cond:
            self._starting -= 1
            if worker is None:
                self._failures += 1
                self._last_failure = failure
            elif self._closed:
                threading.Thread(target=worker.stop, daemon=True).start()
            else:
                self._failures = 0
                self._idle.append(worker)
            self._cond.notify_all()

    def _retirement(self, worker: Worker) -> str | None:
        limits = self.limits
        if limits.max_jobs is not None and worker.jobs_run >= limits.max_jobs:
            return f"it ran {worker.jobs_run} jobs"
        if limits.max_rss_bytes is not None:
            rss = worker.rss_bytes()
            if rss is not None and rss > limits.max_rss_bytes:
                return f"its memory grew to {rss / 2**20:.0f} MiB"
        return None

