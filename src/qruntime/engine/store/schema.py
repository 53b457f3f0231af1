"""The store's tables: one metadata object that Alembic migrations follow."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("instance", String(255), nullable=False),
    Column("program_id", String(64), nullable=False),
    Column("backend", String(64), nullable=False),
    Column("session_id", String(32), nullable=True),
    Column("state", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("reason_code", Integer, nullable=True),
    Column("tags", JSON, nullable=False, default=list),
    Column("params", Text, nullable=False),
    Column("result", Text, nullable=True),
    Column("logs", Text, nullable=False, default=""),
    Column("runtime", String(255), nullable=True),
    Column("log_level", String(16), nullable=True),
    Column("private", Boolean, nullable=False, default=False),
    Column("max_execution_time", Integer, nullable=True),
    Column("cost", Float, nullable=False, default=0.0),
    Column("created", DateTime, nullable=False),
    Column("started", DateTime, nullable=True),
    Column("ended", DateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_expires", DateTime, nullable=True),
    Column("usage_seconds", Float, nullable=False, default=0.0),
    Column("user_id", String(64), nullable=True),
    Index("ix_jobs_instance_created", "instance", "created"),
    Index("ix_jobs_state_created", "state", "created"),
    Index("ix_jobs_session", "session_id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("instance", String(255), nullable=False),
    Column("backend", String(64), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("accepting_jobs", Boolean, nullable=False, default=True),
    Column("cancelled", Boolean, nullable=False, default=False),
    Column("max_ttl", Integer, nullable=False),
    Column("interactive_ttl", Integer, nullable=True),
    Column("created", DateTime, nullable=False),
    Column("activated_at", DateTime, nullable=True),
    Column("closed_at", DateTime, nullable=True),
    Column("last_job_started", DateTime, nullable=True),
    Column("last_job_completed", DateTime, nullable=True),
    Column("user_id", String(64), nullable=True),
    Index("ix_sessions_instance", "instance"),
)

instances = Table(
    "instances",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("created", DateTime, nullable=False),
    Column("usage_limit_seconds", Float, nullable=True),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("instance", String(255), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("label", String(255), nullable=False, default=""),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created", DateTime, nullable=False),
    Column("expires", DateTime, nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
    # "api": a user's long-lived API token; "access": one handed out by a login.
    Column("kind", String(16), nullable=False, default="api"),
    # An access token's API token: revoking that one ends this one (migration 0002).
    Column("parent_id", String(32), nullable=True),
)
