"""Who pays for an expansion in proportion to requirements, as cells for the disclosure
rule (:mod:`materiel.store.funding`).

Under ``policy.expansion_funding: users`` each ally that stocks a line's group pays a
share of the line's expansion (and of its idle capacity) equal to its requirement of
the group over the sum of the payers' requirements; every component supplier's
expansion is paid so by the component's users under either rule. An ally knows its own
share of the money (its spending less its own contracts), so the expansion's total cost
gives it its share, and so the sum of the other payers' requirements: the expansion is a
*cell* whose contributions are the payers' shares (proportional to their requirements).

The table made here holds those cells, one row per (kind, name, ally): ``kind`` is
``line`` (a line paid by its users; a line one ally pays in full, its host or its only
user, is no cell: its share tells nothing of requirements), ``component`` (its users'
shares; likewise none where one ally pays it all), or ``group`` (each
stocking ally's requirement of the group as a share of the group's: a component's share
is a weighted sum of its users' requirements of the groups it goes into, so the
group totals its cost gives, with the others shown, must not isolate a group whose
cell fails).
It is kept with a run but never served (``served=False``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from materiel.scenario import ModelInputs

COLUMNS = ["kind", "name", "ally", "share", "groups"]
EPS = 1e-12


def funding_cells(inputs: ModelInputs) -> pd.DataFrame:
    """The cells of requirement-proportional payments: kind, name, ally, share, groups
    (the groups whose requirements the shares weigh and their weights, ``G:w;...``: a
    line's group with weight 1; a component's groups with the most of it one unit of
    the group takes)."""
    rows: list[tuple[str, str, str, float, str]] = []
    host = inputs.line_payer
    for line in host.coords["line"].values:
        shares = host.sel(line=line).to_series()
        if int((shares > EPS).sum()) == 1:
            continue  # one payer of it all (its host, or its only user): no cell
        group = f"{inputs.line_group.sel(line=line).item()}:1"
        rows += [("line", str(line), str(a), float(v), group) for a, v in shares.items() if v > EPS]
    per_group = inputs.bom.groupby(inputs.line_group.rename("group")).max()
    for comp in inputs.supply_payer.coords["component"].values:
        feeds = per_group.sel(component=comp).to_series()
        groups = ";".join(f"{g}:{float(v)!r}" for g, v in sorted(feeds.items()) if v > EPS)
        shares = inputs.supply_payer.sel(component=comp).to_series()
        if int((shares > EPS).sum()) == 1:
            continue
        rows += [
            ("component", str(comp), str(a), float(v), groups) for a, v in shares.items() if v > EPS
        ]
    need = ((inputs.target - inputs.initial).clip(0, None) + inputs.demand.sum("month")).where(
        inputs.has_stock, 0.0
    )
    for group in need.coords["group"].values:
        series = need.sel(group=group).to_series()
        total = float(series.sum())
        if total > EPS:
            rows += [
                ("group", str(group), str(a), float(v) / total, "")
                for a, v in series.items()
                if v > EPS
            ]
    return pd.DataFrame(rows, columns=COLUMNS)
