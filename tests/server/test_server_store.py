"""The store: migrations, round trips through a scenario folder, an import killed
midway, the append-only audit log, and validation messages identical to the CLI's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from materiel.scenario.load import load_scenario
from materiel.store.db import Database, upgrade
from materiel.store.models import Base
from materiel.store.policy import SYSTEM
from materiel.store.repo import open_store
from tests.scenario_kit import write_scenario
from tests.server_kit import small_scenario

MATERIEL = [sys.executable, "-m", "materiel.cli"]


def run_cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "10000", "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [*MATERIEL, *args], capture_output=True, text=True, env=env, timeout=300, **kwargs
    )  # type: ignore[call-overload]


def test_migrations_build_exactly_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = Database(db_url)
    upgrade(db)
    upgrade(db)  # a second upgrade is a no-op
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0007"
    db.dispose()


def test_a_runs_figures_get_columns_and_its_large_columns_move_last(db_url: str) -> None:
    """0007 gives the plan run a simulation simulates and a sweep's combinations columns
    of their own, filled from the snapshots (lists of runs read them from each run's
    JSON: about 2 ms a run), and rebuilds plan_runs on SQLite with ``result`` and
    ``snapshot`` last (a column after a large value is read by walking its overflow
    pages: 650 us for a run's ``created_at`` behind a 4 MB result). Every row and the
    scenarios' chosen baselines (whose foreign key would cascade when the old table is
    dropped) come through."""
    db = Database(db_url)
    upgrade(db, "0006")
    big = {"tables": {"targets": [{"ally": "AAA", "note": "x" * 50_000}]}}
    snapshots = {
        1: {"meta": {}},
        2: {"meta": {}, "simulation": {"plan_run": 1, "futures": 10}},
        3: {"meta": {}, "sweep": {"combinations": 6}},
    }
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO scenarios (id, name, meta, version, created_at, updated_at) "
                "VALUES (1, 's', '{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for run_id, snapshot in snapshots.items():
            conn.execute(
                text(
                    "INSERT INTO plan_runs (id, scenario_id, scenario_version, scenario_digest,"
                    " status, progress, stage, stages, created_by, created_at, result, "
                    "snapshot, worker) VALUES (:id, 1, 1, 'd', 'done', 'done', 3, 5, 'u', "
                    "'2026-12-07 08:00:00', :result, :snapshot, 'w1')"
                ),
                {"id": run_id, "result": json.dumps(big), "snapshot": json.dumps(snapshot)},
            )
        conn.execute(
            text(
                "INSERT INTO scenario_baselines (scenario_id, run_id, chosen_by, chosen_at) "
                "VALUES (1, 1, 'staff', CURRENT_TIMESTAMP)"
            )
        )
    upgrade(db)
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, status, stage, stages, created_by, worker, simulates, combinations,"
                " result, snapshot FROM plan_runs ORDER BY id"
            )
        ).all()
        assert [r[:8] for r in rows] == [
            (1, "done", 3, 5, "u", "w1", None, None),
            (2, "done", 3, 5, "u", "w1", 1, None),
            (3, "done", 3, 5, "u", "w1", None, 6),
        ]
        parsed = [[v if isinstance(v, dict) else json.loads(v) for v in r[8:]] for r in rows]
        assert parsed == [[big, snapshots[i]] for i in (1, 2, 3)]  # PostgreSQL's are parsed
        baselines = conn.execute(text("SELECT scenario_id, run_id FROM scenario_baselines"))
        assert baselines.all() == [(1, 1)]
        if db.is_sqlite:
            names = [r[1] for r in conn.execute(text("PRAGMA table_info(plan_runs)"))]
            assert names[-2:] == ["result", "snapshot"]
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    # and back to 0004: the downgrades of 0007 and 0005 rebuild plan_runs on SQLite too
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "materiel.store:migrations")
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    with db.engine.connect() as conn:
        baselines = conn.execute(text("SELECT scenario_id, run_id FROM scenario_baselines"))
        assert baselines.all() == [(1, 1)]
        assert conn.execute(text("SELECT count(*) FROM plan_runs")).scalar() == 3
    db.dispose()


@pytest.mark.slow
def test_db_commands_round_trip(db_url: str, tmp_path: Path) -> None:
    """import -> export -> import again: the same scenario (digest), the built-in too."""
    for source in ("nato-2024", str(small_scenario(tmp_path / "small"))):
        original = load_scenario(source)
        got = run_cli("db", "import", source, "--db", db_url)
        assert got.returncode == 0, got.stderr
        out = tmp_path / f"export-{original.name}"
        got = run_cli("db", "export", original.name, str(out), "--db", db_url)
        assert got.returncode == 0, got.stderr
        assert load_scenario(out).digest() == original.digest()
        got = run_cli("db", "import", str(out), "--name", f"{original.name}-again", "--db", db_url)
        assert got.returncode == 0, got.stderr
    store = open_store(db_url)
    names = [s["name"] for s in store.list_scenarios(SYSTEM)]
    assert names == ["nato-2024", "nato-2024-again", "small", "small-again"]
    again = store.export(SYSTEM, "nato-2024-again")
    assert again["tables"] == store.export(SYSTEM, "nato-2024")["tables"]
    assert again["meta"] == {**store.export(SYSTEM, "nato-2024")["meta"], "name": "nato-2024-again"}
    store.db.dispose()


@pytest.mark.slow
def test_import_refuses_a_name_taken_and_changes_nothing(db_url: str, tmp_path: Path) -> None:
    folder = small_scenario(tmp_path / "small")
    assert run_cli("db", "import", str(folder), "--db", db_url).returncode == 0
    got = run_cli("db", "import", str(folder), "--db", db_url)
    assert got.returncode == 2 and "already stored" in got.stderr and "Traceback" not in got.stderr
    bad = write_scenario(tmp_path / "bad", {"allies": [{"code": "aa", "name": "x"}]})
    got = run_cli("db", "import", str(bad), "--db", db_url)
    assert got.returncode == 2 and "allies.csv, row 2, column 'code'" in got.stderr
    store = open_store(db_url)
    assert [s["name"] for s in store.list_scenarios(SYSTEM)] == ["small"]
    store.db.dispose()


def _big_scenario(folder: Path) -> Path:
    """About 30,000 rows: an import that takes long enough to be killed midway."""
    codes = [a + b + c for a in "ABCDEFGH" for b in "ABCDEFGHIJ" for c in "AB"][:100]
    tables = {
        "allies": [{"code": c, "name": f"Ally {c}"} for c in codes],
        "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
        "lines": [
            {
                "id": "L1",
                "item": "SHELL",
                "producer": "P",
                "host": codes[0],
                "capacity": 10,
                "ceiling": 10,
                "lead_time": 3,
            }
        ],
        "stockpiles": [
            {"ally": codes[0], "item": "SHELL", "initial": 0, "target": 5, "target_date": "2025-06"}
        ],
        "budgets": [{"ally": c, "year": y, "amount": 1} for c in codes for y in range(1901, 2201)],
    }
    return write_scenario(folder, tables, name="big")


@pytest.mark.slow
def test_import_killed_midway_leaves_the_store_as_it_was(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    store.import_scenario(SYSTEM, load_scenario(small_scenario(tmp_path / "small")))
    before = store.export(SYSTEM, "small")
    audit_before = store.audit_log(SYSTEM, 0, 500)["total"]
    big = _big_scenario(tmp_path / "big")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "10000"}
    process = subprocess.Popen(
        [*MATERIEL, "db", "import", str(big), "--db", db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # the first progress report: rows are being written
    assert "rows written" in line, (line, process.stderr.read() if process.stderr else "")
    assert not line.startswith("  30000 of")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    store.db.dispose()
    store = open_store(db_url)
    assert [s["name"] for s in store.list_scenarios(SYSTEM)] == ["small"]
    assert store.export(SYSTEM, "small") == before
    assert store.audit_log(SYSTEM, 0, 500)["total"] == audit_before
    with store.db.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM scenario_rows")).scalar()
    assert rows == sum(len(t) for t in before["tables"].values())
    store.db.dispose()
    got = run_cli("db", "import", str(big), "--db", db_url)  # the store is usable after it
    assert got.returncode == 0, got.stderr


def test_audit_log_is_append_only_in_the_database(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    store.import_scenario(SYSTEM, load_scenario(small_scenario(tmp_path / "small")))
    entries = store.audit_log(SYSTEM, 0, 10)
    assert entries["total"] == 1 and entries["items"][0]["action"] == "scenario.import"
    engine = create_engine(db_url)
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()
    assert store.audit_log(SYSTEM, 0, 10) == entries
    assert not [m for m in dir(store) if "audit" in m and m not in ("audit", "audit_log")]
    store.db.dispose()


@pytest.mark.slow
def test_validation_messages_are_the_cli_messages(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    store.import_scenario(SYSTEM, load_scenario(small_scenario(tmp_path / "small")))
    rows = store.rows(SYSTEM, "small", "stockpiles")
    store.update_row(
        SYSTEM,
        "small",
        "stockpiles",
        rows[1]["id"],
        rows[1]["version"],
        {**rows[1]["data"], "item": "NO_SUCH_ITEM"},
    )
    store.add_row(
        SYSTEM,
        "small",
        "demand",
        {
            "ally": "ZZZ",
            "item": "SHELL",
            "kind": "aid",
            "start": "2025-01",
            "end": "2025-02",
            "per_month": 1,
        },
    )
    api = store.validate(SYSTEM, "small")
    assert not api["ok"] and len(api["problems"]) >= 2
    out = tmp_path / "exported"
    store.export_folder(SYSTEM, "small", out)
    got = run_cli("validate", str(out))
    assert got.returncode == 2
    cli = [
        line.removeprefix("  - ").replace(f"{out.resolve()}/", "")
        for line in got.stderr.splitlines()
        if line.startswith("  - ")
    ]
    assert cli == api["problems"]
    assert any("stockpiles.csv, row 3" in p and "NO_SUCH_ITEM" in p for p in cli)
    store.db.dispose()


@pytest.mark.slow
def test_the_json_ledger_imports_into_the_store_and_exports_back(
    db_url: str, tmp_path: Path
) -> None:
    from materiel.track.ledger import JsonPledgeFile

    ledger = JsonPledgeFile(tmp_path / "pledges.json")
    ledger.add({"ally": "DEU", "kind": "spending", "value": 2.5, "by_year": 2030,
                "source": "a speech"})  # fmt: skip
    ledger.add({"ally": "POL", "kind": "aid", "value": 3, "unit": "eur", "by_year": 2025,
                "source": "a budget"})  # fmt: skip
    got = run_cli("db", "import-ledger", str(ledger.path), "--db", db_url)
    assert got.returncode == 0 and "added 2 pledges" in got.stdout, got.stderr
    again = run_cli("db", "import-ledger", str(ledger.path), "--db", db_url)
    assert "added 0 pledges, skipped 2" in again.stdout
    out = tmp_path / "out.json"
    assert run_cli("db", "export-ledger", str(out), "--db", db_url).returncode == 0
    assert JsonPledgeFile(out).list_pledges() == ledger.list_pledges()
    store = open_store(db_url)
    stored = store.pledges(SYSTEM, include_builtin=False)
    assert [(p["id"], p["ally"], p["unit"]) for p in stored] == [
        ("P0001", "DEU", "% of GDP"), ("P0002", "POL", "EUR bn")]  # fmt: skip
    store.db.dispose()


@pytest.mark.slow
def test_ci_without_postgresql_fails_rather_than_skips(tmp_path: Path) -> None:
    """Under CI=true, a missing MATERIEL_TEST_PG_URL is a failure, not a quiet skip."""
    env = {k: v for k, v in os.environ.items() if k != "MATERIEL_TEST_PG_URL"}
    env["CI"] = "true"
    test = f"{Path(__file__)}::test_migrations_build_exactly_the_models[postgresql]"
    got = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert got.returncode == 1, got.stdout[-2000:]
    assert "CI=true but MATERIEL_TEST_PG_URL is not set" in got.stdout
