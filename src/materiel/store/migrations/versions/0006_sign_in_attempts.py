"""Sign-in attempts counted in the database (``sign_in_attempts``): several server
processes on one database limit attempts as one (they were counted in each process's
memory).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_attempts_key", "sign_in_attempts", ["key", "at"])
    op.create_index("ix_attempts_at", "sign_in_attempts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_attempts_at", table_name="sign_in_attempts")
    op.drop_index("ix_attempts_key", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
