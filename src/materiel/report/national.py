"""A national plan: one ally's part of an alliance plan, as a self-contained HTML document
(inline CSS and SVG, no external asset) and a PDF of it (WeasyPrint).

It is drawn from what a nation analyst of that ally sees in the workspace and nothing
else: the caller passes the plan's and the scenario's tables already filtered by the
workspace's access rule (:func:`materiel.store.nation_view`), keyed as the rule names
them (``plan.targets``, ``lines``). A table that is absent was not the analyst's to see,
and its section says so in a sentence instead of showing it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from materiel.errors import DataError, InputError
from materiel.report.words import bottleneck_sentences
from materiel.spending import GDP_GROWTH_PCT, MODELLED_PART_PCT, derive

#: The defence spending guidelines drawn against the ally's spending [% of GDP]: the
#: 2 % of 2014, and the 3.5 % (core defence) and 5 % (with resilience) of 2025.
GDP_PATHS = (2.0, 3.5, 5.0)
#: Marks an alliance-total row (materiel.store.TOTAL_KEY / TOTAL): not the ally's own.
TOTAL_KEY, TOTAL = "scope", "ALLIANCE"
EPS = 1e-6


@dataclass(frozen=True)
class NationalSource:
    """What a national plan is drawn from: the ally, its scenario's settings (``meta``:
    ``scenario.yaml``'s fields as JSON), where the plan came from (``origin``, in words)
    and the tables a nation analyst of the ally sees (:func:`materiel.store.nation_view`)."""

    ally: str
    scenario: str
    start: str
    horizon: int
    currency: str
    meta: dict[str, Any]
    origin: str
    tables: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class NationalFiles:
    html: Path
    pdf: Path


def write_national(source: NationalSource, folder: Path) -> NationalFiles:
    """Write ``national-ALLY.html`` and ``national-ALLY.pdf`` into ``folder``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {folder}: {exc}") from exc
    page = render_national(source)
    html_path = folder / f"national-{source.ally}.html"
    pdf_path = folder / f"national-{source.ally}.pdf"
    try:
        html_path.write_text(page, encoding="utf-8")
        pdf_path.write_bytes(national_pdf(page))
    except OSError as exc:
        raise InputError(f"cannot write the national plan into {folder}: {exc}") from exc
    return NationalFiles(html_path, pdf_path)


def national_pdf(page: str) -> bytes:
    """The PDF of a national plan's HTML (WeasyPrint; no URL is fetched: the page has
    no external asset, and any link it might hold is refused). A :class:`DataError`
    when WeasyPrint cannot load the system's Pango (``make pdf-libs`` installs it)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise DataError(
            f"the national plan's PDF needs WeasyPrint and the system's Pango and HarfBuzz "
            f"(Debian: libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; `make pdf-libs` "
            f"installs them): {exc}"
        ) from exc

    def refuse(url: str) -> dict[str, Any]:
        raise ValueError(f"a national plan fetches nothing ({url})")

    return bytes(weasyprint.HTML(string=page, url_fetcher=refuse).write_pdf())


def render_national(source: NationalSource) -> str:
    """The national plan as one self-contained HTML page."""
    env = Environment(
        loader=PackageLoader("materiel.report", "templates"), autoescape=select_autoescape(["html"])
    )
    seen = source.tables
    ally_row = next(
        (r for r in seen.get("allies", []) if str(r.get("code")) == source.ally), {"code": ""}
    )
    spending = _spending(source, ally_row)
    return env.get_template("national.html").render(
        s=source,
        name=str(ally_row.get("name") or source.ally),
        targets=_targets(source),
        contracts=_contracts(source),
        spending=spending,
        chart=Markup(_spending_chart(spending["rows"], source.currency)),
        lines=_lines(source),
        aid=_aid(source),
        work_share=_work_share(source),
        binds=_binds(source, spending["rows"]),
        supply=_supply(source),
    )


# -- the sections ----------------------------------------------------------------------
def own(rows: Iterable[dict[str, Any]], ally: str, column: str = "ally") -> list[dict[str, Any]]:
    """The ally's own rows of a table as the analyst sees it (no alliance totals)."""
    return [r for r in rows if r.get(TOTAL_KEY) != TOTAL and str(r.get(column)) == ally]


def _targets(source: NationalSource) -> dict[str, Any] | None:
    if "plan.targets" not in source.tables:
        return None
    odds = {
        str(r.get("group")): r
        for r in own(source.tables.get("simulation.targets", []), source.ally)
    }
    rows = []
    for r in own(source.tables["plan.targets"], source.ally):
        sim = odds.get(str(r.get("group")))
        rows.append(
            {
                "label": r.get("label") or r.get("group"),
                "target": r.get("target"),
                "target_date": r.get("target_date") or "none",
                "stock_at_date": r.get("stock_at_date"),
                "month_met": r.get("month_met") or "",
                "met_by_date": bool(r.get("met_by_date")),
                "shortfall": r.get("shortfall_at_date"),
                "probability": None if sim is None else sim.get("probability"),
                "median": None if sim is None else sim.get("month_met_p50"),
            }
        )
    return {"rows": rows, "simulated": "simulation.targets" in source.tables}


def _contracts(source: NationalSource) -> dict[str, Any] | None:
    if "plan.contracts" not in source.tables:
        return None
    rows = []
    for r in source.tables["plan.contracts"]:
        buyers = {b.strip() for b in str(r.get("buyers") or "").split(";")}
        if r.get(TOTAL_KEY) == TOTAL or source.ally not in buyers:
            continue
        if abs(float(r.get("quantity") or 0.0)) <= EPS:
            continue  # a pooled contract of which the ally's share is nothing
        others = r.get("other_buyers")
        if others is None:
            others = len(buyers) - 1
        # of a pooled contract, the ally's own part only: never the whole
        rows.append(
            {
                "contract": r.get("contract"),
                "line": r.get("line"),
                "producer": r.get("producer"),
                "item": r.get("item"),
                "first": r.get("first_delivery"),
                "last": r.get("last_delivery"),
                "rate": r.get("rate"),
                "quantity": r.get("quantity"),
                "value": r.get("value"),
                "others": int(others or 0),
            }
        )
    rows.sort(key=lambda r: (str(r["first"]), str(r["contract"])))
    return {
        "rows": rows,
        "quantity": sum(float(r["quantity"] or 0) for r in rows),
        "value": sum(float(r["value"] or 0) for r in rows),
    }


def _spending(source: NationalSource, ally_row: dict[str, Any]) -> dict[str, Any]:
    rows = own(source.tables.get("plan.spending", []), source.ally)
    rows = sorted((dict(r) for r in rows), key=lambda r: int(r["year"]))
    paths, note = gdp_paths(ally_row, source.meta, source.start, source.horizon)
    for r in rows:
        for share in GDP_PATHS:
            r[f"path_{share:g}"] = paths.get((int(r["year"]), share))
    return {"rows": rows, "paths_note": note, "shown": "plan.spending" in source.tables}


def gdp_paths(
    ally: dict[str, Any], meta: dict[str, Any], start: str, horizon: int
) -> tuple[dict[tuple[int, float], float], str]:
    """The ally's budget for the modelled items [currency] by year were it to spend 2 %,
    3.5 % or 5 % of its GDP on defence, by the spending paths' formula
    (:func:`materiel.spending.derive`: GDP x share x equipment share x modelled part,
    with the scenario's GDP growth and modelled part); and a sentence of what it rests
    on, or why there is none (no GDP or equipment share in the allies table)."""
    given = meta.get("spending") or {}
    equipment = given.get("equipment_share")
    equipment = ally.get("equipment_share") if equipment is None else equipment
    if ally.get("gdp") is None or equipment is None:
        return {}, (
            "The allies table gives no GDP or equipment share for this ally: no path of "
            "spending as a share of GDP is drawn."
        )
    by_ally = given.get("gdp_growth_by_ally") or {}
    growth = float(by_ally.get(ally["code"], given.get("gdp_growth", GDP_GROWTH_PCT)))
    part = float(given.get("modelled_part", MODELLED_PART_PCT))
    settings = SimpleNamespace(
        path="current",
        path_by_ally={},
        gdp_growth=growth,
        gdp_growth_by_ally={},
        equipment_share=float(equipment),
        modelled_part=part,
        path_of=lambda _code: "current",
    )
    out: dict[tuple[int, float], float] = {}
    for share in GDP_PATHS:
        held = SimpleNamespace(
            code=ally["code"],
            gdp=float(ally["gdp"]),
            defence_share=share,
            equipment_share=float(equipment),
            source=ally.get("source"),
            assumption=ally.get("assumption", False),
        )
        frame = derive([held], settings, start, horizon)
        for row in frame.itertuples(index=False):
            year = int(row.year)
            out[(year, share)] = float(row.amount) * _months_in(year, start, horizon) / 12.0
    note = (
        f"Each path is the budget for the modelled items were the ally to spend that share "
        f"of its GDP on defence: GDP (allies table, {float(ally['gdp']):,.4g} bn, growing "
        f"{growth:g} % a year) x share x equipment share ({float(equipment):g} %) x the "
        f"modelled part ({part:g} % of equipment spending, an assumption); prorated, as "
        f"budgets are, by the months of the year in the horizon."
    )
    return out, note


def _months_in(year: int, start: str, horizon: int) -> int:
    """The months of ``year`` within the horizon of ``horizon`` months from ``start``.

    >>> _months_in(2024, "2024-07", 120), _months_in(2025, "2024-07", 120)
    (6, 12)
    """
    first = int(start[:4]) * 12 + int(start[5:7]) - 1
    return max(0, min(first + horizon, (year + 1) * 12) - max(first, year * 12))


def _lines(source: NationalSource) -> dict[str, Any] | None:
    if "lines" not in source.tables:
        return None
    hosted = own(source.tables["lines"], source.ally, column="host")
    capacity: dict[str, list[dict[str, Any]]] = {}
    for r in source.tables.get("plan.capacity", []):
        capacity.setdefault(str(r.get("line")), []).append(r)
    rule = str((source.meta.get("policy") or {}).get("expansion_funding") or "host")
    rows = []
    for line in hosted:
        months = sorted(capacity.get(str(line["id"]), []), key=lambda r: int(r["month"]))
        now = float(line.get("capacity") or 0.0)
        if any(m.get("capacity") is None for m in months):
            # its payers' shares fail the disclosure rule (store.funding): the cost and
            # the capacity added would give the other payers' requirements
            hidden = next(m for m in months if m.get("capacity") is None)
            rows.append(
                {
                    "line": line["id"],
                    "item": line.get("item"),
                    "producer": line.get("producer"),
                    "now": now,
                    "end": None,
                    "ceiling": line.get("ceiling"),
                    "added": None,
                    "from": hidden.get("month_label") or "",
                    "cost": None,
                    "payer": (
                        "the allies that stock its group, in proportion to their "
                        "requirement (policy expansion_funding: users); too few pay, or "
                        "one pays most, for its cost to be shown (it would give the "
                        "others' requirements): its own part is in its spending"
                    ),
                }
            )
            continue
        end = float(months[-1]["capacity"]) if months else now
        added = max(0.0, end - now)
        first = next((m for m in months if float(m["capacity"]) > now + EPS), None)
        cost = added * float(line.get("expansion_cost") or 0.0)
        if added <= EPS:
            payer = "no expansion"
        elif rule == "host":
            payer = f"{source.ally} (the host pays, policy expansion_funding: host)"
        else:
            payer = (
                "the allies that stock its group, in proportion to their requirement "
                "(policy expansion_funding: users); the others' parts are not shown"
            )
        rows.append(
            {
                "line": line["id"],
                "item": line.get("item"),
                "producer": line.get("producer"),
                "now": now,
                "end": end,
                "ceiling": line.get("ceiling"),
                "added": added,
                "from": first.get("month_label") if first else "",
                "cost": cost,
                "payer": payer,
            }
        )
    return {"rows": rows, "capacity_shown": "plan.capacity" in source.tables}


def _aid(source: NationalSource) -> dict[str, Any] | None:
    if "plan.aid_by_donor" not in source.tables:
        return None
    return {"rows": own(source.tables["plan.aid_by_donor"], source.ally, column="donor")}


def _work_share(source: NationalSource) -> dict[str, Any] | None:
    """The ally's own row of the work share table, where the plan has the rule (None: no
    rule, or not shown)."""
    rows = own(source.tables.get("plan.work_share", []), source.ally)
    return rows[0] if rows and float(rows[0].get("required_pct") or 0) > 0 else None


def _binds(source: NationalSource, spending: list[dict[str, Any]]) -> dict[str, Any]:
    """What binds for the ally, from what it sees: the years its budget is spent, the
    lines it buys from at their ceiling; and the what-ifs where it may see them."""
    words = []
    for r in spending:
        budget, total = r.get("budget"), r.get("total")
        if budget and total is not None and float(total) >= float(budget) * (1 - 1e-4):
            words.append(
                f"Its budget binds in {r['year']}: it spends {_money(total)} of "
                f"{_money(budget)} {source.currency}."
            )
    lines = {str(r.get("id")): r for r in source.tables.get("lines", [])}
    contracts = _contracts(source)
    bought = sorted({str(c["line"]) for c in (contracts["rows"] if contracts else [])})
    by_line: dict[str, list[dict[str, Any]]] = {}
    for r in source.tables.get("plan.capacity", []):
        by_line.setdefault(str(r.get("line")), []).append(r)
    for line in bought:
        ceiling = float(lines.get(line, {}).get("ceiling") or math.inf)
        full = [
            r
            for r in sorted(by_line.get(line, []), key=lambda r: int(r["month"]))
            if r.get("capacity") is not None
            and float(r["capacity"]) >= ceiling - EPS
            and r.get("output") is not None
            and float(r["output"]) >= float(r["capacity"]) - EPS
        ]
        if full:
            words.append(
                f"Line {line}, which it buys from, runs at its ceiling ({ceiling:,.6g} "
                f"units/month) in {len(full)} months, from {full[0].get('month_label')}."
            )
    # the planner's ranking, of the rows the analyst sees: its own limits (its budget,
    # its work share) and those on the lines it buys from
    limits = [
        r
        for r in source.tables.get("plan.bottlenecks", [])
        if r.get("ally") == source.ally or set(str(r.get("lines") or "").split(";")) & set(bought)
    ]
    return {
        "words": words,
        "whatifs": bottleneck_sentences(limits),
        "whatifs_shown": "plan.bottlenecks" in source.tables,
    }


def _supply(source: NationalSource) -> dict[str, Any]:
    """The components of the items the ally buys, and how their supply is spread, from
    the scenario's tables the analyst sees (bill of materials, suppliers, allies); the
    plan's supply-chain analysis only where the access rule shows it."""
    chain = source.tables.get("plan.supply_chain")
    if any(t not in source.tables for t in ("bom", "suppliers", "allies")):
        return {"chain": chain, "rows": None}
    contracts = _contracts(source)
    items = {str(r["item"]) for r in (contracts["rows"] if contracts else [])}
    allies = {str(r.get("code")) for r in source.tables["allies"]}
    needed = {str(b["component"]) for b in source.tables["bom"] if str(b["item"]) in items}
    rows = []
    for component in sorted(needed):
        suppliers = [s for s in source.tables["suppliers"] if str(s.get("component")) == component]
        rows.append({"component": component, **_spread(suppliers, allies)})
    return {"chain": chain, "rows": rows}


def _spread(suppliers: list[dict[str, Any]], allies: set[str]) -> dict[str, Any]:
    """How a component's supply now is spread: its largest supplier and its share, the
    share from outside the alliance, the countries."""

    def now(s: dict[str, Any]) -> float:
        return float(s.get("capacity") or 0.0)

    total = sum(now(s) for s in suppliers)
    countries = ", ".join(sorted({str(s.get("country")) for s in suppliers}))
    out: dict[str, Any] = {"suppliers": len(suppliers), "countries": countries}
    if total <= EPS:
        return {**out, "largest": None, "outside": None}
    largest = max(suppliers, key=now)
    share = 100 * now(largest) / total
    outside = sum(now(s) for s in suppliers if str(s.get("country")) not in allies)
    named = f"{largest.get('supplier')} ({largest.get('country')}), {share:.0f} %"
    return {**out, "largest": named, "outside": 100 * outside / total}


# -- the chart -------------------------------------------------------------------------
PATH_COLOURS = {2.0: "#2a9d8f", 3.5: "#e9c46a", 5.0: "#e76f51"}


def _spending_chart(rows: list[dict[str, Any]], currency: str) -> str:
    """Spending by year (bars: existing contracts, new orders and expansions), the
    budget (a black tick) and the 2 %, 3.5 % and 5 % paths (dashed ticks), as inline SVG."""
    if not rows:
        return ""
    width, height, left, bottom, top = 640, 260, 70, 30, 20
    columns = ["total", "budget", *(f"path_{s:g}" for s in GDP_PATHS)]
    peak = max(float(r.get(c) or 0) for r in rows for c in columns) or 1.0
    step = (width - left - 10) / len(rows)
    scale = (height - bottom - top) / peak

    def y(value: float) -> float:
        return height - bottom - value * scale

    def tick(x: float, value: Any, colour: str, dashed: bool) -> str:
        if value is None:
            return ""
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        at = y(float(value))
        return (
            f'<line x1="{x + step * 0.1:.1f}" x2="{x + step * 0.9:.1f}" y1="{at:.1f}" '
            f'y2="{at:.1f}" stroke="{colour}" stroke-width="2"{dash}/>'
        )

    def bar(x: float, low: float, high: float, colour: str) -> str:
        return (
            f'<rect x="{x + step * 0.25:.1f}" y="{y(high):.1f}" width="{step * 0.5:.1f}" '
            f'height="{(high - low) * scale:.1f}" fill="{colour}"/>'
        )

    label = html.escape(f"{_money(peak)} {currency}")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="spending by year">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 10}" y2="{y(0):.1f}" stroke="#999"/>',
        f'<text x="4" y="{top}" font-size="10">{label}</text>',
    ]
    for i, r in enumerate(rows):
        x = left + i * step
        existing = float(r.get("existing_contracts") or 0)
        new = float(r.get("new_orders_and_expansion") or 0)
        parts.append(bar(x, 0.0, existing, "#8ab6d6"))
        parts.append(bar(x, existing, existing + new, "#1d5f8a"))
        parts.append(tick(x, r.get("budget"), "#000", False))
        parts += [tick(x, r.get(f"path_{s:g}"), PATH_COLOURS[s], True) for s in GDP_PATHS]
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{height - 10}" font-size="10" '
            f'text-anchor="middle">{int(r["year"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _money(value: Any) -> str:
    number = float(value)
    for size, suffix in ((1e9, " bn"), (1e6, " m"), (1e3, " k")):
        if abs(number) >= size:
            return f"{number / size:,.3g}{suffix}"
    return f"{number:,.0f}"
