"""A plan run's lists read no JSON: the plan run a simulation simulates and the
combinations a sweep plans get columns of their own (``simulates``, ``combinations``,
filled from the snapshots), and on SQLite the large columns (``result``, a few MB of
JSON, and ``snapshot``) move to the end of the row.

Every list of runs read the two figures with ``json_extract`` on each run's snapshot
(400 kB for ``nato-2024``): about 2 ms a run on SQLite, in every page that lists runs.

SQLite stores a row's columns in the table's order, and a value too large for the page
goes on in a chain of overflow pages. A column after such a value is found only by
walking that chain: reading a finished run's ``created_at`` took 650 us (a 4 MB result,
about a thousand pages), against 5 us for its ``status``. Every list of runs, every
run's page and every read of a run's table read columns after ``result``. With the
large columns last, no other column needs the chain. PostgreSQL keeps large values out
of the row (TOAST) whatever the order: nothing changes there.

The table is rebuilt (SQLite cannot move a column): created anew in the new order, its
rows copied, the old one dropped and the new one renamed (Alembic's batch mode). The
drop would delete the scenarios' chosen baseline runs (their foreign key cascades), so
those are kept aside in a temporary table and put back.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: plan_runs' columns in their new order: the large ones last.
ORDER = (
    "id",
    "scenario_id",
    "scenario_version",
    "scenario_digest",
    "status",
    "progress",
    "stage",
    "stages",
    "error",
    "created_by",
    "created_at",
    "started_at",
    "finished_at",
    "worker",
    "heartbeat_at",
    "simulates",
    "combinations",
    "result",
    "snapshot",
)


def upgrade() -> None:
    op.add_column("plan_runs", sa.Column("simulates", sa.Integer, nullable=True))
    op.add_column("plan_runs", sa.Column("combinations", sa.Integer, nullable=True))
    runs = sa.table(
        "plan_runs",
        sa.column("snapshot", sa.JSON),
        sa.column("simulates"),
        sa.column("combinations"),
    )
    op.execute(
        runs.update().values(
            simulates=runs.c.snapshot["simulation"]["plan_run"].as_integer(),
            combinations=runs.c.snapshot["sweep"]["combinations"].as_integer(),
        )
    )
    if op.get_bind().dialect.name != "sqlite":
        return
    with (
        _baselines_kept(),
        op.batch_alter_table("plan_runs", recreate="always", partial_reordering=[ORDER]) as batch,
    ):
        batch.alter_column("result", existing_nullable=True)  # the rebuild is the change


def downgrade() -> None:
    """The two columns go (the snapshots still hold both figures); the order of columns
    is no part of the schema's meaning."""
    with _baselines_kept(), op.batch_alter_table("plan_runs") as batch:
        batch.drop_column("combinations")
        batch.drop_column("simulates")


@contextmanager
def _baselines_kept() -> Iterator[None]:
    """On SQLite, the chosen baselines set aside while plan_runs is rebuilt (dropping
    the old table would delete them: their foreign key cascades), then put back."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMP TABLE kept_baselines AS SELECT * FROM scenario_baselines")
        op.execute("DELETE FROM scenario_baselines")
    yield
    if sqlite:
        op.execute("INSERT INTO scenario_baselines SELECT * FROM kept_baselines")
        op.execute("DROP TABLE kept_baselines")
