"""Synthetic alliance scenarios at named sizes, with fixed seeds, for the planner benchmark.

    .venv/bin/python bench/generate.py S M L [--out bench/scenarios]

Each size is written as a scenario folder (``scenario.yaml`` plus one CSV per table) that
``materiel.load_scenario(folder)`` validates:

| size | allies | items | months | lines | components |
| --- | --- | --- | --- | --- | --- |
| S | 8 | 4 | 24 | 8 | 3 |
| M | 32 | 12 | 60 | 60 | 12 |
| L | 32 | 24 | 120 | 150 | 30 |

The figures follow the magnitudes of the built-in ``nato-2024`` scenario: shells (a few
thousand USD, thousands a month per line) and missiles (0.1-5 M USD, tens a month),
allies of very different sizes (an economic weight drawn log-normally), some items
sharing an interoperability group, components shared by several items, targets a few
times the initial stock, consumption and aid, budgets that bind for some allies and
targets some of which cannot be met in time. There are no ``price_tiers`` rows, so every
scenario is a linear programme and every peer of the benchmark solves the same LP.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent

#: NATO's 32 allies, largest economies first, so a small scenario takes the big ones.
ALLIES = ("USA DEU GBR FRA ITA CAN ESP TUR NLD POL BEL SWE NOR DNK ROU CZE FIN PRT GRC HUN "
          "SVK BGR LUX HRV LTU SVN LVA EST ISL ALB MKD MNE")  # fmt: skip


@dataclass(frozen=True)
class Size:
    """One named size of the benchmark."""

    name: str
    allies: int
    items: int
    months: int
    lines: int
    components: int
    seed: int


SIZES: dict[str, Size] = {
    "S": Size("S", allies=8, items=4, months=24, lines=8, components=3, seed=8_024),
    "M": Size("M", allies=32, items=12, months=60, lines=60, components=12, seed=32_060),
    "L": Size("L", allies=32, items=24, months=120, lines=150, components=30, seed=32_120),
}

START_YEAR = 2025


def _month(index: int) -> str:
    """Month ``index`` after January of START_YEAR, as YYYY-MM."""
    return f"{START_YEAR + index // 12:04d}-{index % 12 + 1:02d}"


def tables(size: Size) -> dict[str, list[dict[str, Any]]]:
    """The scenario's tables as rows, drawn from ``size.seed``."""
    rng = np.random.default_rng(size.seed)
    H = size.months
    allies = ALLIES.split()[: size.allies]
    # Economic weight of each ally: log-normal, sorted so that the first is the largest.
    weight = np.sort(rng.lognormal(0.0, 1.2, size.allies))[::-1]
    weight = weight / weight.max()

    # Items: about one in three a shell (cheap, made by the thousand), the rest missiles.
    items: list[dict[str, Any]] = []
    kind: list[str] = []
    for i in range(size.items):
        shell = i % 3 == 0
        price = float(rng.uniform(3_000, 9_000) if shell else np.exp(rng.uniform(11.5, 15.4)))
        kind.append("shell" if shell else "missile")
        items.append(
            {
                "code": f"{'SHELL' if shell else 'MSL'}{i:02d}",
                "name": f"Synthetic {'round' if shell else 'missile'} {i:02d}",
                "unit": "round" if shell else "missile",
                "unit_price": round(price, 2),
                "priority": 1 if rng.random() < 0.8 else 2,
            }
        )
    # Interoperability groups: every fourth item shares the group of the item before it
    # (two makes of one standard round or missile fill one stock).
    group = [it["code"] for it in items]
    for i in range(3, size.items, 4):
        group[i] = group[i - 1]
    for it, g in zip(items, group, strict=True):
        it["group"] = g

    # Stockpiles by ally and item: big allies stock more items; targets grow with size.
    stockpiles: list[dict[str, Any]] = []
    demand: list[dict[str, Any]] = []
    need_money = np.zeros(size.allies)  # [USD] to reach targets and serve demand
    groups_held: dict[tuple[int, str], bool] = {}
    group_need: dict[str, float] = defaultdict(float)  # [units] over the horizon
    for a, code in enumerate(allies):
        for i, it in enumerate(items):
            p = 0.45 + 0.5 * weight[a] ** 0.3
            if rng.random() > p and i != a % size.items:
                continue
            shell = kind[i] == "shell"
            scale = 300_000 if shell else 600
            target = max(10.0, scale * weight[a] ** 0.7 * float(rng.uniform(0.5, 1.5)))
            initial = target * float(rng.uniform(0.15, 0.6))
            due = int(rng.integers(max(6, H // 3), H))
            stockpiles.append(
                {
                    "ally": code,
                    "item": it["code"],
                    "initial": round(initial),
                    "target": round(target),
                    "target_date": _month(due),
                    "priority": 1,
                }
            )
            groups_held[(a, group[i])] = True
            use = target * 0.04 / 12
            demand.append(
                {
                    "ally": code,
                    "item": it["code"],
                    "kind": "consumption",
                    "start": _month(0),
                    "end": _month(H - 1),
                    "per_month": round(use, 2),
                }
            )
            spent = (target - initial + use * H) * it["unit_price"]
            group_need[group[i]] += target - initial + use * H
            if rng.random() < 0.3:
                first = int(rng.integers(0, H // 2))
                last = int(rng.integers(first, H))
                aid = target * float(rng.uniform(0.005, 0.03))
                demand.append(
                    {
                        "ally": code,
                        "item": it["code"],
                        "kind": "aid",
                        "recipient": "UKR",
                        "start": _month(first),
                        "end": _month(last),
                        "per_month": round(aid, 2),
                    }
                )
                spent += aid * (last - first + 1) * it["unit_price"]
                group_need[group[i]] += aid * (last - first + 1)
            need_money[a] += spent

    # Lines: at least one per item, the rest spread over items; hosts weighted by size.
    line_item = list(range(size.items)) + list(rng.integers(0, size.items, size.lines - size.items))
    host_p = weight**0.8 / (weight**0.8).sum()
    lines_in_group: dict[str, int] = defaultdict(int)
    for i in line_item:
        lines_in_group[group[i]] += 1
    lines: list[dict[str, Any]] = []
    capacity_of_item = np.zeros(size.items)
    for n, i in enumerate(sorted(line_item)):
        shell = kind[i] == "shell"
        # The group's lines together make 40-90 % of what its holders need a month now
        # (targets above initial stock, plus demand, over the horizon), 1.5-3 times that
        # once expanded: capacity binds, and expansions are worth their lead time.
        per_line = group_need[group[i]] / H / lines_in_group[group[i]]
        cap = per_line * float(rng.uniform(0.4, 0.9)) * float(rng.uniform(0.5, 1.5))
        ceiling = cap * float(rng.uniform(1.5, 3.0))
        if rng.random() < 0.1:
            cap = 0.0  # a line still to be built
        price = items[i]["unit_price"]
        lead = int(rng.integers(max(3, H // 8), max(6, H // 3) + 1))
        lines.append(
            {
                "id": f"LN{n:03d}",
                "item": items[i]["code"],
                "producer": f"Producer {n % max(3, size.lines // 3):02d}",
                "host": allies[int(rng.choice(size.allies, p=host_p))],
                "capacity": round(cap, 2),
                "ceiling": round(ceiling, 2),
                "lead_time": lead,
                "expansion_cost": round(price * float(rng.uniform(3.0, 7.0)), 0),
                "delivery_lag": int(rng.integers(1, 4)),
                "ramp": round(ceiling / float(rng.uniform(8.0, 20.0)), 2),
                "min_utilisation": round(float(rng.uniform(0.3, 0.6)), 2)
                if rng.random() < 0.6
                else 0.0,
                "idle_cost": round(price * float(rng.uniform(0.05, 0.2)), 0),
            }
        )
        capacity_of_item[i] += cap

    # Components: each item takes one to three, drawn so that components are shared.
    components: list[dict[str, Any]] = []
    bom: list[dict[str, Any]] = []
    need = np.zeros(size.components)  # component units a month at today's line capacity
    for i, it in enumerate(items):
        shell = kind[i] == "shell"
        k = min(size.components, int(rng.integers(1, 4)))
        for c in sorted(rng.choice(size.components, k, replace=False)):
            qty = float(rng.uniform(0.002, 0.02) if shell else rng.uniform(1.0, 2.0))
            bom.append({"item": it["code"], "component": f"CMP{c:02d}", "quantity": round(qty, 4)})
            need[c] += qty * capacity_of_item[i]
    for c in range(size.components):
        supply = need[c] * float(rng.uniform(0.6, 1.1)) if need[c] > 0 else 100.0
        components.append(
            {
                "code": f"CMP{c:02d}",
                "name": f"Synthetic component {c:02d}",
                "supply": round(supply, 2),
                "ceiling": round(supply * float(rng.uniform(1.3, 2.2)), 2),
                "lead_time": int(rng.integers(max(3, H // 6), max(6, H // 3) + 1)),
                "expansion_cost": round(float(rng.uniform(5e4, 3e6)), 0),
            }
        )

    # Existing firm contracts: a few, on lines with capacity, for allies stocking the item.
    contracts: list[dict[str, Any]] = []
    spend = np.zeros((size.allies, H // 12 + 1))
    for n in rng.choice(size.lines, max(1, size.lines // 10), replace=False):
        line = lines[int(n)]
        if line["capacity"] <= 0:
            continue
        i = next(k for k, it in enumerate(items) if it["code"] == line["item"])
        buyers = [a for a in range(size.allies) if groups_held.get((a, group[i]))]
        if not buyers:
            continue
        chosen = sorted(rng.choice(buyers, min(len(buyers), int(rng.integers(1, 4))), False))
        first = int(rng.integers(line["delivery_lag"], max(line["delivery_lag"] + 1, H // 2)))
        last = min(H - 1, first + int(rng.integers(6, 25)))
        quantity = round(0.2 * line["capacity"] * (last - first + 1))
        if quantity <= 0:
            continue
        value = quantity * items[i]["unit_price"]
        contracts.append(
            {
                "id": f"CT{len(contracts):03d}",
                "buyers": ";".join(allies[int(b)] for b in chosen),
                "line": line["id"],
                "quantity": quantity,
                "value": round(value, 0),
                "currency": "USD",
                "start": _month(first),
                "end": _month(last),
                "firm": True,
            }
        )
        per_month = value / (last - first + 1) / len(chosen)
        for b in chosen:
            for t in range(first, last + 1):
                spend[int(b), t // 12] += per_month

    # Budgets: what reaching the targets and serving demand would cost over the horizon,
    # per year, times a factor that leaves about a third of the allies short of money.
    years = (H + 11) // 12
    budgets: list[dict[str, Any]] = []
    for a, code in enumerate(allies):
        factor = float(np.exp(rng.uniform(np.log(0.5), np.log(5.0))))
        yearly = need_money[a] / (H / 12) * factor
        for y in range(years):
            amount = max(yearly, 1.25 * spend[a, y] * 12 / min(12, H - 12 * y))
            budgets.append({"ally": code, "year": START_YEAR + y, "amount": round(amount, 0)})

    ally_rows = [
        {"code": code, "name": f"Ally {code}", "priority": 1} for code in allies
    ]  # names are synthetic: nothing here is a real country's figure
    return {
        "allies": ally_rows,
        "items": items,
        "lines": lines,
        "components": components,
        "bom": bom,
        "stockpiles": stockpiles,
        "demand": demand,
        "contracts": contracts,
        "budgets": budgets,
    }


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    pd.DataFrame(rows).to_csv(path, index=False)


def write(size: Size, folder: Path) -> Path:
    """Write the scenario of ``size`` to ``folder`` (created or overwritten)."""
    folder.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {
        "name": f"bench-{size.name}",
        "description": (
            f"Synthetic benchmark scenario {size.name} (seed {size.seed}): {size.allies} allies, "
            f"{size.items} items, {size.months} months, {size.lines} lines, "
            f"{size.components} components; no price tiers, so the plan is an LP."
        ),
        "start": _month(0),
        "horizon": size.months,
        "currency": "USD",
        "price_year": 2024,
        "policy": {"pooling": True, "expansion": True, "industry_rule_months": 24},
        "tables": {},
    }
    for name, rows in tables(size).items():
        if rows:
            _write_csv(folder / f"{name}.csv", rows)
            doc["tables"][name] = f"{name}.csv"
    (folder / "scenario.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--out", type=Path, default=HERE / "scenarios")
    args = parser.parse_args(argv)
    for name in args.sizes:
        print(write(SIZES[name], args.out / name))


if __name__ == "__main__":
    main()
