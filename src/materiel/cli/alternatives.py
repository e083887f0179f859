"""``materiel alternatives``: plans near the optimum that differ most in a measure."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from materiel.planner import Remote

console = Console()


def alternatives_command(
    scenario: Annotated[str, typer.Argument(help="scenario folder or built-in name")],
    slack: Annotated[
        float,
        typer.Option(help="share of the optimum's weighted shortfall and cost a plan may add"),
    ] = 0.02,
    count: Annotated[int, typer.Option(help="most alternatives besides the optimum")] = 3,
    measure: Annotated[
        str,
        typer.Option(
            help="what the plans differ in: hosts (who hosts the capacity added), money "
            "(who spends), pooled (which lines take the orders)"
        ),
    ] = "hosts",
    out: Annotated[
        Path | None,
        typer.Option(help="folder [default: out/<scenario name>-alternatives]"),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="override, e.g. policy.pooling=false"),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address, e.g. tcp://127.0.0.1:8786: the alternatives after "
            "the first are solved there, one task each",
        ),
    ] = None,
) -> None:
    """Alternatives near the optimum (MGA): alternatives.csv, alternatives.html, plan-K/.

    Every plan is in whole lots (policy.whole_lots, the default), within the slack of the optimum in whole lots; an alternative that cannot be is dropped, and said so.
    """  # noqa: E501 (one paragraph: typer keeps a docstring's line breaks)
    from materiel.cli.scenario import print_warnings, stage_reporter
    from materiel.planner import check_options
    from materiel.report import alternatives_headline
    from materiel.scenario import load_scenario
    from materiel.workflows import alternatives_report

    check_options(slack, count, measure)  # before any loading or solving
    started = time.perf_counter()
    cluster: contextlib.AbstractContextManager[Remote | None] = contextlib.nullcontext()
    if scheduler is not None:
        from materiel.sweeps import on_cluster

        cluster = on_cluster(scheduler)
    with cluster as remote, console.status("loading the scenario") as status:
        loaded = load_scenario(scenario, overrides=set_ or [])
        print_warnings(loaded)

        progress = stage_reporter(status, started)

        found, files = alternatives_report(
            loaded,
            out or Path("out") / f"{loaded.name}-alternatives",
            slack=slack,
            count=count,
            measure=measure,
            say=progress,
            remote=remote,
        )
    console.print(alternatives_headline(found), highlight=False, markup=False)
    console.print(
        f"\nAlternatives: [bold]{files.html}[/]  ({files.table.name} and plan-K/ in "
        f"{files.folder}/)  [{time.perf_counter() - started:.0f} s]",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach ``materiel alternatives``."""
    app.command(name="alternatives")(alternatives_command)
