"""What a simulation found, as tables: targets, month met, aid, fans, sensitivity."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from materiel.errors import InputError
from materiel.planner import Plan
from materiel.scenario import Risks, month_label
from materiel.simulation.engine import Outcome
from materiel.simulation.inputs import SimInputs

Z95 = 1.959963984540054  # two-sided 95 % normal quantile
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
NOT_WITHIN_HORIZON = "not within horizon"
#: The columns of the targets table that the report and a simulation run keep: one row per
#: target (ally, group), its probability of being met by its date with the 95 % interval,
#: within the horizon, and the month met at the 5th, 50th and 95th percentile.
TARGET_COLUMNS = (
    "ally",
    "group",
    "target",
    "target_date",
    "plan_met_by_date",
    "probability",
    "ci_low",
    "ci_high",
    "p_within_horizon",
    "month_met_p05",
    "month_met_p50",
    "month_met_p95",
)


def wilson(successes: np.ndarray, n: int, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion.

    >>> lo, hi = wilson(np.array([50]), 100)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.4038, 0.5962)
    """
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def surely_reaches(ci_low: Any, confidence: float) -> Any:
    """Whether a target reaches ``confidence`` as planning to a confidence level reads
    it: the lower end of its 95 % interval (``ci_low``) is at the level, not merely the
    estimate. Works on a number, an array or a column alike.

    >>> bool(surely_reaches(0.91, 0.9)), bool(surely_reaches(0.89, 0.9))
    (True, False)
    """
    return ci_low >= confidence


@dataclass
class Simulation:
    """A simulation of one plan: the futures' outcomes and the tables made from them."""

    inputs: SimInputs
    plan: Plan
    risks: Risks
    futures: int
    seed: int
    outcome: Outcome
    switched_off: dict[str, Outcome] = field(default_factory=dict)
    chunk: int = 0
    memory_mb: float = 0.0
    seconds: float = 0.0

    # ----------------------------------------------------------------- targets
    def met(self, outcome: Outcome | None = None) -> np.ndarray:
        """(futures, target rows) bool: the target is met by its date."""
        o = self.outcome if outcome is None else outcome
        rows = self.inputs.target_rows
        return o.at_due[:, rows] >= self.inputs.threshold[rows]

    def probability(self, outcome: Outcome | None = None) -> np.ndarray:
        """Probability that each target is met by its date (target rows)."""
        return self.met(outcome).mean(axis=0)

    def interval(self, outcome: Outcome | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The 95 % (Wilson) interval of each target's probability (target rows)."""
        return wilson(self.met(outcome).sum(axis=0), self.futures)

    @cached_property
    def targets(self) -> pd.DataFrame:
        """One row per target, least likely first."""
        inp, rows = self.inputs, self.inputs.target_rows
        low, high = self.interval()
        months = self.outcome.month_met[:, rows]
        never = months < 0
        month_q = np.where(never, np.iinfo(np.int64).max, months)
        frame = pd.DataFrame(
            {
                "ally": inp.row_ally[rows].astype(str),
                "group": inp.row_group[rows].astype(str),
                "target": inp.target[rows],
                "target_date": [self._label(int(m)) for m in inp.due[rows]],
                "plan_stock_at_date": inp.plan_stock[rows, inp.due[rows]],
                "plan_met_by_date": inp.plan_stock[rows, inp.due[rows]] >= inp.threshold[rows],
                "probability": self.probability(),
                "ci_low": low,
                "ci_high": high,
                "p_within_horizon": 1.0 - never.mean(axis=0),
                "month_met_p05": [
                    self._quantile_label(month_q[:, j], 0.05) for j in range(len(rows))
                ],
                "month_met_p50": [
                    self._quantile_label(month_q[:, j], 0.5) for j in range(len(rows))
                ],
                "month_met_p95": [
                    self._quantile_label(month_q[:, j], 0.95) for j in range(len(rows))
                ],
                "stock_at_date_p05": np.quantile(self.outcome.at_due[:, rows], 0.05, axis=0),
                "stock_at_date_p50": np.quantile(self.outcome.at_due[:, rows], 0.5, axis=0),
                "p_demand_short": self.outcome.short[:, rows].mean(axis=0),
            }
        )
        # the targets the plan meets come first, least likely to hold first
        frame = frame.sort_values(
            ["plan_met_by_date", "probability", "ally", "group"],
            ascending=[False, True, True, True],
        ).reset_index(drop=True)
        frame.attrs["units"] = {"target": "units", "plan_stock_at_date": "units"}
        return frame

    def _label(self, month: int) -> str:
        return month_label(month, self.inputs.start)

    def _quantile_label(self, months: np.ndarray, q: float) -> str:
        value = np.sort(months)[min(len(months) - 1, int(np.ceil(q * len(months))) - 1)]
        if value == np.iinfo(np.int64).max:
            return NOT_WITHIN_HORIZON
        return self._label(int(value))

    @cached_property
    def month_met(self) -> pd.DataFrame:
        """For each target and month: the probability that it is met (and holds to the
        end of the horizon) from that month on: the distribution of the month it is met."""
        inp, rows = self.inputs, self.inputs.target_rows
        months = self.outcome.month_met[:, rows]
        t = np.arange(inp.horizon)
        frames = []
        for j, i in enumerate(rows):
            m = months[:, j]
            by = ((m[:, None] >= 0) & (m[:, None] <= t[None, :])).mean(axis=0)
            frames.append(
                pd.DataFrame(
                    {
                        "ally": str(inp.row_ally[i]),
                        "group": str(inp.row_group[i]),
                        "month": t,
                        "month_label": [self._label(int(x)) for x in t],
                        "p_met_by": by,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # --------------------------------------------------------------------- aid
    @cached_property
    def aid(self) -> pd.DataFrame:
        """Probability that each donor's aid is served in full over the horizon (and
        all donors' together, as 'all')."""
        inp = self.inputs
        has_aid = inp.aid.sum(axis=1) > 0
        rows = []
        donors = sorted({str(a) for a in inp.row_ally[has_aid]})
        for donor in [*donors, "all"] if donors else []:  # no aid: nothing to serve
            mask = has_aid & ((inp.row_ally == donor) if donor != "all" else True)
            full = ~self.outcome.aid_short[:, mask].any(axis=1)
            low, high = wilson(np.array([full.sum()]), self.futures)
            rows.append(
                {
                    "donor": donor,
                    "aid_per_horizon": float(inp.aid[mask].sum()),
                    "p_served_in_full": float(full.mean()),
                    "ci_low": float(low[0]),
                    "ci_high": float(high[0]),
                }
            )
        columns = ["donor", "aid_per_horizon", "p_served_in_full", "ci_low", "ci_high"]
        return pd.DataFrame(rows, columns=columns)

    # ------------------------------------------------------------------- fans
    @cached_property
    def fan(self) -> pd.DataFrame:
        """Quantiles of stock by target and month, with the plan's path and the target."""
        inp, rows = self.inputs, self.inputs.target_rows
        paths = self.outcome.paths
        if paths is None or len(rows) == 0:
            return pd.DataFrame()
        q = np.quantile(paths, FAN_QUANTILES, axis=0)  # (5, targets, T)
        t = np.arange(inp.horizon)
        frames = []
        for j, i in enumerate(rows):
            data: dict[str, Any] = {
                "ally": str(inp.row_ally[i]),
                "group": str(inp.row_group[i]),
                "month": t,
                "month_label": [self._label(int(x)) for x in t],
                "target": inp.target[i],
                "plan": inp.plan_stock[i],
            }
            for k, level in enumerate(FAN_QUANTILES):
                data[f"q{int(level * 100):02d}"] = q[k, j]
            frames.append(pd.DataFrame(data))
        return pd.concat(frames, ignore_index=True)

    # ------------------------------------------------------------ sensitivity
    @cached_property
    def sensitivity(self) -> pd.DataFrame:
        """Each risk switched off in turn on the same random numbers: how much the
        probabilities rise [percentage points], largest mean rise first."""
        inp, rows = self.inputs, self.inputs.target_rows
        met = self.met()
        out = []
        for name, outcome in self.switched_off.items():
            n = outcome.at_due.shape[0]  # the first n futures, on the same numbers
            base = met[:n].mean(axis=0)
            change = 100.0 * (self.probability(outcome) - base)
            j = int(np.argmax(np.abs(change))) if len(change) else 0
            out.append(
                {
                    "risk": name,
                    "mean_change_pp": float(change.mean()) if len(change) else 0.0,
                    "largest_change_pp": float(change[j]) if len(change) else 0.0,
                    "target_most_moved": (
                        f"{inp.row_ally[rows[j]]} {inp.row_group[rows[j]]}" if len(change) else ""
                    ),
                    "targets_moved": int((np.abs(change) > 0).sum()),
                }
            )
        frame = pd.DataFrame(
            out,
            columns=[
                "risk",
                "mean_change_pp",
                "largest_change_pp",
                "target_most_moved",
                "targets_moved",
            ],
        )
        return frame.sort_values("mean_change_pp", ascending=False).reset_index(drop=True)

    # ---------------------------------------------------------------- summary
    def summary(self) -> dict[str, Any]:
        t = self.targets
        aid_all = self.aid[self.aid["donor"] == "all"]
        return {
            "scenario": self.plan.scenario_name,
            "futures": self.futures,
            "seed": self.seed,
            "targets": len(t),
            "expected_targets_met_by_date": float(t["probability"].sum()),
            "plan_targets_met_by_date": int(t["plan_met_by_date"].sum()),
            # surely: the lower end of the 95 % interval, not the estimate, at 90 %
            "targets_at_90pct_or_more": int(surely_reaches(t["ci_low"], 0.9).sum()),
            "p_all_aid_served": float(aid_all["p_served_in_full"].iloc[0])
            if len(aid_all)
            else None,
            "chunk_futures": self.chunk,
            "memory_bound_mib": round(self.memory_mb, 1),
            "seconds": round(self.seconds, 3),
            "sensitivity_futures": min(
                (o.at_due.shape[0] for o in self.switched_off.values()), default=0
            ),
            "fan_futures": 0 if self.outcome.paths is None else int(self.outcome.paths.shape[0]),
            "risks": self.risks.model_dump(mode="json"),
        }

    def at_risk(self, n: int) -> pd.DataFrame:
        """The ``n`` targets most at risk: of those the plan meets by their date, the
        least likely to be met in the futures (the plan's own misses after them)."""
        return self.targets.head(n)

    def save(self, folder: Path) -> Path:
        """Write the tables (CSV and Parquet) and ``summary.json``; the fan charts are
        drawn by :func:`materiel.report.fan.write_simulation`."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name in ("targets", "month_met", "aid", "fan", "sensitivity"):
                frame: pd.DataFrame = getattr(self, name)
                frame.to_csv(folder / f"{name}.csv", index=False, float_format="%.6g")
                clean = frame.copy()
                clean.attrs = {}
                clean.to_parquet(folder / f"{name}.parquet", index=False)
            (folder / "summary.json").write_text(
                json.dumps(self.summary(), indent=2), encoding="utf-8"
            )
        except OSError as exc:
            raise InputError(f"cannot write the simulation to {folder}: {exc}") from exc
        return folder
