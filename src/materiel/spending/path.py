"""A path of defence spending as a share of GDP [%], year by year.

Written as text (a scenario field, a command-line value, a sweep lever):

- ``current``: today's share held;
- ``reach:3.5@2035``: a straight line from today's share (the base year) to 3.5 % in
  2035, held afterwards (a share already above 3.5 % moves down to it);
- ``points:2027=2.5,2035=3.5``: a straight line through the points from today's
  share, held after the last point;
- ``given``: no path; the scenario's budgets table is used as typed.

This module is pure (no pandas, no scenario), so that the schema can validate a path and
the tracker can draw one.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

MAX_SHARE = 100.0  # [% of GDP]
MAX_YEAR = 2200

_REACH = re.compile(r"^reach:\s*([0-9]*\.?[0-9]+)\s*%?\s*@\s*(\d{4})$")
_POINT = re.compile(r"^(\d{4})\s*=\s*([0-9]*\.?[0-9]+)\s*%?$")
FORMS = "'current', 'given', 'reach:SHARE@YEAR' (e.g. reach:3.5@2035) or 'points:YEAR=SHARE,...'"


class PathError(ValueError):
    """A path that cannot be read, or one that cannot hold from a base year."""


@dataclass(frozen=True)
class SpendingPath:
    """Points (year, share [% of GDP]) after the base year; none = today's share held.

    ``given`` is the path that derives nothing (the budgets table as typed).
    """

    text: str
    points: tuple[tuple[int, float], ...] = ()
    given: bool = False

    @property
    def derives(self) -> bool:
        """Whether budgets are derived from this path (all but ``given``)."""
        return not self.given

    def check_base(self, base_year: int) -> None:
        """PathError when a point of the path is not after ``base_year`` (in the past)."""
        past = [year for year, _ in self.points if year <= base_year]
        if past:
            raise PathError(
                f"spending path {self.text!r}: target year {past[0]} is not after the base "
                f"year {base_year} (the scenario's first year); give a later year"
            )

    def share(self, year: int, base_year: int, base_share: float) -> float:
        """The share [% of GDP] in ``year``: linear between points, held after the last."""
        return linear_share(year, ((base_year, base_share), *self.points))

    def describe(self) -> str:
        if self.given:
            return "the budgets table as given"
        if not self.points:
            return "today's share held (current)"
        if len(self.points) == 1:
            year, share = self.points[0]
            return f"linear from today's share to {share:g} % of GDP in {year}, held after"
        steps = ", ".join(f"{s:g} % in {y}" for y, s in self.points)
        return f"linear from today's share through {steps}, held after"


def linear_share(year: float, points: tuple[tuple[int, float], ...]) -> float:
    """A share [% of GDP] in ``year`` on straight lines through ``points`` (sorted by year;
    the first is the base), held at the first before it and at the last after it."""
    if year <= points[0][0]:
        return points[0][1]
    for (y0, s0), (y1, s1) in itertools.pairwise(points):
        if year <= y1:
            return s0 + (s1 - s0) * (year - y0) / (y1 - y0)
    return points[-1][1]


def parse_path(text: object) -> SpendingPath:
    """Read a path written as text; PathError naming the forms it may take otherwise."""
    if isinstance(text, SpendingPath):
        return text
    if not isinstance(text, str):
        raise PathError(f"a spending path is text, one of {FORMS}; found {text!r}")
    clean = text.strip()
    lowered = clean.lower()
    if lowered == "current":
        return SpendingPath("current")
    if lowered == "given":
        return SpendingPath("given", given=True)
    match = _REACH.match(lowered)
    if match:
        point = _point(match.group(2), match.group(1), clean)
        return SpendingPath(clean, (point,))
    if lowered.startswith("points:"):
        parts = [p.strip() for p in lowered.removeprefix("points:").split(",") if p.strip()]
        points = []
        for part in parts:
            m = _POINT.match(part)
            if not m:
                raise PathError(f"spending path {clean!r}: {part!r} is not YEAR=SHARE")
            points.append(_point(m.group(1), m.group(2), clean))
        if not points:
            raise PathError(f"spending path {clean!r}: give at least one YEAR=SHARE")
        years = [y for y, _ in points]
        if years != sorted(set(years)):
            raise PathError(f"spending path {clean!r}: years must rise, each once")
        return SpendingPath(clean, tuple(points))
    raise PathError(f"unknown spending path {clean!r}; write {FORMS}")


def _point(year_text: str, share_text: str, whole: str) -> tuple[int, float]:
    year, share = int(year_text), float(share_text)
    if not math.isfinite(share) or not 0 <= share <= MAX_SHARE:
        raise PathError(f"spending path {whole!r}: a share is between 0 and 100 % of GDP")
    if year > MAX_YEAR:
        raise PathError(f"spending path {whole!r}: year {year} is after {MAX_YEAR}")
    return year, share
