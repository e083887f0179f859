"""Runs as jobs in the database: each run keeps the snapshot it plans, the worker that
took it and that worker's last heartbeat, so that any ``materiel worker`` process that
reaches the database can take a queued run.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plan_runs", sa.Column("snapshot", sa.JSON, nullable=True))
    op.add_column("plan_runs", sa.Column("worker", sa.String(200), nullable=True))
    op.add_column("plan_runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_runs_status", "plan_runs", ["status", "id"])
    # a run left running by an older server has no heartbeat to lapse: it was failed at
    # that server's next start, as it is now
    op.execute(
        "UPDATE plan_runs SET status = 'failed', progress = 'failed', "
        "error = 'the server stopped before the run ended', finished_at = CURRENT_TIMESTAMP "
        "WHERE status = 'running'"
    )


def downgrade() -> None:
    op.drop_index("ix_runs_status", table_name="plan_runs")
    # on SQLite the batch rebuilds plan_runs, and dropping the old table would delete the
    # chosen baselines (their foreign key cascades): set aside and put back, as in 0007
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMP TABLE kept_baselines AS SELECT * FROM scenario_baselines")
        op.execute("DELETE FROM scenario_baselines")
    with op.batch_alter_table("plan_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("worker")
        batch.drop_column("snapshot")
    if sqlite:
        op.execute("INSERT INTO scenario_baselines SELECT * FROM kept_baselines")
        op.execute("DROP TABLE kept_baselines")
