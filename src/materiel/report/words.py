"""Sentences a planner reads: unmet demand, recipients' requirements and the value of
pooling.

Drawn from a plan's tables only, in measures that are the same for every optimal plan
where a comparison is made.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from materiel.planner import KINDS, PlanResult
from materiel.units import human


def requirements_sentence(result: PlanResult) -> str | None:
    """Recipients' requirements in one sentence (None without requirements): the
    requirement-months met in full, units asked and unmet, the worst requirement."""
    totals = result.totals()
    if "requirement_months" not in totals:
        return None
    text = (
        f"Requirements: {int(totals['requirement_months_met']):,} of "
        f"{int(totals['requirement_months']):,} requirement-months met in full; "
        f"{float(totals['requirements_unmet_total']):,.0f} of "
        f"{float(totals['requirements_total']):,.0f} units unmet"
    )
    table = result.aid_requirements()
    short = table[table["unmet"] > 0]
    if len(short):
        worst = short.sort_values("unmet_pct", ascending=False).iloc[0]
        text += f" (worst: {worst['recipient']} {worst['item']}, {worst['unmet_pct']:.0f}% unmet)"
    return text + "."


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
    if p.get("unavailable"):
        return f"What pooling is worth is unavailable: {p['unavailable']}."
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
    if not p["has_tiers"] and not p.get("has_min_rates"):
        text += " (no volume price tiers in this scenario, so pooling changes no price)"
    if p["comparison_status"] != "optimal":
        text += f" (comparison solve: {p['comparison_status']})"
    return text + "."


def work_share_sentence(frame: pd.DataFrame, currency: str) -> str | None:
    """What the work share rule costs: "a work share of 50 % costs 3.5 target-months of
    shortfall and 2.4k USD more spending than the plan without it, most for BBB (...)";
    None without the rule."""
    if "work_share" not in frame.attrs:
        if frame.attrs.get("unavailable"):
            return f"The work share's price is unavailable: {frame.attrs['unavailable']}."
        return None
    a = frame.attrs

    def months(value: float) -> str:
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"

    def money(value: float) -> str:
        more = "more" if value >= 0 else "less"
        return f"{human(abs(value))} {currency} {more} spending"

    text = (
        f"A work share of {100 * float(a['work_share']):.0f} % costs "
        f"{months(max(float(a['shortfall_price']), 0.0))} target-months of shortfall and "
        f"{money(float(a['money_price']))} than the plan without it"
    )
    dear = frame.assign(
        weight=frame["shortfall_price"].clip(lower=0) * 1e12 + frame["money_price"].abs()
    ).sort_values("weight", ascending=False)
    dear = dear[(dear["shortfall_price"] > 1e-6) | (dear["money_price"].abs() > 0.5)]
    if len(dear):
        parts = [
            f"{row.ally} ({months(float(row.shortfall_price))} target-months, "
            f"{money(float(row.money_price))})"
            for row in dear.head(3).itertuples()
        ]
        text += ", most for " + ", ".join(parts)
    return text + "."


def bottleneck_words(result: PlanResult) -> list[str]:
    """One sentence per ranked limit, in the order of ``result.bottlenecks``: the
    sentences of the plan's own table of what binds (:func:`bottleneck_sentences`)."""
    return bottleneck_sentences(result.bottleneck_table(), result.bottleneck_group_table())


def bottleneck_sentences(
    limits: pd.DataFrame | list[dict[str, Any]],
    groups: pd.DataFrame | list[dict[str, Any]] | None = None,
) -> list[str]:
    """One sentence per row of a plan's ``bottlenecks`` table, in its order (``groups``:
    its ``bottleneck_groups``), from the rows alone: the report's sentences and the web
    app's, of a stored run's rows as a user may see them.

    A re-solved limit is said in the weighted shortfall before and after, which is the
    same for every optimal plan, and the groups where it fell; the others (and a row
    whose re-solved figures the reader may not see) by their first-order value from the
    shadow price.
    """
    frame = pd.DataFrame(limits)
    changes = pd.DataFrame(groups if groups is not None else [])
    out = []
    for row in frame.to_dict("records"):
        kind, code = str(row["kind"]), str(row["name"])
        display = str(row.get("label") or code)
        before, after = _number(row.get("shortfall_before")), _number(row.get("shortfall_after"))
        if pd.isna(before) or pd.isna(after):  # not re-solved, or not the reader's to see
            what = KINDS[kind].what if kind in KINDS else kind
            out.append(
                f"{what} {display} binds: 10% more is worth about "
                f"{_number(row['gain']):.3g} target-months of shortfall (first-order "
                "estimate from its shadow price)"
            )
            continue
        mine = (
            changes[(changes["kind"] == kind) & (changes["name"] == code)]
            if len(changes)
            else changes
        )
        change = mine.set_index("label")["change"] if len(mine) else pd.Series(dtype=float)
        out.append(
            describe(
                kind,
                display,
                _number(row.get("increase")),
                str(row.get("unit") or ""),
                before,
                after,
                change.astype(float),
            )
        )
    return out


def describe(
    kind: str,
    display: str,
    increase: float,
    unit: str,
    before: float,
    after: float,
    by_group: pd.Series,
) -> str:
    """One sentence for a what-if: the weighted shortfall before and after
    [target-months] and the groups where it fell (``by_group``: after minus before).

    A larger limit cannot make the optimum worse; a rise within solver accuracy is
    reported as no change.
    """
    limit = KINDS[kind]
    head = f"10% {limit.more} {display} (+{increase:{limit.digits}} {unit})"
    gain = before - after
    if gain <= 1e-6 * max(1.0, abs(before)):
        return (
            f"{head} does not lower the weighted shortfall ({before:,.4g} target-months): "
            "something else binds as soon as it grows."
        )
    share = f"{100 * gain / before:.1f}%" if before > 0 else "all of it"
    text = (
        f"{head} lowers the weighted shortfall by {gain:,.4g} target-months "
        f"(from {before:,.4g} to {after:,.4g}, {share})"
    )
    falls = by_group[by_group < -0.05 * gain].sort_values()
    if len(falls):
        parts = [f"{label} {-float(v):,.3g}" for label, v in falls.head(3).items()]
        text += ", most in " + ", ".join(parts)
    return text + "."


def supply_chain_words(register: pd.DataFrame, currency: str) -> list[str]:
    """One sentence per component of the supply-chain register, in its order (worst
    first): "rocket motors: 2 suppliers, 71 % from one; if it stops for six months,
    412 target-months are lost, most in PAC-3 MSE"."""
    out = []
    for row in register.itertuples(index=False):
        count = int(row.suppliers)
        if count == 1 and row.largest_supplier == row.component:
            text = f"{row.name}: one source, its suppliers not listed"
        else:
            text = (
                f"{row.name}: {count} supplier{'s' if count != 1 else ''}, "
                f"{row.largest_share_pct:.0f} % from one ({row.largest_supplier})"
            )
        if row.non_allied_share_pct > 0.05:
            text += f", {row.non_allied_share_pct:.0f} % from non-allied countries"
        loss = _number(row.outage_loss)
        months = int(row.outage_months)
        if pd.isna(loss) and not row.outage_most_in:
            text += ": what an outage costs is not measured"
        elif pd.isna(loss):
            text += f"; what an outage costs is unavailable ({row.outage_most_in})"
        elif loss <= 1e-6:
            text += f"; if it stops for {months} months, no target-month is lost"
        else:
            text += f"; if it stops for {months} months, {loss:,.1f} target-months are lost" + (
                f", most in {row.outage_most_in}" if row.outage_most_in else ""
            )
            removes = _number(row.second_source_removes)
            if row.second_source and not pd.isna(removes) and removes > 1e-6:
                text += (
                    f"; expanding {row.second_source} to its ceiling "
                    f"({human(_number(row.second_source_cost))} {currency}) saves "
                    f"{removes:,.1f} of them"
                )
        out.append(text + ".")
    return out


def _number(value: object) -> float:
    """A figure of a table read back from a store (None where it was NaN)."""
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]


def standardisation_sentence(result: PlanResult) -> str | None:
    """What qualifications are worth: those the plan takes, and the value of
    standardisation (every item of a group qualified for every ally from the start)."""
    table = result.qualifications()
    if table.empty:
        return None
    taken = table[table["taken"].astype(bool)]
    currency = result.scenario.meta.currency
    text = (
        f"{len(table)} item{'s are' if len(table) != 1 else ' is'} not qualified for an "
        f"ally; the plan qualifies {len(taken)}"
    )
    if len(taken):
        text += (
            f" for {human(float(taken['cost_paid'].sum()))} {currency}, worth "
            f"{float(taken['value'].fillna(0.0).sum()):,.1f} target-months"
        )
    value = float(result.standardisation)
    if not pd.isna(value):
        text += (
            f". Rounds that exist but are not qualified where they are needed cost the plan "
            f"{value:,.1f} target-months: what standardisation (every item of a group "
            "qualified for every ally from the start) would save"
        )
    return text + "."
