"""``materiel budgets``: the budgets a spending path gives, by ally and year, with sources."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from materiel.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

console = Console()


def budgets_frame(
    scenario: str,
    path: str | None = None,
    growth: float | None = None,
    equipment: float | None = None,
    part: float | None = None,
    overrides: list[str] | None = None,
) -> pd.DataFrame:
    """The derived budgets of ``scenario`` with the spending options given (the scenario's
    own ``spending:`` where one is not given; path ``current`` when it has none)."""
    from materiel.scenario import load_scenario
    from materiel.spending import derive

    sets = list(overrides or [])
    own = load_scenario(scenario).meta.spending
    path_set = any(s.split("=", 1)[0].strip() == "spending.path" for s in sets)
    if path is None and not path_set and (own is None or own.path == "given"):
        path = "current"
    given = {"path": path, "gdp_growth": growth, "equipment_share": equipment}
    given["modelled_part"] = part
    sets += [f"spending.{k}={v}" for k, v in given.items() if v is not None]
    loaded = load_scenario(scenario, overrides=sets)
    spending = loaded.meta.spending
    assert spending is not None  # a path was set above
    meta = loaded.meta
    return derive(loaded.records("allies"), spending, meta.start, meta.horizon, meta.currency)


def budgets(
    scenario: Annotated[str, typer.Argument(help="folder or built-in name")],
    path: Annotated[
        str | None,
        typer.Option(
            "--path",
            help="spending path: current, reach:SHARE@YEAR, points:YEAR=SHARE,... "
            "(default: the scenario's own, else current)",
        ),
    ] = None,
    growth: Annotated[
        float | None, typer.Option("--growth", help="nominal GDP growth a year [%]")
    ] = None,
    equipment: Annotated[
        float | None,
        typer.Option("--equipment", help="equipment share for every ally [% of defence]"),
    ] = None,
    part: Annotated[
        float | None,
        typer.Option("--part", help="part of equipment spending for the modelled items [%]"),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="override, e.g. spending.gdp_growth=2")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="write the table with every source as CSV")
    ] = None,
) -> None:
    """Budgets for the modelled items by ally and year from a spending path, with sources."""
    frame = budgets_frame(scenario, path, growth, equipment, part, set_)
    show(frame)
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            frame.to_csv(out, index=False)
        except OSError as exc:
            raise InputError(f"cannot write {out}: {exc}") from exc
        console.print(f"wrote {out}", highlight=False)


def show(frame: pd.DataFrame) -> None:
    """A table of budgets [million currency] by ally (rows) and year, then the sources."""
    years = sorted(frame["year"].unique())
    first, last = years[0], years[-1]
    table = Table(title=f"Budgets for the modelled items, {first}-{last} [million]")
    for column in ("ally", f"share {first} [%]", f"share {last} [%]", "equip. [%]"):
        table.add_column(column, justify="left" if column == "ally" else "right")
    for year in years:
        table.add_column(str(year), justify="right")
    for ally, rows in frame.groupby("ally", sort=True):
        rows = rows.sort_values("year")
        share = rows["defence_share_pct"]
        equip = rows["equipment_share_pct"].iloc[0]
        table.add_row(
            str(ally),
            _num(share.iloc[0], 2),
            _num(share.iloc[-1], 2),
            _num(equip, 1),
            *(_num(v / 1e6, 0) for v in rows["amount"]),
        )
    totals = frame.groupby("year")["amount"].sum()
    table.add_row("all", "", "", "", *(_num(totals[y] / 1e6, 0) for y in years), style="bold")
    wide = Console(width=max(console.width, 40 + 10 * len(years)))
    wide.print(table)
    console.print("Where each input comes from:", style="bold")
    for column, label in (
        ("allies_source", "allies table"),
        ("gdp_source", "GDP, base year"),
        ("gdp_growth", "GDP growth"),
        ("share_source", "defence share, base year"),
        ("path", "defence share path"),
        ("equipment_source", "equipment share"),
        ("part_source", "modelled part"),
    ):
        for text, rows in frame.groupby(column, sort=True):
            allies = sorted(rows["ally"].unique())
            who = "all allies" if len(allies) == frame["ally"].nunique() else ", ".join(allies)
            console.print(f"  {label} ({who}): {text}", highlight=False)
    notes = frame[frame["note"] != ""].drop_duplicates("ally")
    for row in notes.itertuples():
        console.print(f"  note {row.ally}: {row.note}", highlight=False)


def _num(value: float | None, digits: int) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.{digits}f}"


def register(app: typer.Typer) -> None:
    app.command("budgets")(budgets)
