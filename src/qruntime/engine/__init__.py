"""The runtime engine: jobs, sessions and backends over one store."""

from __future__ import annotations

from qruntime.engine.dispatcher import DispatchPolicy
from qruntime.engine.engine import Engine, JobRequest
from qruntime.engine.state import JobState, ReasonCode, SessionMode, SessionState

__all__ = [
    "DispatchPolicy", "Engine", "JobRequest", "JobState", "ReasonCode", "SessionMode",
    "SessionState",
]
