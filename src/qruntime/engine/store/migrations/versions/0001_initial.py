"""Jobs, sessions, instances and tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("instance", sa.String(255), nullable=False),
        sa.Column("program_id", sa.String(64), nullable=False),
        sa.Column("backend", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("reason_code", sa.Integer, nullable=True),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("logs", sa.Text, nullable=False),
        sa.Column("runtime", sa.String(255), nullable=True),
        sa.Column("log_level", sa.String(16), nullable=True),
        sa.Column("private", sa.Boolean, nullable=False),
        sa.Column("max_execution_time", sa.Integer, nullable=True),
        sa.Column("cost", sa.Float, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("started", sa.DateTime, nullable=True),
        sa.Column("ended", sa.DateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires", sa.DateTime, nullable=True),
        sa.Column("usage_seconds", sa.Float, nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_jobs_instance_created", "jobs", ["instance", "created"])
    op.create_index("ix_jobs_state_created", "jobs", ["state", "created"])
    op.create_index("ix_jobs_session", "jobs", ["session_id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("instance", sa.String(255), nullable=False),
        sa.Column("backend", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("accepting_jobs", sa.Boolean, nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        sa.Column("max_ttl", sa.Integer, nullable=False),
        sa.Column("interactive_ttl", sa.Integer, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("activated_at", sa.DateTime, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.Column("last_job_started", sa.DateTime, nullable=True),
        sa.Column("last_job_completed", sa.DateTime, nullable=True),
        sa.Column("user_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_sessions_instance", "sessions", ["instance"])
    op.create_table(
        "instances",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("usage_limit_seconds", sa.Float, nullable=True),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(128), nullable=False, unique=True),
        sa.Column("instance", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("expires", sa.DateTime, nullable=True),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tokens")
    op.drop_table("instances")
    op.drop_index("ix_sessions_instance", "sessions")
    op.drop_table("sessions")
    op.drop_index("ix_jobs_session", "jobs")
    op.drop_index("ix_jobs_state_created", "jobs")
    op.drop_index("ix_jobs_instance_created", "jobs")
    op.drop_table("jobs")
