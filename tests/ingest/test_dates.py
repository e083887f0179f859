"""Dates resolved against the article date, or kept as written."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from materiel.ingest.dates import date_fields, find_dates, parse_article_date

BASE = date(2024, 7, 10)  # a Wednesday


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("on Monday", date(2024, 7, 8)),
        ("on Wednesday", date(2024, 7, 10)),
        ("last Wednesday", date(2024, 7, 3)),
        ("yesterday", date(2024, 7, 9)),
        ("July 9, 2024", date(2024, 7, 9)),
        ("9 July", date(2024, 7, 9)),
        ("last week", date(2024, 7, 3)),
    ],
)
def test_days_resolved_against_article_date(phrase: str, day: date) -> None:
    fields = date_fields(find_dates(f"The deal was signed {phrase}.", BASE))
    assert fields["date"] == day.isoformat()
    assert fields["date_text"] == phrase


def test_relative_phrases_unresolved_without_article_date() -> None:
    fields = date_fields(find_dates("It was signed on Monday.", None))
    assert fields == {"date_text": "on Monday", "date": None}
    assert date_fields(find_dates("Spending rises next year.", None))["year"] is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("deliveries between 2025 and 2028", {"year_from": 2025, "year_to": 2028}),
        ("deliveries in 2025-28", {"year_from": 2025, "year_to": 2028}),
        ("3% of GDP by 2030", {"year_from": None, "year_to": 2030}),
        ("by the end of next year", {"year_from": None, "year_to": 2025}),
    ],
)
def test_periods(sentence: str, expected: dict[str, int | None]) -> None:
    fields = date_fields(find_dates(sentence, BASE))
    assert {k: fields[k] for k in expected} == expected


@pytest.mark.parametrize(
    "phrase", ["by the end of the decade", "over the coming decade", "over the next five years"]
)
def test_vague_periods_kept_as_written_without_a_year(phrase: str) -> None:
    fields = date_fields(find_dates(f"Production will triple {phrase}.", BASE))
    assert fields == {"period": phrase, "year_from": None, "year_to": None}


def test_years() -> None:
    assert date_fields(find_dates("spent 2% of GDP in 2023", BASE))["year"] == 2023
    assert date_fields(find_dates("will rise next year", BASE))["year"] == 2025
    assert date_fields(find_dates("fell last year", BASE))["year"] == 2023


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-07-10", date(2024, 7, 10)),
        ("2024-07-09T16:20:00Z", date(2024, 7, 9)),
        ("10 July 2024", date(2024, 7, 10)),
        ("July 10, 2024", date(2024, 7, 10)),
        ("not a date", None),
        ("July 10", None),
    ],
)
def test_article_date(text: str, day: date | None) -> None:
    assert parse_article_date(text) == day


def test_dates_need_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert date_fields(find_dates("signed on 3 March", BASE))["date"] == "2024-03-03"
    assert parse_article_date("3 March 2024") == date(2024, 3, 3)
