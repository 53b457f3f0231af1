"""All SQL about sessions, every call scoped to the caller's instance."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update

from qruntime.engine.state import PENDING_STATES
from qruntime.engine.store.database import Database
from qruntime.engine.store.records import SessionRecord
from qruntime.engine.store.schema import jobs, sessions
from qruntime.errors import NotFoundError


class SessionStore:
    """The sessions table."""

    def __init__(self, database: Database) -> None:
        self._engine = database.engine

    def insert(self, session: SessionRecord) -> None:
        """Store a new session."""
        values = {k: v for k, v in session.__dict__.items() if k != "pending_jobs"}
        with self._engine.begin() as conn:
            conn.execute(insert(sessions).values(**values))

    def get(self, instance: str, session_id: str) -> SessionRecord:
        """The session ``session_id`` of ``instance``, with its count of pending jobs."""
        pending = (
            select(func.count())
            .select_from(jobs)
            .where(jobs.c.session_id == session_id, jobs.c.instance == instance)
            .where(jobs.c.state.in_([s.value for s in PENDING_STATES]))
            .scalar_subquery()
        )
        query = select(sessions, pending.label("pending")).where(
            sessions.c.id == session_id, sessions.c.instance == instance
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"session {session_id} not found.")
        data = dict(row._mapping)
        count = int(data.pop("pending") or 0)
        return SessionRecord(**data, pending_jobs=count)

    def update(self, instance: str, session_id: str, **values: Any) -> None:
        """Set columns of a session."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id, sessions.c.instance == instance)
                .values(**values)
            )
        if result.rowcount == 0:
            raise NotFoundError(f"session {session_id} not found.")

    def touch(self, session_id: str, **values: Any) -> None:
        """Record job activity on a session (worker side, unscoped); first one activates it."""
        with self._engine.begin() as conn:
            conn.execute(update(sessions).where(sessions.c.id == session_id).values(**values))
            if "last_job_started" in values:
                conn.execute(
                    update(sessions)
                    .where(sessions.c.id == session_id, sessions.c.activated_at.is_(None))
                    .values(activated_at=values["last_job_started"])
                )
