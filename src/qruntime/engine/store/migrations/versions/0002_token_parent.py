"""Access tokens name the API token they were minted from, so that revoking it ends them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Access tokens minted before this revision name no parent: they outlive a
    # revocation until they expire, as they did. Each lives a few days at most.
    op.add_column("tokens", sa.Column("parent_id", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("parent_id")
