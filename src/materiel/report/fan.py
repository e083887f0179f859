"""Fan charts: stock against target across the simulated futures, and a simulation
written with them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from materiel.report.charts import save_figure
from materiel.units import human

if TYPE_CHECKING:
    from materiel.simulation import Simulation


def fan_chart(sim: Simulation, path: Path, top: int = 6) -> Path:
    """Small multiples for the ``top`` targets most at risk: the 5–95 % and 25–75 %
    bands of stock, the median, the plan's own path, the target and its date."""
    at_risk = sim.at_risk(top)
    fan = sim.fan
    n = max(len(at_risk), 1)
    cols = 3 if n > 4 else n
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for ax, row in zip(axes.flat, at_risk.itertuples(), strict=False):
        part = fan[(fan["ally"] == row.ally) & (fan["group"] == row.group)]
        t = part["month"]
        ax.fill_between(t, part["q05"], part["q95"], color="#c6dbef", label="5–95 %")
        ax.fill_between(t, part["q25"], part["q75"], color="#6baed6", label="25–75 %")
        ax.plot(t, part["q50"], color="#08306b", lw=1.5, label="median")
        ax.plot(t, part["plan"], color="#000000", lw=1, ls="--", label="plan")
        ax.axhline(row.target, color="#c00000", lw=1, label="target")
        due = _due(sim, row.ally, row.group)
        ax.axvline(due, color="#7f7f7f", ls=":", lw=1)
        ax.set_title(f"{row.ally} · {row.group}: {100 * row.probability:.0f}% by date", fontsize=9)
        ax.set_xlabel(f"months from {sim.inputs.start}", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(human))
    for ax in list(axes.flat)[len(at_risk) :]:
        ax.axis("off")
    if len(at_risk):
        axes.flat[0].legend(fontsize=6, loc="upper left")
    fig.suptitle(
        f"Stock against target over {sim.futures:,} futures: the targets most at risk",
        fontsize=12,
    )
    return save_figure(fig, path)


def _due(sim: Simulation, ally: str, group: str) -> int:
    inp = sim.inputs
    i = next(i for i in inp.target_rows if inp.row_ally[i] == ally and inp.row_group[i] == group)
    return int(inp.due[i])


def fan_charts(sim: Simulation, folder: Path, top: int) -> list[Path]:
    """The fan chart of the simulation in ``folder`` (none when there is no target)."""
    if top <= 0 or sim.fan.empty:
        return []
    return [fan_chart(sim, folder / "fan_chart.png", top)]


def write_simulation(sim: Simulation, folder: Path, charts: int = 6) -> Path:
    """Write a simulation's tables and ``summary.json`` (:meth:`Simulation.save`) and its
    fan charts for the ``charts`` targets most at risk."""
    sim.save(folder)
    fan_charts(sim, folder, charts)
    return folder
