"""Sentences a planner reads: unmet demand and the value of pooling.

Drawn from a plan's tables only, in measures that are the same for every optimal plan
where a comparison is made.
"""

from __future__ import annotations

from materiel.planner.result import PlanResult
from materiel.units import human


def demand_sentence(result: PlanResult) -> str:
    """Unmet demand in one sentence: the total, aid by recipient, the worst case."""
    totals = result.totals()
    demand = float(totals["demand_total"])
    if demand <= 0:
        return "No consumption or aid in this scenario."
    unmet = float(totals["unmet_demand_total"])
    if unmet <= 1e-6 * demand:
        return f"Demand served in full: {demand:,.0f} units of consumption and aid."
    text = f"Unmet demand: {unmet:,.0f} of {demand:,.0f} units ({100 * unmet / demand:.1f}%)"
    aid = result.aid_served()
    for recipient, rows in aid.groupby("recipient"):
        asked, short = float(rows["aid"].sum()), float(rows["unmet"].sum())
        text += f"; aid to {recipient}: {short:,.0f} of {asked:,.0f} units not delivered"
        worst = rows.sort_values("unmet_pct", ascending=False).iloc[0]
        if short > 0:
            text += f" (worst: {worst['label']}, {worst['unmet_pct']:.0f}%)"
    worst = result.unmet_by_year().iloc[0]
    text += (
        f"; worst case {worst['ally']} {worst['label']} {int(worst['year'])}: "
        f"{worst['unmet']:,.0f} of {worst['demand']:,.0f} unmet"
    )
    return text + "."


def pooling_sentence(p: dict[str, object]) -> str:
    """What pooling is worth, in measures that are the same for every optimal plan."""
    currency = p["currency"]
    gain = float(p["shortfall_gain"])  # type: ignore[arg-type]
    before = float(p["objective_alone"])  # type: ignore[arg-type]
    if abs(gain) <= 1e-6 * max(1.0, abs(before)):
        shortfall = f"the same weighted shortfall ({before:,.4g} target-months)"
    else:
        shortfall = (
            f"weighted shortfall {float(p['objective_pooled']):,.4g} pooled vs "  # type: ignore[arg-type]
            f"{before:,.4g} alone [target-months], "
            f"{'lower' if gain > 0 else 'higher'} with pooling"
        )
    text = (
        f"Spending {human(float(p['spending_pooled']))} pooled vs "  # type: ignore[arg-type]
        f"{human(float(p['spending_alone']))} alone ({currency}), pooling saves "  # type: ignore[arg-type]
        f"{human(float(p['money_saved']))}; {shortfall}"  # type: ignore[arg-type]
    )
    if not p["has_tiers"]:
        text += " (no volume price tiers in this scenario, so pooling changes no price)"
    if p["comparison_status"] != "optimal":
        text += (
            f" (comparison solve: {p['comparison_status']}, "
            f"MIP gap {float(p['comparison_mip_gap']):g})"  # type: ignore[arg-type]
        )
    return text + "."
