"""Writing a plan to a folder: Parquet and CSV tables, an XLSX workbook, charts, HTML."""

from __future__ import annotations

import base64
import html
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from materiel.errors import InputError
from materiel.planner import PlanResult
from materiel.report import charts, words
from materiel.report.fan import write_simulation
from materiel.simulation import TARGET_COLUMNS

if TYPE_CHECKING:
    from materiel.planner import Plan
    from materiel.simulation import Simulation


@dataclass(frozen=True)
class ReportFiles:
    """Paths of what was written."""

    folder: Path
    html: Path
    workbook: Path
    tables: dict[str, Path]
    charts: dict[str, Path]


def plan_tables(result: PlanResult) -> dict[str, pd.DataFrame]:
    """Every table of a plan, by file stem."""
    tables = {
        "contracts": result.contracts,
        "targets": result.targets,
        "spending": result.spending(),
        "capacity_added": result.capacity_added(),
        "supply_added": result.supply_added(),
        "expansion_funding": result.expansion_funding(),
        "capacity_by_month": result.capacity_by_month(),
        "orders": result.orders(),
        "stock": result.stock_table(),
        "unmet_demand": result.unmet_demand,
        "unmet_by_year": result.unmet_by_year(),
        "aid_served": result.aid_served(),
        "aid_requirements": result.aid_requirements(),
        "aid_by_donor": result.aid_by_donor(),
        "aid_allocation": result.aid_allocation(),
        "line_closures": result.line_closures(),
        "bottlenecks": _with_words(result),
    }
    if result.pooling is not None:
        tables["pooling"] = result.pooling
    tables["suppliers"] = result.suppliers()
    tables["supply_chain"] = result.supply_chain()
    tables["qualifications"] = result.qualifications()
    tables["work_share"] = result.work_share()
    return tables


#: Long monthly series: in the Parquet and CSV files, not in the workbook.
MONTHLY = ("capacity_by_month", "stock", "unmet_demand", "aid_allocation")

_QUANTITIES = {"units", "units/month", "months", "target-months", "-"}


def rounded(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """A table rounded to the precision of each column's unit, for CSV and XLSX.

    Money [currency] to whole units, percentages to 0.01, quantities [units,
    units/month, months, target-months, shares] to 0.001, anything else to six
    significant digits; no negative zeros. Parquet files keep full precision.
    """
    units = frame.attrs.get("units", {}) if isinstance(frame.attrs.get("units"), dict) else {}
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_float_dtype(out[column]):
            continue
        unit = units.get(column)
        values = out[column].to_numpy(dtype=float)
        if unit == currency or column in ("amount", "total", "budget"):
            values = np.round(values, 0)
        elif str(column).endswith("_pct"):
            values = np.round(values, 2)
        elif unit in _QUANTITIES or (unit is None and _looks_like_quantity(str(column))):
            values = np.round(values, 3)
        else:
            values = _significant(values, 6)
        out[column] = values + 0.0
    return out


def _looks_like_quantity(column: str) -> bool:
    words = ("quantity", "stock", "target", "initial", "demand", "served", "unmet", "aid")
    return any(word in column for word in words) or column in ("capacity", "output", "added")


def _significant(values: np.ndarray, digits: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.where(values != 0, np.floor(np.log10(np.abs(values))), 0)
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.where(np.isfinite(values), np.round(values * scale) / scale, values)


def real_targets(targets: pd.DataFrame, confidence: pd.DataFrame) -> pd.DataFrame:
    """A plan made to a confidence level was made for buffered levels: its targets table
    says both, the real target and the level planned to (met and short are of the latter)."""
    real = confidence.set_index(["ally", "group"])["target"]
    out = targets.copy()
    out.insert(int(out.columns.get_loc("target")) + 1, "planned_level", out["target"])
    out["target"] = [
        float(real.get((a, g), level))
        for a, g, level in zip(out["ally"], out["group"], out["planned_level"], strict=True)
    ]
    units = dict(targets.attrs.get("units", {}))
    if "target" in units:
        units["planned_level"] = units["target"]
    out.attrs = {**targets.attrs, "units": units}
    return out


def _with_words(result: PlanResult) -> pd.DataFrame:
    frame = result.bottlenecks.copy()
    frame["words"] = words.bottleneck_words(result)
    return frame


def _safe_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v
            )
    return out


def table_bytes(rows: list[dict[str, Any]], fmt: str, sheet: str) -> bytes:
    """One table's rows as a file to download: ``csv`` (UTF-8) or ``xlsx`` (one sheet
    named ``sheet``), text a spreadsheet would run as a formula prefixed with a quote
    in both. The same rows make the same bytes (a strong ETag names them)."""
    frame = _safe_for_spreadsheet(pd.DataFrame.from_records(rows))
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8")
    if fmt != "xlsx":
        raise InputError(f"format {fmt!r}: csv or xlsx")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31] or "table", index=False)
    return _timeless(buffer.getvalue())


#: The time a workbook's files and properties are given: the earliest a zip file holds.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_STAMPED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")


def _timeless(workbook: bytes) -> bytes:
    """The workbook with the times in it (its files' in the zip, its properties'
    created and modified, which openpyxl sets to now) set to :data:`_EPOCH`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = _STAMPED.sub(rb"\g<1>1980-01-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    return out.getvalue()


def write_report(
    result: PlanResult,
    folder: Path,
    *,
    simulation: Simulation | None = None,
    confidence: pd.DataFrame | None = None,
    plan: Plan | None = None,
    aid_what_ifs: pd.DataFrame | None = None,
) -> ReportFiles:
    """Write everything about a plan into ``folder`` (created if needed).

    With a ``simulation`` of the plan, the report gains a risk section and the
    simulation's tables go to ``folder/simulation``; ``confidence`` is the table of a
    plan made to a confidence level; ``plan`` replaces the plan folder's plan (one made
    to a confidence level records its buffers); ``aid_what_ifs`` the coordinators'
    what-ifs (:func:`materiel.planner.aid_what_ifs`), written as ``aid_what_ifs.csv``
    and shown in the report's aid section.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {folder}: {exc}") from exc
    tables = plan_tables(result)
    if aid_what_ifs is not None:
        tables["aid_what_ifs"] = aid_what_ifs
    if confidence is not None and len(confidence):
        tables["targets"] = real_targets(tables["targets"], confidence)
    paths: dict[str, Path] = {}
    currency = result.scenario.meta.currency
    for stem, frame in tables.items():
        clean = frame.copy()
        clean.attrs = {}
        clean.to_parquet(folder / f"{stem}.parquet", index=False)
        shown = rounded(frame, currency)
        shown.attrs = {}
        shown.to_csv(folder / f"{stem}.csv", index=False)
        paths[stem] = folder / f"{stem}.csv"
    workbook = folder / "plan.xlsx"
    with pd.ExcelWriter(workbook, engine="openpyxl") as writer:
        _summary_frame(result).to_excel(writer, sheet_name="summary", index=False)
        for stem, frame in tables.items():
            if stem in MONTHLY:
                continue
            shown = _safe_for_spreadsheet(rounded(frame, currency))
            shown.to_excel(writer, sheet_name=stem[:31], index=False)
    pictures = {
        "stock_vs_target": charts.stock_vs_target(result, folder / "stock_vs_target.png"),
        "capacity": charts.capacity_over_time(result, folder / "capacity.png"),
        "spending": charts.spending_by_year(result, folder / "spending.png"),
    }
    (plan or result.plan).save(folder / "plan")
    risk = None
    if simulation is not None:
        write_simulation(simulation, folder / "simulation")
        pictures["fan"] = folder / "simulation" / "fan_chart.png"
        risk = _risk_section(simulation, confidence)
    page = folder / "report.html"
    page.write_text(render_html(result, tables, pictures, risk), encoding="utf-8")
    return ReportFiles(folder=folder, html=page, workbook=workbook, tables=paths, charts=pictures)


def _summary_frame(result: PlanResult) -> pd.DataFrame:
    totals = result.totals()
    rows = [
        ("scenario", result.scenario.name),
        ("start", result.scenario.start),
        ("horizon [months]", result.scenario.horizon),
        *totals.items(),
    ]
    if result.pooling is not None:
        rows += [
            (f"pooling: {k}", v)
            for k, v in result.pooling.attrs.items()
            if isinstance(v, str | int | float | bool)
        ]
    rows = [(k, round(v, 6) + 0.0 if isinstance(v, float) else v) for k, v in rows]
    return pd.DataFrame(rows, columns=["what", "value"]).astype({"value": str})


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.3g}"
    return "" if value is None else str(value)


def _html_table(frame: pd.DataFrame, limit: int | None = None) -> str:
    """An escaped HTML table (every cell through html.escape)."""
    shown = frame if limit is None else frame.head(limit)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    note = (
        f"<p class='note'>{len(frame) - limit} more rows in the CSV file.</p>"
        if limit is not None and len(frame) > limit
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


def _largest_contracts(contracts: pd.DataFrame) -> pd.DataFrame:
    """The contracts for the page: the largest by value first, without the long columns."""
    columns = [
        "contract",
        "buyers",
        "line",
        "item",
        "rate",
        "first_delivery",
        "last_delivery",
        "quantity",
        "value",
    ]
    return contracts.sort_values("value", ascending=False)[columns]


def _funding_by_ally(funding: pd.DataFrame) -> pd.DataFrame:
    """Who pays for expansions: by payer, line or component, all years together."""
    if funding.empty:
        return pd.DataFrame(columns=["ally", "kind", "for", "share", "amount"])
    out = funding.groupby(["ally", "kind", "for"], as_index=False).agg(
        share=("share", "first"), amount=("amount", "sum")
    )
    return out.sort_values("amount", ascending=False).reset_index(drop=True)


def _risk_section(sim: Simulation, confidence: pd.DataFrame | None) -> dict[str, object]:
    """What the report's risk section shows."""
    columns = [c for c in TARGET_COLUMNS if c != "p_within_horizon"]
    return {
        "summary": sim.summary(),
        "targets": _html_table(sim.targets[columns], limit=20),
        "aid": _html_table(sim.aid),
        "sensitivity": _html_table(sim.sensitivity) if len(sim.sensitivity) else "",
        "confidence": _html_table(confidence, limit=30) if confidence is not None else "",
        "risks": [
            *(
                (name, getattr(sim.risks, name).source)
                for name in type(sim.risks).model_fields
                if hasattr(getattr(sim.risks, name), "source")
            ),
            ("catch_up", _CATCH_UP[sim.risks.catch_up]),
        ],
    }


_CATCH_UP = {
    True: "a line behind its planned output makes it up later from its spare capacity",
    False: "output lost is never made up",
}


def _coordination(frame: pd.DataFrame) -> pd.DataFrame:
    """The coordinator's table: each requirement, who fills it, when, what is left."""
    columns = ["recipient", "item", "start", "end", "required", "given", "from_stock"]
    columns += ["from_new", "unmet", "months_met", "months", "month_met", "donors"]
    return frame[columns] if len(frame) else frame


def _donors(frame: pd.DataFrame) -> pd.DataFrame:
    """Donors who give, and their figures against fair share and baseline."""
    if not len(frame):
        return frame
    columns = ["donor", "gdp_share_pct", "value_given", "fair_share_value"]
    columns += ["given_vs_fair_pct", "value_per_year", "baseline_eur_per_year"]
    return frame[frame["value_given"] > 0][columns]


def render_html(
    result: PlanResult,
    tables: dict[str, pd.DataFrame],
    pictures: dict[str, Path],
    risk: dict[str, object] | None = None,
) -> str:
    """A self-contained HTML page: charts embedded as data URIs, no external assets."""
    env = Environment(
        loader=PackageLoader("materiel.report", "templates"), autoescape=select_autoescape(["html"])
    )
    images = {
        name: base64.b64encode(path.read_bytes()).decode("ascii") for name, path in pictures.items()
    }
    targets = tables["targets"]
    columns = [
        "ally",
        "label",
        "target",
        *(["planned_level"] if "planned_level" in targets.columns else []),
        "target_date",
        "stock_at_date",
        "met_by_date",
        "month_met",
        "shortfall_at_date",
        "shortfall_at_date_pct",
        "ally_total_spending",
    ]
    spend = tables["spending"].groupby("ally", as_index=False)[["total", "budget"]].sum()
    assumptions = result.scenario.assumption_share()
    return env.get_template("plan.html").render(
        scenario=result.scenario,
        totals=result.totals(),
        targets_table=_html_table(targets[columns] if len(targets) else targets),
        spending_table=_html_table(spend.sort_values("total", ascending=False)),
        capacity_table=_html_table(tables["capacity_added"]),
        funding_table=_html_table(_funding_by_ally(tables["expansion_funding"])),
        funding_rule=result.scenario.meta.policy.expansion_funding,
        demand_sentence=words.demand_sentence(result),
        aid_table=_html_table(tables["aid_served"]),
        requirements_table=_html_table(_coordination(tables["aid_requirements"])),
        donors_table=_html_table(_donors(tables["aid_by_donor"]), limit=32),
        whatifs_table=_html_table(tables["aid_what_ifs"]) if "aid_what_ifs" in tables else "",
        policy=result.scenario.meta.policy,
        unmet_table=_html_table(tables["unmet_by_year"][lambda f: f["unmet"] > 1e-6], limit=15),
        bottlenecks=words.bottleneck_words(result)[:10],
        contracts_table=_html_table(_largest_contracts(tables["contracts"]), limit=20),
        contracts_count=len(tables["contracts"]),
        pooling=(
            words.pooling_sentence(result.pooling.attrs) if result.pooling is not None else None
        ),
        supply_chain=words.supply_chain_words(
            tables["supply_chain"], result.scenario.meta.currency
        ),
        supply_table=_html_table(tables["supply_chain"]),
        standardisation=words.standardisation_sentence(result),
        qualifications_table=_html_table(tables["qualifications"]),
        work_share=words.work_share_sentence(tables["work_share"], result.scenario.meta.currency),
        work_share_table=_html_table(tables["work_share"]),
        assumptions=assumptions,
        images=images,
        risk=risk,
    )
