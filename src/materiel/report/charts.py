"""Charts of a plan, drawn from its tables (PNG by default, SVG by file suffix)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from materiel.planner import PlanResult
from materiel.units import human

_DPI = 110


def stock_vs_target(result: PlanResult, path: Path, top: int = 6) -> Path:
    """Small multiples: stock against target for the largest gaps at the target date."""
    targets = result.targets.head(top)
    stock = result.stock_table()
    n = max(len(targets), 1)
    cols = 3 if n > 4 else n
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for ax, row in zip(axes.flat, targets.itertuples(), strict=False):
        series = stock[(stock["ally"] == row.ally) & (stock["group"] == row.group)]
        ax.plot(series["month"], series["stock"], color="#1f4e79", lw=2, label="stock")
        ax.axhline(row.target, color="#c00000", ls="--", lw=1, label="target")
        due = result.scenario.month_index(row.target_date)
        ax.axvline(due, color="#7f7f7f", ls=":", lw=1, label="target date")
        ax.set_title(f"{row.ally} · {row.label}", fontsize=10)
        ax.set_xlabel(f"months from {result.scenario.start}", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(human))
    for ax in list(axes.flat)[len(targets) :]:
        ax.axis("off")
    if len(targets):
        axes.flat[0].legend(fontsize=7, loc="lower right")
    fig.suptitle("Stock against target: the largest gaps at the target date", fontsize=12)
    return save_figure(fig, path)


def capacity_over_time(result: PlanResult, path: Path, top: int = 8) -> Path:
    """Usable capacity and output of the lines that expand most (or the largest)."""
    added = result.capacity_added().copy()
    chosen = added.sort_values(["added", "capacity_now"], ascending=False).head(top)["line"]
    frame = result.capacity_by_month()
    n = max(len(chosen), 1)
    cols = 4 if n > 4 else n
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.8 * rows), squeeze=False)
    for ax, line in zip(axes.flat, chosen, strict=False):
        part = frame[frame["line"] == line]
        ax.fill_between(part["month"], part["output"], color="#9dc3e6", label="output")
        ax.plot(part["month"], part["capacity"], color="#1f4e79", lw=2, label="capacity")
        ax.set_title(str(line), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(human))
    for ax in list(axes.flat)[len(chosen) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Line capacity and output [units/month]", fontsize=12)
    return save_figure(fig, path)


def spending_by_year(result: PlanResult, path: Path, top: int = 8) -> Path:
    """Stacked spending by year for the largest spenders, with the alliance budget."""
    spend = result.spending()
    totals = spend.groupby("ally")["total"].sum().sort_values(ascending=False)
    leaders = list(totals.index[:top])
    spend = spend.assign(who=spend["ally"].where(spend["ally"].isin(leaders), "others"))
    table = spend.pivot_table(index="year", columns="who", values="total", aggfunc="sum")
    table = table[[c for c in [*leaders, "others"] if c in table.columns]]
    budget = spend.groupby("year")["budget"].sum()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = pd.Series(0.0, index=table.index)
    cmap = plt.get_cmap("tab20")
    for i, column in enumerate(table.columns):
        ax.bar(table.index, table[column], bottom=bottom, color=cmap(i), label=column)
        bottom += table[column].fillna(0)
    ax.step(
        budget.index,
        budget.values,
        where="mid",
        color="#c00000",
        lw=1.5,
        label="budget (all allies)",
    )
    ax.set_ylabel(f"{result.scenario.meta.currency} {result.scenario.meta.price_year}")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(human))
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    ax.set_title("Spending by year: new orders, expansions and existing contracts")
    return save_figure(fig, path)


def save_figure(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)
    return path
