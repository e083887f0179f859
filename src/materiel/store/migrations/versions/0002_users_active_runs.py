"""Users can be disabled (``users.active``); a plan run records when it began to run and
its stage of the planning (``plan_runs.started_at``, ``stage``, ``stages``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()))
    with op.batch_alter_table("plan_runs") as runs:
        runs.add_column(sa.Column("stage", sa.Integer, nullable=False, server_default="0"))
        runs.add_column(sa.Column("stages", sa.Integer, nullable=False, server_default="0"))
        runs.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_runs") as runs:
        runs.drop_column("started_at")
        runs.drop_column("stages")
        runs.drop_column("stage")
    with op.batch_alter_table("users") as users:
        users.drop_column("active")
