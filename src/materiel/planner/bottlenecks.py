"""What binds: limits ranked by shadow price, and what relaxing them is worth.

Shadow prices of different constraints have different units (per unit of capacity, per
unit of currency), so each is turned into the same measure: the first-order change of
the objective [target-months] if the limit were 10 % larger. The top few are then
re-solved with the limit really 10 % larger (warm, see :mod:`materiel.planner.whatif`)
and the change of the weighted shortfall is recorded, in total and by group: measures
that are the same for every optimal plan. Sentences are the report's business.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import xarray as xr

from materiel.errors import SolveError
from materiel.planner import families
from materiel.planner.families import FAMILIES, RELAX
from materiel.planner.solve import Solution, Solved
from materiel.planner.whatif import what_if
from materiel.scenario import ModelInputs, Scenario

_EPS = 1e-9
RANK_COLUMNS = ["kind", "name", "shadow_price", "gain"]
EXPLAIN_COLUMNS = ["increase", "shortfall_before", "shortfall_after", "shortfall_gain"]
#: The plan's table of what binds (:func:`table`): who a limit is, then its measures.
TABLE_COLUMNS = [
    "kind",
    "name",
    "label",
    "unit",
    "ally",
    "lines",
    "shadow_price",
    "gain",
    *EXPLAIN_COLUMNS,
    "unavailable",
]
GROUP_COLUMNS = ["kind", "name", "label", "change"]


def rank(inp: ModelInputs, sol: Solution) -> pd.DataFrame:
    """Binding limits with their first-order value, largest first.

    Columns: kind (line | component | budget | industry_rule), name, shadow_price (sum
    over months or years of the dual, objective units per unit of the limit), gain
    (first-order objective improvement from a 10 % larger limit [target-months]).
    """
    rows: list[dict[str, object]] = []
    for family in FAMILIES:
        dual = sol.duals.get(family.constraint)
        if dual is None or dual.size == 0:
            continue
        magnitude = abs(dual.fillna(0.0))
        size = family.size(inp, sol.values)
        gain = (magnitude * RELAX * abs(size)).broadcast_like(magnitude)
        others = [d for d in magnitude.dims if d != family.dim]
        price = magnitude.sum(others) if others else magnitude
        gain_sum = gain.sum(others) if others else gain
        for name in magnitude.coords[family.dim].values:
            rows.append(
                {
                    "kind": family.kind,
                    "name": str(name),
                    "shadow_price": float(price.sel({family.dim: name})),
                    "gain": float(gain_sum.sel({family.dim: name})),
                }
            )
    if not rows:
        return pd.DataFrame(columns=RANK_COLUMNS)
    frame = pd.DataFrame(rows).groupby(["kind", "name"], as_index=False).sum()
    frame = frame[frame["gain"] > _EPS].sort_values("gain", ascending=False)
    frame = frame.reset_index(drop=True)
    frame.attrs["units"] = {"gain": "target-months"}
    return frame


def explain(
    solved: Solved,
    ranked: pd.DataFrame,
    top: int,
    by_group: Callable[[dict[str, xr.DataArray]], pd.Series],
    say: Callable[[str], None],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-solve the top ``top`` limits 10 % larger (warm); the gain in total and by group.

    ``by_group`` turns a plan's shortfall and unmet demand into the weighted shortfall by
    group label. Returns the ranked table with :data:`EXPLAIN_COLUMNS` added (empty
    where not re-solved) and a long table (kind, name, label, change) of the change of
    the weighted shortfall by group, after minus before [target-months].
    """
    ranked = ranked.copy()
    for column in EXPLAIN_COLUMNS:
        ranked[column] = float("nan")
    ranked["unavailable"] = ""
    # What-ifs re-solve the plan's LP (contracts placed and tiers held, lots relaxed):
    # they are measured against that LP, not against the plan in whole lots.
    before = solved.solution.base_objective
    base = by_group(solved.solution.base_values or solved.solution.values)
    changes: list[pd.DataFrame] = []
    done = 0
    for i, row in ranked.iterrows():
        relax = families.relaxation(str(row["kind"]))
        if done >= top or relax is None:
            continue
        done += 1
        say(f"what-if {done}/{top}: {row['kind']} {row['name']} 10% larger")
        try:
            after, values = what_if(solved, relax(solved.inputs, str(row["name"])))
        except SolveError as exc:  # a side solve never costs the plan: marked unavailable
            say(f"what-if {done}/{top} unavailable: {exc}")
            ranked.loc[i, "unavailable"] = str(exc)
            continue
        ranked.loc[i, "increase"] = families.increase(
            solved.inputs, str(row["kind"]), str(row["name"])
        )
        ranked.loc[i, "shortfall_before"] = before
        ranked.loc[i, "shortfall_after"] = after
        ranked.loc[i, "shortfall_gain"] = max(0.0, before - after)
        change = by_group(values).sub(base, fill_value=0.0)
        changes.append(
            pd.DataFrame(
                {
                    "kind": row["kind"],
                    "name": row["name"],
                    "label": change.index.astype(str),
                    "change": change.to_numpy(dtype=float),
                }
            )
        )
    groups = (
        pd.concat(changes, ignore_index=True)
        if changes
        else pd.DataFrame(columns=["kind", "name", "label", "change"])
    )
    ranked.attrs["units"] = {
        "gain": "target-months",
        "shortfall_before": "target-months",
        "shortfall_after": "target-months",
        "shortfall_gain": "target-months",
    }
    return ranked, groups


def relaxed_inputs(inp: ModelInputs, kind: str, name: str) -> ModelInputs | None:
    """Inputs with one limit 10 % larger: the scenario a what-if stands for (for a cold
    solve to compare with); None for a kind no what-if grows."""
    grown = families.KINDS[kind].grown if kind in families.KINDS else None
    return grown(inp, name) if grown is not None else None


def months_gained(base: pd.DataFrame, new: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Months to target before and after, per ally and group; not met counts as H.

    Months come from one of possibly many equally good plans: a table for the record,
    never the headline of a comparison.
    """
    keys = ["ally", "group", "label"]
    merged = base[[*keys, "months_to_target"]].merge(
        new[[*keys, "months_to_target"]], on=keys, suffixes=("_base", "_new")
    )
    before = merged["months_to_target_base"].fillna(horizon)
    after = merged["months_to_target_new"].fillna(horizon)
    merged["gained"] = (before - after).astype(int)
    return merged


def table(inp: ModelInputs, ranked: pd.DataFrame) -> pd.DataFrame:
    """The ranked limits as the plan keeps them (:data:`TABLE_COLUMNS`), in their order:
    each with its display ``label`` and ``unit``, the ``ally`` whose limit it is (a
    budget or work share; empty for a line or component), and the ``lines`` it limits
    (``;``-separated: the line itself, or the lines whose items use a component), which
    say what a limit's binding tells of the lines' output."""
    scenario = inp.scenario
    rows = []
    for row in ranked.to_dict("records"):
        kind, name = str(row["kind"]), str(row["name"])
        kinds = families.KINDS.get(kind)
        rows.append(
            {
                **{c: row.get(c, float("nan")) for c in TABLE_COLUMNS},
                "kind": kind,
                "name": name,
                "label": label(scenario, kind, name),
                "unit": kinds.unit(scenario, name) if kinds is not None else "",
                "ally": name if kind in families.PER_ALLY else "",
                "lines": ";".join(_limited_lines(inp, kind, name)),
                "unavailable": str(row.get("unavailable") or ""),
            }
        )
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    frame.attrs["units"] = {
        c: "target-months"
        for c in ("gain", "shortfall_before", "shortfall_after", "shortfall_gain")
    }
    return frame


def group_table(groups: pd.DataFrame) -> pd.DataFrame:
    """The change of the weighted shortfall by group of each re-solved limit
    (:data:`GROUP_COLUMNS`: kind, name, group label, change [target-months], after minus
    before)."""
    frame = groups.reindex(columns=GROUP_COLUMNS).reset_index(drop=True)
    frame.attrs["units"] = {"change": "target-months"}
    return frame


def label(scenario: Scenario, kind: str, code: str) -> str:
    """A limit's display name: a line with its producer and item, a component by its
    name, an ally by its name and code."""
    lines = scenario.table("lines").set_index("id")
    if kind in ("line", "industry_rule") and code in lines.index:
        items = scenario.table("items").set_index("code")
        row = lines.loc[code]
        return f"{code} ({row['producer']}, {items.at[row['item'], 'name']})"
    comps = scenario.table("components").set_index("code")
    if kind == "component" and code in comps.index:
        return str(comps.at[code, "name"])
    allies = scenario.table("allies").set_index("code")
    return f"{allies.at[code, 'name']} ({code})" if code in allies.index else code


def _limited_lines(inp: ModelInputs, kind: str, name: str) -> list[str]:
    """The lines whose output a limit bounds: a line's own, a component's users'."""
    if kind in ("line", "industry_rule"):
        return [name]
    if kind == "component" and name in inp.bom.coords["component"].values:
        uses = inp.bom.sel(component=name)
        return [str(line) for line in uses.coords["line"].values if float(uses.sel(line=line)) > 0]
    return []
