"""Sweeps run in this process and in local processes: the table, the cache, bad input."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

import materiel
from materiel.cli.main import main
from materiel.errors import InputError
from materiel.sweeps import backends
from materiel.sweeps.levers import parse_vary
from tests.sweep.sweep_kit import VARY, small_scenario


@pytest.mark.slow
def test_a_row_per_combination_and_the_levers_take_effect(tmp_path: Path) -> None:
    table = materiel.sweep(small_scenario(tmp_path / "s"), VARY, workers=1)
    assert len(table) == 8
    assert list(table.columns[:3]) == [
        "lines.L1.ceiling",
        "policy.contract_months",
        "policy.pooling",
    ]
    assert (
        table[["lines.L1.ceiling", "policy.contract_months", "policy.pooling"]]
        .drop_duplicates()
        .shape[0]
        == 8
    )
    assert (table["status"] == "optimal").all()
    # 5/month for 12 months cannot make 80; a ceiling of 20 can
    low = table[table["lines.L1.ceiling"] == "5"]
    high = table[table["lines.L1.ceiling"] == "20"]
    assert (low["met_by_date"] == 0).all() and (low["lines_expanded"] == 0).all()
    assert (high["met_by_date"] == 1).all() and (high["lines_expanded"] == 1).all()
    assert (high["weighted_shortfall"] < low["weighted_shortfall"].min()).all()
    assert high["months_to_target:SHELL"].notna().all()
    assert low["months_to_target:SHELL"].isna().all()


@pytest.mark.slow
def test_local_processes_give_the_same_table_as_one_process(tmp_path: Path) -> None:
    folder = small_scenario(tmp_path / "s")
    inline = materiel.sweep(folder, VARY, workers=1)
    pooled = materiel.sweep(folder, VARY, workers=2)
    pd.testing.assert_frame_equal(inline, pooled)


@pytest.mark.slow
def test_writes_table_charts_and_resumes_after_an_interruption(tmp_path, monkeypatch) -> None:
    folder = small_scenario(tmp_path / "s")
    out = tmp_path / "out"
    calls: list[tuple[str, ...]] = []
    real = backends.run_combination

    def counting(base, overrides, futures=None, seed=0):
        calls.append(overrides)
        return real(base, overrides, futures, seed)

    monkeypatch.setattr(backends, "run_combination", counting)

    def interrupt(done: int, total: int, row: dict) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        materiel.sweep(folder, VARY, workers=1, out=out, on_result=interrupt)
    assert len(calls) == 3
    assert len(list((out / "cache").glob("*.json"))) == 3
    first_three = list(calls)
    table = materiel.sweep(folder, VARY, workers=1, out=out)
    assert len(calls) == 8  # the five left, none of the three again
    assert not set(first_three) & set(calls[3:])
    assert table.attrs == {"computed": 5, "cached": 3, "scenario": "test"}
    again = materiel.sweep(folder, VARY, workers=1, out=out)
    assert len(calls) == 8 and again.attrs["computed"] == 0
    pd.testing.assert_frame_equal(table, again)
    on_disk = pd.read_parquet(out / "sweep.parquet")
    assert len(on_disk) == 8 and (out / "sweep.csv").is_file()
    charts = sorted(p.name for p in (out / "charts").glob("*.png"))
    assert charts == [
        "months_to_target_by_lines.L1.ceiling.png",
        "months_to_target_by_policy.contract_months.png",
        "months_to_target_by_policy.pooling.png",
    ]
    # another scenario (a changed table) is not served from this cache
    changed = materiel.sweep(folder, VARY[:1], workers=1, out=out, overrides=["horizon=13"])
    assert changed.attrs == {"computed": 2, "cached": 0, "scenario": "test"}


@pytest.mark.slow
def test_spending_path_is_a_lever(tmp_path: Path) -> None:
    folder = small_scenario(tmp_path / "s")
    table = materiel.sweep(
        folder,
        ["spending.path=given,current", "spending.modelled_part=5,50"],
        workers=1,
        overrides=[
            "allies.AAA.gdp=1",
            "allies.AAA.defence_share=2",
            "allies.AAA.equipment_share=50",
        ],
    )
    budget = table.set_index(["spending.path", "spending.modelled_part"])["budget"]
    assert budget[("given", "5")] == budget[("given", "50")] == pytest.approx(1e6)
    assert budget[("current", "5")] == pytest.approx(1e9 * 0.02 * 0.5 * 0.05)
    assert budget[("current", "50")] == pytest.approx(10 * budget[("current", "5")])


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("policy.pooling", "write KEY=VALUE1,VALUE2"),
        ("=1,2", "write KEY=VALUE1,VALUE2"),
        ("policy.pooling=true,,false", "empty value"),
        ("policy.pooling=true,true", "given twice"),
        ("policy.speed=1,2", "unknown lever 'policy.speed'"),
        ("budget=1,2", "unknown lever 'budget'"),
    ],
)
def test_malformed_vary_and_unknown_levers(vary: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_vary(vary)


def test_points_paths_keep_their_commas() -> None:
    lever = parse_vary("spending.path=current,points:2027=2.5,2035=3.5,reach:2@2030")
    assert lever.values == ("current", "points:2027=2.5,2035=3.5", "reach:2@2030")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "policy.pooling"], "write KEY=VALUE1,VALUE2"),
        (["--vary", "policy.nonsense=1,2"], "unknown lever"),
        (["--vary", "spending.path=current,reach:3.5@2020"], "not after the base year"),
        (["--vary", "policy.contract_months=12,0"], "policy.contract_months=0"),
        (["--vary", "lines.NOPE.ceiling=1,2"], "no row of lines"),
        (
            ["--vary", "policy.pooling=true,false", "--vary", "policy.pooling=true"],
            "more than once",
        ),
        (["--vary", "policy.pooling=true,false", "--simulate", "0"], "--simulate must be"),
        (["--vary", "policy.pooling=true,false", "--workers", "0"], "--workers"),
    ],
)
def test_bad_sweeps_exit_2_with_a_message(
    tmp_path: Path, capsys, monkeypatch, args, message
) -> None:
    folder = small_scenario(tmp_path / "s")
    code = main(["sweep", str(folder), *args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in " ".join(err.split())
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "sweep.csv").exists()


@pytest.mark.slow
def test_an_unreachable_scheduler_fails_within_seconds(tmp_path: Path, capsys) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = small_scenario(tmp_path / "s")
    started = time.monotonic()
    code = main(
        [
            "sweep",
            str(folder),
            "--vary",
            "policy.pooling=true,false",
            "--out",
            str(tmp_path / "o"),
            "--scheduler",
            f"tcp://127.0.0.1:{port}",
        ]
    )
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot reach a Dask scheduler at 'tcp://127.0.0.1:{port}'" in " ".join(err.split())
    assert elapsed < backends.CONNECT_TIMEOUT + 5


def test_sweep_command_prints_the_table(tmp_path: Path, capsys) -> None:
    folder = small_scenario(tmp_path / "s")
    args = ["sweep", str(folder), "--vary", "lines.L1.ceiling=5,20", "--workers", "1"]
    args += ["--out", str(tmp_path / "out")]
    assert main(args) == 0
    assert "2 computed, 0 from the cache" in capsys.readouterr().out
    assert main(args) == 0
    assert "0 computed, 2 from the cache" in capsys.readouterr().out


@pytest.mark.slow
def test_simulate_adds_each_plans_probabilities(tmp_path: Path) -> None:
    """With --simulate, each combination's row carries the simulator's probabilities of
    its plan: the same as simulating that plan directly."""
    from materiel.planner.api import plan
    from materiel.planner.plan import Plan
    from materiel.scenario.load import apply_overrides, load_scenario
    from materiel.simulation.api import simulate

    folder = small_scenario(tmp_path / "s")
    out = tmp_path / "out"
    risky = ["risks.yield_loss.loss_min=0", "risks.yield_loss.loss_max=0.2"]
    base = apply_overrides(load_scenario(folder), risky)
    table = materiel.sweep(base, VARY[:1], workers=1, simulate=500, seed=7, out=out)
    for value in ("5", "20"):
        scenario = apply_overrides(base, [f"lines.L1.ceiling={value}"])
        made = Plan.from_result(plan(scenario, explain=0, compare_pooling=False))
        direct = simulate(made, scenario, futures=500, seed=7, sensitivity=0).targets
        row = table.set_index("lines.L1.ceiling").loc[value]
        assert row["p:SHELL"] == pytest.approx(direct["probability"].mean())
    assert table["p_mean"].tolist() == table["p:SHELL"].tolist()
    assert 0 <= table["p_mean"].min() < table["p_mean"].max() <= 1
    # another number of futures is another result; the same one is cached
    again = materiel.sweep(base, VARY[:1], workers=1, simulate=500, seed=7, out=out)
    assert again.attrs["computed"] == 0
    other = materiel.sweep(base, VARY[:1], workers=1, simulate=100, seed=7, out=out)
    assert other.attrs["computed"] == 2
