"""Variants (private what-ifs: a scenario with a base and an owner, whose rows are only
its overrides and tombstones) and each scenario's baseline run.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # inline REFERENCES: SQLite adds a column with a foreign key only this way
    op.add_column(
        "scenarios",
        sa.Column("base_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=True),
        inline_references=True,
    )
    op.add_column("scenarios", sa.Column("owner", sa.String(100), nullable=True))
    op.create_table(
        "scenario_baselines",
        sa.Column(
            "scenario_id",
            sa.Integer,
            sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("plan_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("chosen_by", sa.String(100), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scenario_baselines")
    with op.batch_alter_table("scenarios") as batch:
        batch.drop_column("owner")
        batch.drop_column("base_id")
