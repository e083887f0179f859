"""The ``Plan``: what the planner decided, as tables, with no solver in it.

It is the seam between the planner and what uses its plans (the simulator, sweeps, the
server): the contracts to sign, the deliveries they make, the capacity and supply
schedules, the stock path, the money spent. It saves to a plan folder (Parquet tables
plus ``manifest.json`` with the scenario's digest) and loads from one; a plan is refused
for a scenario other than the one it was made for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from materiel.errors import InputError

if TYPE_CHECKING:
    from materiel.scenario import Scenario

MANIFEST = "manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class PlanTable:
    """A table of a plan: its name, what it holds (with units), the attribute or method
    of a solved result that makes it, and whether the shared workspace serves it (each
    served table has a rule in :mod:`materiel.store.policy`). Adding a table touches this
    record only."""

    name: str
    holds: str
    made_by: str
    served: bool = True


PLAN_TABLES: tuple[PlanTable, ...] = (
    PlanTable(
        "contracts",
        "contracts to sign: buyers, line, rate [units/month], months, value",
        "contracts",
    ),
    PlanTable(
        "deliveries",
        "new orders arriving: line, ally, month, quantity [units]",
        "delivery_table",
    ),
    PlanTable(
        "capacity",
        "line, month: capacity, output [units/month], held by the producer [units]",
        "capacity_by_month",
    ),
    PlanTable(
        "supply", "component, month: supply and what is added [units/month]", "supply_by_month"
    ),
    PlanTable("stock", "ally, group, month: stock, target [units]", "stock_table"),
    PlanTable(
        "spending",
        "ally, year: new orders and expansions, existing contracts, budget [currency]",
        "spending",
    ),
    PlanTable("targets", "ally, group: target, date, month met, met by date", "targets"),
    PlanTable(
        "suppliers",
        "component, supplier, country: supply now and added [units/month], supplied [units], "
        "share of the supply used [%]",
        "suppliers",
    ),
    PlanTable(
        "supply_chain",
        "component: suppliers, largest share [%], HHI, non-allied share [%], target-months "
        "lost if the largest supplier stops for six months, the second source's value",
        "supply_chain",
    ),
    # not served: per ally, and the workspace's disclosure rules have no rule for it yet
    PlanTable(
        "qualifications",
        "ally, item: qualified by the plan or not, usable from, cost [currency], value "
        "[target-months]",
        "qualifications",
        served=False,
    ),
    # served to alliance staff only (store.policy)
    PlanTable(
        "aid_allocation",
        "donor, recipient, item, source (stock or new), month: quantity [units], value [currency]",
        "aid_allocation",
    ),
    PlanTable(
        "aid_requirements",
        "recipient, item: required, given, unmet [units], requirement-months met, month "
        "met, donors",
        "aid_requirements",
    ),
    PlanTable(
        "aid_by_donor",
        "donor: value given, fair share [currency], against the EUR 40 bn a year baseline",
        "aid_by_donor",
    ),
    # per ally: an ally sees its own row only (store.policy)
    PlanTable(
        "work_share",
        "ally: work share required [%], orders' value and the part placed at home "
        "[currency], weighted shortfall [target-months] and spending [currency] with the "
        "rule and without, and the difference (its price)",
        "work_share",
    ),
    # what binds (store.policy): a line's or component's row to those who see the
    # industry page and every month's output of the lines it bounds, an ally's budget or
    # work share row to that ally's analysts; the re-solved weighted shortfall (a sum
    # over every ally) and the groups' changes to alliance staff only
    PlanTable(
        "bottlenecks",
        "limits that bind, largest first: kind (line, component, budget, industry_rule, "
        "work_share), name, label, unit, the ally whose limit it is, the lines it bounds; "
        "shadow price, gain [target-months] (first order, 10 % more), and for the top "
        "few re-solved 10 % larger: the increase [unit], the weighted shortfall before "
        "and after and the gain [target-months]",
        "bottleneck_table",
    ),
    PlanTable(
        "bottleneck_groups",
        "kind, name, group label: change of the weighted shortfall when the limit is "
        "10 % larger [target-months], after minus before",
        "bottleneck_group_table",
    ),
    # kept with a run, never served: the store's disclosure rule reads it to hide the
    # expansions whose cost would give other allies' requirements (store.funding)
    PlanTable(
        "funding_cells",
        "kind (line, component, group), name, ally: the ally's share of what the line or "
        "component's expansion costs, or of the group's requirement, where it is in "
        "proportion to requirements [-]; a component's groups",
        "funding_cells",
        served=False,
    ),
    # not served: the workspace's disclosure rules have no rule for it yet
    PlanTable(
        "unmet",
        "ally, group, month: demand the plan leaves unmet [units]",
        "unmet_table",
        served=False,
    ),
)
#: Table name -> what it holds (the manifest lists them with their units).
TABLES = {t.name: t.holds for t in PLAN_TABLES}
#: The tables the shared workspace serves.
SERVED = tuple(t.name for t in PLAN_TABLES if t.served)


class _Planned(Protocol):
    """What holds a plan (a solved result): the planner makes plans, this module only
    keeps them."""

    @property
    def plan(self) -> Plan: ...


@dataclass(frozen=True)
class Plan:
    """A plan for one scenario: its tables and where it came from."""

    scenario_name: str
    scenario_digest: str
    start: str  # month 0, YYYY-MM
    horizon: int  # [months]
    currency: str
    tables: dict[str, pd.DataFrame]
    summary: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @classmethod
    def from_result(cls, result: _Planned) -> Plan:
        """The plan of a solved :class:`~materiel.planner.result.PlanResult`."""
        return result.plan

    def save(self, folder: Path) -> Path:
        """Write the plan folder; returns it."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, frame in self.tables.items():
                clean = frame.copy()
                clean.attrs = {}
                clean.to_parquet(folder / f"{name}.parquet", index=False)
            manifest = {
                "format": FORMAT,
                "scenario": self.scenario_name,
                "scenario_digest": self.scenario_digest,
                "start": self.start,
                "horizon": self.horizon,
                "currency": self.currency,
                "tables": {name: TABLES.get(name, "") for name in self.tables},
                "summary": self.summary,
            }
            (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the plan folder {folder}: {exc}") from exc
        return folder

    @classmethod
    def load(cls, folder: Path, scenario: Scenario | None = None) -> Plan:
        """Read a plan folder (or the report folder ``materiel plan --out`` wrote, which
        holds it in ``plan/``); with ``scenario``, refuse a plan made for another one."""
        folder = Path(folder)
        if not (folder / MANIFEST).exists() and (folder / "plan" / MANIFEST).is_file():
            folder = folder / "plan"
        path = folder / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{folder} is not a plan folder: it has no {MANIFEST}") from None
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: cannot read the plan manifest: {exc}") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise InputError(f"{path}: not a plan manifest of format {FORMAT}")
        if scenario is not None and manifest.get("scenario_digest") != scenario.digest():
            raise InputError(
                f"the plan in {folder} was made for scenario {manifest.get('scenario')!r} "
                f"(digest {str(manifest.get('scenario_digest'))[:12]}), not for "
                f"{scenario.name!r} as it is now (digest {scenario.digest()[:12]}): "
                "plan the scenario again"
            )
        tables = {}
        for name in manifest.get("tables", {}):
            file = folder / f"{name}.parquet"
            try:
                tables[name] = pd.read_parquet(file)
            except (OSError, ValueError) as exc:
                raise InputError(f"{file}: cannot read this table of the plan: {exc}") from exc
        return cls(
            scenario_name=str(manifest["scenario"]),
            scenario_digest=str(manifest["scenario_digest"]),
            start=str(manifest["start"]),
            horizon=int(manifest["horizon"]),
            currency=str(manifest["currency"]),
            tables=tables,
            summary=dict(manifest.get("summary", {})),
        )

    @classmethod
    def from_stored(cls, result: dict[str, Any], scenario: Scenario, digest: str) -> Plan:
        """The plan a workspace run's stored ``result`` holds (its summary, and its tables
        as rows), for ``scenario`` as it was planned (``digest``: the scenario's digest
        the run recorded). :meth:`load` reads the same plan from a plan folder."""
        summary = dict(result.get("summary") or {})
        tables = {name: pd.DataFrame.from_records(rows) for name, rows in result["tables"].items()}
        return cls(
            scenario_name=scenario.name,
            scenario_digest=digest,
            start=scenario.start,
            horizon=scenario.horizon,
            currency=str(summary.get("currency", "")),
            tables=tables,
            summary=summary,
        )
