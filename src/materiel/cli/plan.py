"""``materiel plan``: solve a scenario, print the summary, write the report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from materiel.units import human

if TYPE_CHECKING:
    import pandas as pd

    from materiel.planner import PlanResult

console = Console()


def plan_command(
    scenario: Annotated[str, typer.Argument(help="scenario folder or built-in name")],
    out: Annotated[
        Path | None, typer.Option(help="folder for the report [default: out/<scenario name>]")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="override, e.g. policy.pooling=false or items.HE155.unit_price=4000"
        ),
    ] = None,
    explain: Annotated[
        int, typer.Option(min=0, max=20, help="bottlenecks to quantify by re-solving")
    ] = 3,
    pooling: Annotated[
        bool,
        typer.Option("--pooling-value/--no-pooling-value", help="solve again to value pooling"),
    ] = True,
    top: Annotated[int, typer.Option(min=1, max=1000, help="rows in the printed table")] = 10,
    confidence: Annotated[
        float | None,
        typer.Option(
            help="plan so that each target is met by its date in at least this share of "
            "simulated futures (e.g. 0.9), where budgets and capacity allow"
        ),
    ] = None,
    simulate: Annotated[
        int,
        typer.Option(
            min=0, help="futures to simulate the plan over (0: none; with --confidence 2000)"
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="random seed of the simulation")] = 7,
    rounds: Annotated[
        int, typer.Option(min=1, max=20, help="re-planning rounds for --confidence")
    ] = 4,
    aid_what_ifs: Annotated[
        bool,
        typer.Option(
            "--aid-what-ifs",
            help="plan the aid coordinators' what-ifs too (a donor floor of 0.9, a new line "
            "for the requirement most unmet, --aid-donor joining): each a full plan",
        ),
    ] = False,
    aid_donor: Annotated[
        str | None,
        typer.Option(
            help="with --aid-what-ifs, one more donor joining: CODE:GDP:BUDGET "
            "(budget a year), e.g. SWE:600:5e8"
        ),
    ] = None,
) -> None:
    """Plan a scenario: what to order, which capacity to build, what binds."""
    from materiel.cli.scenario import print_warnings, stage_reporter
    from materiel.scenario import load_scenario
    from materiel.workflows import check_confidence, plan_report

    if simulate:
        from materiel.simulation import check_futures

        check_futures(simulate)  # before any planning: a wrong number costs no solve
    if confidence is not None:
        check_confidence(confidence, "--confidence")
    donor = None
    if aid_donor is not None:
        from materiel.planner import parse_donor

        donor = parse_donor(aid_donor)  # before any planning, as above
    started = time.perf_counter()
    with console.status("loading the scenario") as status:
        loaded = load_scenario(scenario, overrides=set_ or [])
        print_warnings(loaded)

        progress = stage_reporter(status, started)

        report = plan_report(
            loaded,
            out or Path("out") / loaded.name,
            explain=explain,
            compare_pooling=pooling,
            confidence=confidence,
            futures=simulate,
            seed=seed,
            rounds=rounds,
            aid_what_ifs=aid_what_ifs or donor is not None,
            aid_donor=donor,
            say=progress,
        )
    result, sim, table, files = report.result, report.simulation, report.confidence, report.files
    print_summary(result, top, levels=table)
    if sim is not None:
        from materiel.cli.simulate import print_confidence, print_simulation

        if table is not None and confidence is not None:
            print_confidence(table, confidence)
        print_simulation(sim, top)
    if report.aid_what_ifs is not None:
        print_aid_what_ifs(report.aid_what_ifs)
    console.print(
        f"\nReport: [bold]{files.html}[/]  (tables, plan.xlsx and charts in "
        f"{files.folder}/)  [{time.perf_counter() - started:.0f} s]",
        highlight=False,
    )


def print_summary(result: PlanResult, top: int, levels: pd.DataFrame | None = None) -> None:
    """The targets furthest from being met, alliance totals, what binds.

    ``levels`` is the table of a plan made to a confidence level: the plan's own targets
    are then the buffered levels it was made for, shown beside the real targets.
    """
    from materiel.report import (
        bottleneck_words,
        demand_sentence,
        pooling_sentence,
        real_targets,
        requirements_sentence,
        standardisation_sentence,
        supply_chain_words,
    )

    currency = result.scenario.meta.currency
    targets = result.targets
    buffered = levels is not None and len(levels) > 0
    title = f"Targets furthest from being met (of {len(targets)})"
    if buffered:
        title += ": as planned, to the buffered levels"
        targets = real_targets(targets, levels)
    table = Table(title=title, title_justify="left")
    columns = ["ally", "item", "target", "due", "met (month)", "short at due"]
    if buffered:
        columns[2:3] = ["target", "planned level"]
    for column in (*columns, f"ally total spent [{currency}]"):
        table.add_column(column, justify="left" if column in ("ally", "item") else "right")
    for row in targets.head(top).itertuples():
        shown = [f"{row.target:,.0f}"]
        if buffered:
            shown.append(f"{row.planned_level:,.0f}")
        table.add_row(
            Text(row.ally),
            Text(row.label),
            *shown,
            row.target_date,
            row.month_met,
            f"{row.shortfall_at_date:,.0f} ({row.shortfall_at_date_pct:.0f}%)",
            human(row.ally_total_spending),
        )
    console.print(table)
    totals = result.totals()
    console.print(
        f"Alliance: {totals['met_by_date']} of {totals['targets']} targets met by their date, "
        f"{totals['met_within_horizon']} within the horizon; spending "
        f"{human(float(totals['spending_total']))} of {human(float(totals['budget_total']))} "
        f"{currency} budget; {totals['capacity_expansions']} lines and "
        f"{totals['supply_expansions']} component suppliers expanded "
        f"(solver: {totals['status']}"
        + (
            f"; {float(totals['gap_pct']):.2g}% above the LP bound of "
            f"{float(totals['lp_bound']):,.4g} target-months"
            if float(totals["gap_pct"]) > 0
            else ""
        )
        + ").",
        highlight=False,
    )
    console.print(demand_sentence(result), highlight=False, markup=False)
    requirements = requirements_sentence(result)
    if requirements is not None:
        console.print(requirements, highlight=False, markup=False)
    console.print(
        f"Weighted shortfall {float(totals['weighted_shortfall']):,.4g} [target-months]"
        + (
            f", plus {float(totals['unmet_demand_penalty']):,.4g} for unmet demand"
            if float(totals["unmet_demand_penalty"]) > 0
            else ""
        )
        + ".",
        highlight=False,
        markup=False,
    )
    closures = result.line_closures()
    for row in closures.itertuples():
        console.print(
            f"Line {row.line} closes from {row.closed_from}"
            + (f" to {row.reopens}" if row.reopens else " to the end of the horizon")
            + f": closing costs {human(float(row.closure_cost))} {currency}, keeping it "
            f"warm would have cost {human(float(row.keep_warm_cost))} {currency}.",
            highlight=False,
            markup=False,
        )
    if len(result.bottlenecks):
        console.print("\n[bold]What binds[/]")
        for words in bottleneck_words(result)[:5]:
            console.print(f" • {words}", highlight=False, markup=False)
    if result.pooling is not None:
        console.print("\n[bold]Pooling[/]")
        console.print(pooling_sentence(result.pooling.attrs), highlight=False, markup=False)
    chain = result.supply_chain()
    if len(chain):
        console.print("\n[bold]Supply chains[/] (worst first)")
        for words in supply_chain_words(chain, currency)[:3]:
            console.print(f" • {words}", highlight=False, markup=False)
    standard = standardisation_sentence(result)
    if standard:
        console.print("\n[bold]Interoperability[/]")
        console.print(standard, highlight=False, markup=False)


def print_aid_what_ifs(frame: pd.DataFrame) -> None:
    """The coordinators' what-ifs: requirement-months met and units unmet, against the
    plan."""
    table = Table(title="Aid what-ifs (requirement-months met in full)", title_justify="left")
    for column in ("what if", "met", "of", "change", "units unmet", "change in unmet"):
        table.add_column(column, justify="left" if column == "what if" else "right")
    for row in frame.itertuples():
        table.add_row(
            Text(str(row.what_if)),
            f"{row.requirement_months_met:,}",
            f"{row.requirement_months:,}",
            f"{row.change:+,}",
            f"{row.unmet:,.0f}",
            f"{row.unmet_change:+,.0f}",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach ``materiel plan``."""
    app.command(name="plan")(plan_command)
