"""All SQL about jobs: insert, read (scoped to an instance), claim, finish, re-queue.

Every read and write a caller can reach takes the caller's ``instance`` and puts
it in the ``WHERE`` clause, so one instance never sees another's jobs. The
worker-side calls (``claim``, ``finish``, ``renew_leases``, ``requeue_lapsed``)
are not scoped: workers serve every instance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import Text, and_, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.sql import Select

from qruntime.engine.state import FINAL_STATES, PENDING_STATES, JobState, ReasonCode, sources_of
from qruntime.engine.store.database import Database, utcnow
from qruntime.engine.store.records import JobFilter, JobRecord
from qruntime.engine.store.schema import jobs
from qruntime.errors import ConflictError, NotFoundError

_SUMMARY_COLUMNS = [c for c in jobs.c if c.name not in ("params", "result", "logs")]
_RECORD_COLUMNS = [c for c in jobs.c if c.name not in ("result", "logs")]

# The hot statements are built once: building them per call costs more than SQLite's commit.
_INSERT = insert(jobs)
_OWNED = (
    (jobs.c.id == bindparam("job_id")) & (jobs.c.state == JobState.RUNNING.value)
    & (jobs.c.lease_owner == bindparam("owner")) & (jobs.c.attempts == bindparam("attempt"))
)
_QUEUED = jobs.c.state == JobState.QUEUED.value
_RUN = dict(
    state=JobState.RUNNING.value, started=bindparam("now"), attempts=jobs.c.attempts + 1,
    lease_owner=bindparam("owner"), lease_expires=bindparam("expires"),
)
_OLDEST = select(jobs.c.id).where(_QUEUED).order_by(jobs.c.created, jobs.c.id).limit(1)
_CLAIM_ONE = (update(jobs).where(jobs.c.id == bindparam("job_id"), _QUEUED).values(**_RUN)
              .returning(*_RECORD_COLUMNS))
# SQLite has no row locks: the state test in the WHERE clause is the compare-and-set.
_CLAIM_NEXT_SQLITE = (update(jobs).where(jobs.c.id == _OLDEST.scalar_subquery(), _QUEUED)
                      .values(**_RUN).returning(*_RECORD_COLUMNS))
_CLAIM_NEXT_LOCKING = (
    update(jobs)
    .where(jobs.c.id == _OLDEST.with_for_update(skip_locked=True).scalar_subquery(), _QUEUED)
    .values(**_RUN).returning(*_RECORD_COLUMNS)
)
_OUTCOME = dict(
    state=bindparam("new_state"), reason=bindparam("new_reason"),
    reason_code=bindparam("new_reason_code"), lease_owner=None, lease_expires=None,
    logs=bindparam("new_logs"), usage_seconds=bindparam("new_usage"),
)
_FINISH = update(jobs).where(_OWNED).values(
    **_OUTCOME, ended=bindparam("new_ended"), result=bindparam("new_result"))
_REQUEUE = update(jobs).where(_OWNED).values(**_OUTCOME, started=None)


@dataclass(frozen=True)
class Claim:
    """A job a worker holds the lease on; only this attempt may finish it."""

    job: JobRecord
    owner: str
    attempt: int


class JobStore:
    """The jobs table, behind the operations the engine needs."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._engine = database.engine

    # --- writes from callers -------------------------------------------------

    def insert(self, job: JobRecord) -> None:
        """Store a new QUEUED job, committed before its id is returned to anyone."""
        values = {
            "id": job.id, "instance": job.instance, "program_id": job.program_id,
            "backend": job.backend, "session_id": job.session_id,
            "state": JobState.QUEUED.value, "reason": None, "reason_code": None,
            "tags": list(job.tags), "params": job.params or "{}", "result": None, "logs": "",
            "runtime": job.runtime, "log_level": job.log_level, "private": job.private,
            "max_execution_time": job.max_execution_time, "cost": job.cost,
            "created": job.created, "started": None, "ended": None, "attempts": 0,
            "lease_owner": None, "lease_expires": None, "usage_seconds": 0.0,
            "user_id": job.user_id,
        }
        with self._engine.begin() as conn:
            conn.execute(_INSERT, values)

    def insert_finished(
        self, job: JobRecord, *, result: str | None, logs: str, started: datetime,
    ) -> None:
        """Store a job that already ran, with its outcome, in one write.

        A job run at once by its submitter is stored only when it has ended:
        until its id is returned nobody knows of it, so nothing accepted is lost.
        """
        values = {
            "id": job.id, "instance": job.instance, "program_id": job.program_id,
            "backend": job.backend, "session_id": job.session_id, "state": job.state.value,
            "reason": job.reason, "reason_code": job.reason_code, "tags": list(job.tags),
            "params": job.params or "{}", "result": result, "logs": logs,
            "runtime": job.runtime, "log_level": job.log_level, "private": job.private,
            "max_execution_time": job.max_execution_time, "cost": job.cost,
            "created": job.created, "started": started, "ended": job.ended, "attempts": 1,
            "lease_owner": None, "lease_expires": None, "usage_seconds": job.usage_seconds,
            "user_id": job.user_id,
        }
        with self._engine.begin() as conn:
            conn.execute(_INSERT, values)

    def cancel(
        self, instance: str, job_id: str, reason: str = "Cancelled by the user.",
        code: ReasonCode = ReasonCode.CANCELLED_BY_USER,
    ) -> JobRecord:
        """Cancel a QUEUED or RUNNING job; a final job raises :class:`ConflictError`."""
        now = utcnow()
        with self._engine.begin() as conn:
            result = conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.instance == instance)
                .where(jobs.c.state.in_(sources_of(JobState.CANCELLED)))
                .values(
                    state=JobState.CANCELLED.value, reason=reason, reason_code=int(code),
                    ended=now, lease_owner=None,
                )
            )
        if result.rowcount == 0:
            job = self.get(instance, job_id)
            raise ConflictError(f"job {job_id} is already {job.state.value.lower()}.")
        return self.get(instance, job_id)

    def cancel_pending_of_session(self, instance: str, session_id: str) -> int:
        """Cancel every QUEUED job of a session; return how many."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(jobs)
                .where(jobs.c.instance == instance, jobs.c.session_id == session_id)
                .where(jobs.c.state == JobState.QUEUED.value)
                .values(
                    state=JobState.CANCELLED.value, reason="The session was cancelled.",
                    reason_code=int(ReasonCode.SESSION_CANCELLED), ended=utcnow(),
                )
            )
        return result.rowcount

    def delete(self, instance: str, job_id: str) -> None:
        """Delete a job and its result."""
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(jobs).where(jobs.c.id == job_id, jobs.c.instance == instance)
            )
        if result.rowcount == 0:
            raise NotFoundError(f"job {job_id} not found.")

    def update_tags(self, instance: str, job_id: str, tags: Sequence[str]) -> None:
        """Replace a job's tags."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.instance == instance)
                .values(tags=list(tags))
            )
        if result.rowcount == 0:
            raise NotFoundError(f"job {job_id} not found.")

    # --- reads from callers --------------------------------------------------

    def get(self, instance: str, job_id: str, *, with_params: bool = True) -> JobRecord:
        """The job ``job_id`` of ``instance``; :class:`NotFoundError` otherwise."""
        columns = _RECORD_COLUMNS if with_params else _SUMMARY_COLUMNS
        query = select(*columns).where(jobs.c.id == job_id, jobs.c.instance == instance)
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"job {job_id} not found.")
        return JobRecord.from_row(row)

    def result(self, instance: str, job_id: str) -> tuple[JobRecord, str | None]:
        """The job and its stored (encoded) result text."""
        query = select(*_SUMMARY_COLUMNS, jobs.c.result).where(
            jobs.c.id == job_id, jobs.c.instance == instance
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"job {job_id} not found.")
        return JobRecord.from_row(row), row.result

    def logs(self, instance: str, job_id: str) -> str:
        """The job's log text."""
        query = select(jobs.c.logs).where(jobs.c.id == job_id, jobs.c.instance == instance)
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"job {job_id} not found.")
        return row.logs or ""

    def list(
        self, instance: str, where: JobFilter, *, limit: int | None = None, offset: int = 0,
        descending: bool = True, with_params: bool = False,
    ) -> tuple[list[JobRecord], int]:
        """Jobs of ``instance`` matching ``where``, newest first, and the total count."""
        columns = _RECORD_COLUMNS if with_params else _SUMMARY_COLUMNS
        query = _filtered(select(*columns), instance, where)
        counter = _filtered(select(func.count()).select_from(jobs), instance, where)
        order = (jobs.c.created.desc(), jobs.c.id.desc()) if descending else (
            jobs.c.created.asc(), jobs.c.id.asc())
        query = query.order_by(*order).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
            total = conn.execute(counter).scalar_one()
        return [JobRecord.from_row(row) for row in rows], int(total)

    def count_pending(self, backend: str | None = None, instance: str | None = None) -> int:
        """Number of QUEUED or RUNNING jobs, optionally of one backend or instance."""
        query = select(func.count()).select_from(jobs).where(
            jobs.c.state.in_([s.value for s in PENDING_STATES])
        )
        if backend is not None:
            query = query.where(jobs.c.backend == backend)
        if instance is not None:
            query = query.where(jobs.c.instance == instance)
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def usage_seconds(self, instance: str, since: datetime | None = None) -> float:
        """Seconds of execution the instance's jobs have used."""
        query = select(func.coalesce(func.sum(jobs.c.usage_seconds), 0.0)).where(
            jobs.c.instance == instance
        )
        if since is not None:
            query = query.where(jobs.c.created >= since)
        with self._engine.connect() as conn:
            return float(conn.execute(query).scalar_one())

    # --- the worker's side ---------------------------------------------------

    def claim(
        self, owner: str, lease_seconds: float, *, job_id: str | None = None,
    ) -> Claim | None:
        """Move one QUEUED job (``job_id``, or the oldest) to RUNNING under ``owner``'s lease.

        At most one worker wins a job: PostgreSQL picks with ``FOR UPDATE SKIP
        LOCKED``; SQLite, which has no row locks, compares and sets on the state.
        """
        now = utcnow()
        values = {"owner": owner, "now": now,
                  "expires": now + timedelta(seconds=lease_seconds)}
        if job_id is not None:
            statement, values["job_id"] = _CLAIM_ONE, job_id
        else:
            statement = _CLAIM_NEXT_SQLITE if self.database.is_sqlite else _CLAIM_NEXT_LOCKING
        with self._engine.begin() as conn:
            row = conn.execute(statement, values).first()
        if row is None:
            return None
        job = JobRecord.from_row(row)
        return Claim(job=job, owner=owner, attempt=job.attempts)

    def claim_batch(
        self, owner: str, lease_seconds: float, first: JobRecord, limit: int,
    ) -> list[Claim]:
        """Claim the QUEUED jobs of ``first``'s session that share its program and backend.

        Each row changes state in the one UPDATE, so a job another worker took
        meanwhile is simply not among those returned.
        """
        now = utcnow()
        siblings = (
            select(jobs.c.id)
            .where(_QUEUED, jobs.c.session_id == first.session_id,
                   jobs.c.program_id == first.program_id, jobs.c.backend == first.backend)
            .order_by(jobs.c.created, jobs.c.id)
            .limit(limit)
        )
        statement = (
            update(jobs)
            .where(jobs.c.id.in_(siblings), _QUEUED)
            .values(**_RUN).returning(*_RECORD_COLUMNS)
        )
        values = {"owner": owner, "now": now, "expires": now + timedelta(seconds=lease_seconds)}
        with self._engine.begin() as conn:
            rows = conn.execute(statement, values).all()
        claims = [Claim(job=JobRecord.from_row(r), owner=owner, attempt=r.attempts) for r in rows]
        return sorted(claims, key=lambda c: (c.job.created, c.job.id))

    def renew_leases(self, owner: str, lease_seconds: float) -> None:
        """Extend the lease of every job ``owner`` is running."""
        with self._engine.begin() as conn:
            conn.execute(
                update(jobs)
                .where(jobs.c.lease_owner == owner, jobs.c.state == JobState.RUNNING.value)
                .values(lease_expires=utcnow() + timedelta(seconds=lease_seconds))
            )

    def finish(
        self, claim: Claim, state: JobState, *, result: str | None = None,
        reason: str | None = None, reason_code: int | None = None, logs: str = "",
        usage_seconds: float = 0.0, ended: datetime | None = None,
    ) -> bool:
        """Write the outcome of ``claim``; ``False`` if the attempt no longer holds the job.

        A job cancelled while it ran, or re-queued after its lease lapsed, keeps
        the state it has: the late outcome is dropped, so each result is written once.
        """
        assert state in FINAL_STATES or state is JobState.QUEUED
        values: dict[str, Any] = {
            "job_id": claim.job.id, "owner": claim.owner, "attempt": claim.attempt,
            "new_state": state.value, "new_reason": reason, "new_reason_code": reason_code,
            "new_logs": logs, "new_usage": usage_seconds,
        }
        statement = _REQUEUE
        if state is not JobState.QUEUED:
            values.update(new_ended=ended or utcnow(), new_result=result)
            statement = _FINISH
        with self._engine.begin() as conn:
            outcome = conn.execute(statement, values)
        return outcome.rowcount == 1

    def requeue_lapsed(self, max_attempts: int) -> tuple[int, int]:
        """Re-queue RUNNING jobs whose lease lapsed; fail those out of attempts.

        Returns:
            How many jobs were re-queued and how many failed.
        """
        now = utcnow()
        lapsed = and_(jobs.c.state == JobState.RUNNING.value, jobs.c.lease_expires < now)
        with self._engine.begin() as conn:
            failed = conn.execute(
                update(jobs)
                .where(lapsed, jobs.c.attempts >= max_attempts)
                .values(
                    state=JobState.FAILED.value, ended=now, lease_owner=None,
                    reason_code=int(ReasonCode.TOO_MANY_ATTEMPTS),
                    reason=f"The job's worker stopped {max_attempts} times while running it; "
                    "it was not retried again.",
                )
            ).rowcount
            requeued = conn.execute(
                update(jobs)
                .where(lapsed, jobs.c.attempts < max_attempts)
                .values(state=JobState.QUEUED.value, lease_owner=None, started=None)
            ).rowcount
        return requeued, failed

    def release_owner(self, owner: str) -> int:
        """Re-queue every job ``owner`` still runs (a clean shutdown mid-job).

        The interrupted attempt is not counted: the job did nothing to end it.
        """
        with self._engine.begin() as conn:
            return conn.execute(
                update(jobs)
                .where(jobs.c.lease_owner == owner, jobs.c.state == JobState.RUNNING.value)
                .values(state=JobState.QUEUED.value, lease_owner=None, started=None,
                        attempts=jobs.c.attempts - 1)
            ).rowcount

    def state_of(self, job_id: str) -> JobState | None:
        """The state of ``job_id`` for a worker (unscoped), or ``None`` if deleted."""
        with self._engine.connect() as conn:
            value = conn.execute(select(jobs.c.state).where(jobs.c.id == job_id)).scalar()
        return JobState(value) if value else None


def _filtered(query: Select[Any], instance: str, where: JobFilter) -> Select[Any]:
    query = query.where(jobs.c.instance == instance)
    if where.backend is not None:
        query = query.where(jobs.c.backend == where.backend)
    if where.program_id is not None:
        query = query.where(jobs.c.program_id == where.program_id)
    if where.session_id is not None:
        query = query.where(jobs.c.session_id == where.session_id)
    if where.pending is not None:
        pending = [s.value for s in PENDING_STATES]
        query = query.where(jobs.c.state.in_(pending) if where.pending else
                            jobs.c.state.not_in(pending))
    if where.states:
        query = query.where(jobs.c.state.in_([s.value for s in where.states]))
    if where.created_after is not None:
        query = query.where(jobs.c.created >= where.created_after)
    if where.created_before is not None:
        query = query.where(jobs.c.created <= where.created_before)
    for tag in where.tags:
        # Tags are a JSON list; match the quoted element, portable across dialects.
        pattern = f'%"{_escape(tag)}"%'
        query = query.where(cast(jobs.c.tags, Text).like(pattern, escape="\\"))
    return query


def _escape(tag: str) -> str:
    # A JSON-encoded string escapes backslashes and quotes; LIKE needs % and _ escaped.
    encoded = json.dumps(tag)[1:-1]
    return encoded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
