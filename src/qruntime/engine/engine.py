"""The runtime service as plain Python calls: the one engine behind both doors.

The :class:`Engine` takes and returns what the REST protocol carries (job
bodies, job and session documents, encoded results), scoped to the caller's
instance. The HTTP routes translate it; the embedded runtime calls it directly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from qruntime.backends.catalog import BackendCatalog, default_catalog
from qruntime.backends.spec import BackendSpec
from qruntime.engine import documents
from qruntime.engine.dispatcher import DispatchPolicy, Dispatcher
from qruntime.engine.execution import Outcome
from qruntime.engine.executor import Executor
from qruntime.engine.ids import new_id
from qruntime.engine.state import JobState, SessionMode
from qruntime.engine.store import (
    AccountStore, Claim, Database, JobFilter, JobRecord, JobStore, SessionRecord, SessionStore,
    utcnow,
)
from qruntime.errors import ConflictError, InvalidInputError, NotFoundError

DEFAULT_MAX_TTL = 8 * 3600
_RESULT_CACHE_SIZE = 64


@dataclass(frozen=True)
class JobRequest:
    """A job to submit, as ``POST /jobs`` carries it.

    ``params`` is the decoded form and ``params_text`` the envelope-encoded
    JSON; give either (the engine makes the other).
    """

    program_id: str
    backend: str
    params: dict[str, Any] | None = None
    params_text: str | None = None
    session_id: str | None = None
    tags: tuple[str, ...] = ()
    runtime: str | None = None
    log_level: str | None = None
    private: bool = False
    max_execution_time: int | None = None
    start_session: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Engine:
    """The runtime: jobs, sessions and backends over one store.

    Args:
        database: Where jobs and sessions are kept.
        catalog: The backends offered; the built-in catalog by default.
        policy: How this process runs jobs.
        run_jobs: Whether this process runs jobs at all (a read-only engine does not).
    """

    def __init__(
        self, database: Database, *, catalog: BackendCatalog | None = None,
        policy: DispatchPolicy | None = None, run_jobs: bool = True,
    ) -> None:
        self.database = database
        self.catalog = catalog or default_catalog()
        self.jobs_store = JobStore(database)
        self.sessions_store = SessionStore(database)
        self.accounts = AccountStore(database)
        self.policy = policy or DispatchPolicy()
        self._params: dict[str, dict[str, Any]] = {}
        self._finished_jobs: OrderedDict[str, _Finished] = OrderedDict()
        self._finished = threading.Condition()
        self._finish_count = 0
        self._finish_listeners: list[Callable[[str | None], None]] = []
        self._lock = threading.Lock()
        self._dispatcher: Dispatcher | None = None
        if run_jobs:
            self._dispatcher = Dispatcher(
                self.jobs_store, self.sessions_store, self.policy,
                take_params=self._take_params, on_finish=self._on_finish,
            )
            self._dispatcher.start()

    def close(self) -> None:
        """Stop running jobs here (running ones go back to the queue) and close the store."""
        if self._dispatcher is not None:
            self._dispatcher.stop()
            self._dispatcher = None
        self.database.dispose()

    def warm_up(self) -> None:
        """Start the worker processes ahead of the first job that needs them."""
        if self._dispatcher is not None:
            self._dispatcher.warm_up()

    # --- backends ----------------------------------------------------------------

    def backend_names(self) -> list[str]:
        """Names of every backend offered."""
        return self.catalog.names()

    def backend(self, name: str) -> BackendSpec:
        """The backend ``name``; :class:`NotFoundError` lists the names otherwise."""
        return self.catalog.get(name)

    def backend_status(self, name: str) -> dict[str, Any]:
        """The ``/backends/{name}/status`` document, with the live queue length."""
        return self.backend(name).status(self.jobs_store.count_pending(backend=name))

    # --- jobs ----------------------------------------------------------------------

    def submit(self, instance: str, request: JobRequest, user_id: str | None = None
               ) -> dict[str, Any]:
        """Validate and queue a job; returns ``{"id", "backend"}`` once it is committed."""
        from qruntime import wire
        from qruntime.programs import get_program

        backend = self._backend_for_job(request.backend)
        program = get_program(request.program_id)
        params = request.params
        if params is None:
            params = wire.loads(request.params_text or "{}")
        if not isinstance(params, dict):
            raise InvalidInputError("params must be a JSON object.")
        # Validates, parsing once, and refuses what cannot finish in max_execution_time.
        cost = float(program.assess(params, backend, max_seconds=request.max_execution_time))
        job_id = new_id()
        session_id, batched = self._session_for_job(instance, request, job_id, user_id)
        params_text = request.params_text or wire.dumps(params)
        record = JobRecord(
            id=job_id, instance=instance, program_id=request.program_id,
            backend=backend.name, state=JobState.QUEUED, created=utcnow(),
            params=params_text, session_id=session_id, tags=list(request.tags),
            runtime=request.runtime, log_level=request.log_level, private=request.private,
            max_execution_time=request.max_execution_time, cost=cost, user_id=user_id,
        )
        executor = None if batched else self._runs_now(cost)
        if executor is not None:
            return self._run_now(record, params, session_id, executor)
        self._queue(record, params if request.params is not None else None)
        response: dict[str, Any] = {"id": job_id, "backend": backend.name}
        if session_id is not None:
            response["session_id"] = session_id
        return response

    def job(self, instance: str, job_id: str, *, include_params: bool = True) -> dict[str, Any]:
        """The job document of ``job_id``."""
        record = self.jobs_store.get(instance, job_id, with_params=include_params)
        return documents.job_document(record, include_params=include_params)

    def jobs(
        self, instance: str, where: JobFilter | None = None, *, limit: int | None = 10,
        offset: int = 0, descending: bool = True, include_params: bool = False,
    ) -> dict[str, Any]:
        """A page of the instance's jobs: ``{"jobs": [...], "count": total}``."""
        records, total = self.jobs_store.list(
            instance, where or JobFilter(), limit=limit, offset=offset,
            descending=descending, with_params=include_params,
        )
        return {
            "jobs": [documents.job_document(r, include_params=include_params) for r in records],
            "count": total,
        }

    def wait(self, instance: str, job_id: str, timeout: float) -> dict[str, Any]:
        """The job's document once it is final, or when ``timeout`` seconds have passed."""
        deadline = utcnow() + timedelta(seconds=max(0.0, timeout))
        while True:
            # Read the finish count before the state: a job finishing in between
            # then wakes this waiter instead of being missed until the timeout.
            with self._finished:
                seen = self._finish_count
            finished = self._recently_finished(instance, job_id)
            if finished is not None:
                return documents.job_document(finished.record, include_params=False)
            record = self.jobs_store.get(instance, job_id, with_params=False)
            remaining = (deadline - utcnow()).total_seconds()
            if record.state.is_final or remaining <= 0:
                return documents.job_document(record, include_params=False)
            with self._finished:
                if self._finish_count == seen:
                    # Jobs run by another process give no signal here: poll as well.
                    self._finished.wait(min(remaining, 0.2))

    def on_finish(self, listener: Callable[[str | None], None]) -> Callable[[], None]:
        """Call ``listener(job_id)`` whenever a job may have ended here; returns its remover.

        For waiters that must not block a thread (an event loop's). ``job_id`` is
        ``None`` when several jobs may have ended at once. The listener runs on the
        thread that ended the job, so it should only hand the news on, quickly.
        """
        with self._finished:
            self._finish_listeners.append(listener)

        def remove() -> None:
            with self._finished:
                self._finish_listeners.remove(listener)

        return remove

    def result_text(self, instance: str, job_id: str) -> str:
        """The stored, encoded result of a COMPLETED job (the error text of a FAILED one)."""
        finished = self._recently_finished(instance, job_id)
        if finished is not None and finished.text is not None:
            return finished.text
        record, text = self.jobs_store.result(instance, job_id)
        if record.state is JobState.COMPLETED and text is not None:
            return text
        if record.state is JobState.FAILED:
            return f"Job {job_id} failed.\nTraceback (most recent call last):\n{record.reason}"
        raise ConflictError(
            f"job {job_id} is {record.state.value.lower()}; it has no result."
            + (f" Reason: {record.reason}" if record.reason else "")
        )

    def take_result(self, instance: str, job_id: str) -> Any | None:
        """The result object of a job finished in this process, once, if still at hand."""
        finished = self._recently_finished(instance, job_id)
        if finished is None:
            return None
        with self._lock:
            result, finished.result = finished.result, None
        return result

    def cancel(self, instance: str, job_id: str) -> dict[str, Any]:
        """Cancel a queued or running job; :class:`ConflictError` if it is final."""
        record = self.jobs_store.cancel(instance, job_id)
        with self._lock:
            self._params.pop(job_id, None)
        if self._dispatcher is not None:
            self._dispatcher.forget(job_id)
        self._notify_finished(job_id)
        return documents.job_document(record, include_params=False)

    def delete(self, instance: str, job_id: str) -> None:
        """Delete a job and its result."""
        self.jobs_store.delete(instance, job_id)
        self._forget_finished(job_id)

    def logs(self, instance: str, job_id: str) -> str:
        """The job's log text."""
        return self.jobs_store.logs(instance, job_id)

    def metrics(self, instance: str, job_id: str) -> dict[str, Any]:
        """The job's metrics document."""
        record = self.jobs_store.get(instance, job_id, with_params=False)
        position = None
        if record.state is JobState.QUEUED:
            older = JobFilter(backend=record.backend, states=(JobState.QUEUED,),
                              created_before=record.created)
            position = self.jobs_store.list(instance, older, limit=0)[1]
        return documents.job_metrics(record, position)

    def update_tags(self, instance: str, job_id: str, tags: list[str]) -> None:
        """Replace a job's tags."""
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise InvalidInputError("tags must be a list of strings.")
        self.jobs_store.update_tags(instance, job_id, tags)
        self._forget_finished(job_id)

    # --- sessions ------------------------------------------------------------------

    def create_session(
        self, instance: str, backend: str, *, mode: str | None = None,
        max_ttl: int | None = None, user_id: str | None = None, session_id: str | None = None,
    ) -> dict[str, Any]:
        """Open a session on ``backend``; returns its document."""
        spec = self._backend_for_job(backend)
        mode_value = _session_mode(mode)
        ttl = DEFAULT_MAX_TTL if max_ttl is None else max_ttl
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl <= 0:
            raise InvalidInputError(f"max_ttl must be a positive number of seconds, not {ttl!r}.")
        record = SessionRecord(
            id=session_id or new_id(), instance=instance, backend=spec.name, mode=mode_value,
            accepting_jobs=True, cancelled=False, max_ttl=ttl, created=utcnow(),
            interactive_ttl=ttl if mode_value == SessionMode.DEDICATED.value else None,
            user_id=user_id,
        )
        self.sessions_store.insert(record)
        return documents.session_document(record)

    def session(self, instance: str, session_id: str) -> dict[str, Any]:
        """The session's document."""
        return documents.session_document(self.sessions_store.get(instance, session_id))

    def close_session(self, instance: str, session_id: str) -> None:
        """Stop accepting jobs; the queued ones still run."""
        self.sessions_store.update(instance, session_id, accepting_jobs=False)

    def cancel_session(self, instance: str, session_id: str) -> int:
        """Close the session and cancel its queued jobs; returns how many were cancelled."""
        self.sessions_store.update(
            instance, session_id, accepting_jobs=False, cancelled=True, closed_at=utcnow()
        )
        cancelled = self.jobs_store.cancel_pending_of_session(instance, session_id)
        self._notify_finished()  # params of those jobs go when the heartbeat prunes them
        return cancelled

    # --- usage ---------------------------------------------------------------------

    def usage(self, instance: str, since: datetime | None = None) -> dict[str, Any]:
        """The instance's usage, in the shapes both stock clients read."""
        used = self.jobs_store.usage_seconds(instance, since)
        pending = self.jobs_store.count_pending(instance=instance)
        return {
            "instance": instance,
            "usage_consumed_seconds": round(used, 6),
            "usage_limit_seconds": None,
            "usage_limit_reached": False,
            "usage_remaining_seconds": None,
            "pending_jobs": pending,
            "byInstance": [{"instance": instance, "pendingJobs": pending,
                            "maxPendingJobs": 1000, "usage": round(used, 6)}],
        }

    # --- internals -----------------------------------------------------------------

    def _backend_for_job(self, name: str) -> BackendSpec:
        if not isinstance(name, str) or not name:
            raise InvalidInputError("a backend name is required.")
        try:
            return self.catalog.get(name)
        except NotFoundError as exc:
            raise InvalidInputError(str(exc)) from exc

    def _session_for_job(
        self, instance: str, request: JobRequest, job_id: str, user_id: str | None
    ) -> tuple[str | None, bool]:
        """The job's session id, and whether it is a batch (whose jobs wait to run as one)."""
        if request.session_id is None:
            if request.start_session:
                # The 0.15-era clients open a session with its first job: same id.
                self.create_session(instance, request.backend, user_id=user_id,
                                    session_id=job_id)
                return job_id, False
            return None, False
        try:
            session = self.sessions_store.get(instance, request.session_id)
        except NotFoundError as exc:
            raise InvalidInputError(f"session {request.session_id} does not exist.") from exc
        if not documents.accepts_jobs(session):
            raise ConflictError(
                f"session {session.id} is closed; it accepts no new jobs. Open a new session."
            )
        if session.backend != request.backend:
            raise InvalidInputError(
                f"session {session.id} runs on backend {session.backend!r}, "
                f"not {request.backend!r}."
            )
        return session.id, session.mode == SessionMode.BATCH.value

    def _queue(self, record: JobRecord, params: dict[str, Any] | None) -> None:
        """Store a QUEUED job and wake the lanes; decoded params are kept for a job
        that will run in this process, so that it is not decoded again."""
        keep = (self._dispatcher is not None and params is not None
                and record.cost <= self.policy.inline_cost_limit)
        if keep:
            with self._lock:
                self._params[record.id] = params  # type: ignore[assignment]
        if self._dispatcher is not None:
            self._dispatcher.track(record.id)
        try:
            self.jobs_store.insert(record)
        except BaseException:
            if self._dispatcher is not None:
                self._dispatcher.forget(record.id)
            raise
        if self._dispatcher is not None:
            self._dispatcher.notify()

    def _runs_now(self, cost: float) -> Executor | None:
        # A job cheaper than two thread hops runs at once, driven by the submitting
        # thread (inline, or on an idle worker process), unless work this process
        # queued earlier is still pending: that keeps FIFO order.
        if (
            self._dispatcher is None
            or cost > self.policy.immediate_cost_limit
            or not self._dispatcher.idle()
        ):
            return None
        return self._dispatcher.reserve(cost)

    def _run_now(self, record: JobRecord, params: dict[str, Any], session_id: str | None,
                 executor: Executor) -> dict[str, Any]:
        assert self._dispatcher is not None
        started = utcnow()
        outcome = self._dispatcher.run_unstored(record, params, executor)
        if outcome.retry:  # its worker died: queue it like any other job
            self._queue(record, params)
            answer: dict[str, Any] = {"id": record.id, "backend": record.backend}
            if session_id is not None:
                answer["session_id"] = session_id
            return answer
        ended = outcome.ended = utcnow()
        final = replace(record, state=outcome.state, reason=outcome.reason,
                        reason_code=outcome.reason_code, started=started, ended=ended,
                        attempts=1, usage_seconds=outcome.usage_seconds)
        self.jobs_store.insert_finished(final, result=outcome.result_text, logs=outcome.logs,
                                        started=started)
        if session_id is not None:
            self.sessions_store.touch(session_id, last_job_started=started,
                                      last_job_completed=ended)
        self._dispatcher.announce(Claim(final, self._dispatcher.owner, 1), outcome)
        response: dict[str, Any] = {"id": record.id, "backend": record.backend,
                                    "state": {"status": outcome.state.value}}
        if outcome.reason is not None:
            response["state"]["reason"] = outcome.reason
            response["state"]["reason_code"] = outcome.reason_code
        if session_id is not None:
            response["session_id"] = session_id
        return response

    def _take_params(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._params.pop(job_id, None)

    def _on_finish(self, claim: Claim, outcome: Outcome, stored: bool) -> None:
        job = claim.job
        if stored and outcome.state.is_final:
            # What the store now holds, kept so that waiters need not read it back.
            final = replace(job, state=outcome.state, reason=outcome.reason,
                            reason_code=outcome.reason_code, ended=outcome.ended or utcnow(),
                            lease_owner=None, usage_seconds=outcome.usage_seconds, params=None)
            completed = outcome.state is JobState.COMPLETED
            entry = _Finished(final, outcome.result_text if completed else None, outcome.result)
            with self._lock:
                self._finished_jobs[job.id] = entry
                while len(self._finished_jobs) > _RESULT_CACHE_SIZE:
                    self._finished_jobs.popitem(last=False)
        self._notify_finished(job.id)

    def _recently_finished(self, instance: str, job_id: str) -> _Finished | None:
        with self._lock:
            entry = self._finished_jobs.get(job_id)
        if entry is None or entry.record.instance != instance:
            return None
        return entry

    def _forget_finished(self, job_id: str) -> None:
        with self._lock:
            self._finished_jobs.pop(job_id, None)

    def _notify_finished(self, job_id: str | None = None) -> None:
        with self._finished:
            self._finish_count += 1
            self._finished.notify_all()
            listeners = tuple(self._finish_listeners)
        for listener in listeners:
            listener(job_id)


@dataclass
class _Finished:
    """A job this process just finished: as stored, its stored result text, and the
    result object (handed out once, to spare the embedded client a decode)."""

    record: JobRecord
    text: str | None
    result: Any


def _session_mode(mode: str | None) -> str:
    if mode is None:
        return SessionMode.DEDICATED.value
    try:
        return SessionMode(mode).value
    except ValueError as exc:
        raise InvalidInputError(
            f"session mode {mode!r} is not allowed; use 'dedicated' or 'batch'."
        ) from exc
