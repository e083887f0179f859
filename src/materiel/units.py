"""Numbers for people: short forms of large quantities and sums of money."""

from __future__ import annotations


def human(value: float, _pos: int | None = None) -> str:
    """1_234_000 -> '1.23M'; also usable as a matplotlib tick formatter.

    >>> human(1_234_000), human(2.5e9), human(950), human(-3_000)
    ('1.23M', '2.5bn', '950', '-3k')
    """
    for factor, suffix in ((1e12, "T"), (1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{suffix}"
    return f"{value:.3g}"
