"""What each alliance total of a scenario's table was when last shown to users who see
only totals (``published_totals``): a total moves only when enough allies' figures
changed, so one ally's edit cannot be read as the difference of two readings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_totals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "scenario_id",
            sa.Integer,
            sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("cell", sa.String(400), nullable=False),
        sa.Column("measure", sa.String(60), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("parts", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("scenario_id", "table_name", "cell", "measure", name="uq_published"),
    )


def downgrade() -> None:
    op.drop_table("published_totals")
