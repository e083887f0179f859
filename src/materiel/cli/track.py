"""``materiel track``: spending guideline, outlook, aid burden sharing and the pledge ledger."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from materiel.errors import InputError
from materiel.formats import OutputFormat

if TYPE_CHECKING:
    from materiel.track import JsonPledgeFile, TrackResult

track_app = typer.Typer(
    name="track",
    help="Spending guideline, outlook, aid to Ukraine and the pledge ledger.",
    no_args_is_help=True,
)
pledges_app = typer.Typer(
    name="pledges",
    help="The pledge ledger: list (the default), add, update, withdraw and remove pledges.",
)
track_app.add_typer(pledges_app)

FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format", "-f", help="table, csv, json or xlsx (default: from --out, else table)."
    ),
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write to this file instead of the terminal.")
]
ChartOpt = Annotated[
    Path | None, typer.Option("--chart", help="Also draw a chart to this .png or .svg file.")
]
LedgerOpt = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        help="Pledge ledger file (default: $MATERIEL_LEDGER, else the user data directory).",
    ),
]


# The renderers load matplotlib and the planner (the report package): imported when a
# command runs, not when ``materiel`` starts.
def emit(result: TrackResult, fmt: OutputFormat | None, out: Path | None, console: Console) -> None:
    from materiel.report import emit as emit_result

    emit_result(result, fmt, out, console)


def tell(text: str) -> None:
    from materiel.report import tell as tell_user

    tell_user(text)


def _finish(
    result: TrackResult, fmt: OutputFormat | None, out: Path | None, chart: Path | None
) -> None:
    from materiel.report import save_chart

    console = Console()
    emit(result, fmt, out, console)
    if chart is not None:
        save_chart(result, chart)
        tell(f"wrote {chart}")


def _chart(chart: Path | None) -> Path | None:
    from materiel.report import check_chart_path

    return check_chart_path(chart) if chart is not None else None


def _repo(ledger: Path | None, *, creating: bool = False) -> JsonPledgeFile:
    """The ledger to use; a ``--ledger`` path that does not exist is an error unless adding."""
    from materiel.track import JsonPledgeFile, default_ledger_path

    if ledger is not None and not creating and not ledger.is_file():
        raise InputError(
            f"--ledger {ledger}: no such file; give the path of an existing ledger "
            "(without --ledger the default one is used)"
        )
    return JsonPledgeFile(ledger or default_ledger_path())


@track_app.command("spending")
def spending_cmd(
    year: Annotated[
        int | None, typer.Option(help="Year, 2014-2024 (default: latest; 2023-24 are estimates).")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Threshold [% of GDP].")] = 2.0,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
) -> None:
    """Who meets a spending threshold [% of GDP] in a year, counted as NATO counts."""
    from materiel.track import spending

    _finish(spending(year, threshold), fmt, out, _chart(chart))


@track_app.command("outlook")
def outlook_cmd(
    target: Annotated[float, typer.Option(help="Target [% of GDP].")] = 2.0,
    by: Annotated[int, typer.Option(help="Last year to project to (cap year).")] = 2030,
    years: Annotated[int, typer.Option("--years", help="Fit the trend on the last N years.")] = 5,
    method: Annotated[
        str, typer.Option(help="'trend' (linear fit) or 'pledge' (pledged path where one exists).")
    ] = "trend",
    base_year: Annotated[
        int | None, typer.Option(help="Last year of data to use (default: latest).")
    ] = None,
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
) -> None:
    """The year each ally reaches a target [% of GDP] on its trend or pledged path."""
    from materiel.track import OutlookOptions, all_pledges, outlook

    options = OutlookOptions(target=target, by=by, window=years, method=method, base_year=base_year)
    if ledger is not None and method != "pledge":
        raise InputError("--ledger is only read with --method pledge")
    pledges = all_pledges(_repo(ledger)) if method == "pledge" else []
    _finish(outlook(options, pledges), fmt, out, _chart(chart))


@track_app.command("totals")
def totals_cmd(fmt: FormatOpt = None, out: OutOpt = None, chart: ChartOpt = None) -> None:
    """Alliance and Europe-and-Canada expenditure by year [bn USD] and real growth [%]."""
    from materiel.track import totals

    _finish(totals(), fmt, out, _chart(chart))


@track_app.command("counts")
def counts_cmd(
    threshold: Annotated[float, typer.Option(help="Spending threshold [% of GDP].")] = 2.0,
    equipment: Annotated[
        float, typer.Option(help="Equipment guideline [% of defence expenditure].")
    ] = 20.0,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
) -> None:
    """How many allies meet the spending and equipment guidelines, every year 2014-2024."""
    from materiel.track import counts

    _finish(counts(threshold, equipment), fmt, out, _chart(chart))


@track_app.command("series")
def series_cmd(
    ally: Annotated[
        list[str], typer.Option("--ally", help="An ally (name or ISO3); repeat to compare.")
    ],
    measure: Annotated[
        str,
        typer.Option(help="share, usd, usd_2015, equipment, personnel or per_soldier."),
    ] = "share",
    fmt: FormatOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
) -> None:
    """One ally's figures 2014-2024, or several side by side, from NATO's tables."""
    from materiel.track import series

    _finish(series(ally, measure), fmt, out, _chart(chart))


@track_app.command("aid")
def aid_cmd(
    measure: Annotated[
        str, typer.Option(help="allocation (Kiel's headline) or commitment.")
    ] = "allocation",
    category: Annotated[
        str, typer.Option(help="Category for fair share: military, financial, humanitarian, total.")
    ] = "total",
    gdp_year: Annotated[
        int, typer.Option(help="Year of the GDP for fair share and % of GDP.")
    ] = 2021,
    eur_usd: Annotated[
        float | None,
        typer.Option("--eur-usd", help="USD per EUR, your assumption; enables % of GDP."),
    ] = None,
    pledge: Annotated[
        str | None,
        typer.Option(
            help="Yearly pledge to check, in bn of --currency a year (40 = 40 billion), or the "
            "id of an alliance aid pledge in the ledger (e.g. P0003)."
        ),
    ] = None,
    currency: Annotated[
        str, typer.Option(help="Currency of --pledge (EUR; USD needs --eur-usd).")
    ] = "EUR",
    pledge_category: Annotated[
        str, typer.Option(help="Aid category the pledge covers.")
    ] = "military",
    aid_period: Annotated[
        str | None,
        typer.Option(
            help="Months the Kiel figures cover, FIRST:LAST as YYYY-MM:YYYY-MM, for --pledge."
        ),
    ] = None,
    period_source: Annotated[
        str, typer.Option(help="Where that period is stated (empty: your assumption).")
    ] = "",
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
) -> None:
    """Aid to Ukraine by donor [EUR bn], % of GDP, fair share and a yearly pledge check."""
    from materiel.track import AidOptions, aid, all_pledges, parse_period, user_eur_usd

    if period_source.strip() and aid_period is None:
        raise InputError("--period-source describes --aid-period; give the period too")
    options = AidOptions(
        measure=measure,
        category=category,
        gdp_year=gdp_year,
        pledge=_pledge_value(pledge),
        currency=currency,
        pledge_category=pledge_category,
        period=parse_period(aid_period, period_source) if aid_period is not None else None,
    )
    if ledger is not None and not isinstance(options.pledge, str):
        raise InputError("--ledger is only read with --pledge ID (a pledge from the ledger)")
    pledges = all_pledges(_repo(ledger)) if isinstance(options.pledge, str) else []
    _finish(aid(options, user_eur_usd(eur_usd), pledges), fmt, out, _chart(chart))


def _pledge_value(text: str | None) -> float | str | None:
    """--pledge as a number [bn a year] or a ledger id such as P0003."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        if re.fullmatch(r"[Pp]\d+", text.strip()):
            return text.strip().upper()
        raise InputError(
            f"--pledge must be an amount in bn a year (e.g. 40) or a ledger id (e.g. P0003), "
            f"got {text!r}"
        ) from None


@pledges_app.callback(invoke_without_command=True)
def pledges_default(
    ctx: typer.Context,
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """The pledge ledger: with no command, list every pledge (as ``pledges list``)."""
    if ctx.invoked_subcommand is None:
        pledges_list_cmd(ally=None, kind=None, builtin=True, ledger=ledger, fmt=fmt, out=out)


@pledges_app.command("list")
def pledges_list_cmd(
    ally: Annotated[
        str | None, typer.Option(help="Only this ally (name or ISO3, or NATO).")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="Only this kind: spending, aid, capacity.")
    ] = None,
    builtin: Annotated[
        bool, typer.Option(help="Include the built-in pledges from the public data.")
    ] = True,
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """List the pledges: built in (from public data) and those you added."""
    from materiel.track import all_pledges, pledge_table

    repo = _repo(ledger)
    result = pledge_table(all_pledges(repo, include_builtin=builtin), ally=ally, kind=kind)
    emit(result, fmt, out, Console())


@pledges_app.command("add")
def pledges_add_cmd(
    ally: Annotated[str, typer.Option(help="Ally (name or ISO3), or NATO for an alliance pledge.")],
    kind: Annotated[
        str,
        typer.Option(
            help="spending (% of GDP), aid (currency per year) or capacity (units per year)."
        ),
    ],
    value: Annotated[
        float, typer.Option(help="The pledged level or amount, in --unit (aid: bn a year).")
    ],
    source: Annotated[
        str, typer.Option(help="Where the pledge is published (title, publisher, address).")
    ] = "",
    unit: Annotated[
        str,
        typer.Option(
            help="'% of GDP' (spending), a currency such as EUR for bn EUR a year (aid), "
            "or units per year such as shells/year (capacity)."
        ),
    ] = "",
    item: Annotated[str, typer.Option(help="Item of a capacity pledge, e.g. '155mm shell'.")] = "",
    by: Annotated[int | None, typer.Option(help="Year the level is due (empty: standing).")] = None,
    status: Annotated[
        str, typer.Option(help="announced, in force, in progress, met, missed, withdrawn.")
    ] = "announced",
    date: Annotated[str | None, typer.Option(help="Date of the source, YYYY-MM-DD.")] = None,
    basis: Annotated[str, typer.Option(help="public, estimate or assumption.")] = "public",
    note: Annotated[str, typer.Option(help="Free text.")] = "",
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Record a pledge, validated; nothing is written if anything is wrong."""
    from materiel.track import pledge_table

    if not source.strip() and basis != "assumption":
        raise InputError("give --source (where the pledge is published), or --basis assumption")
    fields = {
        "ally": ally,
        "kind": kind,
        "value": value,
        "unit": unit,
        "item": item,
        "by_year": by,
        "status": status,
        "source": source,
        "date": _date(date),
        "basis": basis,
        "note": note,
    }
    repo = _repo(ledger, creating=True)
    pledge = repo.add(fields)
    emit(pledge_table([pledge]), fmt, out, Console())
    tell(f"added {pledge.id} to {repo.path}")


@pledges_app.command("import")
def pledges_import_cmd(
    facts: Annotated[Path, typer.Argument(help="A reviewed facts file from materiel ingest.")],
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Add the accepted spending and aid pledges of a reviewed facts file to the ledger."""
    from materiel.track import check_candidates, pledge_table, read_candidates

    candidates, not_accepted = read_candidates(facts)
    entries = check_candidates(candidates)
    repo = _repo(ledger, creating=True)
    added, already = repo.add_many(entries) if entries else ([], [])
    if added or out is not None:
        emit(pledge_table(added), fmt, out, Console())
    skipped = [f"{c.fact_id} ({c.reason})" for c in candidates if c.fields is None]
    tell(f"added {len(added)} pledge(s) to {repo.path} from {facts}")
    if already:
        tell(f"already in the ledger: {', '.join(p.id for p in already)}")
    if skipped:
        tell(f"accepted facts that are not pledges: {', '.join(skipped)}")
    if not_accepted:
        tell(f"{not_accepted} fact(s) not accepted in review were left out")


@pledges_app.command("update")
def pledges_update_cmd(
    pledge_id: Annotated[str, typer.Argument(help="Id of the pledge, e.g. P0003.")],
    value: Annotated[float | None, typer.Option(help="New level or amount.")] = None,
    unit: Annotated[str | None, typer.Option(help="New unit.")] = None,
    by: Annotated[int | None, typer.Option(help="New year the level is due.")] = None,
    status: Annotated[
        str | None,
        typer.Option(help="announced, in force, in progress, met, missed, withdrawn."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Source of the change.")] = None,
    date: Annotated[str | None, typer.Option(help="Date of that source, YYYY-MM-DD.")] = None,
    note: Annotated[str | None, typer.Option(help="New note.")] = None,
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Change a pledge you added (its status, value, year, source ...), validated."""
    from materiel.track import pledge_table

    given = {"value": value, "unit": unit, "by_year": by, "status": status, "source": source}
    changes: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    if date is not None:
        changes["date"] = _date(date)
    if note is not None:
        changes["note"] = note
    repo = _repo(ledger)
    pledge = repo.update(pledge_id, changes)
    emit(pledge_table([pledge]), fmt, out, Console())
    tell(f"updated {pledge.id} in {repo.path}")


@pledges_app.command("withdraw")
def pledges_withdraw_cmd(
    pledge_id: Annotated[str, typer.Argument(help="Id of the pledge, e.g. P0003.")],
    source: Annotated[
        str, typer.Option(help="Where the withdrawal is published (empty: keep the source).")
    ] = "",
    date: Annotated[str | None, typer.Option(help="Date of that source, YYYY-MM-DD.")] = None,
    ledger: LedgerOpt = None,
) -> None:
    """Mark a pledge withdrawn (kept in the ledger, no longer used by outlook)."""
    changes: dict[str, object] = {"status": "withdrawn"}
    if source.strip():
        changes["source"] = source
    if date is not None:
        changes["date"] = _date(date)
    repo = _repo(ledger)
    pledge = repo.update(pledge_id, changes)
    tell(f"{pledge.id} marked withdrawn in {repo.path}")


@pledges_app.command("remove")
def pledges_remove_cmd(
    pledge_id: Annotated[str, typer.Argument(help="Id of the pledge, e.g. P0003.")],
    ledger: LedgerOpt = None,
) -> None:
    """Delete a pledge entered by mistake (a pledge that was withdrawn: use withdraw)."""
    repo = _repo(ledger)
    pledge = repo.remove(pledge_id)
    tell(f"removed {pledge.id} ({pledge.ally_name}, {pledge.kind}) from {repo.path}")


def _date(text: str | None) -> dt.date | None:
    if text is None or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--date must be a date as YYYY-MM-DD, got {text!r}") from None


def register(app: typer.Typer) -> None:
    """Attach ``materiel track`` to the ``materiel`` app."""
    app.add_typer(track_app)
