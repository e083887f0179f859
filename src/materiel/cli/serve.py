"""``materiel serve`` and ``materiel db ...``: the shared workspace from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from materiel.errors import DataError, InputError

if TYPE_CHECKING:
    import socket

    from materiel.settings import Settings
    from materiel.store import Store

console = Console(highlight=False, soft_wrap=True)
db_app = typer.Typer(
    help="Manage the store: schema, scenarios, the pledge ledger.", no_args_is_help=True
)
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="database URL (sqlite:///FILE or postgresql+psycopg://...); "
        "default $MATERIEL_DB or the SQLite file in the user's data folder",
    ),
]
BUILTIN = "nato-2024"
#: The most server processes ``materiel serve --workers`` starts.
MAX_WORKERS = 16
#: How every server process runs uvicorn.
UVICORN: dict[str, Any] = {"log_level": "warning", "access_log": False, "timeout_keep_alive": 30}


def _store(db: str | None, migrate: bool = True) -> Store:
    from materiel.store import open_store

    return open_store(db, migrate=migrate)


def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="port (0: any free port)")] = 8000,
    run_workers: Annotated[
        int | None,
        typer.Option(
            "--run-workers",
            min=0,
            max=64,
            help="plan-run workers to start in this server (default $MATERIEL_RUN_WORKERS "
            "or 1); 0: none, when `materiel worker` processes take the runs",
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads",
            min=1,
            max=64,
            help="threads each server process answers in (default $MATERIEL_THREADS or 4): "
            "a few use the cores best, more add waiting for Python's lock",
        ),
    ] = None,
    workers: Annotated[
        str,
        typer.Option(
            "--workers",
            metavar="N",
            help="server processes answering on the address, each a whole server on the "
            "same database (sessions, tokens, sign-in limits and runs are all kept there); "
            "the plan-run workers are started once, not in each",
        ),
    ] = "1",
) -> None:
    """Start the server: upgrade the store, load the built-in scenario on first start,
    print the address and a one-time admin token, serve until Ctrl-C. Plan runs are
    queued in the store and taken by the server's own worker (one by default) and by
    any `materiel worker` processes. With --workers N, N processes answer on the one
    address."""
    import socket

    import uvicorn

    from materiel.app import create_app
    from materiel.scenario import load_scenario
    from materiel.settings import settings
    from materiel.store import SYSTEM, sqlite_path

    processes = _workers(workers)  # before anything is made
    store = _store(db)
    where = sqlite_path(store.db.url)
    console.print(f"store: {where if where else store.db.display}")
    if not store.list_scenarios(SYSTEM):
        store.import_scenario(SYSTEM, load_scenario(BUILTIN))
        console.print(f"loaded the built-in scenario {BUILTIN}")
    token, user = store.admin_token(hours=24)
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)  # from now on a client waits in the backlog, never refused
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    console.print(f"serving on http://{shown}:{bound}/  (API: /api/v1, schema: /openapi.json)")
    console.print(f"admin token (user {user}, valid 24 h, shown once): {token}")
    given: dict[str, object] = {"db": store.db.url}
    if run_workers is not None:
        given["run_workers"] = run_workers
    if threads is not None:
        given["threads"] = threads
    if processes > 1:
        _serve_processes(store, settings(**given), sock, processes)
        return
    app = create_app(settings(**given), store=store)
    config = uvicorn.Config(app, **UVICORN)
    uvicorn.Server(config).run(sockets=[sock])


def _workers(text: str) -> int:
    """The number of server processes ``--workers`` asks for (1 to MAX_WORKERS)."""
    number = int(text) if text.isascii() and text.isdigit() else 0
    if not 1 <= number <= MAX_WORKERS:
        raise InputError(f"--workers must be a whole number from 1 to {MAX_WORKERS}, not {text!r}")
    return number


def _serve_processes(store: Store, given: Settings, sock: socket.socket, workers: int) -> None:
    """``workers`` server processes on ``sock`` (uvicorn's own supervisor, which starts
    them, restarts one that dies and stops them all on Ctrl-C or SIGTERM), each building
    its application with :func:`materiel.app.http_worker` on the same database. The
    plan-run workers are this process's, started once."""
    import os

    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from materiel.server import start_run_workers

    os.environ["MATERIEL_DB"] = store.db.url  # the processes read their settings from it
    os.environ["MATERIEL_THREADS"] = str(given.threads)
    config = uvicorn.Config("materiel.app:http_worker", factory=True, workers=workers, **UVICORN)
    jobs = start_run_workers(store, given)
    supervisor = Multiprocess(config, sockets=[sock])
    try:
        supervisor.run()
    finally:
        jobs.shutdown()
        store.db.dispose()
    failed = [p.pid for p in supervisor.processes if p.exitcode == STARTUP_FAILURE]
    if failed:  # uvicorn stops them all when one cannot start; its message is above
        raise DataError(f"server process {failed[0]} could not start; all were stopped")


def worker(
    db: DbOpt = None,
    name: Annotated[
        str | None,
        typer.Option(help="the name written on the runs it takes (default HOST:PID)"),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="plan at most one queued run, then stop")
    ] = False,
) -> None:
    """Take queued plan runs from the store and plan them, one at a time, until SIGTERM
    or Ctrl-C (the run in hand is then stopped and queued again for another worker).
    Start any number, on any machine that reaches the database; a run whose worker
    stops sending heartbeats for $MATERIEL_RUN_LEASE_S seconds is failed."""
    from materiel.server import RunWorker, work_until_stopped
    from materiel.settings import settings

    store = _store(db)
    given = settings(db=store.db.url)
    runner = RunWorker(
        store,
        name,
        grace=given.run_grace_s,
        lease_s=given.run_lease_s,
        poll_s=given.run_poll_s,
        sweep_scheduler=given.sweep_scheduler,
        sweep_workers=given.sweep_workers,
    )
    console.print(f"worker {runner.name} on {store.db.display}: taking plan runs")
    try:
        work_until_stopped(runner, once=once)
    finally:
        store.db.dispose()
    console.print(f"worker {runner.name} stopped")


@db_app.command("upgrade")
def upgrade_cmd(db: DbOpt = None) -> None:
    """Create the store or bring its schema up to date (Alembic migrations)."""
    store = _store(db)
    console.print(f"store {store.db.display}: schema up to date")


@db_app.command("import")
def import_cmd(
    scenario: Annotated[str, typer.Argument(help="scenario folder or built-in name")],
    name: Annotated[str | None, typer.Option(help="store it under this name")] = None,
    db: DbOpt = None,
) -> None:
    """Validate a scenario and store it, in one transaction (all rows or none)."""
    from materiel.scenario import load_scenario
    from materiel.store import SYSTEM

    loaded = load_scenario(scenario)
    store = _store(db)

    def progress(done: int, total: int) -> None:
        console.print(f"  {done} of {total} rows written")

    summary = store.import_scenario(SYSTEM, loaded, name=name, progress=progress)
    rows = sum(summary.tables.values())
    console.print(f"stored scenario {summary.name}: {rows} rows (digest {loaded.digest()[:12]})")


@db_app.command("export")
def export_cmd(
    name: Annotated[str, typer.Argument(help="stored scenario name")],
    folder: Annotated[Path, typer.Argument(help="folder to write (scenario.yaml + CSVs)")],
    db: DbOpt = None,
) -> None:
    """Write a stored scenario as a scenario folder (it re-imports to the same scenario)."""
    from materiel.store import SYSTEM

    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"{folder} is not empty; export into a new or empty folder")
    store = _store(db)
    store.export_folder(SYSTEM, name, folder)
    console.print(f"wrote {folder}")


@db_app.command("import-ledger")
def import_ledger_cmd(
    path: Annotated[Path, typer.Argument(help="a JSON pledge ledger")], db: DbOpt = None
) -> None:
    """Add the pledges of a JSON ledger to the store (identical ones skipped)."""
    from materiel.store import SYSTEM

    if not path.is_file():
        raise InputError(f"{path}: no such ledger file")
    counts = _store(db).import_ledger(SYSTEM, path)
    console.print(f"added {counts['added']} pledges, skipped {counts['skipped']} already stored")


@db_app.command("export-ledger")
def export_ledger_cmd(
    path: Annotated[Path, typer.Argument(help="JSON ledger file to write")], db: DbOpt = None
) -> None:
    """Write the store's pledges as a JSON ledger file."""
    from materiel.store import SYSTEM

    n = _store(db).export_ledger(SYSTEM, path)
    console.print(f"wrote {n} pledges to {path}")


@db_app.command("admin-token")
def admin_token_cmd(
    hours: Annotated[float, typer.Option(min=0.01, max=24 * 366, help="valid for")] = 24,
    db: DbOpt = None,
) -> None:
    """Make a new token for the user admin (shown once)."""
    token, user = _store(db).admin_token(hours=hours)
    console.print(f"admin token (user {user}, valid {hours:g} h): {token}")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(worker)
    app.add_typer(db_app, name="db")
