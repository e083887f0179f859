"""A plan that holds (``--confidence``), and the commands as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from materiel.cli.main import main
from materiel.scenario.load import load_scenario
from materiel.scenario.model import Scenario
from materiel.simulation.api import simulate
from materiel.workflows.confidence import plan_with_confidence
from tests.scenario_kit import base_tables, write_scenario

OUTAGE = {"outage": {"probability": 0.05, "max_months": 2, "loss_min": 0.5, "loss_max": 1.0}}


def two_allies(folder: Path, target_b: float = 150) -> Path:
    """Two allies share a line of 10/month that can grow to 30 (lead 2) fed by one
    supplier with outages: 270 units are asked for, 320 can be made by month 11."""
    tables = base_tables(ceiling=30, lead_time=2)
    tables["allies"].append({"code": "BBB", "name": "Ally B"})
    tables["stockpiles"][0]["target"] = 120
    tables["stockpiles"].append({**tables["stockpiles"][0], "ally": "BBB", "target": target_b})
    tables["budgets"].append({"ally": "BBB", "year": 2025, "amount": 1e9})
    tables["components"] = [{"code": "M", "name": "Motor", "supply": 40, "ceiling": 40}]
    tables["bom"] = [{"item": "SHELL", "component": "M", "quantity": 1}]
    # Fractional quantities (the LP relaxation): the plan then buys exactly what the
    # targets need, so that without buffers a target holds in fewer than 90 % of futures.
    # In whole units the plan keeps up to a unit a month more, which here holds by itself.
    return write_scenario(folder, tables, risks=OUTAGE, policy={"whole_lots": False})


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load_scenario(two_allies(tmp_path_factory.mktemp("conf")))


@pytest.mark.slow
def test_confidence_plan_holds_on_independent_futures(scenario: Scenario) -> None:
    plain = plan_with_confidence(scenario, 0.9, futures=2000, seed=3, rounds=1)
    confident = plan_with_confidence(scenario, 0.9, futures=2000, seed=3)
    # without buffers one target holds in fewer than 90 % of futures ...
    assert (plain.table["p_before"] < 0.9).any()
    # ... with them every target does, on futures that did not set the buffers
    check = simulate(confident.plan, scenario, futures=4000, seed=12345, sensitivity=0)
    assert (check.targets["probability"] >= 0.9).all(), check.targets
    assert (confident.table["buffer"] > 0).any()
    assert confident.table["reaches_confidence"].all()


def test_confidence_says_which_targets_cannot_get_there(tmp_path: Path) -> None:
    # BBB asks for 400: with AAA's 120, more than the line can make by month 11 (320).
    scenario = load_scenario(two_allies(tmp_path / "s", target_b=400))
    confident = plan_with_confidence(scenario, 0.9, futures=500, seed=3)
    table = confident.table.set_index("ally")
    assert not table.loc["BBB", "reaches_confidence"]
    assert "the plan reaches" in table.loc["BBB", "why_not"]
    assert "of the 400 needed by 2025-12" in table.loc["BBB", "why_not"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from materiel.cli.main import main; sys.exit(main())",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_simulate_command_writes_its_tables(scenario: Scenario, tmp_path: Path) -> None:
    folder = Path(str(scenario.origin))
    out = tmp_path / "sim"
    code = main(["simulate", str(folder), "--futures", "600", "--seed", "2", "--out", str(out)])
    assert code == 0
    targets = pd.read_parquet(out / "targets.parquet")
    assert set(targets["ally"]) == {"AAA", "BBB"}
    assert (
        (targets["ci_low"] <= targets["probability"])
        & (targets["probability"] <= targets["ci_high"])
    ).all()
    assert (out / "fan_chart.png").stat().st_size > 10_000
    assert len(pd.read_csv(out / "sensitivity.csv")) == 1  # one risk: outages


@pytest.mark.slow
def test_plan_command_with_confidence_adds_a_risk_section(
    scenario: Scenario, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    code = main(
        [
            "plan",
            str(scenario.origin),
            "--confidence",
            "0.9",
            "--simulate",
            "1000",
            "--no-pooling-value",
            "--explain",
            "0",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Risk: how likely the plan is to hold" in page
    assert "Planned to a confidence level" in page
    buffers = pd.read_parquet(out / "plan" / "buffers.parquet")
    assert (buffers["buffer"] > 0).any()
    # the report keeps the real targets and the buffered levels planned to apart
    targets = pd.read_parquet(out / "targets.parquet").set_index(["ally", "group"])
    real = scenario.table("stockpiles").groupby("ally")["target"].sum()
    for (ally, _group), row in targets.iterrows():
        assert row["target"] == pytest.approx(real[ally])
    buffered = buffers.set_index(["ally", "group"])["buffer"]
    for key, buffer in buffered.items():
        assert targets.loc[key, "planned_level"] == pytest.approx(
            targets.loc[key, "target"] + buffer
        )
    # the plan folder is accepted for the scenario it buffered
    assert (
        main(
            [
                "simulate",
                str(scenario.origin),
                "--plan",
                str(out / "plan"),
                "--futures",
                "300",
                "--out",
                str(tmp_path / "again"),
            ]
        )
        == 0
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--futures", "0"], "futures must be between 1"),
        (["--futures", "-5"], "futures must be between 1"),
        (["--futures", "100000000000"], "futures must be between 1"),
        (["--futures", "many"], "Invalid value for '--futures'"),
        (["--set", "risks.outage.probability=1.5"], "less than or equal to 1"),
        (["--set", "risks.surge.end=-0.1"], "greater than or equal to 0"),
        (
            ["--set", "risks.outage.loss_min=0.9", "--set", "risks.outage.loss_max=0.2"],
            "loss_max 0.2 is below loss_min 0.9",
        ),
        (["--set", "risks.surge.theatres={EAST: [ZZZ]}"], "not in the allies table"),
    ],
)
def test_bad_input_is_refused_with_exit_code_2(
    scenario: Scenario, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", str(scenario.origin), *args]) == 2
    said = capsys.readouterr()
    assert message in " ".join((said.err + said.out).split())
    assert "Traceback" not in said.err


@pytest.mark.slow
def test_a_plan_folder_of_another_scenario_is_refused(scenario: Scenario, tmp_path: Path) -> None:
    assert (
        main(
            [
                "plan",
                str(scenario.origin),
                "--no-pooling-value",
                "--explain",
                "0",
                "--out",
                str(tmp_path / "a"),
            ]
        )
        == 0
    )
    other = two_allies(tmp_path / "other", target_b=140)
    done = run("simulate", str(other), "--plan", str(tmp_path / "a" / "plan"), "--futures", "10")
    assert done.returncode == 2
    assert "plan the scenario again" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr


def test_a_bad_risks_file_names_the_file_and_field(scenario: Scenario, tmp_path: Path) -> None:
    bad = tmp_path / "risks.yaml"
    bad.write_text(yaml.safe_dump({"risks": {"yield_loss": {"loss_max": 2}}}), encoding="utf-8")
    done = run("simulate", str(scenario.origin), "--risks", str(bad), "--futures", "10")
    assert done.returncode == 2
    text = " ".join(done.stderr.split())
    assert str(bad) in text.replace(" ", "") or "risks.yaml" in text
    assert "yield_loss.loss_max" in text
    assert "Traceback" not in done.stderr


def test_a_target_reaches_the_level_only_when_its_interval_does(scenario: Scenario) -> None:
    # 300 futures: intervals of several points, so that an estimate at the level is
    # not taken as reaching it; those are said to be uncertain, with their interval.
    table = plan_with_confidence(scenario, 0.9, futures=300, seed=5, rounds=1).table
    assert (table["p_after_low"] <= table["p_after"] + 1e-12).all()
    assert (table["p_after"] <= table["p_after_high"] + 1e-12).all()
    assert (table["reaches_confidence"] == (table["p_after_low"] >= 0.9)).all()
    unsure = table[(table["p_after"] >= 0.9) & ~table["reaches_confidence"]]
    assert unsure["why_not"].str.startswith("uncertain").all()
