"""How likely each target of a plan run is met, from the latest finished simulation run
of it (its ``simulation_targets`` table, as the user may see it: a nation analyst its own
ally's rows only, no totals), and the fan chart of the month each target is met.

The fan is drawn from what the simulation run stores: the month each target is met at
the 5th, 50th and 95th percentile of the futures (``month_met_p05`` … ``p95``), on the
plan's months (0 is the plan's first month; a percentile "not within horizon" is drawn
one month past the horizon, labelled :data:`LATER`).
"""

from __future__ import annotations

from typing import Any

from materiel.store import SIM_TABLE, Principal, RunInfo, Store
from materiel.web.views import plan_table, who_label

#: The fan chart's last tick: a percentile the futures do not reach within the horizon.
LATER = "later"
#: Targets drawn in the fan chart at most (the least likely first, as the table orders
#: them); the table lists every target.
MAX_FAN = 40
#: The percentiles of the month met, as the simulation stores them, and their names.
PERCENTILES = (
    ("month_met_p05", "month met: 5th percentile"),
    ("month_met_p50", "month met: median"),
    ("month_met_p95", "month met: 95th percentile"),
)


def simulations_of(
    store: Store, who: Principal, run: RunInfo, every: list[RunInfo] | None = None
) -> list[RunInfo]:
    """The simulation runs of plan run ``run`` the user sees, oldest first (of
    ``every`` run the user sees, when the page has read them already)."""
    return [r for r in (store.runs(who) if every is None else every) if r.simulates == run.id]


def odds(
    store: Store,
    who: Principal,
    run: RunInfo,
    months: list[str],
    every: list[RunInfo] | None = None,
) -> dict[str, Any]:
    """What the outlook says of the simulations of ``run``: the latest finished one
    (``run``: its RunInfo, ``rows``: its target rows keyed ``(ally, group)``, ``fan``: the
    fan chart's spec, ``fan_total``: targets it could chart), or None, and whether one is
    queued or running (``pending``: its RunInfo, or None). ``months``: the plan's month
    labels, first to last (from its stock table); ``every``: as for :func:`simulations_of`."""
    runs = simulations_of(store, who, run, every)
    done = [r for r in runs if r.status == "done"]
    pending = next((r for r in reversed(runs) if r.status in ("queued", "running")), None)
    if not done:
        return {"run": None, "pending": pending}
    latest = done[-1]
    rows = plan_table(store, who, latest.id, SIM_TABLE)
    return {
        "run": latest,
        "pending": pending,
        "rows": {(str(r.get("ally")), str(r.get("group"))): r for r in rows},
        "fan": fan_spec(rows[:MAX_FAN], months) if rows and months else None,
        "fan_total": len(rows),
    }


def month_index(label: Any, months: list[str]) -> int | None:
    """Where a stored month label falls on the plan's months: its index, ``len(months)``
    for "not within horizon" (or any month past the horizon), None when absent."""
    text = str(label or "")
    if text in months:
        return months.index(text)
    if not text:
        return None
    return len(months) if text > months[-1] or not text[:1].isdigit() else None


def fan_spec(rows: list[dict[str, Any]], months: list[str]) -> dict[str, Any]:
    """The fan chart of the month met: for each target row (in order), a bar from the
    5th to the 95th percentile month, a mark at the median and one at the target's date;
    x is the plan's month (``months`` and, one past them, :data:`LATER`)."""
    datasets = [
        {"label": name, "data": [month_index(r.get(column), months) for r in rows]}
        for column, name in PERCENTILES
    ]
    datasets.append(
        {"label": "target date", "data": [month_index(r.get("target_date"), months) for r in rows]}
    )
    return {
        "type": "fan",
        "file": "month-met-fan",
        "labels": [f"{who_label(r)} · {r.get('group')}" for r in rows],
        "months": [*months, LATER],
        "datasets": datasets,
    }


def plan_months(series: list[dict[str, Any]]) -> list[str]:
    """The plan's month labels, from the outlook's longest stock series ([] if none)."""
    return max((list(s["months"]) for s in series), key=len, default=[])
