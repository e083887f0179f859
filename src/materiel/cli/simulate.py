"""``materiel simulate``: how likely a plan is to hold, over many sampled futures."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from materiel.errors import InputError, field_problems

if TYPE_CHECKING:
    import pandas as pd

    from materiel.scenario import Risks, Scenario
    from materiel.simulation import Simulation

console = Console()


def load_risks(path: Path, scenario: Scenario | None = None) -> Risks:
    """The risks in a YAML file (the ``risks:`` block of ``scenario.yaml``, or the same
    mapping at the top of the file), checked against ``scenario``'s allies; InputError
    naming the file and field otherwise."""
    import yaml
    from pydantic import ValidationError

    from materiel.scenario import Risks, check_risks

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the risks file {path}: {exc}") from exc
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file (a risks file is YAML)") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from exc
    if isinstance(raw, dict) and set(raw) == {"risks"}:
        raw = raw["risks"]
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping of risks (surge, ramp_delay, ...)")
    try:
        risks = Risks.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"{path}: {field_problems(exc.errors())}") from None
    if scenario is not None:
        check_risks(risks, scenario, where=str(path))
    return risks


def run_simulation(
    scenario: Scenario,
    plan_dir: Path | None,
    futures: int,
    seed: int,
    risks: Risks | None,
    memory_mb: float,
    sensitivity: int,
) -> Simulation:
    """Load (or make) the plan and simulate it, with a progress bar."""
    from materiel.planner import Plan
    from materiel.simulation import check_futures, simulate

    check_futures(futures)
    if plan_dir is not None:
        plan = Plan.load(plan_dir, None)
    else:
        from materiel.planner import plan as make_plan

        with console.status("planning the scenario first (no --plan given)"):
            plan = Plan.from_result(make_plan(scenario, explain=0, compare_pooling=False))
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)

        return simulate(
            plan,
            scenario,
            futures=futures,
            seed=seed,
            risks=risks,
            memory_mb=memory_mb,
            sensitivity=sensitivity,
            progress=progress,
        )


def simulate_command(
    scenario: Annotated[str, typer.Argument(help="scenario folder or built-in name")],
    plan_dir: Annotated[
        Path | None,
        typer.Option(
            "--plan", help="plan folder (out/<name>/plan); default: plan the scenario now"
        ),
    ] = None,
    futures: Annotated[int, typer.Option(help="futures to sample")] = 10_000,
    seed: Annotated[int, typer.Option(help="random seed: same seed, same numbers")] = 7,
    out: Annotated[
        Path | None,
        typer.Option(help="folder for the results [default: out/<scenario>/simulation]"),
    ] = None,
    risks_file: Annotated[
        Path | None, typer.Option("--risks", help="YAML file of risks replacing the scenario's")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="override, e.g. risks.outage.probability=0.02"),
    ] = None,
    memory_mb: Annotated[
        float, typer.Option(min=16, max=1e6, help="memory bound [MiB]: futures run in chunks")
    ] = 2048,
    sensitivity: Annotated[
        int,
        typer.Option(min=0, help="futures for the sensitivity ranking (0: none)"),
    ] = 2000,
    top: Annotated[int, typer.Option(min=1, max=1000, help="rows in the printed table")] = 10,
) -> None:
    """Run a plan forward over many sampled futures: how likely is each target met?"""
    from materiel.cli.scenario import print_warnings
    from materiel.report import write_simulation
    from materiel.scenario import load_scenario

    started = time.perf_counter()
    loaded = load_scenario(scenario, overrides=set_ or [])
    print_warnings(loaded)
    risks = load_risks(risks_file, loaded) if risks_file is not None else None
    sim = run_simulation(loaded, plan_dir, futures, seed, risks, memory_mb, sensitivity)
    folder = out or Path("out") / loaded.name / "simulation"
    write_simulation(sim, folder)
    print_simulation(sim, top)
    console.print(
        f"\nResults in [bold]{folder}/[/] (targets, month_met, aid, fan, sensitivity as CSV "
        f"and Parquet; fan_chart.png)  [{time.perf_counter() - started:.1f} s]",
        highlight=False,
    )


def print_simulation(sim: Simulation, top: int) -> None:
    """The targets least likely to hold, aid, what moves the odds most."""
    targets = sim.targets
    table = Table(
        title=f"Targets most at risk: of those the plan meets, the least likely to be met "
        f"by their date ({sim.futures:,} futures, seed {sim.seed})",
        title_justify="left",
    )
    for column in ("ally", "group", "target", "due", "plan", "P(met by date)", "met (median)"):
        table.add_column(column, justify="left" if column in ("ally", "group") else "right")
    for row in targets.head(top).itertuples():
        table.add_row(
            Text(row.ally),
            Text(row.group),
            f"{row.target:,.0f}",
            row.target_date,
            "met" if row.plan_met_by_date else "short",
            f"{100 * row.probability:.1f}% ({100 * row.ci_low:.1f}–{100 * row.ci_high:.1f})",
            row.month_met_p50,
        )
    console.print(table)
    summary = sim.summary()
    console.print(
        f"Expected {summary['expected_targets_met_by_date']:,.1f} of {summary['targets']} "
        f"targets met by their date (the plan, with no risk: "
        f"{summary['plan_targets_met_by_date']}); {summary['targets_at_90pct_or_more']} "
        "are met in at least 90% of futures (the lower end of their 95% interval).",
        highlight=False,
    )
    if summary["p_all_aid_served"] is not None:
        console.print(
            f"All aid served in full in {100 * summary['p_all_aid_served']:.1f}% of futures.",
            highlight=False,
        )
    if len(sim.sensitivity):
        console.print(
            f"\n[bold]What moves the odds most[/] (each risk off in turn, "
            f"{summary['sensitivity_futures']:,} futures on the same numbers)"
        )
        for row in sim.sensitivity.itertuples():
            console.print(
                f" • {row.risk}: +{row.mean_change_pp:.1f} points on average without it; "
                f"most for {row.target_most_moved} ({row.largest_change_pp:+.1f})",
                highlight=False,
                markup=False,
            )
    console.print(
        f"{sim.futures:,} futures in chunks of {sim.chunk:,}, within "
        f"{summary['memory_bound_mib']:,.0f} MiB, in {sim.seconds:.1f} s.",
        highlight=False,
    )


def print_confidence(table: pd.DataFrame, confidence: float) -> None:
    """What planning to a confidence level did, and which targets cannot get there."""
    reached = int(table["reaches_confidence"].sum())
    buffered = int((table["buffer"] > 0).sum())
    console.print(
        f"\n[bold]Confidence {confidence:.0%}[/]: {reached} of {len(table)} targets reach it "
        f"(checked on independent futures); {buffered} were planned to a buffer above "
        "their target.",
        highlight=False,
    )
    for row in table[~table["reaches_confidence"]].head(10).itertuples():
        console.print(
            f" • {row.ally} {row.group}: {100 * row.p_after:.0f}% — {row.why_not}",
            highlight=False,
            markup=False,
        )


def register(app: typer.Typer) -> None:
    """Attach ``materiel simulate``."""
    app.command(name="simulate")(simulate_command)
