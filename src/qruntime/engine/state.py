"""Job and session states, and the one table of allowed job transitions."""

from __future__ import annotations

from enum import Enum


class JobState(str, Enum):
    """The lifecycle of a runtime job, spelled as the REST protocol spells it."""

    QUEUED = "Queued"
    RUNNING = "Running"
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELLED = "Cancelled"

    @property
    def is_final(self) -> bool:
        """Whether no further transition is allowed."""
        return self in FINAL_STATES

    @classmethod
    def parse(cls, value: str) -> JobState:
        """The state named ``value``, case-insensitively (``"queued"`` or ``"QUEUED"``)."""
        for state in cls:
            if state.value.lower() == value.lower():
                return state
        allowed = ", ".join(s.value for s in cls)
        raise ValueError(f"unknown job state {value!r}; allowed: {allowed}")


FINAL_STATES = frozenset({JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED})
PENDING_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})

TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    JobState.QUEUED: frozenset({JobState.RUNNING, JobState.CANCELLED, JobState.FAILED}),
    # RUNNING -> QUEUED is the re-queue of a job whose worker died (lease lapsed).
    JobState.RUNNING: frozenset(
        {JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.QUEUED}
    ),
    JobState.COMPLETED: frozenset(),
    JobState.FAILED: frozenset(),
    JobState.CANCELLED: frozenset(),
}


def can_transition(source: JobState, target: JobState) -> bool:
    """Whether a job may move from ``source`` to ``target``."""
    return target in TRANSITIONS[source]


def sources_of(target: JobState) -> list[str]:
    """The stored state values a job may move to ``target`` from (for WHERE clauses)."""
    return [source.value for source, targets in TRANSITIONS.items() if target in targets]


class ReasonCode(int, Enum):
    """Reason codes the runtime reports with a FAILED or CANCELLED job."""

    CANCELLED_BY_USER = 1300
    FAILED_IN_PROGRAM = 1301
    TOO_MANY_ATTEMPTS = 1302
    SESSION_CANCELLED = 1303
    RAN_TOO_LONG = 1305


class SessionMode(str, Enum):
    """How a session schedules its jobs."""

    DEDICATED = "dedicated"
    BATCH = "batch"


class SessionState(str, Enum):
    """A session's state as the protocol reports it."""

    OPEN = "open"
    ACTIVE = "active"
    INACTIVE = "inactive"
    PENDING_CLOSED = "pending_closed"
    CLOSED = "closed"
