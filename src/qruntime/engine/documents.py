"""Records rendered as the REST protocol's JSON documents."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from qruntime.engine.state import JobState, SessionState
from qruntime.engine.store import JobRecord, SessionRecord, utcnow


def iso(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as the protocol writes it."""
    if moment is None:
        return None
    return moment.isoformat(timespec="microseconds") + "Z"


def split_instance(instance: str) -> tuple[str, str, str]:
    """``hub/group/project`` as its three parts."""
    hub, group, project = (instance.split("/") + ["", "", ""])[:3]
    return hub, group, project


def job_document(job: JobRecord, *, include_params: bool = True) -> dict[str, Any]:
    """The ``GET /jobs/{id}`` document of ``job``."""
    hub, group, project = split_instance(job.instance)
    state: dict[str, Any] = {"status": job.state.value}
    if job.reason is not None:
        state["reason"] = job.reason
    if job.reason_code is not None:
        state["reason_code"] = job.reason_code
    document: dict[str, Any] = {
        "id": job.id,
        "backend": job.backend,
        "state": state,
        "status": job.state.value,
        "program": {"id": job.program_id},
        "created": iso(job.created),
        "started": iso(job.started),
        "ended": iso(job.ended),
        "session_id": job.session_id,
        "tags": list(job.tags),
        "runtime": job.runtime or "",
        "private": job.private,
        "cost": job.max_execution_time,
        "hub": hub,
        "group": group,
        "project": project,
        "user_id": job.user_id,
        "attempts": job.attempts,
        "estimated_running_time_seconds": 0.0,
        "usage": {"seconds": round(job.usage_seconds, 6)},
    }
    if include_params and job.params is not None:
        document["params"] = json.loads(job.params)
    return document


def job_metrics(job: JobRecord, position_in_queue: int | None = None) -> dict[str, Any]:
    """The ``GET /jobs/{id}/metrics`` document of ``job``."""
    seconds = round(job.usage_seconds, 6)
    timestamps = {
        "created": iso(job.created),
        "running": iso(job.started),
        "finished": iso(job.ended),
    }
    return {
        "timestamps": timestamps,
        "bss": {"seconds": seconds},
        "usage": {
            "quantum_seconds": seconds,
            "seconds": seconds,
            "qpu_charge_time_seconds": seconds,
            "status": "charged" if job.state.is_final else "pending",
        },
        "qiskit_version": _qiskit_version(),
        "position_in_queue": position_in_queue,
        "position_in_provider": position_in_queue,
        "estimated_start_time": None,
        "estimated_completion_time": None,
        "caller": "qruntime",
        "attempts": job.attempts,
    }


def session_state(session: SessionRecord, now: datetime | None = None) -> SessionState:
    """The protocol state of ``session`` at ``now``."""
    now = now or utcnow()
    expired = now > session.created + timedelta(seconds=session.max_ttl)
    if session.cancelled or session.closed_at is not None or expired:
        return SessionState.CLOSED
    if not session.accepting_jobs:
        return SessionState.PENDING_CLOSED if session.pending_jobs else SessionState.CLOSED
    if session.pending_jobs:
        return SessionState.ACTIVE
    return SessionState.OPEN if session.activated_at is None else SessionState.INACTIVE


def accepts_jobs(session: SessionRecord, now: datetime | None = None) -> bool:
    """Whether a new job may join ``session``."""
    return session.accepting_jobs and session_state(session, now) is not SessionState.CLOSED


def session_document(session: SessionRecord) -> dict[str, Any]:
    """The ``GET /sessions/{id}`` document of ``session``."""
    now = utcnow()
    state = session_state(session, now)
    elapsed = ((session.closed_at or now) - session.created).total_seconds()
    return {
        "id": session.id,
        "backend_name": session.backend,
        "mode": session.mode,
        "state": state.value,
        "accepting_jobs": accepts_jobs(session, now),
        "max_ttl": session.max_ttl,
        "interactive_ttl": session.interactive_ttl,
        "active_ttl": session.max_ttl,
        "elapsed_time": max(0, int(elapsed)),
        "pending_jobs": session.pending_jobs,
        "started_at": iso(session.activated_at),
        "activated_at": iso(session.activated_at),
        "created_at": iso(session.created),
        "closed_at": iso(session.closed_at),
        "last_job_started": iso(session.last_job_started),
        "last_job_completed": iso(session.last_job_completed),
        "timestamps": [
            {"status": "open", "timestamp": iso(session.created)},
        ],
        "user_id": session.user_id,
    }


def is_final(document: dict[str, Any]) -> bool:
    """Whether a job document shows a final state."""
    return JobState.parse(document["state"]["status"]).is_final


def _qiskit_version() -> str:
    import qiskit

    return qiskit.__version__
