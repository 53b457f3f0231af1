"""The worker loop: claim a job, run it, finish it; plus leases and recovery.

Each lane is a thread that, in one breath, claims the oldest queued job, runs
it on an executor (inline for cheap jobs, a worker process otherwise) and
writes the outcome. A heartbeat thread renews the leases of running jobs and
re-queues jobs whose worker died (lease lapsed), so that jobs left behind by a
crashed process run again — at least once, each result written once.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from qruntime.engine.execution import Outcome, Task
from qruntime.engine.executor import Executor, InlineExecutor, ProcessExecutor
from qruntime.engine.pool import PoolLimits, WorkerUnavailable
from qruntime.engine.state import JobState, ReasonCode
from qruntime.engine.store import Claim, JobRecord, JobStore, SessionStore, utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchPolicy:
    """How jobs are run.

    Args:
        lanes: Jobs run at once by this process.
        processes: Worker processes for jobs that do not run inline.
        inline_cost_limit: Jobs whose estimated cost (in amplitude updates, about
            1e9 a second) is at most this run inline;
            ``0`` sends every job to a worker process.
        immediate_cost_limit: Jobs whose estimated cost is at most this run in
            the submitting thread when this process has nothing else pending.
        lease_seconds: How long a claim lasts without a heartbeat.
        max_attempts: Runs of a job whose worker keeps dying before it is FAILED.
        poll_interval: How often an idle lane looks for work submitted elsewhere.
        batch_linger_seconds: How long a lane holding a batch-session job waits
            for the batch's next job before gathering what has arrived.
        batch_limit: Most jobs of a batch run as one.
        worker_limits: When worker processes are started again or retired.
    """

    lanes: int = 2
    processes: int = 1
    inline_cost_limit: float = 1e9
    immediate_cost_limit: float = 5e6
    lease_seconds: float = 30.0
    max_attempts: int = 3
    poll_interval: float = 0.5
    batch_linger_seconds: float = 0.01
    batch_limit: int = 100
    worker_limits: PoolLimits = field(default_factory=PoolLimits.from_environment)


class Dispatcher:
    """Runs queued jobs of a store on this process's lanes."""

    def __init__(
        self, jobs: JobStore, sessions: SessionStore, policy: DispatchPolicy,
        take_params: Callable[[str], dict[str, Any] | None],
        on_finish: Callable[[Claim, Outcome, bool], None],
    ) -> None:
        self.jobs = jobs
        self.sessions = sessions
        self.policy = policy
        self.owner = f"{uuid.uuid4().hex[:12]}"
        self._take_params = take_params
        self._on_finish = on_finish
        self._inline = InlineExecutor()
        self._processes: ProcessExecutor | None = None
        self._wake = threading.Condition()
        self._pending_wakeups = 0
        self._notifications = 0
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        # Jobs this process queued and has not seen end: while any is pending,
        # new jobs queue behind them instead of running at once.
        self._local_pending: set[str] = set()

    def start(self) -> None:
        """Recover lapsed jobs and start the lanes and the heartbeat."""
        self.jobs.requeue_lapsed(self.policy.max_attempts)
        for index in range(self.policy.lanes):
            self._spawn(self._lane, f"qruntime-lane-{index}")
        self._spawn(self._heartbeat, "qruntime-heartbeat")

    def stop(self) -> None:
        """Stop the lanes and the workers; jobs still running here go back to the queue.

        Workers are ended first, so that a lane waiting on one returns at once;
        the interrupted jobs are re-queued as they were, their attempt not counted.
        """
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        if self._processes is not None:
            self._processes.close()
        deadline = time.monotonic() + 3
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self.jobs.release_owner(self.owner)

    def idle(self) -> bool:
        """Whether no job queued or claimed by this process is pending."""
        return not self._local_pending

    def reserve(self, cost: float) -> Executor | None:
        """An executor free to run a job of ``cost`` right now, or ``None``.

        Inline when the cost allows; otherwise an idle worker process, taken
        without waiting (a busy pool means the job queues instead).
        """
        if cost <= self.policy.inline_cost_limit:
            return self._inline
        return self._process_executor().reserve()

    def run_unstored(self, job: JobRecord, params: dict[str, Any] | None,
                     executor: Executor) -> Outcome:
        """Run a job not yet stored on ``executor``, driven from the calling thread."""
        try:
            return executor.run(_task(job, params), lambda: False)
        except Exception as exc:  # an executor fault is ours; fail the job, keep going
            logger.exception("executor failed on job %s", job.id)
            return _internal_error(exc)

    def announce(self, claim: Claim, outcome: Outcome) -> None:
        """Tell waiters that a job run at once has ended (it is already stored)."""
        self._on_finish(claim, outcome, True)

    def track(self, job_id: str) -> None:
        """Count a job of this process as pending, before it is stored (so before any
        lane can run it): new small jobs then queue behind it."""
        self._local_pending.add(job_id)

    def notify(self) -> None:
        """Tell the lanes a job was queued."""
        with self._wake:
            self._pending_wakeups += 1
            self._notifications += 1
            self._wake.notify()

    def warm_up(self) -> None:
        """Start the worker processes now."""
        self._process_executor().warm_up()

    # --- the loop --------------------------------------------------------------

    def _lane(self) -> None:
        while not self._stopping.is_set():
            try:
                claim = self.jobs.claim(self.owner, self.policy.lease_seconds)
            except Exception:  # the database may be briefly unavailable; try again
                logger.exception("claiming a job failed")
                claim = None
            if claim is None:
                self._idle()
                continue
            try:
                self._run(claim)
            except Exception as exc:  # a fault of ours: end the job, keep the lane
                logger.exception("running job %s failed", claim.job.id)
                self._fail(claim, exc)

    def _idle(self) -> None:
        with self._wake:
            if self._pending_wakeups == 0:
                self._wake.wait(self.policy.poll_interval)
            self._pending_wakeups = max(0, self._pending_wakeups - 1)

    def _run(self, claim: Claim) -> None:
        if claim.job.session_id:
            batch = self._gather_batch(claim)
            if batch:
                self._run_batch([claim, *batch])
                return
            self.sessions.touch(claim.job.session_id, last_job_started=utcnow())
        self._run_one(claim, self._take_params(claim.job.id))

    def _run_one(self, claim: Claim, params: dict[str, Any] | None) -> Outcome:
        job = claim.job
        try:
            executor = self._executor_for_cost(job.cost)
            outcome = executor.run(_task(job, params), lambda: self._cancelled(job.id))
        except WorkerUnavailable as exc:
            outcome = _no_worker(exc)
        except Exception as exc:  # an executor fault is ours; fail the job, keep the lane
            logger.exception("executor failed on job %s", job.id)
            outcome = _internal_error(exc)
        return self._finish(claim, outcome)

    def _fail(self, claim: Claim, exc: Exception) -> None:
        try:
            self._finish(claim, _internal_error(exc))
        except Exception:  # the store is unreachable: the lease lapses, the job runs again
            logger.exception("could not record the failure of job %s", claim.job.id)

    # --- batches: jobs of a batch session run as one simulator call ----------------

    def _gather_batch(self, claim: Claim) -> list[Claim]:
        from qruntime.errors import NotFoundError

        job = claim.job
        try:
            session = self.sessions.get(job.instance, job.session_id or "")
        except NotFoundError:
            return []
        if session.mode != "batch":
            return []
        self._linger()
        return self.jobs.claim_batch(self.owner, self.policy.lease_seconds, job,
                                     self.policy.batch_limit - 1)

    def _linger(self) -> None:
        # Wait while the batch's jobs keep arriving, a few milliseconds at most.
        deadline = time.monotonic() + 10 * self.policy.batch_linger_seconds
        seen = -1
        while seen != self._notifications and time.monotonic() < deadline:
            seen = self._notifications
            time.sleep(self.policy.batch_linger_seconds)

    def _run_batch(self, claims: list[Claim]) -> None:
        try:
            self._run_combined(claims)
        except Exception as exc:  # a fault of ours: no job of the batch stays RUNNING
            logger.exception("running a batch of %d jobs failed", len(claims))
            for claim in claims:
                if self.jobs.state_of(claim.job.id) is JobState.RUNNING:
                    self._fail(claim, exc)

    def _run_combined(self, claims: list[Claim]) -> None:
        from qruntime import wire
        from qruntime.engine.execution import decode_result, encode_result
        from qruntime.programs.batching import combine

        first = claims[0].job
        params = [self._take_params(c.job.id) or wire.loads(c.job.params or "{}") for c in claims]
        combined = combine(first.program_id, params)
        self.sessions.touch(first.session_id or "", last_job_started=utcnow())
        if combined is None:
            for claim, job_params in zip(claims, params):
                self._run_one(claim, job_params)
            return
        merged, split = combined
        limits = [c.job.max_execution_time for c in claims if c.job.max_execution_time]
        task = Task(first.id, first.program_id, first.backend, wire.dumps(merged), merged,
                    min(limits) if limits else None)
        executor = self._executor_for_cost(sum(c.job.cost for c in claims))
        outcome = executor.run(task, lambda: all(self._cancelled(c.job.id) for c in claims))
        if outcome.state is not JobState.COMPLETED:
            for claim in claims:
                self._finish(claim, Outcome(outcome.state, reason=outcome.reason,
                                            reason_code=outcome.reason_code, logs=outcome.logs,
                                            usage_seconds=outcome.usage_seconds, retry=outcome.retry))
            return
        whole = outcome.result
        if whole is None:
            whole = decode_result(first.program_id, outcome.result_text or "{}")
        parts = split(whole)
        if len(parts) != len(claims):
            raise RuntimeError(f"a batch result split into {len(parts)} parts for "
                               f"{len(claims)} jobs")
        share = outcome.usage_seconds / len(claims)
        note = f"ran as one simulator call with {len(claims) - 1} other job(s) of its batch\n"
        for claim, part in zip(claims, parts):
            self._finish(claim, Outcome(
                JobState.COMPLETED, result_text=encode_result(part, claim.job.id), result=part,
                logs=outcome.logs + note, usage_seconds=share))

    def forget(self, job_id: str) -> None:
        """Stop tracking a job of this process that ended without running here."""
        self._local_pending.discard(job_id)
        self._take_params(job_id)

    def _finish(self, claim: Claim, outcome: Outcome) -> Outcome:
        if outcome.retry and self._stopping.is_set():
            return outcome  # stopped by the shutdown, not lost: release_owner re-queues it
        if outcome.retry:
            if claim.attempt >= self.policy.max_attempts:
                outcome = Outcome(
                    JobState.FAILED, reason_code=int(ReasonCode.TOO_MANY_ATTEMPTS),
                    reason=f"{outcome.reason} It was tried {claim.attempt} times.",
                )
            else:
                outcome.state = JobState.QUEUED
        outcome.ended = utcnow()
        written = self.jobs.finish(
            claim, outcome.state, result=outcome.result_text, reason=outcome.reason,
            reason_code=outcome.reason_code, logs=outcome.logs,
            usage_seconds=outcome.usage_seconds, ended=outcome.ended,
        )
        if claim.job.session_id:
            self.sessions.touch(claim.job.session_id, last_job_completed=utcnow())
        if outcome.state is not JobState.QUEUED:
            self._local_pending.discard(claim.job.id)
        if not written:
            outcome = Outcome(JobState.CANCELLED, reason="Cancelled while running.",
                              reason_code=int(ReasonCode.CANCELLED_BY_USER))
        self._on_finish(claim, outcome, written)
        if outcome.state is JobState.QUEUED:
            self.notify()
        return outcome

    def _executor_for_cost(self, cost: float) -> Executor:
        if cost <= self.policy.inline_cost_limit:
            return self._inline
        return self._process_executor()

    def _process_executor(self) -> ProcessExecutor:
        if self._processes is None:
            self._processes = ProcessExecutor(self.policy.processes,
                                              limits=self.policy.worker_limits)
        return self._processes

    def _cancelled(self, job_id: str) -> bool:
        return self.jobs.state_of(job_id) is not JobState.RUNNING

    def _heartbeat(self) -> None:
        interval = max(0.05, self.policy.lease_seconds / 3)
        while not self._stopping.wait(interval):
            try:
                self.jobs.renew_leases(self.owner, self.policy.lease_seconds)
                requeued, _ = self.jobs.requeue_lapsed(self.policy.max_attempts)
                if requeued:
                    self.notify()
                self._prune_local()
            except Exception:
                logger.exception("heartbeat failed")

    def _prune_local(self) -> None:
        # Jobs of ours cancelled while queued, or run by another process, end elsewhere.
        for job_id in list(self._local_pending):
            state = self.jobs.state_of(job_id)
            if state is None or state.is_final:
                self.forget(job_id)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)


def _task(job: JobRecord, params: dict[str, Any] | None) -> Task:
    return Task(job.id, job.program_id, job.backend, job.params, params,
                job.max_execution_time)


def _no_worker(exc: WorkerUnavailable) -> Outcome:
    # Closing for a shutdown: the job goes back to the queue; failing starts: counted.
    return Outcome(JobState.QUEUED, retry=True, reason=f"No worker process could run the job: "
                   f"{exc}.")


def _internal_error(exc: Exception) -> Outcome:
    return Outcome(JobState.FAILED, reason=f"Internal error: {exc}",
                   reason_code=int(ReasonCode.FAILED_IN_PROGRAM))
