"""Alternatives near the optimum, side by side: ``alternatives.csv``, each plan's folder
(the tables ``materiel plan`` writes) and ``alternatives.html``, in words."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from materiel.errors import InputError
from materiel.planner import Alternatives
from materiel.report.write import _html_table, rounded, write_report
from materiel.units import human

ORDINALS = ("best", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")

#: How each measure's change is said: (more, less), before the place's name.
_SAID = {
    "hosts": ("adds capacity in", "instead of"),
    "money": ("spends more in", "and less in"),
    "pooled": ("orders more on", "and less on"),
}


@dataclass(frozen=True)
class AlternativeFiles:
    folder: Path
    table: Path
    html: Path
    plans: list[Path]


def _ordinal(k: int) -> str:
    return ORDINALS[k] if k < len(ORDINALS) else f"{k + 1}th"


def _namer(alts: Alternatives) -> dict[str, str]:
    scenario = alts.scenario
    if alts.measure == "pooled":
        lines = scenario.table("lines").set_index("id")
        items = scenario.table("items").set_index("code")
        return {
            str(code): f"{code} ({row['producer']}, {items.at[row['item'], 'name']})"
            for code, row in lines.iterrows()
        }
    allies = scenario.table("allies").set_index("code")
    return {str(code): str(row["name"]) for code, row in allies.iterrows()}


def _places(changes: pd.Series, names: dict[str, str], limit: int = 2) -> str:
    parts = [names.get(str(u), str(u)) for u in changes.index[:limit]]
    more = len(changes) - limit
    text = " and ".join(parts) if len(parts) <= 2 else ", ".join(parts)
    return text + (f" (and {more} more)" if more > 0 else "")


def plan_sentence(alts: Alternatives, k: int) -> str:
    """How plan k differs from the optimum in the measure, in words: "the second adds
    capacity in Poland instead of Germany"."""
    best, plan = alts.plans[0], alts.plans[k]
    names = _namer(alts)
    change = plan.measure.sub(best.measure, fill_value=0.0)
    scale = max(float(best.measure.abs().sum()), float(plan.measure.abs().sum()), 1.0)
    up = change[change > 1e-3 * scale].sort_values(ascending=False)
    down = change[change < -1e-3 * scale].sort_values()
    more, less = _SAID[alts.measure]
    head = f"the {_ordinal(k)}"
    if len(up) and len(down):
        return f"{head} {more} {_places(up, names)} {less} {_places(down, names)}"
    if len(up):
        return f"{head} {more} {_places(up, names)} as well"
    if len(down):
        word = {"hosts": "adds less capacity in", "money": "spends less in"}.get(
            alts.measure, "orders less on"
        )
        return f"{head} {word} {_places(down, names)}"
    return f"{head} differs from the best in other ways only"


def headline(alts: Alternatives) -> str:
    """ "three plans within 2 % of the best: the second adds capacity in Poland instead
    of Germany; the third ..."."""
    count = len(alts.plans)
    numbers = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    said = numbers[count] if count < len(numbers) else str(count)
    text = (
        f"{said.capitalize()} plan{'s' if count != 1 else ''} within {100 * alts.slack:g} % "
        "of the best in weighted shortfall and cost"
    )
    if count == 1:
        text += ": no other plan within the slack differs in this measure."
    else:
        text += ": " + "; ".join(plan_sentence(alts, k) for k in range(1, count)) + "."
    return text + dropped_sentence(alts)


def dropped_sentence(alts: Alternatives) -> str:
    """ " 2 alternatives dropped: ..." where rounding to whole lots kept none within the
    slack; empty where none was dropped."""
    n = len(alts.dropped)
    if not n:
        return ""
    return (
        f" {n} alternative{'s' if n != 1 else ''} dropped: rounding to whole lots found no "
        f"plan within the slack ({'; '.join(alts.dropped)})."
    )


def side_by_side(alts: Alternatives) -> pd.DataFrame:
    """One row per unit (ally or line) a plan uses, one column per plan."""
    frame = pd.DataFrame({f"plan {p.plan_id}": p.measure for p in alts.plans}).fillna(0.0)
    scale = max(float(frame.abs().to_numpy().sum()), 1.0)
    frame = frame[(frame.abs() > 1e-6 * scale).any(axis=1)]
    names = _namer(alts)
    frame.insert(0, "name", [names.get(str(u), str(u)) for u in frame.index])
    return frame.rename_axis("unit").reset_index()


def check_out_folder(folder: Path) -> None:
    """Refuse, before anything is solved, an output folder that cannot be made: a file,
    or a folder under a file (nothing is written here)."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise InputError(
                    f"cannot create the output folder {folder}: {path} is a file, not a folder"
                )
            return


def write_alternatives(alts: Alternatives, folder: Path) -> AlternativeFiles:
    """Write ``alternatives.csv``, ``plan-K/`` (the report ``materiel plan`` writes, for
    each plan, the optimum as plan-0) and ``alternatives.html`` into ``folder``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {folder}: {exc}") from exc
    currency = alts.scenario.meta.currency
    table = alts.table()
    shown = rounded(table, currency)
    shown.attrs = {}
    path = folder / "alternatives.csv"
    shown.to_csv(path, index=False)
    plans = [write_report(p.result, folder / f"plan-{p.plan_id}").folder for p in alts.plans]
    page = folder / "alternatives.html"
    page.write_text(_page(alts, table), encoding="utf-8")
    return AlternativeFiles(folder=folder, table=path, html=page, plans=plans)


def _lots_note(alts: Alternatives) -> str:
    if not alts.whole_lots:
        return (
            "Every plan here is the LP relaxation (fractional lots, policy.whole_lots "
            "off), the optimum included."
        )
    return (
        "Every plan here is in whole lots (items.lot), the optimum as <code>materiel "
        "plan</code> gives it: each alternative is found on the LP relaxation, then planned "
        "as the optimum is, with its measure held, within the slack of the optimum in "
        "whole lots."
    )


def _page(alts: Alternatives, table: pd.DataFrame) -> str:
    from materiel.planner import MEASURES

    currency = alts.scenario.meta.currency
    summary = table[
        [
            "plan",
            "found_by",
            "weighted_shortfall",
            "shortfall_slack_used",
            "cost",
            "cost_slack_used",
        ]
    ].copy()
    summary["shortfall_slack_used"] = [f"{100 * v:.2f} %" for v in summary["shortfall_slack_used"]]
    summary["cost_slack_used"] = [f"{100 * v:.2f} %" for v in summary["cost_slack_used"]]
    summary["cost"] = [f"{human(float(v))} {currency}" for v in summary["cost"]]
    title = f"Alternatives near the optimum: {alts.scenario.name}"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
        "text-align:right}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(headline(alts))}</p>"
        f"<p class='note'>Measure: {html.escape(alts.measure)}, the "
        f"{html.escape(MEASURES[alts.measure])}. {_lots_note(alts)} Each plan's "
        "folder <code>plan-K/</code> holds the tables <code>materiel plan</code> writes. "
        "The weighted shortfall is read back from each plan's stock, unmet demand and "
        "requirements unmet.</p>"
        f"<h2>The plans</h2>{_html_table(summary)}"
        f"<h2>Side by side</h2>{_html_table(side_by_side(alts))}"
        "</body></html>"
    )
