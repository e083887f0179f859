#!/usr/bin/env python3
"""Build the built-in scenario ``nato-2024`` from the public CSVs.

Reads the public figures copied into ``src/materiel/data/public/`` (NATO's June 2024
defence expenditure tables, Kiel Ukraine Support Tracker Release 28, munitions facts)
and writes ``src/materiel/scenario/builtin/nato-2024/*.csv`` and ``scenario.yaml``.
Running it twice gives the same files byte for byte.

Public figures are read from the CSVs or, where a fact in ``munitions_facts.csv`` is
text, written here with the fact they come from. Every figure that is not public is an
ASSUMPTION: it sits in a constant below marked ``# ASSUMPTION`` and its rows carry
``assumption=true`` with a note. The folder's README.md lists them all.

    .venv/bin/python scripts/build_nato_2024.py          # write the tables
    .venv/bin/python scripts/build_nato_2024.py --check  # fail if the files differ
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable
from pathlib import Path

from materiel.spending.figures import MODELLED_PART_PCT, budget_amount

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "src" / "materiel" / "data" / "public"
OUT = ROOT / "src" / "materiel" / "scenario" / "builtin" / "nato-2024"

START_YEAR, START_MONTH, HORIZON = 2024, 7, 120
FIRST_MONTH, LAST_MONTH = "2024-07", "2034-06"
YEARS = range(2024, 2035)

NATO = (
    'NATO, "Defence Expenditure of NATO Countries (2014-2024)", press release of '
    "17 June 2024 (240617-def-exp-2024-TABLES-en.xlsx)"
)
KIEL = (
    "Kiel Institute for the World Economy, Ukraine Support Tracker, Release 28, "
    "Country Summary (EUR), military allocations (kiel_ust_r28_country_summary_eur_bn.csv)"
)
FACTS = "munitions_facts.csv"

# --------------------------------------------------------------------------------------
# Assumptions (not public). Each is listed in README.md.
# --------------------------------------------------------------------------------------

# ASSUMPTION: share of an ally's equipment expenditure available for the modelled
# munitions (the nine items below), held flat in nominal USD from 2024 to 2034. The
# figure and the formula are materiel.spending's, which derived budgets use too.
MUNITIONS_SHARE_OF_EQUIPMENT = MODELLED_PART_PCT / 100

# ASSUMPTION: stockpile targets scale with defence expenditure E (2024e, USD bn) as
# k_item * E**ELASTICITY; sub-linear so that small allies' targets are not negligible
# and the largest ally does not hold most of every target.
ELASTICITY = 0.7

# ASSUMPTION: learning rate of the volume price tiers: the unit price falls by this
# fraction per doubling of the contract quantity, from the reference contract the base
# price is derived from (tiers at 2x and 4x that quantity).
LEARNING_RATE = 0.10

# ASSUMPTION: allies on NATO's eastern flank get target dates 12 months earlier.
EASTERN_FLANK = ("EST", "LVA", "LTU", "POL", "FIN", "ROU")

# ASSUMPTION: which allies stock which item. Not in the public data (and Patriot
# operators are not in it either). Iceland has no armed forces and stocks nothing;
# Albania, Luxembourg, Montenegro and North Macedonia are given one light item.
# fmt: off
USERS: dict[str, tuple[str, ...]] = {
    "155mm": (
        "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
        "ITA", "LVA", "LTU", "NLD", "NOR", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
        "TUR", "GBR", "USA",
    ),
    "TANK120": (
        "CAN", "DNK", "FIN", "FRA", "DEU", "GRC", "HUN", "ITA", "NLD", "NOR", "POL", "PRT",
        "ESP", "SWE", "TUR", "USA",
    ),
    "JAVELIN": (
        "ALB", "CZE", "EST", "FRA", "LTU", "LUX", "MNE", "MKD", "NOR", "GBR", "USA",
    ),
    "STINGER": (
        "DNK", "EST", "DEU", "GRC", "ITA", "LVA", "LTU", "NLD", "ROU", "TUR", "USA",
    ),
    "GEMT": ("DEU", "GRC", "NLD", "POL", "ROU", "ESP", "SWE", "USA"),
    "PAC3MSE": ("DEU", "NLD", "POL", "ROU", "ESP", "SWE", "USA"),
    "AMRAAM": (
        "BEL", "CAN", "CZE", "DNK", "FIN", "DEU", "GRC", "HUN", "ITA", "LTU", "NLD", "NOR",
        "POL", "PRT", "ROU", "SVK", "ESP", "TUR", "GBR", "USA",
    ),
    "IRIST": ("EST", "DEU", "LVA", "SVN"),
}

# ASSUMPTION, per stock group: target coefficient k (units per E**0.7), initial stock as
# a share of the target, target date (eastern flank 12 months earlier), training use
# per year as a share of the target, aid to Ukraine by all donors together [units/month]
# in 2024-07..2026-06 and 2026-07..2028-06.
STOCK_RULES: dict[str, dict[str, float | str]] = {
    "155mm":   {"k": 25000, "initial": 0.30, "date": "2028-12", "training": 0.04,
                "aid1": 50000, "aid2": 25000},
    "TANK120": {"k": 2000, "initial": 0.50, "date": "2027-12", "training": 0.05,
                "aid1": 2000, "aid2": 1000},
    "JAVELIN": {"k": 60, "initial": 0.40, "date": "2027-12", "training": 0.02,
                "aid1": 60, "aid2": 30},
    "STINGER": {"k": 25, "initial": 0.35, "date": "2029-12", "training": 0.02,
                "aid1": 25, "aid2": 12},
    "GEMT":    {"k": 25, "initial": 0.40, "date": "2030-12", "training": 0.01,
                "aid1": 6, "aid2": 3},
    "PAC3MSE": {"k": 30, "initial": 0.30, "date": "2030-12", "training": 0.01,
                "aid1": 6, "aid2": 3},
    "AMRAAM":  {"k": 20, "initial": 0.50, "date": "2029-12", "training": 0.02,
                "aid1": 12, "aid2": 6},
    "IRIST":   {"k": 10, "initial": 0.20, "date": "2029-12", "training": 0.02,
                "aid1": 4, "aid2": 2},
}
# fmt: on
AID_PERIODS = (("2024-07", "2026-06", "aid1"), ("2026-07", "2028-06", "aid2"))


# --------------------------------------------------------------------------------------
# Reading the public CSVs (as text, so figures are copied exactly)
# --------------------------------------------------------------------------------------


def read_csv(name: str) -> list[dict[str, str]]:
    with (PUBLIC / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def nato_2024e(name: str) -> dict[str, str]:
    """iso3 -> the 2024e cell as printed in a NATO table."""
    return {r["iso3"]: r["2024e"] for r in read_csv(name)}


def fact(item: str, metric: str, value: str = "", as_of: str = "") -> dict[str, str]:
    """The one row of munitions_facts.csv with this item and metric whose value contains
    ``value`` and as_of starts with ``as_of`` (fails otherwise, so that a changed facts
    file cannot go unnoticed)."""
    rows = [
        r
        for r in read_csv(FACTS)
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


def cite(item: str, metric: str, what: str, value: str = "", as_of: str = "") -> str:
    """'what' plus the fact's as-of, source title, publisher, date and reliability note."""
    r = fact(item, metric, value, as_of)
    return (
        f"{what} ({FACTS}: {item} / {metric}, as of {r['as_of']}; {r['source_title']}; "
        f"{r['publisher']}, {r['source_date']}; {r['reliability_note']})"
    )


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


def table_text(columns: list[str], rows: Iterable[dict[str, object]]) -> str:
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


def allies() -> tuple[list[dict[str, object]], dict[str, float]]:
    """Allies with 2024e figures; also iso3 -> defence expenditure 2024e [USD bn]."""
    gdp = read_csv("nato_gdp_usd_2014_2024e.csv")
    share = nato_2024e("nato_def_exp_share_real_gdp_2014_2024e.csv")
    equip = nato_2024e("nato_equipment_share_2014_2024e.csv")
    spend = nato_2024e("nato_def_exp_usd_current_2014_2024e.csv")
    source = (
        f"{NATO}: Table 5 GDP, current prices (nato_gdp_usd_2014_2024e.csv); "
        "Table 3 defence expenditure as % of real GDP, 2015 prices "
        "(nato_def_exp_share_real_gdp_2014_2024e.csv); Table 8a equipment as % of "
        "defence expenditure (nato_equipment_share_2014_2024e.csv); 2024 figures "
        "are NATO estimates (2024e)"
    )
    rows: list[dict[str, object]] = []
    for r in gdp:
        code = r["iso3"]
        note = "2024e = NATO estimates (June 2024 edition; later editions revised them)"
        if code == "ISL":
            note = (
                "Iceland has no armed forces and no defence expenditure figures in NATO's "
                "tables: defence and equipment shares left empty; GDP only"
            )
        rows.append(
            {
                "code": code,
                "name": r["country"],
                "priority": "1",
                "gdp": r["2024e"],
                "defence_share": share.get(code, ""),
                "equipment_share": equip.get(code, ""),
                "source": source,
                "assumption": "false",
                "note": note,
            }
        )
    expenditure = {code: float(v) / 1000.0 for code, v in spend.items()}
    return rows, expenditure


def budgets(expenditure_bn: dict[str, float], ally_codes: list[str]) -> list[dict[str, object]]:
    equip = nato_2024e("nato_equipment_share_2014_2024e.csv")
    rows: list[dict[str, object]] = []
    for code in ally_codes:
        if code not in expenditure_bn:
            amount = 0.0
            source = f"{NATO}: Iceland has no defence expenditure figures"
            note = "Iceland has no armed forces and no defence expenditure: budget 0"
        else:
            spend_musd = expenditure_bn[code] * 1000.0
            amount = budget_amount(spend_musd * 1e6, float(equip[code]), MODELLED_PART_PCT)
            source = (
                f"derived: {NATO}, Table 2 defence expenditure 2024e "
                f"({num(spend_musd)} million USD, current prices; "
                "nato_def_exp_usd_current_2014_2024e.csv) x Table 8a equipment share "
                f"2024e ({equip[code]} %) x {num(MUNITIONS_SHARE_OF_EQUIPMENT * 100)} % "
                "(assumed share of equipment spending for the modelled munitions)"
            )
            note = (
                "assumed: 5 % of equipment spending goes to the nine modelled items; "
                "held flat in nominal USD 2024-2034 (2024e figures are NATO estimates)"
            )
        for year in YEARS:
            rows.append(
                {
                    "ally": code,
                    "year": year,
                    "amount": num(amount, 0),
                    "source": source,
                    "assumption": "true",
                    "note": note,
                }
            )
    return rows


def items() -> list[dict[str, object]]:
    he155 = 1.2e9 / 220000
    stinger = 624.6e6 / 1300
    gemt = 5.5e9 / 1000
    pac3 = 9.8e9 / 1970
    return [
        {
            "code": "HE155_US",
            "name": "155mm HE artillery round (US-made, M795 family)",
            "unit": "round",
            "group": "155mm",
            "unit_price": "4500",
            "priority": "1",
            "source": cite(
                "155mm (US)",
                "budget",
                "informed by FY22 request 61.8 M USD for "
                "75,357 M795 = ~820 USD per projectile only, derived",
            ),
            "assumption": "true",
            "note": "assumed 4,500 USD for a complete round (projectile, fill, fuze, charge) "
            "in 2024; the public ~820 USD is a pre-war projectile-only figure",
        },
        {
            "code": "HE155_EU",
            "name": "155mm HE artillery round (European-made)",
            "unit": "round",
            "group": "155mm",
            "unit_price": num(he155),
            "source": cite(
                "155mm (NSPA)", "contract", "derived: ~1.2 bn USD / ~220,000 shells incl fuzes"
            ),
            "assumption": "false",
            "note": "derived from the USD figure given with the 1.1 bn EUR NSPA contract; no "
            "EUR figure converted",
        },
        {
            "code": "TANK120",
            "name": "120mm smoothbore tank round",
            "unit": "round",
            "group": "TANK120",
            "unit_price": "8000",
            "source": "assumption (no public price in the project's data)",
            "assumption": "true",
            "note": "assumed 8,000 USD, a mix of kinetic and multi-purpose rounds",
        },
        {
            "code": "JAVELIN",
            "name": "FGM-148 Javelin missile",
            "unit": "missile",
            "group": "JAVELIN",
            "unit_price": "200000",
            "source": "assumption (no public price in the project's data)",
            "assumption": "true",
            "note": "assumed 200,000 USD per missile",
        },
        {
            "code": "STINGER",
            "name": "FIM-92 Stinger missile",
            "unit": "missile",
            "group": "STINGER",
            "unit_price": num(stinger),
            "source": cite("Stinger", "contract", "derived: 624.6 M USD / 1,300 missiles", "624.6"),
            "assumption": "false",
            "note": "derived, 2022 contract not escalated to 2024 prices; includes "
            "engineering, test equipment and obsolescence work",
        },
        {
            "code": "GEMT",
            "name": "Patriot PAC-2 GEM-T missile",
            "unit": "missile",
            "group": "GEMT",
            "unit_price": num(gemt),
            "source": cite("GEM-T", "contract", "derived: 5.5 bn USD / up to 1,000 missiles"),
            "assumption": "false",
            "note": "derived; 'up to' 1,000 makes this a lower bound per missile; includes "
            "spares and test equipment",
        },
        {
            "code": "PAC3MSE",
            "name": "Patriot PAC-3 MSE missile",
            "unit": "missile",
            "group": "PAC3MSE",
            "unit_price": num(pac3),
            "source": cite(
                "PAC-3 MSE", "contract", "derived: 9.8 bn USD / 1,970 missiles; secondary relay"
            ),
            "assumption": "false",
            "note": "derived from a 2025 award used as a 2024 price; a secondary source "
            "(Tectonic Defense, 2026) gives ~4 M USD",
        },
        {
            "code": "AMRAAM",
            "name": "AIM-120 AMRAAM missile (aircraft and NASAMS)",
            "unit": "missile",
            "group": "AMRAAM",
            "unit_price": "1100000",
            "source": "assumption (no public price in the project's data)",
            "assumption": "true",
            "note": "assumed 1.1 M USD per missile",
        },
        {
            "code": "IRIST",
            "name": "IRIS-T SLM surface-to-air missile",
            "unit": "missile",
            "group": "IRIST",
            "unit_price": "450000",
            "source": "assumption (no public price in the project's data)",
            "assumption": "true",
            "note": "assumed 450,000 USD per missile",
        },
    ]


#: Items with volume tiers and the quantity of the public contract their price comes from.
#: Only the European 155mm round, bought by many small allies, has tiers: every tiered
#: item adds binaries to the planner's MIP, and with the Stinger (1,300), GEM-T (1,000)
#: and PAC-3 MSE (1,970) tiered too the solve took minutes instead of under a minute.
TIER_REFERENCE = {"HE155_EU": 220000}


def price_tiers(item_rows: list[dict[str, object]]) -> list[dict[str, object]]:
    price = {str(r["code"]): float(str(r["unit_price"])) for r in item_rows}
    rows: list[dict[str, object]] = []
    for code, q0 in TIER_REFERENCE.items():
        rows.append(
            {
                "item": code,
                "min_quantity": "0",
                "unit_price": num(price[code]),
                "source": "base price of items.csv",
                "assumption": "false",
                "note": "tier 0: any quantity",
            }
        )
        for doublings in (1, 2):
            factor = (1 - LEARNING_RATE) ** doublings
            rows.append(
                {
                    "item": code,
                    "min_quantity": str(q0 * 2**doublings),
                    "unit_price": num(price[code] * factor),
                    "source": f"assumption: {num(LEARNING_RATE * 100)} % lower price per doubling "
                    f"of the contract quantity from the reference quantity {q0:,}",
                    "assumption": "true",
                    "note": f"{2**doublings}x the quantity of the public contract the base price "
                    f"is derived from; price x {num(factor, 4)}",
                }
            )
    return rows


UNTERLUESS = cite(
    "155mm (Rheinmetall Unterluess)",
    "plant",
    "lead time 18 months derived from groundbreaking 2024-02-12 to opening 2025-08-27",
)
COST_155 = (
    "expansion_cost 20,000 USD per round/month assumed, informed by Unterluess "
    "~300 M EUR for 200,000 rds/yr (~18,000 EUR per round/month; EUR not converted)"
)
EU_TOTAL = cite(
    "155mm (EU)", "capacity", "EU 155mm capacity 1,000,000 rds/yr (Jan 2024)", "1000000"
)
EU_TARGET = cite("155mm (EU)", "target", "EU target 2,000,000 rds/yr end 2025")
# ASSUMPTION: the EU capacity not made by Rheinmetall (1,000,000 - 700,000 rds/yr, and
# 2,000,000 - 1,100,000 at the target) is split among three other EU producers.
OTHER_EU_SPLIT = {"KNDS_155": 0.40, "CSG_155": 0.36, "PGZ_155": 0.24}


def lines() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(**row: object) -> None:
        rows.append(row)

    add(
        id="US_155",
        item="HE155_US",
        producer="US Army ammunition plants (Scranton and Wilkes-Barre AAP, General Dynamics "
        "OTS, load-assemble-pack)",
        host="USA",
        capacity="40000",
        ceiling="100000",
        lead_time="18",
        expansion_cost="20000",
        delivery_lag="2",
        source=cite(
            "155mm (US)", "production", "40,000/month (2024-09, projectiles)", "40000", "2024-09"
        )
        + "; "
        + cite("155mm (US)", "target", "ceiling 100,000/month, the US target")
        + "; "
        + UNTERLUESS,
        assumption="true",
        note="assumed: delivery_lag, expansion_cost (" + COST_155 + "); the Unterluess build "
        "time applied to US plants; the 100,000 target slipped to 2026 per later reports",
    )
    rhm_now, rhm_ceiling = 700000 / 12, 1100000 / 12
    add(
        id="RHM_155",
        item="HE155_EU",
        producer="Rheinmetall (Unterluess and other plants)",
        host="DEU",
        capacity=num(rhm_now),
        ceiling=num(rhm_ceiling),
        lead_time="18",
        expansion_cost="20000",
        delivery_lag="2",
        source=cite(
            "155mm (Rheinmetall)", "capacity", "700,000 rds/yr (2024) / 12, derived", "700000"
        )
        + "; "
        + cite(
            "155mm (Rheinmetall)",
            "target",
            "ceiling 1,100,000 rds/yr by 2027 (FT/cash.ch) / 12, derived",
        )
        + "; "
        + UNTERLUESS,
        assumption="true",
        note="assumed: delivery_lag, " + COST_155 + "; all Rheinmetall output hosted in "
        "Germany (it also has plants elsewhere)",
    )
    other_now = 1000000 / 12 - rhm_now
    other_ceiling = 2000000 / 12 - rhm_ceiling
    producers = {
        "KNDS_155": ("KNDS Ammo France (formerly Nexter Munitions)", "FRA"),
        "CSG_155": ("Czechoslovak Group (CSG) / MSM Group", "CZE"),
        "PGZ_155": ("Polska Grupa Zbrojeniowa (PGZ, Dezamet)", "POL"),
    }
    for line_id, share in OTHER_EU_SPLIT.items():
        producer, host = producers[line_id]
        add(
            id=line_id,
            item="HE155_EU",
            producer=producer,
            host=host,
            capacity=num(other_now * share),
            ceiling=num(other_ceiling * share),
            lead_time="18",
            expansion_cost="20000",
            delivery_lag="2",
            source="derived: EU total minus Rheinmetall, now (1,000,000 - 700,000 rds/yr) "
            "and at the target (2,000,000 - 1,100,000), / 12, times an assumed "
            f"share of {num(share * 100)} %; " + EU_TOTAL + "; " + EU_TARGET + "; " + UNTERLUESS,
            assumption="true",
            note=f"assumed: this producer's share ({num(share * 100)} %) of the non-Rheinmetall "
            "EU capacity (no public per-producer figure), delivery_lag, " + COST_155,
        )
    add(
        id="BAE_155",
        item="HE155_EU",
        producer="BAE Systems (Glascoed, Washington UK)",
        host="GBR",
        capacity="3000",
        ceiling="10000",
        lead_time="18",
        expansion_cost="20000",
        delivery_lag="2",
        source="assumption (no public UK capacity figure in the project's data); " + UNTERLUESS,
        assumption="true",
        note="assumed: capacity 3,000 and ceiling 10,000 rounds/month, delivery_lag, " + COST_155,
    )
    add(
        id="RHM_120",
        item="TANK120",
        producer="Rheinmetall Waffe Munition (120mm)",
        host="DEU",
        capacity="5000",
        ceiling="10000",
        lead_time="18",
        expansion_cost="30000",
        delivery_lag="2",
        source="assumption (no public 120mm rate in the project's data); "
        + cite(
            "Large-calibre ammo",
            "lead time",
            "order waits of 12 -> 28 months show a constrained market",
        ),
        assumption="true",
        note="assumed: capacity 5,000, ceiling 10,000 rounds/month, lead_time 18, "
        "expansion_cost 30,000 USD per round/month, delivery_lag 2",
    )
    add(
        id="JAV_JV",
        item="JAVELIN",
        producer="Javelin Joint Venture (Lockheed Martin and RTX), Troy AL",
        host="USA",
        capacity="175",
        ceiling="330",
        lead_time="24",
        expansion_cost="1500000",
        delivery_lag="3",
        source=cite("Javelin", "lead time", "lead time ~2 years"),
        assumption="true",
        note="assumed: capacity 175, ceiling 330 missiles/month (no rate in the project's "
        "data), expansion_cost 1.5 M USD per missile/month, delivery_lag 3",
    )
    add(
        id="RTX_STINGER",
        item="STINGER",
        producer="Raytheon (RTX), Tucson AZ",
        host="USA",
        capacity="70",
        ceiling="120",
        lead_time="30",
        expansion_cost="3000000",
        delivery_lag="2",
        source=cite("Stinger", "lead time", "lead time ~30 months to first new missiles")
        + "; production rate NOT public ("
        + FACTS
        + ": Stinger / production rate)",
        assumption="true",
        note="assumed: capacity 70 and ceiling 120 missiles/month (rate not public), "
        "expansion_cost 3 M USD per missile/month, delivery_lag 2",
    )
    add(
        id="LM_PAC3",
        item="PAC3MSE",
        producer="Lockheed Martin, Camden AR",
        host="USA",
        capacity=num(550 / 12),
        ceiling=num(650 / 12),
        lead_time="30",
        expansion_cost="10000000",
        delivery_lag="3",
        source=cite(
            "PAC-3 MSE",
            "production",
            "~550/yr (2023-24) and 650/yr by 2027 (target), / 12, derived",
        ),
        assumption="true",
        note="assumed: lead_time 30 months (the 650/yr target is for 2027), expansion_cost "
        "10 M USD per missile/month, delivery_lag 3; all output counted as available "
        "to allies (exports outside NATO not modelled)",
    )
    add(
        id="RTX_GEMT",
        item="GEMT",
        producer="Raytheon (RTX), Andover MA",
        host="USA",
        capacity="20",
        ceiling="40",
        lead_time="48",
        expansion_cost="8000000",
        delivery_lag="3",
        source="production rate NOT public (" + FACTS + ": GEM-T / production rate); "
        "ceiling 2x and lead time informed by Raytheon: could double global Patriot "
        "missile production by 2028-2030 (Euractiv 2025-06-19, reliability note of "
        "that row)",
        assumption="true",
        note="assumed: capacity 20, ceiling 40 missiles/month, lead_time 48, expansion_cost "
        "8 M USD per missile/month, delivery_lag 3",
    )
    add(
        id="COMLOG_GEMT",
        item="GEMT",
        producer="COMLOG (MBDA Deutschland and Raytheon), Schrobenhausen",
        host="DEU",
        capacity="0",
        ceiling="25",
        lead_time="36",
        expansion_cost="6000000",
        delivery_lag="3",
        source=cite("GEM-T", "lead time", "first German-built missiles within ~3 years")
        + "; "
        + cite("GEM-T", "contract", "production in Schrobenhausen"),
        assumption="true",
        note="assumed: ceiling 25 missiles/month (rate not public), expansion_cost 6 M USD "
        "per missile/month, delivery_lag 3; no German output before the lead time",
    )
    add(
        id="RTX_AMRAAM",
        item="AMRAAM",
        producer="Raytheon (RTX), Tucson AZ",
        host="USA",
        capacity="100",
        ceiling="160",
        lead_time="30",
        expansion_cost="4000000",
        delivery_lag="3",
        source="assumption (no public AMRAAM rate in the project's data)",
        assumption="true",
        note="assumed: capacity 100, ceiling 160 missiles/month, lead_time 30, expansion_cost "
        "4 M USD per missile/month, delivery_lag 3",
    )
    add(
        id="DIEHL_IRIST",
        item="IRIST",
        producer="Diehl Defence",
        host="DEU",
        capacity="8",
        ceiling="20",
        lead_time="24",
        expansion_cost="8000000",
        delivery_lag="3",
        source="assumption (no public IRIS-T rate in the project's data)",
        assumption="true",
        note="assumed: capacity 8, ceiling 20 missiles/month, lead_time 24, expansion_cost "
        "8 M USD per missile/month, delivery_lag 3",
    )
    return ramps(rows)


#: EU 155mm capacity per month now (1,000,000 rounds/year, 2024-01) and how fast it grew
#: from 300,000 rounds/year at the war's start (2022-02): 700,000 rounds/year in 23 months.
EU_155_NOW = 1_000_000 / 12
EU_155_RAMP = 700_000 / 12 / 23  # [rounds/month per month]


def ramps(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The ramp rate of each line [units/month per month]: derived from public growth
    figures where the facts file has them, else left empty, which the model reads as the
    ceiling / 12 (an assumption: from nothing to the ceiling in a year)."""
    eu = cite("155mm (EU)", "capacity", "EU 155mm 300,000 rds/yr at the war's start", "300000")
    eu += "; " + cite("155mm (EU)", "capacity", "1,000,000 rds/yr in 2024-01", "1000000")
    derived = {
        "US_155": (
            1000.0,
            "ramp 1,000/month per month derived from US 155mm output growing from "
            + cite("155mm (US)", "production", "28,000/month (2023-09)", "28000")
            + " to 40,000/month (2024-09), 12,000 in 12 months",
        ),
        "LM_PAC3": (
            10 / 12,
            "ramp 0.83/month per month derived from "
            + cite("PAC-3 MSE", "production", "PAC-3 MSE output of >500 (2024) to 620 (2025)")
            + ": 120 a year more in 12 months",
        ),
    }
    for row in rows:
        line = str(row["id"])
        if line in derived:
            value, source = derived[line]
        elif row["host"] in ("DEU", "FRA", "CZE", "POL") and row["item"] == "HE155_EU":
            share = float(str(row["capacity"])) / EU_155_NOW
            value = EU_155_RAMP * share
            source = (
                f"ramp {num(value)}/month per month derived: the EU's 155mm growth of "
                f"700,000 rds/yr in 23 months ({eu}), times this line's share of EU capacity "
                f"now ({share:.1%})"
            )
        else:
            row["ramp"] = ""
            row["note"] = f"{row['note']}; ramp: the default, ceiling / 12 (assumed)"
            continue
        row["ramp"] = num(value)
        row["source"] = f"{row['source']}; {source}"
    return rows


def components() -> list[dict[str, object]]:
    asap = cite("ASAP", "budget", "informed by the EU ASAP allocation")
    return [
        {
            "code": "HE",
            "name": "High explosive fill (TNT/RDX)",
            "unit": "tonne",
            "supply": "1350",
            "ceiling": "2600",
            "lead_time": "30",
            "expansion_cost": "150000",
            "source": "assumption (no public figure); expansion cost " + asap,
            "assumption": "true",
            "note": "assumed: supply 1,350 t/month now (about the 155mm output of mid-2024), "
            "ceiling 2,600, lead_time 30, 150,000 USD per t/month (EUR not converted)",
        },
        {
            "code": "PROPELLANT",
            "name": "Nitrocellulose propellant charges",
            "unit": "tonne",
            "supply": "1600",
            "ceiling": "3500",
            "lead_time": "24",
            "expansion_cost": "120000",
            "source": "assumption (no public figure); expansion cost " + asap,
            "assumption": "true",
            "note": "assumed: supply 1,600 t/month, ceiling 3,500, lead_time 24, 120,000 USD per "
            "t/month (EUR not converted)",
        },
        {
            "code": "RMOTOR",
            "name": "Solid rocket motors",
            "unit": "motor",
            "supply": "420",
            "ceiling": "600",
            "lead_time": "36",
            "expansion_cost": "2000000",
            "source": "assumption (no public figure in the project's data)",
            "assumption": "true",
            "note": "assumed: motors available for the six modelled missiles, 420/month now, "
            "ceiling 600 (below the missile lines' combined ceilings, so it can bind), "
            "lead_time 36, 2 M USD per motor/month",
        },
        {
            "code": "SEEKER",
            "name": "Missile seekers and guidance sections",
            "unit": "seeker",
            "supply": "450",
            "ceiling": "900",
            "lead_time": "24",
            "expansion_cost": "1500000",
            "source": "assumption (no public figure in the project's data)",
            "assumption": "true",
            "note": "assumed: 450/month now, ceiling 900, lead_time 24, 1.5 M USD per seeker/month",
        },
    ]


# ASSUMPTION: component use per unit of item (tonnes of fill/propellant, motors, seekers).
BOM = {
    ("HE155_US", "HE"): 0.0105,
    ("HE155_US", "PROPELLANT"): 0.012,
    ("HE155_EU", "HE"): 0.0105,
    ("HE155_EU", "PROPELLANT"): 0.012,
    ("TANK120", "HE"): 0.002,
    ("TANK120", "PROPELLANT"): 0.008,
    ("JAVELIN", "RMOTOR"): 1,
    ("JAVELIN", "SEEKER"): 1,
    ("STINGER", "RMOTOR"): 1,
    ("STINGER", "SEEKER"): 1,
    ("GEMT", "RMOTOR"): 1,
    ("GEMT", "SEEKER"): 1,
    ("PAC3MSE", "RMOTOR"): 1,
    ("PAC3MSE", "SEEKER"): 1,
    ("AMRAAM", "RMOTOR"): 1,
    ("AMRAAM", "SEEKER"): 1,
    ("IRIST", "RMOTOR"): 1,
    ("IRIST", "SEEKER"): 1,
}


def bom() -> list[dict[str, object]]:
    return [
        {
            "item": item,
            "component": comp,
            "quantity": num(q, 4),
            "source": "assumption (no public bill of materials)",
            "assumption": "true",
            "note": "assumed: tonnes per round"
            if comp in ("HE", "PROPELLANT")
            else "assumed: one per missile",
        }
        for (item, comp), q in BOM.items()
    ]


def stock_item(group: str, ally: str) -> str:
    if group == "155mm":
        return "HE155_US" if ally == "USA" else "HE155_EU"
    return group


def earlier(month: str, months: int) -> str:
    y, m = (int(p) for p in month.split("-"))
    total = y * 12 + m - 1 - months
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def targets(expenditure_bn: dict[str, float]) -> dict[tuple[str, str], float]:
    """(ally, group) -> target [units] = k * E**ELASTICITY, rounded."""
    return {
        (ally, group): float(round(float(rule["k"]) * expenditure_bn[ally] ** ELASTICITY))
        for group, rule in STOCK_RULES.items()
        for ally in USERS[group]
    }


STOCK_SOURCE = "assumption (real stockpile levels and NATO's targets are not public)"


def stockpiles(expenditure_bn: dict[str, float]) -> list[dict[str, object]]:
    target = targets(expenditure_bn)
    rows: list[dict[str, object]] = []
    for group, rule in STOCK_RULES.items():
        for ally in USERS[group]:
            level = target[(ally, group)]
            date = str(rule["date"])
            flank = ally in EASTERN_FLANK
            if flank:
                date = earlier(date, 12)
            note = (
                f"target = {num(float(rule['k']))} x (2024e defence expenditure, USD bn)"
                f"^{ELASTICITY} ({NATO}, Table 2); initial = "
                f"{num(float(rule['initial']) * 100)} % of target; target date {date}"
            )
            if flank:
                note += " (eastern flank: 12 months earlier)"
            note += "; that this ally stocks the item is assumed too"
            if group in ("GEMT", "PAC3MSE"):
                note += " (Patriot operators are not in the public data)"
            rows.append(
                {
                    "ally": ally,
                    "item": stock_item(group, ally),
                    "initial": num(level * float(rule["initial"]), 0),
                    "target": num(level, 0),
                    "target_date": date,
                    "priority": "1",
                    "source": STOCK_SOURCE,
                    "assumption": "true",
                    "note": note,
                }
            )
    return rows


def kiel_military() -> dict[str, float]:
    """iso3 -> Kiel R28 military allocation [EUR bn] for NATO allies (names resolved)."""
    from materiel.countries import try_resolve

    out: dict[str, float] = {}
    for r in read_csv("kiel_ust_r28_country_summary_eur_bn.csv"):
        code = try_resolve(r["land"])
        if code is not None:
            out[code] = float(r["military_allocation"])
    return out


def demand(expenditure_bn: dict[str, float]) -> list[dict[str, object]]:
    target = targets(expenditure_bn)
    military = kiel_military()
    rows: list[dict[str, object]] = []
    for group, rule in STOCK_RULES.items():
        rate = float(rule["training"])
        for ally in USERS[group]:
            per_month = target[(ally, group)] * rate / 12
            if round(per_month, 2) <= 0:
                continue
            rows.append(
                {
                    "ally": ally,
                    "item": stock_item(group, ally),
                    "kind": "consumption",
                    "recipient": "",
                    "start": FIRST_MONTH,
                    "end": LAST_MONTH,
                    "per_month": num(per_month),
                    "source": "assumption (training use is not public)",
                    "assumption": "true",
                    "note": f"assumed: training use of {num(rate * 100)} % of the target a year",
                }
            )
    for group, rule in STOCK_RULES.items():
        donors = [a for a in USERS[group] if military.get(a, 0.0) > 0]
        total = sum(military[a] for a in donors)
        for start, end, key in AID_PERIODS:
            alliance = float(rule[key])
            for ally in donors:
                share = military[ally] / total
                per_month = alliance * share
                if round(per_month, 2) <= 0:
                    continue
                rows.append(
                    {
                        "ally": ally,
                        "item": stock_item(group, ally),
                        "kind": "aid",
                        "recipient": "UKR",
                        "start": start,
                        "end": end,
                        "per_month": num(per_month),
                        "source": f"donor share derived from {KIEL}: "
                        f"{num(military[ally], 3)} of {num(total, 3)} EUR bn among the "
                        "allies that stock the item (shares are currency-free)",
                        "assumption": "true",
                        "note": f"assumed: all donors together send {num(alliance)} a month in "
                        f"{start}..{end}; split by Kiel military-allocation share "
                        f"{num(share * 100, 2)} %; the item split and quantities are "
                        "assumptions",
                    }
                )
    return rows


def contract_shares(buyers: list[str], expenditure_bn: dict[str, float]) -> str:
    return ";".join(
        num(expenditure_bn[b] / sum(expenditure_bn[c] for c in buyers), 4) for b in buyers
    )


def contracts(expenditure_bn: dict[str, float]) -> list[dict[str, object]]:
    gemt_buyers = ["DEU", "NLD", "ESP", "ROU"]
    return [
        {
            "id": "NSPA_STINGER_2024",
            "buyers": "DEU;ITA;NLD",
            "shares": "",
            "agency": "NSPA",
            "line": "RTX_STINGER",
            "quantity": "940",
            "value": "700000000",
            "currency": "USD",
            "start": "2026-07",
            "end": "2029-12",
            "firm": "true",
            "source": cite(
                "Stinger",
                "contract",
                "NSPA multinational order ~700 M USD, 2024-07-09; line running through 2029",
                "NSPA",
            )
            + "; "
            + cite("Stinger", "FMS approval", "940 Stingers for DE, IT, NL"),
            "assumption": "true",
            "note": "quantity 940 for DEU/ITA/NLD per the facts file's note (viata-libera, "
            "secondary; DSCA notification); assumed: equal shares and deliveries "
            "spread evenly 2026-07..2029-12, after the US order below",
        },
        {
            "id": "NSPA_GEMT_2024",
            "buyers": ";".join(gemt_buyers),
            "shares": contract_shares(gemt_buyers, expenditure_bn),
            "agency": "NSPA",
            "line": "COMLOG_GEMT",
            "quantity": "1000",
            "value": "5500000000",
            "currency": "USD",
            "start": "2027-10",
            "end": "2032-09",
            "firm": "true",
            "source": cite(
                "GEM-T",
                "contract",
                "NSPA/COMLOG, up to 1,000 GEM-T for DE, NL, ES, "
                "RO, 5.5 bn USD, 2024-01-03, production in Schrobenhausen",
            )
            + "; "
            + cite("GEM-T", "lead time", "first German-built missiles within ~3 years"),
            "assumption": "true",
            "note": "1,000 is the contract's maximum ('up to'); assumed: split among buyers in "
            "proportion to 2024e defence expenditure (NATO Table 2) and deliveries "
            "spread evenly 2027-10..2032-09 (the schedule is not public)",
        },
        {
            "id": "US_STINGER_2022",
            "buyers": "USA",
            "shares": "",
            "agency": "",
            "line": "RTX_STINGER",
            "quantity": "1300",
            "value": "624600000",
            "currency": "USD",
            "start": "2024-11",
            "end": "2026-06",
            "firm": "true",
            "source": cite(
                "Stinger",
                "contract",
                "US Army, 624.6 M USD for 1,300 missiles, 2022-05-27, through June 2026",
                "624.6",
            )
            + "; "
            + cite("Stinger", "lead time", "~30 months from restart to first missiles"),
            "assumption": "true",
            "note": "assumed: all 1,300 still to be delivered at 2024-07, first missiles ~30 "
            "months after the May 2022 award (derived 2024-11), evenly to 2026-06",
        },
    ]


SCENARIO_YAML = """\
# Built-in scenario: NATO allies, 2024-07 .. 2034-06. Generated by
# scripts/build_nato_2024.py; README.md lists every source and assumption.
name: nato-2024
description: >-
  All 32 NATO allies with NATO's June 2024 figures (GDP, defence expenditure, equipment
  share; 2024 estimates), nine munition types, production lines of real producers with
  public capacity figures where they exist, shared critical components, existing NSPA
  contracts (Stinger 2024, GEM-T 2024) and aid to Ukraine. Stockpiles, targets, demand
  and most line and component figures are labelled assumptions.
start: "2024-07"
horizon: 120
currency: USD
price_year: 2024
policy:
  pooling: true
  expansion: true
  industry_rule_months: 24
# What the simulator samples (materiel simulate). Every figure below is an assumption
# made for this scenario; replace them with your own.
risks:
  surge:
    source: >-
      assumption: a high-intensity spell begins in a theatre about once in eight years
      (1 % a month), lasts ten months on average and doubles consumption
    start: 0.01
    end: 0.1
    multiplier: 2.0
    applies_to: consumption
    theatres:
      eastern_flank: [BGR, CZE, EST, FIN, HUN, LTU, LVA, POL, ROU, SVK]
  ramp_delay:
    source: >-
      assumption: half of all expansions are late, by up to a year; that plans slip is
      public (the US Army's plan of 100,000 155mm rounds a month by October 2025 was
      delayed: Defense One, 2025-06), the odds are not
    probability: 0.5
    max_months: 12
  outage:
    source: >-
      assumption: a component supplier has an outage (accident, fire, input shortage)
      starting in 0.5 % of months, of 1-6 months, losing 30-80 % of its output
    probability: 0.005
    max_months: 6
    loss_min: 0.3
    loss_max: 0.8
  yield_loss:
    source: "assumption: 0-3 % of a line's output fails acceptance"
    loss_min: 0.0
    loss_max: 0.03
  late_delivery:
    source: "assumption: one contract period in ten delivers late, by up to 3 months"
    probability: 0.1
    max_months: 3
tables:
  allies: allies.csv
  items: items.csv
  price_tiers: price_tiers.csv
  lines: lines.csv
  components: components.csv
  bom: bom.csv
  stockpiles: stockpiles.csv
  demand: demand.csv
  contracts: contracts.csv
  budgets: budgets.csv
"""

COLUMNS = {
    "allies": ["code", "name", "priority", "gdp", "defence_share", "equipment_share"],
    "items": ["code", "name", "unit", "group", "unit_price", "priority"],
    "price_tiers": ["item", "min_quantity", "unit_price"],
    "lines": [
        "id",
        "item",
        "producer",
        "host",
        "capacity",
        "ceiling",
        "lead_time",
        "expansion_cost",
        "delivery_lag",
        "ramp",
    ],
    "components": ["code", "name", "unit", "supply", "ceiling", "lead_time", "expansion_cost"],
    "bom": ["item", "component", "quantity"],
    "stockpiles": ["ally", "item", "initial", "target", "target_date", "priority"],
    "demand": ["ally", "item", "kind", "recipient", "start", "end", "per_month"],
    "contracts": [
        "id",
        "buyers",
        "shares",
        "agency",
        "line",
        "quantity",
        "value",
        "currency",
        "start",
        "end",
        "firm",
    ],
    "budgets": ["ally", "year", "amount"],
}
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
        "stockpiles": stockpiles(expenditure),
        "demand": demand(expenditure),
        "contracts": contracts(expenditure),
        "budgets": budgets(expenditure, ally_codes),
    }
    files = {
        f"{name}.csv": table_text(COLUMNS[name] + PROVENANCE, rows) for name, rows in tables.items()
    }
    files["scenario.yaml"] = SCENARIO_YAML
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
