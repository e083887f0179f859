"""``materiel national-plan``: one ally's national plan, as HTML and PDF."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from materiel.errors import InputError

console = Console()


def national_plan_command(
    scenario: Annotated[str, typer.Argument(help="scenario folder or built-in name")],
    ally: Annotated[str, typer.Argument(help="the ally, by ISO 3166 alpha-3 code (DEU)")],
    out: Annotated[Path, typer.Option(help="folder for national-ALLY.html and .pdf")],
    run: Annotated[
        Path | None,
        typer.Option(
            help="a folder `materiel plan --out` wrote (its plan, and its simulation if "
            "any); default: plan the scenario now"
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="override, e.g. policy.pooling=false"),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address, e.g. tcp://127.0.0.1:8786: the plan is made on "
            "the cluster (not with --run)",
        ),
    ] = None,
) -> None:
    """Write an ally's national plan: its targets, contracts, spending against its
    budget and the 2 %, 3.5 % and 5 % of GDP paths, the lines it hosts, what binds and
    its supply risks, holding only what a nation analyst of that ally sees in the
    workspace."""
    from materiel.cli.scenario import print_warnings, stage_reporter
    from materiel.scenario import load_scenario
    from materiel.workflows import check_ally, national_plan

    if scheduler is not None and run is not None:
        raise InputError("--scheduler plans on a cluster; --run reads a plan made: not both")
    started = time.perf_counter()
    cluster: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if scheduler is not None:
        from materiel.sweeps import planned_on_cluster

        cluster = planned_on_cluster(scheduler)  # an address not reached: refused now
    with cluster as remote, console.status("loading the scenario") as status:
        loaded = load_scenario(scenario, overrides=set_ or [])
        check_ally(loaded, ally)  # before any planning: a wrong ally costs no solve
        print_warnings(loaded)

        progress = stage_reporter(status, started)

        files = national_plan(loaded, ally, out, run=run, remote=remote, say=progress)
    console.print(
        f"National plan: [bold]{files.html}[/] and [bold]{files.pdf}[/]  "
        f"[{time.perf_counter() - started:.0f} s]",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach ``materiel national-plan``."""
    app.command(name="national-plan")(national_plan_command)
