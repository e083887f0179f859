"""Charts of tracker results (matplotlib, Agg backend), drawn only from a :class:`TrackResult`."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from materiel.errors import DataError, InputError
from materiel.track import TrackResult

CHART_SUFFIXES = (".png", ".svg")


def check_chart_path(path: Path) -> Path:
    """``path`` if it names a PNG or SVG file; InputError otherwise."""
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise InputError(f"--chart must name a .png or .svg file, got {str(path)!r}")
    return path


def spending_chart(result: TrackResult) -> Figure:
    """Allies sorted by share [% of GDP], bars coloured by meeting the threshold, with its line."""
    frame = result.table
    threshold = float(result.meta["threshold"])  # type: ignore[arg-type]
    fig, ax = plt.subplots(figsize=(12, 5.5))
    values = frame["share_pct"].fillna(0.0)
    colours = ["#1f6f3f" if m else "#9aa5b1" for m in frame["meets"]]
    ax.bar(frame["iso3"], values, color=colours)
    for x, (_, row) in enumerate(frame.iterrows()):
        if row["share_pct"] != row["share_pct"]:
            ax.text(x, 0.05, "no data", rotation=90, ha="center", va="bottom", fontsize=7)
    ax.axhline(
        threshold, color="#b22222", linestyle="--", linewidth=1.2, label=f"{threshold:g}% threshold"
    )
    ax.set_ylabel("defence expenditure, % of real GDP (2015 prices)")
    ax.set_title(
        result.title + f" — {result.meta['meeting']} of {result.meta['of']} allies meet it"
    )
    ax.tick_params(axis="x", rotation=90, labelsize=8)
    ax.legend(loc="upper right")
    return _with_source(fig, result)


def outlook_chart(result: TrackResult) -> Figure:
    """Published shares and projected paths [% of GDP] by year, with the target line."""
    series = result.series
    if series is None:
        raise DataError("outlook result has no series to chart")
    fig, ax = plt.subplots(figsize=(11, 6))
    labels: list[tuple[float, float, str, object]] = []
    for iso3, group in series.groupby("iso3"):
        past = group[group["kind"] == "published"]
        path = group[group["kind"] == "path"]
        if not len(path):  # already meets the target: context only
            ax.plot(past["year"], past["share_pct"], linewidth=0.6, color="#c8ced6")
            continue
        (line,) = ax.plot(past["year"], past["share_pct"], linewidth=1.1)
        joined_x = [past["year"].iloc[-1], *path["year"]]
        joined_y = [past["share_pct"].iloc[-1], *path["share_pct"]]
        ax.plot(joined_x, joined_y, linestyle=":", linewidth=1.1, color=line.get_color())
        labels.append((float(joined_x[-1]), float(joined_y[-1]), str(iso3), line.get_color()))
        missed = group[group["kind"] == "pledge missed"]
        if len(missed):
            ax.scatter(missed["year"], missed["share_pct"], marker="x", color="#b22222", zorder=3)
            ax.annotate(
                f"{iso3} pledge missed",
                (missed["year"].iloc[0], missed["share_pct"].iloc[0]),
                fontsize=7,
                color="#b22222",
            )
    _end_labels(ax, labels)
    ax.axhline(float(result.meta["target"]), color="#b22222", linestyle="--", label="target")  # type: ignore[arg-type]
    ax.axvline(int(result.meta["base_year"]) + 0.5, color="#777777", linewidth=0.8)  # type: ignore[call-overload]
    ax.set_xlabel(
        "year (grey: already meets; solid: published, 2023-24 NATO estimates; dotted: projection)"
    )
    ax.set_ylabel("% of real GDP")
    ax.set_title(result.title)
    ax.legend(loc="upper left")
    return _with_source(fig, result)


def spread(values: list[float], gap: float) -> list[float]:
    """``values`` pushed upwards just enough that sorted neighbours are at least ``gap`` apart.

    The order of the values is kept; the result is in the order given.
    """
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = list(values)
    previous: float | None = None
    for i in order:
        if previous is not None:
            out[i] = max(values[i], previous + gap)
        previous = out[i]
    return out


def _end_labels(ax: Axes, labels: list[tuple[float, float, str, object]]) -> None:
    """Name each projected path at its end, labels spread so that none overlaps another."""
    if not labels:
        return
    low, high = ax.get_ylim()
    ys = spread([y for _, y, _, _ in labels], gap=(high - low) * 0.035)
    for (x, y, text, colour), y_text in zip(labels, ys, strict=True):
        ax.annotate(
            text,
            (x, y),
            xytext=(x + 0.3, y_text),
            fontsize=7,
            color=colour,
            va="center",
            arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.5},
        )


def aid_chart(result: TrackResult, top: int = 25) -> Figure:
    """The largest donors' aid [EUR bn], by category, with fair-share and pledge markers.

    With ``--category total`` the bars are stacked by category, otherwise they show the
    chosen category. A black mark is each ally's fair share (its share of allied GDP times
    the allies' aid in that category); with a pledge check, a red mark is its GDP share of
    the pledge over the whole period (comparable with the military bar, which starts at 0).
    """
    measure, category = result.meta["measure"], str(result.meta["category"])
    frame = result.table.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(10, 8))
    left = None
    shown = [c for c in AID_COLOURS if category in ("total", c)]
    for cat in shown:
        values = frame[f"{cat}_{measure}"]
        ax.barh(frame["donor"], values, left=left, color=AID_COLOURS[cat], label=cat)
        left = values if left is None else left + values
    if "fair_amount" in frame.columns:
        ax.scatter(
            frame["fair_amount"], frame["donor"], marker="|", s=160, color="black",
            label=f"fair share ({category}, by GDP)", zorder=3,
        )  # fmt: skip
    years = result.meta.get("period_years")
    if "pledge_share" in frame.columns and isinstance(years, float):
        ax.scatter(
            frame["pledge_share"] * years, frame["donor"], marker="|", s=160, color="#b22222",
            label=f"GDP share of the pledge over {years:.2f} years", zorder=3,
        )  # fmt: skip
    ax.set_xlabel(f"EUR bn, {measure}s (Kiel Ukraine Support Tracker, Release 28)")
    ax.set_title(result.title + f", top {min(top, len(result.table))}")
    ax.legend(loc="lower right")
    return _with_source(fig, result)


AID_COLOURS = {"military": "#3b5b7a", "financial": "#d9a441", "humanitarian": "#7aa37a"}


def totals_chart(result: TrackResult) -> Figure:
    """Expenditure at 2015 prices [bn USD] by year, Europe and Canada and the US, and growth."""
    frame = result.table
    fig, ax = plt.subplots(figsize=(10, 5.5))
    eu_can = frame["europe_canada_usd_2015_bn"]
    us = frame["nato_usd_2015_bn"] - eu_can
    ax.bar(frame["year"], eu_can, color="#3b5b7a", label="Europe and Canada")
    ax.bar(frame["year"], us, bottom=eu_can, color="#9aa5b1", label="United States")
    ax.set_ylabel("bn USD, 2015 prices and exchange rates")
    growth = ax.twinx()
    growth.plot(frame["year"], frame["europe_canada_real_growth_pct"], color="#b22222", marker="o")
    growth.set_ylabel("Europe and Canada, real growth on the year before [%]", color="#b22222")
    ax.set_title(result.title)
    ax.legend(loc="upper left")
    return _with_source(fig, result)


def counts_chart(result: TrackResult) -> Figure:
    """Allies meeting the spending and equipment guidelines, and members, by year."""
    frame = result.table
    fig, ax = plt.subplots(figsize=(10, 5.5))
    ax.plot(frame["year"], frame["members"], color="#777777", linestyle="--", label="members")
    ax.plot(frame["year"], frame["meeting_spending"], marker="o", label="spending guideline")
    ax.plot(frame["year"], frame["meeting_equipment"], marker="s", label="equipment guideline")
    ax.plot(frame["year"], frame["meeting_both"], marker="^", label="both")
    ax.set_ylabel("allies")
    ax.set_ylim(bottom=0)
    ax.set_title(result.title)
    ax.legend(loc="upper left")
    return _with_source(fig, result)


def series_chart(result: TrackResult) -> Figure:
    """One line per ally over the years, in the measure's unit."""
    frame = result.table
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for code in str(result.meta["allies"]).split(","):
        ax.plot(frame["year"], frame[code], marker="o", markersize=3, label=code)
    ax.set_ylabel(str(result.meta["unit"]))
    ax.set_title(result.title)
    ax.legend(loc="best")
    return _with_source(fig, result)


CHARTS = {
    "series": series_chart,
    "spending": spending_chart,
    "outlook": outlook_chart,
    "aid": aid_chart,
    "totals": totals_chart,
    "counts": counts_chart,
}


def _with_source(fig: Figure, result: TrackResult) -> Figure:
    text = "Source: " + "; ".join(result.sources)
    if result.assumptions:
        text += "\nAssumption: " + " ".join(result.assumptions)
    fig.text(0.01, 0.005, text, fontsize=6, ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def save_chart(result: TrackResult, path: Path) -> None:
    """Draw the result's chart and write it to ``path`` (PNG or SVG, by suffix)."""
    draw = CHARTS.get(result.kind)
    if draw is None:
        raise InputError(f"there is no chart for {result.kind}")
    fig = draw(result)
    try:
        fig.savefig(path, dpi=150)
    except OSError as exc:
        raise DataError(f"cannot write chart {path}: {exc}") from None
    finally:
        plt.close(fig)
