#!/usr/bin/env python3
"""Build the built-in scenario ``nato-2024`` from the public CSVs and scripts/nato_2024/.

Reads the public figures copied into ``src/materiel/data/public/`` (NATO's June 2024
defence expenditure tables, Kiel Ukraine Support Tracker Release 28, munitions facts)
and the scenario's own rows in ``scripts/nato_2024/`` (CSV tables and YAML rules, every
row with its ``source``, ``assumption`` and ``note``; see its README.md), and writes
``src/materiel/scenario/builtin/nato-2024/*.csv`` and ``scenario.yaml``. Running it twice
gives the same files byte for byte.

    .venv/bin/python scripts/build_nato_2024.py          # write the tables
    .venv/bin/python scripts/build_nato_2024.py --check  # fail if the files differ
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import operator
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from materiel.spending.figures import MODELLED_PART_PCT, budget_amount

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "src" / "materiel" / "data" / "public"
DATA = Path(__file__).resolve().parent / "nato_2024"
OUT = ROOT / "src" / "materiel" / "scenario" / "builtin" / "nato-2024"
FACTS = "munitions_facts.csv"

Row = dict[str, object]

# --------------------------------------------------------------------------------------
# Reading (as text, so figures are copied exactly)
# --------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def public(name: str) -> list[dict[str, str]]:
    return read_csv(PUBLIC / name)


def data(name: str) -> Any:
    """A file of scripts/nato_2024/: rows of a CSV, or the mapping of a YAML file."""
    if name.endswith(".csv"):
        rows = read_csv(DATA / name)
        for n, row in enumerate(rows, start=2):
            if not row["source"] or row["assumption"] not in ("true", "false"):
                raise SystemExit(f"{name}, line {n}: needs a source and assumption true/false")
        return rows
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def nato_2024e(name: str) -> dict[str, str]:
    """iso3 -> the 2024e cell as printed in a NATO table."""
    return {r["iso3"]: r["2024e"] for r in public(name)}


def fact(item: str, metric: str, value: str = "", as_of: str = "") -> dict[str, str]:
    """The one row of munitions_facts.csv with this item and metric whose value contains
    ``value`` and as_of starts with ``as_of`` (fails otherwise, so that a changed facts
    file cannot go unnoticed)."""
    rows = [
        r
        for r in public(FACTS)
        if r["item"] == item
        and r["metric"] == metric
        and value in r["value"]
        and r["as_of"].startswith(as_of)
    ]
    if len(rows) != 1:
        raise SystemExit(
            f"{FACTS}: expected one row {item!r}/{metric!r}/{value!r}, found {len(rows)}"
        )
    return rows[0]


def cite(what: str, item: str, metric: str, value: str = "", as_of: str = "") -> str:
    """'what' plus the fact's as-of, source title, publisher, date and reliability note."""
    r = fact(item, metric, value, as_of)
    return (
        f"{what} ({FACTS}: {item} / {metric}, as of {r['as_of']}; {r['source_title']}; "
        f"{r['publisher']}, {r['source_date']}; {r['reliability_note']})"
    )


PLACEHOLDER = re.compile(r"\{(fact:[^{}]*|\w+)\}")


def fill(template: str, names: dict[str, str]) -> str:
    """``{fact: item | metric | what | value | as_of}`` cited from munitions_facts.csv,
    ``{name}`` taken from ``names``."""

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key.startswith("fact:"):
            item, metric, what, *rest = (p.strip() for p in key[5:].split("|"))
            return cite(what, item, metric, *rest)
        if key not in names:
            raise SystemExit(f"unknown placeholder {{{key}}} in {template!r}")
        return names[key]

    text = PLACEHOLDER.sub(one, template)
    if "{" in text or "}" in text:
        raise SystemExit(f"unfilled placeholder in {text!r}")
    return text


@cache
def citations() -> dict[str, str]:
    """The named citations of citations.yaml (facts resolved)."""
    return {name: fill(text, {}) for name, text in data("citations.yaml").items()}


def render(template: str, **values: object) -> str:
    """A source or note cell filled in: facts, ``{NAME}`` of citations.yaml and
    ``{name}``, a value the script computes for the row."""
    return fill(template, {**citations(), **{k: str(v) for k, v in values.items()}})


OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def formula(text: str) -> float:
    """The value of ``=expression`` (numbers, + - * / and parentheses only)."""

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](ev(node.left), ev(node.right))
        raise SystemExit(f"not a formula of numbers: {text!r}")

    return ev(ast.parse(text.removeprefix("="), mode="eval").body)


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def num(value: float, digits: int = 2) -> str:
    """A figure rounded to ``digits`` decimals, without trailing zeros."""
    text = f"{round(value, digits):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def flag(value: bool) -> str:
    return "true" if value else "false"


def figure(cell: str) -> str:
    """A figure cell: ``=formula`` computed and rounded to 2 decimals, else as written."""
    return num(formula(cell)) if cell.startswith("=") else cell


def provenance(row: dict[str, str], **values: object) -> dict[str, str]:
    """A data row with its source and note filled in."""
    return {
        **row,
        "source": render(row["source"], **values),
        "note": render(row["note"], **values),
    }


def table_text(columns: list[str], rows: Iterable[Row]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        unknown = set(row) - set(columns)
        if unknown:
            raise SystemExit(f"unknown columns {sorted(unknown)}")
        writer.writerow({c: row.get(c, "") for c in columns})
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------


def allies() -> tuple[list[Row], dict[str, float]]:
    """Allies with 2024e figures; also iso3 -> defence expenditure 2024e [USD bn]."""
    rule = data("allies.yaml")
    share = nato_2024e("nato_def_exp_share_real_gdp_2014_2024e.csv")
    equip = nato_2024e("nato_equipment_share_2014_2024e.csv")
    spend = nato_2024e("nato_def_exp_usd_current_2014_2024e.csv")
    rows: list[Row] = [
        {
            "code": r["iso3"],
            "name": r["country"],
            "priority": rule["priority"],
            "gdp": r["2024e"],
            "defence_share": share.get(r["iso3"], ""),
            "equipment_share": equip.get(r["iso3"], ""),
            "source": render(rule["source"]),
            "assumption": flag(rule["assumption"]),
            "note": render(rule["notes"].get(r["iso3"], rule["note"])),
        }
        for r in public("nato_gdp_usd_2014_2024e.csv")
    ]
    expenditure = {code: float(v) / 1000.0 for code, v in spend.items()}
    return rows, expenditure


def budgets(expenditure_bn: dict[str, float], ally_codes: list[str]) -> list[Row]:
    rule = data("budgets.yaml")
    equip = nato_2024e("nato_equipment_share_2014_2024e.csv")
    rows: list[Row] = []
    for code in ally_codes:
        if code not in expenditure_bn:
            amount = 0.0
            source = render(rule["no_expenditure"]["source"])
            note = render(rule["no_expenditure"]["note"])
        else:
            spend_musd = expenditure_bn[code] * 1000.0
            amount = budget_amount(spend_musd * 1e6, float(equip[code]), MODELLED_PART_PCT)
            values = {
                "spend_musd": num(spend_musd),
                "equipment_share": equip[code],
                "munitions_share": num(MODELLED_PART_PCT / 100 * 100),
            }
            source = render(rule["source"], **values)
            note = render(rule["note"], **values)
        for year in range(rule["first_year"], rule["last_year"] + 1):
            rows.append(
                {
                    "ally": code,
                    "year": year,
                    "amount": num(amount, 0),
                    "source": source,
                    "assumption": flag(rule["assumption"]),
                    "note": note,
                }
            )
    return rows


def items() -> list[Row]:
    return [{**provenance(r), "unit_price": figure(r["unit_price"])} for r in data("items.csv")]


def price_tiers(item_rows: list[Row]) -> list[Row]:
    rule = data("price_tiers.yaml")
    rate = float(rule["learning_rate"]["value"])
    price = {str(r["code"]): float(str(r["unit_price"])) for r in item_rows}
    rows: list[Row] = []
    for code, q0 in rule["reference_quantity"].items():
        base = rule["base"]
        rows.append(
            {
                "item": code,
                "min_quantity": "0",
                "unit_price": num(price[code]),
                "source": render(base["source"]),
                "assumption": flag(base["assumption"]),
                "note": render(base["note"]),
            }
        )
        tier = rule["tier"]
        for doublings in rule["doublings"]:
            factor = (1 - rate) ** doublings
            values = {
                "learning_rate": num(rate * 100),
                "reference": f"{q0:,}",
                "multiple": 2**doublings,
                "factor": num(factor, 4),
            }
            rows.append(
                {
                    "item": code,
                    "min_quantity": str(q0 * 2**doublings),
                    "unit_price": num(price[code] * factor),
                    "source": render(tier["source"], **values),
                    "assumption": flag(tier["assumption"]),
                    "note": render(tier["note"], **values),
                }
            )
    return rows


def lines() -> list[Row]:
    """Lines with their ramp rates [units/month per month]: a figure of lines.csv, a
    rule of ramps.yaml, or empty (the model's default)."""
    rules = data("ramps.yaml")
    rows: list[Row] = []
    for r in data("lines.csv"):
        row: Row = {**provenance(r), "capacity": figure(r["capacity"])}
        row["ceiling"] = figure(r["ceiling"])
        ramp, ramp_source = r["ramp"], row.pop("ramp_source")
        if not ramp:
            row["note"] = f"{row['note']}; {rules['default_note']}"
        elif ramp in rules:
            rule = rules[ramp]
            share = float(str(row["capacity"])) / formula(rule["now"])
            value = formula(rule["per_month"]) * share
            row["ramp"] = num(value)
            source = render(rule["source"], ramp=num(value), share=f"{share:.1%}")
            row["source"] = f"{row['source']}; {source}"
        else:
            if not ramp_source:
                raise SystemExit(f"lines.csv: {r['id']}: a ramp figure needs its ramp_source")
            row["ramp"] = num(formula(ramp))
            row["source"] = f"{row['source']}; {render(str(ramp_source))}"
        rows.append(row)
    return rows


def components() -> list[Row]:
    return [provenance(r) for r in data("components.csv")]


def suppliers() -> list[Row]:
    return [provenance(r) for r in data("suppliers.csv")]


def bom() -> list[Row]:
    return [{**provenance(r), "quantity": num(float(r["quantity"]), 4)} for r in data("bom.csv")]


def stock_item(group: dict[str, str], ally: str) -> str:
    """The group's item for an ally: ``ITEM`` or ``ITEM;ALLY=OTHER;...``."""
    default, *exceptions = group["item"].split(";")
    return dict(e.split("=") for e in exceptions).get(ally, default)


def earlier(month: str, months: int) -> str:
    y, m = (int(p) for p in month.split("-"))
    total = y * 12 + m - 1 - months
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def targets(expenditure_bn: dict[str, float]) -> dict[tuple[str, str], float]:
    """(ally, group) -> target [units] = k * E**elasticity, rounded."""
    elasticity = data("stockpiles.yaml")["elasticity"]["value"]
    return {
        (ally, g["group"]): float(round(float(g["k"]) * expenditure_bn[ally] ** elasticity))
        for g in data("stock_groups.csv")
        for ally in g["allies"].split(";")
    }


def stockpiles(expenditure_bn: dict[str, float]) -> list[Row]:
    rule = data("stockpiles.yaml")
    flank = rule["eastern_flank"]
    target = targets(expenditure_bn)
    rows: list[Row] = []
    for g in data("stock_groups.csv"):
        for ally in g["allies"].split(";"):
            level = target[(ally, g["group"])]
            on_flank = ally in flank["allies"]
            date = (
                earlier(g["target_date"], flank["months_earlier"]) if on_flank else g["target_date"]
            )
            note = render(
                rule["note"],
                k=num(float(g["k"])),
                elasticity=rule["elasticity"]["value"],
                initial=num(float(g["initial"]) * 100),
                date=date,
                flank=rule["flank_note"] if on_flank else "",
                stockpile_note=f" ({g['stockpile_note']})" if g["stockpile_note"] else "",
            )
            rows.append(
                {
                    "ally": ally,
                    "item": stock_item(g, ally),
                    "initial": num(level * float(g["initial"]), 0),
                    "target": num(level, 0),
                    "target_date": date,
                    "priority": rule["priority"],
                    "source": render(rule["source"]),
                    "assumption": flag(rule["assumption"]),
                    "note": note,
                }
            )
    return rows


def kiel_military() -> dict[str, float]:
    """iso3 -> Kiel R28 military allocation [EUR bn] for NATO allies (names resolved)."""
    from materiel.countries import try_resolve

    out: dict[str, float] = {}
    for r in public("kiel_ust_r28_country_summary_eur_bn.csv"):
        code = try_resolve(r["land"])
        if code is not None:
            out[code] = float(r["military_allocation"])
    return out


def demand(expenditure_bn: dict[str, float]) -> list[Row]:
    rule = data("demand.yaml")
    groups = data("stock_groups.csv")
    target = targets(expenditure_bn)
    military = kiel_military()
    rows: list[Row] = []
    use = rule["consumption"]
    for g in groups:
        rate = float(g["training"])
        for ally in g["allies"].split(";"):
            per_month = target[(ally, g["group"])] * rate / 12
            if round(per_month, 2) <= 0:
                continue
            rows.append(
                {
                    "ally": ally,
                    "item": stock_item(g, ally),
                    "kind": "consumption",
                    "recipient": "",
                    "start": rule["first_month"],
                    "end": rule["last_month"],
                    "per_month": num(per_month),
                    "source": render(use["source"]),
                    "assumption": flag(use["assumption"]),
                    "note": render(use["note"], rate=num(rate * 100)),
                }
            )
    aid = rule["aid"]
    for g in groups:
        donors = [a for a in g["allies"].split(";") if military.get(a, 0.0) > 0]
        total = sum(military[a] for a in donors)
        for period in aid["periods"]:
            start, end = period["start"], period["end"]
            alliance = float(g[period["column"]])
            for ally in donors:
                share = military[ally] / total
                per_month = alliance * share
                if round(per_month, 2) <= 0:
                    continue
                values = {
                    "donor": num(military[ally], 3),
                    "total": num(total, 3),
                    "alliance": num(alliance),
                    "start": start,
                    "end": end,
                    "share": num(share * 100, 2),
                }
                rows.append(
                    {
                        "ally": ally,
                        "item": stock_item(g, ally),
                        "kind": "aid",
                        "recipient": aid["recipient"],
                        "start": start,
                        "end": end,
                        "per_month": num(per_month),
                        "source": render(aid["source"], **values),
                        "assumption": flag(aid["assumption"]),
                        "note": render(aid["note"], **values),
                    }
                )
    return rows


def requirements() -> list[Row]:
    """Ukraine's requirements: every row is copied with its provenance."""
    return [provenance(r) for r in data("requirements.csv")]


def contracts(expenditure_bn: dict[str, float]) -> list[Row]:
    """Contracts; shares ``by_expenditure``: in proportion to 2024e defence expenditure."""
    rows: list[Row] = []
    for r in data("contracts.csv"):
        row: Row = provenance(r)
        if r["shares"] == "by_expenditure":
            buyers = r["buyers"].split(";")
            total = sum(expenditure_bn[b] for b in buyers)
            row["shares"] = ";".join(num(expenditure_bn[b] / total, 4) for b in buyers)
        rows.append(row)
    return rows


# The columns of the written tables, before PROVENANCE.
# fmt: off
COLUMNS = {
    "allies": ["code", "name", "priority", "gdp", "defence_share", "equipment_share"],
    "items": ["code", "name", "unit", "group", "unit_price", "priority"],
    "price_tiers": ["item", "min_quantity", "unit_price"],
    "lines": ["id", "item", "producer", "host", "capacity", "ceiling", "lead_time",
              "expansion_cost", "delivery_lag", "ramp"],
    "components": ["code", "name", "unit", "supply", "ceiling", "lead_time", "expansion_cost"],
    "bom": ["item", "component", "quantity"],
    "suppliers": ["component", "supplier", "country", "capacity", "ceiling", "lead_time",
                  "expansion_cost", "restrictable"],
    "stockpiles": ["ally", "item", "initial", "target", "target_date", "priority"],
    "demand": ["ally", "item", "kind", "recipient", "start", "end", "per_month"],
    "contracts": ["id", "buyers", "shares", "agency", "line", "quantity", "value", "currency",
                  "start", "end", "firm"],
    "budgets": ["ally", "year", "amount"],
    "requirements": ["recipient", "item", "start", "end", "per_month", "priority"],
}
# fmt: on
PROVENANCE = ["source", "assumption", "note"]


def build() -> dict[str, str]:
    """File name -> text of every generated file."""
    ally_rows, expenditure = allies()
    ally_codes = [str(r["code"]) for r in ally_rows]
    item_rows = items()
    tables = {
        "allies": ally_rows,
        "items": item_rows,
        "price_tiers": price_tiers(item_rows),
        "lines": lines(),
        "components": components(),
        "bom": bom(),
        "suppliers": suppliers(),
        "stockpiles": stockpiles(expenditure),
        "demand": demand(expenditure),
        "contracts": contracts(expenditure),
        "budgets": budgets(expenditure, ally_codes),
        "requirements": requirements(),
    }
    files = {
        f"{name}.csv": table_text(COLUMNS[name] + PROVENANCE, rows) for name, rows in tables.items()
    }
    files["scenario.yaml"] = (DATA / "scenario.yaml").read_text(encoding="utf-8")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with the committed files instead of writing them",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [
            n
            for n, text in files.items()
            if not (args.out / n).is_file() or (args.out / n).read_text(encoding="utf-8") != text
        ]
        for name in stale:
            print(f"differs: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_bytes(text.encode("utf-8"))
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
