"""Aid to Ukraine by donor [EUR bn] (Kiel Ukraine Support Tracker, Release 28).

Absolute figures come straight from Kiel; "fair share" compares a donor's share of the
allies' total aid with its share of the allies' GDP. Shares of totals are unit-free, so
fair share needs no currency conversion. "% of the donor's GDP" does: aid is in EUR and
NATO's GDP in USD, and the data holds no sourced EUR/USD rate, so that column is only
computed with a rate the user gives (``--eur-usd``), recorded as an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from materiel.countries import BY_ISO3, try_resolve
from materiel.errors import DataError, InputError
from materiel.publicdata import (
    KIEL_R28_AID,
    KIEL_R28_SOURCE,
    NATO_2024_SOURCE,
    NATO_GDP_USD,
    nato_year_table,
    read_table,
)
from materiel.track.fx import RateTable
from materiel.track.inputs import positive_number, year_in
from materiel.track.result import TrackResult

CATEGORIES = ("military", "financial", "humanitarian", "total")
MEASURES = ("allocation", "commitment")
#: Kiel rows that are institutions, not countries: kept as their own rows.
INSTITUTIONS = {"EU (Commission and Council)": "EU institutions"}
GDP_SOURCE = f"{NATO_2024_SOURCE}, Table 5 (GDP, current prices and exchange rates, bn USD)"


def fair_share(aid: pd.Series, gdp: pd.Series) -> pd.DataFrame:
    """Each donor's share of total aid against its share of total GDP.

    ``aid`` [any one currency] and ``gdp`` [any one currency] are indexed by donor;
    only donors present in both count. Returns ``aid_share_pct`` and ``gdp_share_pct``
    [% of the group's total], ``ratio`` (aid share / GDP share; 1 = exactly its share)
    and ``fair_amount`` (GDP share x total aid, in aid's currency).
    """
    both = pd.concat({"aid": aid, "gdp": gdp}, axis=1).dropna()
    aid_share = both["aid"] / both["aid"].sum()
    gdp_share = both["gdp"] / both["gdp"].sum()
    return pd.DataFrame(
        {
            "aid_share_pct": 100 * aid_share,
            "gdp_share_pct": 100 * gdp_share,
            "ratio": aid_share / gdp_share,
            "fair_amount": gdp_share * both["aid"].sum(),
        }
    )


def kiel_donors() -> pd.DataFrame:
    """Kiel R28 aid by donor [EUR bn], with ISO3 code and donor type (ally, other, institution)."""
    raw = read_table(KIEL_R28_AID)
    rows = []
    for rec in raw.to_dict("records"):
        name = str(rec["land"])
        code = try_resolve(name)
        if code is None and name not in INSTITUTIONS:
            raise DataError(
                f"{KIEL_R28_AID}: donor {name!r} is neither a known country nor an institution"
            )
        country = BY_ISO3.get(code) if code else None
        kind = (
            "institution"
            if code is None
            else ("ally" if country and country.is_ally else "non-ally")
        )
        row = {
            "donor": INSTITUTIONS.get(name, country.name if country else name),
            "iso3": code or "",
            "type": kind,
            "eu_member": str(rec["er_eu_medlem"]) == "True",
        }
        for measure in MEASURES:
            for cat in CATEGORIES:
                row[f"{cat}_{measure}"] = float(rec[f"{cat}_{measure}"])
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class AidOptions:
    """What the user chose: measure, category for fair share, GDP year, pledge."""

    measure: str = "allocation"
    category: str = "total"
    gdp_year: int = 2021
    pledge: float | None = None
    currency: str = "EUR"
    pledge_category: str = "military"
    aid_years: float | None = None


def _check(options: AidOptions) -> None:
    if options.measure not in MEASURES:
        raise InputError(f"--measure must be one of {', '.join(MEASURES)}, got {options.measure!r}")
    for name, value in (
        ("--category", options.category),
        ("--pledge-category", options.pledge_category),
    ):
        if value not in CATEGORIES:
            raise InputError(f"{name} must be one of {', '.join(CATEGORIES)}, got {value!r}")


def aid(options: AidOptions, rates: RateTable | None = None) -> TrackResult:
    """Aid by donor [EUR bn], % of donor GDP (with a user rate), fair share, pledge check."""
    _check(options)
    rates = rates or RateTable()
    donors = kiel_donors()
    gdp_table = nato_year_table(NATO_GDP_USD)
    year = year_in(options.gdp_year, [int(y) for y in gdp_table.columns], "--gdp-year")
    donors["gdp_usd_bn"] = donors["iso3"].map(gdp_table[year]).where(donors["type"] == "ally")
    measure, other = options.measure, next(m for m in MEASURES if m != options.measure)
    key = f"{options.category}_{measure}"
    allies = donors[donors["type"] == "ally"].set_index("iso3")
    shares = fair_share(allies[key], allies["gdp_usd_bn"])
    for col in shares.columns:
        donors[col] = donors["iso3"].map(shares[col])
    notes, assumptions = [], list(rates.describe())
    usd_per_eur = rates.rate("EUR", "USD")
    if usd_per_eur is not None:
        gdp_eur_bn = donors["gdp_usd_bn"] / usd_per_eur
        donors["pct_gdp"] = 100 * donors[f"total_{measure}"] / gdp_eur_bn
    else:
        notes.append(
            "% of donor GDP not computed: aid is in EUR, GDP in USD, and the data holds no "
            "sourced EUR/USD rate; pass --eur-usd RATE (USD per EUR) to compute it as your "
            "assumption."
        )
    donors = donors.sort_values(f"total_{measure}", ascending=False).reset_index(drop=True)
    missing = sorted(
        c.name for c in BY_ISO3.values() if c.is_ally and c.iso3 not in set(donors["iso3"])
    )
    allied_total = float(allies[key].sum())
    summary = [
        f"Allies' {options.category} aid ({measure}s): EUR {allied_total:,.1f} bn; all donors: "
        f"EUR {donors[key].sum():,.1f} bn (Kiel R28, cumulative; cut-off date not stated "
        "in the copy).",
        f"Fair share: share of the allies' {options.category} {measure}s against share of allied "
        f"GDP in {year} (current USD); ratio 1.0 = exactly its GDP share. No currency conversion.",
    ]
    if missing:
        summary.append(
            f"Allies not in the Kiel tracker, left out of both totals: {', '.join(missing)}."
        )
    if options.pledge is not None:
        line, assumed = pledge_check(donors, options, rates)
        summary.append(line)
        assumptions += assumed
    display = ["donor", "type", *(f"{c}_{measure}" for c in CATEGORIES), f"total_{other}"]
    display += ["pct_gdp", "aid_share_pct", "gdp_share_pct", "ratio"]
    units = {f"{c}_{m}": f"EUR bn, {m}s (Kiel R28)" for c in CATEGORIES for m in MEASURES}
    units.update(
        gdp_usd_bn=f"bn USD, {year}, current prices (NATO Table 5)",
        pct_gdp=f"total {measure}s as % of {year} GDP converted at the user's EUR/USD rate",
        aid_share_pct=f"% of the allies' {options.category} {measure}s",
        gdp_share_pct=f"% of the allies' GDP in {year}",
        ratio="aid share / GDP share (fair share = 1)",
        fair_amount=f"EUR bn: GDP share x allies' {options.category} {measure}s",
    )
    return TrackResult(
        kind="aid",
        title=f"Aid to Ukraine by donor, EUR bn ({measure}s)",
        table=donors,
        units=units,
        summary=(*summary, *notes),
        sources=(KIEL_R28_SOURCE, GDP_SOURCE),
        assumptions=tuple(assumptions),
        display=tuple(display),
        decimals={
            "pct_gdp": 3,
            "aid_share_pct": 2,
            "gdp_share_pct": 2,
            "ratio": 2,
            "gdp_usd_bn": 1,
        },
        meta={"measure": measure, "category": options.category, "gdp_year": year},
    )


def pledge_check(
    donors: pd.DataFrame, options: AidOptions, rates: RateTable
) -> tuple[str, list[str]]:
    """The allies' yearly aid against a yearly pledge: (summary line, assumptions)."""
    amount = positive_number(float(options.pledge or 0), "--pledge [currency units per year]")
    currency = options.currency.strip().upper()
    if options.aid_years is None:
        raise InputError(
            "the Kiel R28 copy does not state its cut-off date, so its cumulative figures cannot "
            "be turned into a yearly amount by themselves; pass --aid-years N (the length in years "
            "of the period the figures cover), which is recorded as your assumption"
        )
    years = positive_number(options.aid_years, "--aid-years [years]")
    pledge_eur_bn = rates.convert(amount, currency, "EUR", "the pledge") / 1e9
    key = f"{options.pledge_category}_{options.measure}"
    yearly = float(donors.loc[donors["type"] == "ally", key].sum()) / years
    verdict = "above" if yearly >= pledge_eur_bn else "below"
    line = (
        f"Allies' yearly {options.pledge_category} aid ({options.measure}s / {years:g} years): "
        f"EUR {yearly:,.1f} bn a year, {verdict} the pledge of EUR {pledge_eur_bn:,.1f} bn a year "
        f"({100 * yearly / pledge_eur_bn:.0f}%)."
    )
    assumed = [f"Kiel R28 figures taken to cover {years:g} years (--aid-years, user assumption)."]
    if currency != "EUR":
        assumed.append(f"Pledge of {amount:,.0f} {currency} converted to EUR at the rate above.")
    return line, assumed
