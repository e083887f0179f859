"""Aid to Ukraine by donor [EUR bn] (Kiel Ukraine Support Tracker, Release 28).

Absolute figures come straight from Kiel; "fair share" compares a donor's share of the
allies' total aid with its share of the allies' GDP. Shares of totals are unit-free, so
fair share needs no currency conversion. "% of the donor's GDP" does: aid is in EUR and
NATO's GDP in USD, and the data holds no sourced EUR/USD rate, so that column is only
computed with a rate the user gives (``--eur-usd``), recorded as an assumption.

Every aid amount is in EUR bn, pledges included (``--pledge 40`` is EUR 40 bn a year).
Kiel's figures are cumulative and the shipped copy does not state the period they
cover, so a yearly comparison needs the period from the user (``--aid-period
2022-01:2024-12``) with its source, both printed with the result. A yearly pledge is
checked in total and ally by ally against each ally's share of it in proportion to its
share of the allies' GDP; aid pledges can be read from the pledge ledger by id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
from materiel.track.ledger_model import ALLIANCE, CURRENCIES, MAX_AID_BN, Pledge
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
class AidPeriod:
    """The months Kiel's cumulative figures are taken to cover, and where that comes from."""

    first: str
    last: str
    source: str

    @property
    def months(self) -> int:
        """Months from ``first`` to ``last``, both included."""
        (y0, m0), (y1, m1) = (_month(self.first), _month(self.last))
        return (y1 - y0) * 12 + m1 - m0 + 1

    @property
    def years(self) -> float:
        """The period in years (months / 12)."""
        return self.months / 12

    def describe(self) -> str:
        """'2022-01 to 2024-12 (36 months, 3.00 years; source: ...)'."""
        return (
            f"{self.first} to {self.last} ({self.months} months, {self.years:.2f} years; "
            f"source: {self.source})"
        )


def parse_period(text: str, source: str = "") -> AidPeriod:
    """``YYYY-MM:YYYY-MM`` as an :class:`AidPeriod`; InputError naming what is wrong."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) != 2 or not all(re.fullmatch(r"\d{4}-\d{2}", p) for p in parts):
        raise InputError(f"--aid-period must be FIRST:LAST as YYYY-MM:YYYY-MM, got {text!r}")
    for part in parts:
        _month(part)
    period = AidPeriod(parts[0], parts[1], source.strip() or "your assumption")
    if period.months < 1:
        raise InputError(f"--aid-period {text!r} ends before it starts")
    return period


def _month(text: str) -> tuple[int, int]:
    year, month = int(text[:4]), int(text[5:7])
    if not 1 <= month <= 12 or not 2014 <= year <= 2100:
        raise InputError(f"--aid-period: {text!r} is not a month between 2014-01 and 2100-12")
    return year, month


@dataclass(frozen=True)
class AidOptions:
    """What the user chose: measure, category, GDP year, and a yearly pledge to check.

    ``pledge`` is in bn of ``currency`` a year (the unit of every aid figure here), or a
    ledger id (``P0003``) of an aid pledge, read from the pledges given to :func:`aid`.
    ``period`` is the time Kiel's cumulative figures cover, needed for the check.
    """

    measure: str = "allocation"
    category: str = "total"
    gdp_year: int = 2021
    pledge: float | str | None = None
    currency: str = "EUR"
    pledge_category: str = "military"
    period: AidPeriod | None = None


def _check(options: AidOptions) -> None:
    if options.measure not in MEASURES:
        raise InputError(f"--measure must be one of {', '.join(MEASURES)}, got {options.measure!r}")
    for name, value in (
        ("--category", options.category),
        ("--pledge-category", options.pledge_category),
    ):
        if value not in CATEGORIES:
            raise InputError(f"{name} must be one of {', '.join(CATEGORIES)}, got {value!r}")
    if options.period is not None and options.pledge is None:
        raise InputError("--aid-period is only used with --pledge; give a pledge to check")
    if options.currency.strip().upper() not in CURRENCIES:
        raise InputError(
            f"--currency must be an allied currency code (EUR, USD, GBP, ...), "
            f"got {options.currency!r}"
        )


def aid(
    options: AidOptions, rates: RateTable | None = None, pledges: Sequence[Pledge] = ()
) -> TrackResult:
    """Aid by donor [EUR bn], % of donor GDP (with a user rate), fair share, pledge check.

    ``pledges`` is the ledger, read when ``options.pledge`` is a pledge id.
    """
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
        donors["pct_gdp"] = 100 * donors[key] / gdp_eur_bn
    else:
        notes.append(
            "% of donor GDP not computed: aid is in EUR, GDP in USD, and the data holds no "
            "sourced EUR/USD rate; pass --eur-usd RATE (USD per EUR) to compute it as your "
            "assumption."
        )
    donors = donors.sort_values(key, ascending=False).reset_index(drop=True)
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
        "Yearly flows are not shown: the shipped Kiel copy holds cumulative totals by donor, "
        "not amounts by year.",
    ]
    if missing:
        summary.append(
            f"Allies not in the Kiel tracker, left out of both totals: {', '.join(missing)}."
        )
    sources = [KIEL_R28_SOURCE, GDP_SOURCE]
    display = ["donor", "type", *(f"{c}_{measure}" for c in CATEGORIES), f"total_{other}"]
    display += ["pct_gdp", "aid_share_pct", "gdp_share_pct", "ratio"]
    units: dict[str, str] = {}
    if options.pledge is not None:
        check = pledge_check(donors, options, rates, pledges, gdp_table[year])
        donors = check.donors
        summary += check.lines
        assumptions += check.assumptions
        sources += check.sources
        units.update(check.units)
        display += list(check.units)
    units.update({f"{c}_{m}": f"EUR bn, {m}s (Kiel R28)" for c in CATEGORIES for m in MEASURES})
    units.update(
        gdp_usd_bn=f"bn USD, {year}, current prices (NATO Table 5)",
        pct_gdp=(
            f"{options.category} {measure}s as % of {year} GDP converted at the user's EUR/USD rate"
        ),
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
        sources=tuple(sources),
        assumptions=tuple(assumptions),
        display=tuple(display),
        decimals={
            "pct_gdp": 3,
            "aid_share_pct": 2,
            "gdp_share_pct": 2,
            "ratio": 2,
            "gdp_usd_bn": 1,
            "pledge_share_met_pct": 0,
        },
        meta={
            "measure": measure,
            "category": options.category,
            "gdp_year": year,
            "period_years": options.period.years if options.period else None,
        },
    )


@dataclass(frozen=True)
class PledgeCheck:
    """What a pledge check adds to the aid result."""

    donors: pd.DataFrame
    lines: list[str]
    assumptions: list[str]
    sources: list[str]
    units: dict[str, str]


def pledge_amount(options: AidOptions, pledges: Sequence[Pledge]) -> tuple[float, str, str]:
    """(amount [bn a year], currency, source) of the pledge to check: a number or a ledger id."""
    given = options.pledge
    if isinstance(given, str):
        wanted = given.strip().upper()
        pledge = next((p for p in pledges if p.id == wanted), None)
        if pledge is None:
            raise InputError(f"--pledge {given!r}: no such pledge in the ledger")
        if pledge.kind != "aid" or pledge.ally != ALLIANCE:
            raise InputError(
                f"--pledge {pledge.id} is a {pledge.kind} pledge of {pledge.ally_name}; the "
                f"check needs an aid pledge of the alliance (ally {ALLIANCE})"
            )
        return pledge.value, pledge.unit.removesuffix(" bn"), f"pledge {pledge.id}: {pledge.source}"
    amount = positive_number(float(given or 0), "--pledge [bn a year]")
    if amount > MAX_AID_BN:
        raise InputError(
            f"--pledge {amount:g} is not plausible: it is in bn of --currency a year, like every "
            f"aid figure here (give 40 for 40 billion), at most {MAX_AID_BN:g}"
        )
    return amount, options.currency.strip().upper(), "given with --pledge"


def pledge_check(
    donors: pd.DataFrame,
    options: AidOptions,
    rates: RateTable,
    pledges: Sequence[Pledge],
    gdp: pd.Series,
) -> PledgeCheck:
    """The allies' yearly aid against a yearly pledge [EUR bn a year], in total and by ally.

    Each ally's share of the pledge is the pledge times its share of the allies' GDP
    (``gdp`` [bn USD], all allies with a figure); its yearly aid is its Kiel figure for
    the pledge's category divided by the period's length in years.
    """
    amount, currency, pledge_source = pledge_amount(options, pledges)
    period = options.period
    if period is None:
        raise InputError(
            "the Kiel R28 copy does not state the period its cumulative figures cover, so they "
            "cannot be turned into a yearly amount by themselves; pass --aid-period "
            "YYYY-MM:YYYY-MM (and --period-source, where that period is stated)"
        )
    pledge_eur_bn = rates.convert(amount, currency, "EUR", "the pledge")
    key = f"{options.pledge_category}_{options.measure}"
    allied = donors["type"] == "ally"
    yearly_by_ally = donors[key].where(allied) / period.years
    gdp_share = donors["iso3"].map(gdp / gdp.sum()).where(allied)
    donors = donors.assign(
        yearly_aid=yearly_by_ally,
        pledge_share=gdp_share * pledge_eur_bn,
        pledge_share_met_pct=100 * yearly_by_ally / (gdp_share * pledge_eur_bn),
    )
    yearly = float(yearly_by_ally.sum())
    verdict = "above" if yearly >= pledge_eur_bn else "below"
    meeting = donors.loc[allied & (donors["pledge_share_met_pct"] >= 100), "donor"]
    lines = [
        f"Period of the Kiel figures: {period.describe()}.",
        f"Allies' yearly {options.pledge_category} aid ({options.measure}s over "
        f"{period.years:.2f} years): EUR {yearly:,.1f} bn a year, {verdict} the pledge of "
        f"EUR {pledge_eur_bn:,.1f} bn a year ({100 * yearly / pledge_eur_bn:.0f}%).",
        f"Allies at or above their GDP share of the pledge: {len(meeting)} of "
        f"{int(allied.sum())} in the Kiel data ({', '.join(meeting) or 'none'}).",
    ]
    assumed = []
    if period.source == "your assumption":
        assumed.append(f"Kiel R28 figures taken to cover {period.describe()}.")
    if currency != "EUR":
        assumed.append(f"Pledge of {amount:,.2f} bn {currency} converted to EUR at the rate above.")
    sources = [f"Pledge: {pledge_source}"]
    if period.source != "your assumption":
        sources.append(f"Aid period: {period.source}")
    units = {
        "yearly_aid": f"EUR bn a year: {key} / {period.years:.2f} years",
        "pledge_share": "EUR bn a year: pledge x the ally's share of allied GDP",
        "pledge_share_met_pct": "yearly aid as % of the ally's GDP share of the pledge",
    }
    return PledgeCheck(donors, lines, assumed, sources, units)
