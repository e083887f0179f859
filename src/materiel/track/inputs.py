"""Checks of user-given numbers and years, raising :class:`InputError` with a clear message."""

from __future__ import annotations

import math
from collections.abc import Sequence

from materiel.errors import InputError


def finite_number(
    value: float, what: str, *, minimum: float = 0.0, maximum: float | None = None
) -> float:
    """``value`` if it is a finite number in ``[minimum, maximum]``; InputError otherwise."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InputError(f"{what} must be a number, got {value!r}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise InputError(f"{what} must be a finite number, got {value!r}")
    if number < minimum:
        raise InputError(f"{what} must be at least {minimum:g}, got {number:g}")
    if maximum is not None and number > maximum:
        raise InputError(f"{what} must be at most {maximum:g}, got {number:g}")
    return number


def positive_number(value: float, what: str) -> float:
    """``value`` if it is finite and strictly positive; InputError otherwise."""
    number = finite_number(value, what)
    if number <= 0:
        raise InputError(f"{what} must be greater than 0, got {number:g}")
    return number


def threshold_pct(value: float) -> float:
    """A share-of-GDP threshold [% of GDP], finite, in [0, 100]."""
    return finite_number(value, "threshold [% of GDP]", minimum=0.0, maximum=100.0)


def year_in(year: int, years: Sequence[int], what: str = "year") -> int:
    """``year`` if it is one of ``years`` (the years the data covers); InputError otherwise."""
    if year not in years:
        raise InputError(
            f"{what} {year} is outside the data, which covers {min(years)}-{max(years)}"
        )
    return year


def year_label(year: int, estimates: frozenset[int]) -> str:
    """'2024e' for an estimated year, '2014' otherwise."""
    return f"{year}e" if year in estimates else str(year)
