"""A country's time series and several allies side by side, against the shipped CSVs."""

from __future__ import annotations

import pytest

from materiel.cli.main import main
from materiel.errors import InputError
from materiel.track.series import series
from tests.track.track_kit import public_rows


def csv_value(filename: str, iso3: str, year: str) -> float:
    return float(next(r for r in public_rows(filename) if r["iso3"] == iso3)[year])


@pytest.mark.parametrize(
    ("measure", "filename"),
    [
        ("share", "nato_def_exp_share_real_gdp_2014_2024e.csv"),
        ("usd", "nato_def_exp_usd_current_2014_2024e.csv"),
        ("usd_2015", "nato_def_exp_usd_const2015_2014_2024e.csv"),
        ("equipment", "nato_equipment_share_2014_2024e.csv"),
        ("personnel", "nato_military_personnel_thousands_2014_2024e.csv"),
    ],
)
def test_each_measure_is_the_csv_figure(measure, filename):
    table = series(["Poland", "DEU"], measure).table.set_index("year")
    assert list(table.columns) == ["POL", "DEU"] and len(table) == 11
    for code in ("POL", "DEU"):
        for year in ("2014", "2019", "2024e"):
            assert table.at[year, code] == pytest.approx(
                csv_value(filename, code, year), abs=0.005 if measure == "share" else 1e-9
            )


def test_per_soldier_is_derived_from_two_tables():
    table = series(["FRA"], "per_soldier").table.set_index("year")
    expected = csv_value("nato_def_exp_usd_current_2014_2024e.csv", "FRA", "2020") / csv_value(
        "nato_military_personnel_thousands_2014_2024e.csv", "FRA", "2020"
    )
    assert table.at["2020", "FRA"] == pytest.approx(expected)


def test_luxembourgs_break_is_noted():
    assert any("Luxembourg" in s for s in series(["LUX"]).summary)


@pytest.mark.parametrize(
    ("allies", "measure"),
    [(["Japan"], "share"), (["Iceland"], "share"), (["Narnia"], "share"), ([], "share"),
     (["POL"], "gdp")],
)  # fmt: skip
def test_bad_series_requests_are_refused(allies, measure):
    with pytest.raises(InputError):
        series(allies, measure)


def test_series_chart_on_the_command_line(capsys, tmp_path):
    svg = tmp_path / "s.svg"
    argv = ["track", "series", "--ally", "POL", "--ally", "EST", "--chart", str(svg)]
    assert main(argv) == 0
    assert "POL" in capsys.readouterr().out and svg.read_text().lstrip().startswith("<?xml")
