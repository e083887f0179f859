"""``materiel sweep``: plan every combination of policy levers, locally or on Dask."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

console = Console()
err_console = Console(stderr=True)


def sweep_command(
    scenario: Annotated[str, typer.Argument(help="folder or built-in name")],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="a lever and its values, KEY=V1,V2,... (repeat for more levers), e.g. "
            "spending.path=current,reach:3.5@2035 or policy.contract_months=12,24,36",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="folder for the table, charts and cache")],
    simulate: Annotated[
        int | None, typer.Option("--simulate", help="simulate each plan over N futures")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="seed of the simulation")] = 0,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786"),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="local processes (default: one per core)")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="override for every combination")
    ] = None,
) -> None:
    """Plan (and optionally simulate) every combination of the levers; one table, charts."""
    from materiel.sweeps import Interrupted, sweep

    progress = Progress(
        TextColumn("[bold]sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err_console,
    )
    task = progress.add_task("", total=None)

    def on_result(done: int, total: int, row: dict[str, Any]) -> None:
        if not progress.live.is_started:  # shown once the combinations are checked
            progress.start()
        note = "cached results" if not row else row.get("status", "")
        progress.update(task, completed=done, total=total, description=str(note))

    try:
        table = sweep(
            scenario,
            vary,
            overrides=set_,
            simulate=simulate,
            seed=seed,
            scheduler=scheduler,
            workers=workers,
            out=out,
            on_result=on_result,
        )
    except Interrupted as stopped:
        progress.stop()
        err_console.print(f"sweep stopped: {stopped}", highlight=False)
        raise
    finally:
        progress.stop()
    show(table)
    console.print(
        f"{table.attrs['computed']} computed, {table.attrs['cached']} from the cache; "
        f"wrote {out / 'sweep.csv'}, {out / 'sweep.parquet'} and charts in {out / 'charts'}",
        highlight=False,
    )


def show(table: pd.DataFrame) -> None:
    """The levers and the main figures of each combination."""
    levers = list(table.columns[: list(table.columns).index("key")])
    figures = [
        c
        for c in (
            "status",
            "met_by_date",
            "met_within_horizon",
            "targets",
            "weighted_shortfall",
            "spending",
            "lines_expanded",
            "p_mean",
        )
        if c in table.columns
    ]
    out = Table(title="Sweep")
    for column in levers + figures:
        out.add_column(column, justify="left" if column in levers else "right")
    for values in table.to_dict(orient="records"):
        cells = [str(values[c]) for c in levers]
        for c in figures:
            value = values[c]
            if isinstance(value, float):
                cells.append("-" if math.isnan(value) else f"{value:,.3g}")
            else:
                cells.append(str(value))
        out.add_row(*cells)
    Console(width=max(console.width, 14 * len(levers + figures))).print(out)


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep_command)
