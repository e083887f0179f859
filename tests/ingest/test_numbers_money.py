"""Numbers, money, percentages and counts, with their hedges and ranges."""

from __future__ import annotations

import pytest

from materiel.ingest.money import find_money, find_percents, find_quantities
from materiel.ingest.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,200", 1200.0),
        ("1.2", 1.2),
        ("twenty-five", 25.0),
        ("Twenty-three", 23.0),
        ("one and a half", 1.5),
        ("three hundred", 300.0),
        ("two thousand five hundred", 2500.0),
        ("half a", 0.5),
        ("a", 1.0),
        ("two dozen", 24.0),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "x", "1 200", "twenty bananas", "1.2.3"])
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("sentence", "value", "currency", "qualifier", "text"),
    [
        ("worth almost $1.2 billion to build", 1.2e9, "USD", "almost", "almost $1.2 billion"),
        ("won a €8.5bn order", 8.5e9, "EUR", None, "€8.5bn"),
        ("a £1.6 billion contract", 1.6e9, "GBP", None, "£1.6 billion"),
        (
            "roughly 300 million dollars for it",
            3e8,
            "USD",
            "roughly",
            "roughly 300 million dollars",
        ),
        ("up to EUR 2.5 billion", 2.5e9, "EUR", "up to", "up to EUR 2.5 billion"),
        ("more than €5 billion a year", 5e9, "EUR", "more than", "more than €5 billion"),
        ("half a billion euros", 5e8, "EUR", None, "half a billion euros"),
        ("159 billion zloty in 2025", 1.59e11, "PLN", None, "159 billion zloty"),
        ("15 billion Norwegian kroner", 1.5e10, "NOK", None, "15 billion Norwegian kroner"),
        ("costing $300m", 3e8, "USD", None, "$300m"),
        ("Allies to Spend $2 B on Arms", 2e9, "USD", None, "$2 B"),  # a headline's scale
        ("about 4,5 billion euros", 4.5e9, "EUR", "about", "about 4,5 billion euros"),
        (
            "nearly 150 billion Czech crowns",
            1.5e11,
            "CZK",
            "nearly",
            "nearly 150 billion Czech crowns",
        ),
    ],
)
def test_money(
    sentence: str, value: float, currency: str, qualifier: str | None, text: str
) -> None:
    (money,) = find_money(sentence)
    assert (money.value, money.currency, money.qualifier, money.text) == (
        pytest.approx(value),
        currency,
        qualifier,
        text,
    )
    assert sentence[money.start : money.end] == text


@pytest.mark.parametrize(
    ("sentence", "low", "high", "qualifier"),
    [
        ("valued at between $6.5 billion and $7.2 billion", 6.5e9, 7.2e9, "between"),
        ("a $1-1.5 billion programme", 1e9, 1.5e9, None),
        ("€3 to €4 billion", 3e9, 4e9, None),
    ],
)
def test_money_ranges_keep_both_ends(
    sentence: str, low: float, high: float, qualifier: str | None
) -> None:
    (money,) = find_money(sentence)
    assert money.value is None
    assert (money.low, money.high, money.qualifier) == (
        pytest.approx(low),
        pytest.approx(high),
        qualifier,
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "he won 3 games",
        "in 2024, 5 tanks",
        "a 5m-long barrel",
        "155mm shells",
        "K2 tanks",
        "a 5 m wall",
    ],
)
def test_not_money(sentence: str) -> None:
    assert find_money(sentence) == []


def test_percent_of_gdp_and_hedges() -> None:
    (pct,) = find_percents("Lithuania will spend no less than 3 per cent of GDP on defence.")
    assert (pct.value, pct.qualifier, pct.of_gdp) == (3.0, "no less than", True)
    (pct,) = find_percents("above 2.5% of its GDP")
    assert (pct.value, pct.qualifier, pct.of_gdp) == (2.5, "above", True)
    (pct,) = find_percents("a 10% rise in output")
    assert pct.of_gdp is False


def test_percent_range() -> None:
    (pct,) = find_percents("between 2.5-3% of GDP")
    assert (pct.value, pct.low, pct.high) == (None, 2.5, 3.0)


def test_quantities() -> None:
    (q,) = find_quantities("will jointly buy as many as 500 interceptors", [])
    assert (q.value, q.unit, q.qualifier) == (500, "interceptors", "as many as")
    (q,) = find_quantities("delivering 200,000 155mm shells", [])
    assert (q.value, q.unit) == (200_000, "155mm shells")
    (q,) = find_quantities("two Patriot systems", [])
    assert q.value == 2


@pytest.mark.parametrize(
    "sentence",
    ["in 2024 missiles", "several hundred thousand rounds", "K2 tanks", "a Patriot system"],
)
def test_not_quantities(sentence: str) -> None:
    assert find_quantities(sentence, []) == []


def test_quantity_skips_spans_taken_by_money() -> None:
    sentence = "an order of $300 million systems"
    money = find_money(sentence)
    assert find_quantities(sentence, [(m.start, m.end) for m in money]) == []
