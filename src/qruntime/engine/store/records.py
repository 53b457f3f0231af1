"""Immutable records the stores hand out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qruntime.engine.state import JobState


@dataclass(frozen=True)
class JobRecord:
    """One job as stored. ``params`` and ``result`` are envelope-encoded JSON text."""

    id: str
    instance: str
    program_id: str
    backend: str
    state: JobState
    created: datetime
    params: str | None = None
    session_id: str | None = None
    reason: str | None = None
    reason_code: int | None = None
    tags: list[str] = field(default_factory=list)
    runtime: str | None = None
    log_level: str | None = None
    private: bool = False
    max_execution_time: int | None = None
    cost: float = 0.0
    started: datetime | None = None
    ended: datetime | None = None
    attempts: int = 0
    lease_owner: str | None = None
    usage_seconds: float = 0.0
    user_id: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> JobRecord:
        """Build a record from a ``jobs`` row (columns missing from the row default)."""
        data = dict(row._mapping)
        data.pop("result", None)
        data.pop("logs", None)
        data.pop("lease_expires", None)
        data["state"] = JobState(data["state"])
        data["tags"] = list(data.get("tags") or [])
        return cls(**data)


@dataclass(frozen=True)
class SessionRecord:
    """One session as stored, plus counts of its jobs where the store filled them."""

    id: str
    instance: str
    backend: str
    mode: str
    accepting_jobs: bool
    cancelled: bool
    max_ttl: int
    created: datetime
    interactive_ttl: int | None = None
    activated_at: datetime | None = None
    closed_at: datetime | None = None
    last_job_started: datetime | None = None
    last_job_completed: datetime | None = None
    user_id: str | None = None
    pending_jobs: int = 0


@dataclass(frozen=True)
class JobFilter:
    """What a job listing selects. ``None`` means no condition."""

    backend: str | None = None
    program_id: str | None = None
    session_id: str | None = None
    pending: bool | None = None
    tags: tuple[str, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None
    states: tuple[JobState, ...] = ()
