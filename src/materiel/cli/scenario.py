"""Commands for scenarios: list built-ins, copy one out, validate, show the format."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from materiel.errors import InputError

if TYPE_CHECKING:
    from rich.status import Status

    from materiel.scenario import Scenario

console = Console()


def scenarios() -> None:
    """List the built-in scenarios."""
    table = Table(title="Built-in scenarios")
    for column in ("name", "start", "months", "allies", "items", "lines", "description"):
        table.add_column(column)
    from materiel.scenario import builtin, load_scenario

    for name in builtin.names():
        s = load_scenario(name)
        table.add_row(
            name,
            s.start,
            str(s.horizon),
            str(len(s.rows.get("allies", ()))),
            str(len(s.rows.get("items", ()))),
            str(len(s.rows.get("lines", ()))),
            s.meta.description.strip().splitlines()[0] if s.meta.description else "",
        )
    console.print(table)


def init(
    folder: Annotated[Path, typer.Argument(help="new folder to create")],
    source: Annotated[str, typer.Option("--from", help="built-in scenario to copy")] = "nato-2024",
) -> None:
    """Copy a built-in scenario into FOLDER for you to edit."""
    from materiel.scenario import builtin  # the scenario package loads pandas: when run

    if source not in builtin.names():
        raise InputError(f"no built-in scenario {source!r}; built-ins: {builtin.names()}")
    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"{folder} exists and is not empty; choose a new folder")
    shutil.copytree(
        builtin.path(source),
        folder,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "__init__.py"),
    )
    console.print(
        f"copied {source} to {folder}; edit the CSV files, then run "
        f"`materiel validate {folder}` and `materiel plan {folder}`",
        highlight=False,
    )


def validate(
    scenario: Annotated[str, typer.Argument(help="folder or built-in name")],
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="override, e.g. policy.pooling=false")
    ] = None,
) -> None:
    """Check a scenario and report every problem at once (exit code 2 if any)."""
    from materiel.scenario import load_scenario

    s = load_scenario(scenario, overrides=set_ or [])
    print_warnings(s)
    counts = ", ".join(f"{len(v)} {k}" for k, v in s.rows.items())
    assumed = sum(a for a, _ in s.assumption_share().values())
    total = sum(n for _, n in s.assumption_share().values())
    console.print(
        f"[green]ok[/]: {s.name}: {counts}; {assumed} of {total} rows are assumptions",
        highlight=False,
    )


def stage_reporter(status: Status, started: float) -> Callable[[str], None]:
    """What a long command says of its stages: the spinner's text with the seconds since
    ``started`` (a ``time.perf_counter()``), and a line logged for each stage."""

    def progress(message: str) -> None:
        status.update(f"{message} [{time.perf_counter() - started:.0f} s]")
        console.log(Text(message), highlight=False)

    return progress


def print_warnings(s: Scenario) -> None:
    """Print what loads but was probably not meant, one line each."""
    for note in s.warnings:
        console.print(Text("warning: ", style="yellow") + Text(str(note)))


def schema() -> None:
    """Show the tables of the scenario format and their columns."""
    from materiel.scenario import TABLES

    for name, spec in TABLES.items():
        table = Table(
            title=f"{name}.csv: {spec.description} (key: {', '.join(spec.key)}"
            f"{'; required' if spec.required else ''})",
            title_justify="left",
        )
        table.add_column("column")
        table.add_column("required")
        table.add_column("description")
        for field_name, info in spec.row.model_fields.items():
            table.add_row(field_name, "yes" if info.is_required() else "", info.description or "")
        console.print(table)


def register(app: typer.Typer) -> None:
    """Attach the scenario commands."""
    app.command()(scenarios)
    app.command()(init)
    app.command()(validate)
    app.command()(schema)
