"""The pledge ledger: round trips, atomic writes, validation, built-in pledges."""

from __future__ import annotations

import datetime as dt
import json
import sys
from importlib import resources
from pathlib import Path

import pytest

from materiel.errors import DataError, InputError
from materiel.track.ledger import JsonPledgeFile, all_pledges, builtin_pledges, default_ledger_path

SPENDING = {
    "ally": "Germany",
    "kind": "spending",
    "value": 3.5,
    "by_year": 2029,
    "source": "test source",
    "date": dt.date(2025, 6, 25),
}


def test_add_list_reload_round_trip(ledger_path: Path):
    repo = JsonPledgeFile(ledger_path)
    first = repo.add(SPENDING)
    second = repo.add(
        {"ally": "UK", "kind": "aid", "value": 3, "unit": "GBP", "source": "s", "status": "met"}
    )
    third = repo.add(
        {
            "ally": "Czech Republic",
            "kind": "capacity",
            "value": 100000,
            "unit": "shells/year",
            "item": "155mm shell",
            "basis": "assumption",
        }
    )
    assert [first.id, second.id, third.id] == ["P0001", "P0002", "P0003"]
    reloaded = JsonPledgeFile(ledger_path).list_pledges()
    assert reloaded == [first, second, third]
    assert (reloaded[0].ally, reloaded[0].unit, reloaded[0].date) == (
        "DEU",
        "% of GDP",
        dt.date(2025, 6, 25),
    )
    assert (reloaded[1].ally, reloaded[2].ally, reloaded[2].source) == (
        "GBR",
        "CZE",
        "user assumption",
    )
    assert not any(p.builtin for p in reloaded)
    assert list(ledger_path.parent.glob("*.tmp")) == []


def test_absent_file_is_an_empty_ledger(tmp_path: Path):
    assert JsonPledgeFile(tmp_path / "none.json").list_pledges() == []


#: Stands for the day after the day the test runs.
TOMORROW = object()


@pytest.mark.parametrize(
    "bad",
    [
        {**SPENDING, "ally": "Narnia"},
        {**SPENDING, "value": -1},
        {**SPENDING, "value": float("nan")},
        {**SPENDING, "value": 150},
        {**SPENDING, "kind": "wish"},
        {**SPENDING, "status": "maybe"},
        {**SPENDING, "by_year": 3000},
        {**SPENDING, "source": "  "},
        {**SPENDING, "unit": "EUR"},
        {**SPENDING, "kind": "aid", "unit": "euros"},
        {**SPENDING, "kind": "capacity", "unit": "shells/year"},
        {**SPENDING, "colour": "red"},
        {**SPENDING, "id": "X1"},
        # Wrong today (4): all of these went in.
        {**SPENDING, "ally": "Japan"},
        {**SPENDING, "ally": "Ukraine"},
        {**SPENDING, "kind": "aid", "unit": "XYZ"},
        {**SPENDING, "kind": "aid", "unit": "EUR", "value": 3e9},
        {**SPENDING, "kind": "capacity", "item": "155mm shell", "unit": "XYZ"},
        {**SPENDING, "date": TOMORROW},  # made when the test runs, not when collected
        SPENDING,  # an exact duplicate of the pledge already stored
    ],
)
def test_bad_input_changes_nothing(ledger_path: Path, bad: dict):
    # a date collected just before midnight was today by the time the test ran (CI)
    if bad.get("date") is TOMORROW:
        bad = {**bad, "date": dt.date.today() + dt.timedelta(days=1)}
    repo = JsonPledgeFile(ledger_path)
    repo.add(SPENDING)
    before = ledger_path.read_bytes()
    with pytest.raises(InputError):
        repo.add(bad)
    assert ledger_path.read_bytes() == before


@pytest.mark.parametrize(
    ("unit", "stored"), [("eur", "EUR bn"), ("EUR", "EUR bn"), ("usd bn", "USD bn")]
)
def test_aid_units_are_bn_of_a_currency_in_any_case(ledger_path: Path, unit: str, stored: str):
    pledge = JsonPledgeFile(ledger_path).add(
        {"ally": "NATO", "kind": "aid", "value": 40, "unit": unit, "source": "s"}
    )
    assert (pledge.value, pledge.unit) == (40, stored)


def test_a_duplicate_names_the_stored_pledge(ledger_path: Path):
    repo = JsonPledgeFile(ledger_path)
    first = repo.add(SPENDING)
    with pytest.raises(InputError, match=f"already holds this pledge as {first.id}"):
        repo.add(dict(SPENDING))
    assert repo.add({**SPENDING, "value": 3.0}).id == "P0002"  # a different level is new


def test_update_withdraw_and_remove(ledger_path: Path):
    repo = JsonPledgeFile(ledger_path)
    first, second = repo.add(SPENDING), repo.add({**SPENDING, "ally": "Italy", "value": 2.0})
    changed = repo.update(first.id, {"status": "withdrawn", "note": "coalition fell"})
    assert (changed.id, changed.status, changed.value) == (first.id, "withdrawn", 3.5)
    assert JsonPledgeFile(ledger_path).list_pledges() == [changed, second]
    removed = repo.remove(second.id)
    assert removed == second and repo.list_pledges() == [changed]


@pytest.mark.parametrize(
    ("pledge_id", "changes", "message"),
    [
        ("P0009", {"status": "met"}, "no pledge"),
        ("B-NATO-2PCT", {"status": "met"}, "built-in"),
        ("P0001", {"ally": "FRA"}, "cannot change"),
        ("P0001", {"value": 500}, "100%"),
        ("P0001", {}, "nothing to change"),
        ("P0001", {"status": "announced"}, "nothing changed"),
    ],
)
def test_bad_updates_change_nothing(ledger_path: Path, pledge_id, changes, message):
    repo = JsonPledgeFile(ledger_path)
    repo.add(SPENDING)
    before = ledger_path.read_bytes()
    with pytest.raises(InputError, match=message):
        repo.update(pledge_id, changes)
    with pytest.raises(InputError):
        repo.remove("P0042")
    assert ledger_path.read_bytes() == before


def test_a_version_1_ledger_is_read_with_aid_in_bn(ledger_path: Path):
    ledger_path.parent.mkdir(parents=True)
    entry = {"id": "P0001", "ally": "GBR", "kind": "aid", "value": 3e9, "unit": "GBP"}
    payload = {"version": 1, "pledges": [{**entry, "source": "s"}]}
    ledger_path.write_text(json.dumps(payload), encoding="utf-8")
    repo = JsonPledgeFile(ledger_path)
    (pledge,) = repo.list_pledges()
    assert (pledge.value, pledge.unit) == (3.0, "GBP bn")
    repo.add(SPENDING)
    assert json.loads(ledger_path.read_text(encoding="utf-8"))["version"] == 2


def test_corrupt_file_is_reported_and_left_alone(ledger_path: Path):
    ledger_path.parent.mkdir(parents=True)
    ledger_path.write_text("{not json", encoding="utf-8")
    repo = JsonPledgeFile(ledger_path)
    with pytest.raises(DataError, match="left unchanged"):
        repo.add(SPENDING)
    assert ledger_path.read_text(encoding="utf-8") == "{not json"


def test_invalid_entry_in_file_names_the_entry(ledger_path: Path):
    ledger_path.parent.mkdir(parents=True)
    payload = {"version": 1, "pledges": [{"id": "P0001", "ally": "DEU", "kind": "spending"}]}
    ledger_path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(DataError, match="entry 1"):
        JsonPledgeFile(ledger_path).list_pledges()


def test_builtin_pledges_are_the_guideline_and_the_six_national_laws(ledger_path: Path):
    builtin = builtin_pledges()
    assert {p.ally for p in builtin} == {"NATO", "CZE", "EST", "LVA", "LTU", "POL", "ROU"}
    assert all(p.value == 2.0 and p.by_year is None and "NATO" in p.source for p in builtin)
    repo = JsonPledgeFile(ledger_path)
    repo.add(SPENDING)
    assert len(all_pledges(repo)) == 8 and len(all_pledges(repo, include_builtin=False)) == 1
    assert "B-" not in ledger_path.read_text(encoding="utf-8")  # built-ins are never written


@pytest.mark.skipif(sys.platform != "linux", reason="XDG data directory is the Linux default")
def test_default_path_follows_the_env_var_and_is_never_in_the_package(monkeypatch, tmp_path):
    package = Path(str(resources.files("materiel"))).resolve()
    monkeypatch.delenv("MATERIEL_LEDGER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    default = default_ledger_path()
    assert default == tmp_path / "materiel" / "pledges.json"
    assert package not in default.resolve().parents
    monkeypatch.setenv("MATERIEL_LEDGER", str(tmp_path / "mine.json"))
    assert default_ledger_path() == tmp_path / "mine.json"


def test_spending_pledges_are_assessed_against_the_published_share():
    """Wrong today (1): a pledge past its year and not met is missed, and the ledger says so."""
    from materiel.publicdata import nato_published_shares
    from materiel.track.ledger_model import Pledge, make_pledge
    from materiel.track.pledges import assess, pledge_table
    from tests.track.track_kit import public_rows, published_share

    shares = nato_published_shares()
    rows = {r["Country"]: r for r in public_rows("nato_def_exp_share_gdp_2014_2024e.csv")}
    spain, germany = published_share(rows["Spain"], 2024), published_share(rows["Germany"], 2024)

    def pledge(ally: str, by: int | None) -> Pledge:
        return make_pledge(
            id="P0001", ally=ally, kind="spending", value=2.0, by_year=by, source="s"
        )

    assert assess(pledge("ESP", 2024), shares) == f"missed ({spain}% in 2024e)"
    assert assess(pledge("DEU", 2024), shares) == f"met ({germany}% in 2024e)"
    assert assess(pledge("DEU", None), shares) == f"at or above in 2024e ({germany}%)"
    later = pledge("DEU", 2025)
    assert assess(later, shares, dt.date(2025, 6, 1)) == "due 2025"
    assert assess(later, shares, dt.date(2026, 1, 1)) == "due 2025; passed, no figure in the data"
    table = pledge_table([pledge("ESP", 2024)]).table
    assert table.at[0, "assessed"].startswith("missed")
