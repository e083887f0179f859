"""A run's national plan in the store: what a nation analyst of one ally sees of a
finished run and of its scenario (:func:`materiel.store.plan_view.nation_view`), for
that ally's analysts and for alliance staff, who may ask it for any ally."""

from __future__ import annotations

from typing import Any

from materiel.store.base import StoreBase
from materiel.store.errors import AccessDenied, NotFound
from materiel.store.models import ScenarioRecord
from materiel.store.plan_view import NATIONAL_SCENARIO_TABLES, nation_view
from materiel.store.policy import Principal
from materiel.store.records import NationalView
from materiel.store.run_ops import _visible_run
from materiel.store.scenario_ops import ScenarioOps, delivered


class NationalOps(StoreBase):
    def national_view(self, who: Principal, run_id: int, ally: str) -> NationalView:
        """A finished run as a nation analyst of ``ally`` sees it. A nation analyst may
        ask for its own ally's only (:class:`AccessDenied` for another's); alliance
        analysts and admins for any ally of the run's scenario; others not at all. A run
        the user may not see is a :class:`NotFound`, as for none."""
        policy = self.policy(who)
        policy.require("run.read", "read plan runs")
        if not (policy.may("scenario.create") or (who.role == "nation" and who.ally == ally)):
            whose = f"{who.ally}'s" if who.role == "nation" else "none"
            raise AccessDenied(f"{who.role} users may read {whose} national plans only")
        with self.tx() as s:
            record = _visible_run(s, policy, run_id)
            if record.status != "done" or not record.result:
                raise NotFound(f"run {run_id} has no result ({record.status})")
            result: dict[str, Any] = dict(record.result)
            scenario = s.get(ScenarioRecord, record.scenario_id)
            assert scenario is not None  # a run goes with its scenario
            meta = ScenarioOps._meta(s, scenario)
            tables = {
                t: [r.data for r in ScenarioOps._merged(s, scenario, t)]
                for t in NATIONAL_SCENARIO_TABLES
            }
            if "delivered" not in result:  # runs made before runs kept it
                new = result["tables"].get("deliveries", [])
                result["delivered"] = delivered(s, record.scenario_id, new)
            name = scenario.name
            # the key run_table keeps the rule's decisions on this run's tables under
            memo_key = ("run", run_id, str(record.created_at), record.scenario_digest)
        if ally not in {str(r.get("code")) for r in tables.get("allies", [])}:
            raise NotFound(f"scenario {name!r} of run {run_id} has no ally {ally!r}")
        seen = nation_view(ally, result, tables, rule=self.rule, memo=self.memo, memo_key=memo_key)
        return NationalView(run=run_id, scenario=name, ally=ally, meta=meta, tables=seen)
