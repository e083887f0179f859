"""Explicit currency conversion: a rate table where every rate carries its source.

There is no silent conversion. The public data has GDP in USD and aid in EUR and no
sourced EUR/USD rate, so a rate exists only when the user gives one (and it is then
recorded as the user's assumption); otherwise conversion is refused with a message.
"""

from __future__ import annotations

from dataclasses import dataclass

from materiel.errors import InputError
from materiel.track.inputs import positive_number


@dataclass(frozen=True)
class Rate:
    """``value`` units of ``quote`` per one unit of ``base`` (EUR/USD 1.08: 1 EUR = 1.08 USD)."""

    base: str
    quote: str
    value: float
    source: str
    is_assumption: bool = True

    def describe(self) -> str:
        """One line for the output: the rate and where it came from."""
        label = "user assumption" if self.is_assumption else "source"
        return f"{self.base}/{self.quote} = {self.value:g} ({label}: {self.source})"


@dataclass(frozen=True)
class RateTable:
    """The rates a computation may use; ``convert`` refuses any pair it does not hold."""

    rates: tuple[Rate, ...] = ()

    def rate(self, base: str, quote: str) -> float | None:
        """Units of ``quote`` per unit of ``base``, or None when no rate is held."""
        if base == quote:
            return 1.0
        for r in self.rates:
            if (r.base, r.quote) == (base, quote):
                return r.value
            if (r.base, r.quote) == (quote, base):
                return 1.0 / r.value
        return None

    def convert(self, amount: float, from_ccy: str, to_ccy: str, why: str = "") -> float:
        """``amount`` [from_ccy] in [to_ccy]; InputError naming the missing rate."""
        value = self.rate(from_ccy, to_ccy)
        if value is None:
            hint = (
                " (pass --eur-usd RATE, USD per EUR)"
                if {from_ccy, to_ccy} == {"EUR", "USD"}
                else ""
            )
            reason = f" for {why}" if why else ""
            raise InputError(
                f"no {from_ccy}->{to_ccy} rate{reason}: the data holds no sourced rate and "
                f"materiel does not convert currencies silently{hint}"
            )
        return amount * value

    def describe(self) -> tuple[str, ...]:
        """A line per rate, for the assumptions printed under a table."""
        return tuple(r.describe() for r in self.rates)


#: Plausibility bounds on a EUR/USD rate [USD per EUR]: a check against typing errors
#: (1000 for 1.08, or USD per EUR inverted twice), not sourced figures.
EUR_USD_BOUNDS = (0.5, 2.0)


def user_eur_usd(rate: float | None) -> RateTable:
    """A rate table holding the user's EUR/USD rate [USD per EUR], or an empty one."""
    if rate is None:
        return RateTable()
    value = positive_number(rate, "--eur-usd [USD per EUR]")
    low, high = EUR_USD_BOUNDS
    if not low <= value <= high:
        raise InputError(
            f"--eur-usd {value:g} is not a plausible number of USD per EUR (expected between "
            f"{low:g} and {high:g}, e.g. 1.08)"
        )
    return RateTable((Rate("EUR", "USD", value, "given with --eur-usd"),))
