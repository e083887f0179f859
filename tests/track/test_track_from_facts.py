"""Reviewed facts from `materiel ingest` turned into pledge-ledger entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from materiel.cli.main import main
from materiel.ingest.model import Fact, Source
from materiel.track.ledger import JsonPledgeFile


def fact(kind: str, fields: dict, status: str = "accepted", **extra) -> Fact:
    source = Source("news/a.txt", 10, 90, "Lithuania commits to 3% of GDP by 2025.",
                    "2024-06-17", "Allies pledge more", "Wire")  # fmt: skip
    return Fact(kind, fields, [source], 0.9, status=status, **extra)


SPENDING = fact("pledge", {"actors": {"ally": "LTU"}, "share_of_gdp": 3.0, "year": 2025})
AID = fact(
    "aid",
    {"actors": {"donor": "GBR", "recipient": "UKR"}, "value": 3e9, "currency": "GBP",
     "per_year": True, "aid_type": "military"},
)  # fmt: skip
ONE_OFF = fact("aid", {"actors": {"donor": "SWE"}, "value": 3.5e9, "currency": "SEK"})
UNREVIEWED = fact("pledge", {"actors": {"ally": "EST"}, "share_of_gdp": 3.2}, "unreviewed")


def write(path: Path, facts: list[Fact]) -> Path:
    path.write_text(json.dumps({"facts": [f.to_dict() for f in facts]}), encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["track", "pledges", *argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, " ".join((captured.out + captured.err).split())  # as one line, unwrapped


def test_accepted_pledges_become_ledger_entries_with_their_source(capsys, tmp_path, ledger_path):
    facts = write(tmp_path / "facts.json", [SPENDING, AID, ONE_OFF, UNREVIEWED])
    code, text = run(capsys, "import", str(facts))
    assert code == 0 and "added 2 pledge(s)" in text and "1 fact(s) not accepted" in text
    spending, aid = JsonPledgeFile(ledger_path).list_pledges()
    assert (spending.ally, spending.kind, spending.value, spending.by_year) == (
        "LTU", "spending", 3.0, 2025,
    )  # fmt: skip
    assert (aid.ally, aid.kind, aid.value, aid.unit) == ("GBR", "aid", 3.0, "GBP bn")
    assert SPENDING.id in spending.source and "Allies pledge more" in spending.source
    assert "news/a.txt, characters 10-90" in spending.source
    assert spending.date is not None and spending.date.isoformat() == "2024-06-17"
    assert "not a pledge" in text  # the one-off Swedish package
    code, text = run(capsys, "import", str(facts))  # a re-run adds nothing
    assert code == 0 and "already in the ledger: P0001, P0002" in text
    assert len(JsonPledgeFile(ledger_path).list_pledges()) == 2


@pytest.mark.parametrize(
    "bad",
    [
        fact(
            "aid", {"actors": {"donor": "EU"}, "value": 5e10, "currency": "EUR", "per_year": True}
        ),
        fact("pledge", {"actors": {"ally": "JPN"}, "share_of_gdp": 2.0, "year": 2027}),
        fact("pledge", {"actors": {"ally": "POL"}, "share_of_gdp": 400.0, "year": 2027}),
    ],
)
def test_one_bad_accepted_fact_writes_nothing(capsys, tmp_path, ledger_path, bad):
    facts = write(tmp_path / "facts.json", [SPENDING, bad])
    code, text = run(capsys, "import", str(facts))
    assert code == 2 and bad.id in text and "nothing was written" in text
    assert not ledger_path.exists()


def test_conflicting_facts_are_left_for_review(capsys, tmp_path, ledger_path):
    conflict = {"share_of_gdp": [{"value": 3.0, "source": 0}, {"value": 3.5, "source": 1}]}
    disputed = fact("pledge", {"actors": {"ally": "LVA"}, "share_of_gdp": 3.0}, conflicts=conflict)
    code, text = run(capsys, "import", str(write(tmp_path / "f.json", [disputed])))
    assert code == 0 and "settle them in review" in text and not ledger_path.exists()


@pytest.mark.parametrize("name", ["missing.json", "facts.csv"])
def test_a_missing_or_wrong_facts_file_is_an_error(capsys, tmp_path, ledger_path, name):
    code, text = run(capsys, "import", str(tmp_path / name))
    assert code == 2 and "error" in text.lower() and not ledger_path.exists()
