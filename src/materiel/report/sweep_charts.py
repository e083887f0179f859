"""Charts of a sweep: months to target against each lever, one line per item group."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pandas as pd

from materiel.errors import InputError

PREFIX = "months_to_target:"


class Lever(Protocol):
    """A lever of a sweep as the charts read it (:class:`materiel.sweeps.levers.Lever`)."""

    @property
    def key(self) -> str: ...

    @property
    def values(self) -> tuple[str, ...]: ...


def months_charts(
    table: pd.DataFrame, levers: Sequence[Lever], folder: Path, horizon: int
) -> list[Path]:
    """One PNG per lever with more than one value: for each item group, the months until
    every ally's target of the group holds, averaged over the other levers' values; a
    combination whose target is not met within the horizon counts as the horizon (and
    the point is drawn hollow)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = [c for c in table.columns if c.startswith(PREFIX)]
    if not columns:
        return []
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write charts in {folder}: {exc}") from exc
    for lever in levers:
        if len(lever.values) < 2:
            continue
        fig, ax = plt.subplots(figsize=(8.5, 4.5))
        x = list(range(len(lever.values)))
        for column in columns:
            months = pd.to_numeric(table[column], errors="coerce")
            capped = months.fillna(horizon)
            by_value = capped.groupby(table[lever.key]).mean().reindex(list(lever.values))
            missed = months.isna().groupby(table[lever.key]).any().reindex(list(lever.values))
            (line,) = ax.plot(x, by_value.values, marker="o", label=column.removeprefix(PREFIX))
            hollow = [i for i, m in enumerate(missed.values) if m]
            if hollow:
                ax.plot(
                    hollow,
                    by_value.values[hollow],
                    linestyle="none",
                    marker="o",
                    markersize=9,
                    markerfacecolor="white",
                    color=line.get_color(),
                )
        ax.axhline(horizon, color="grey", linewidth=0.8, linestyle="--")
        ax.set_xticks(x, list(lever.values), rotation=20)
        ax.set_xlabel(lever.key)
        ax.set_ylabel("months until every ally's target holds")
        others = "mean over the other levers; " if len(levers) > 1 else ""
        ax.set_title(
            f"Months to target by {lever.key}\n({others}hollow: not met within the\n"
            f"horizon in some combination, counted as {horizon} months)",
            fontsize=9,
        )
        ax.set_ylim(0, horizon * 1.08)
        ax.legend(fontsize=8, title="item group", loc="center left", bbox_to_anchor=(1.01, 0.5))
        fig.tight_layout()
        path = folder / f"months_to_target_by_{re.sub(r'[^A-Za-z0-9_.-]+', '_', lever.key)}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
