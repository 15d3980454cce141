"""The `stage` keyword against the CLI's `--stage` / `--n-1-stage` files cell for cell, on
the bundled models with supply-chain stages, read from their folder and built from
frames: frontier at a stage, the n-1 preset at a stage (stress, solve --robust) and
disruption sampling at a stage."""

import pytest

import sourcemix
from conftest import MODELS, assert_same_cells
from test_cli_agreement import both_ways, check_tables

STAGED = [
    (m, s)
    for m in MODELS
    for s in (m / "suppliers.csv").read_text().splitlines()[0].split(",")
    if s.startswith("origin_")
]
CASES = [(m, s[len("origin_"):]) for m, s in STAGED]
IDS = [f"{m.name}-{s}" for m, s in CASES]


def test_the_bundled_models_have_stages():
    assert len({m for m, _ in CASES}) >= 2 and len(CASES) >= 6


@pytest.mark.parametrize("folder,stage", CASES, ids=IDS)
def test_frontier_at_a_stage(folder, stage, cli, tmp_path):
    run = cli("frontier", folder, "--measure", "hhi", "--points", 3, "--stage", stage, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.frontier(measure="hhi", points=3, stage=stage)
        assert result.text == run.stdout
        assert list(result["frontier"].columns)[-1] == "stage"
        check_tables(result, tmp_path)


@pytest.mark.parametrize("folder,stage", CASES, ids=IDS)
def test_stress_n_1_at_a_stage(folder, stage, cli, tmp_path):
    plan = tmp_path / "plan"
    assert cli("solve", folder, "--out", plan).returncode == 0
    out = tmp_path / "out"
    run = cli("stress", folder, "--plan", plan / "allocation.csv", "--n-1-stage", stage, "--out", out)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.stress(model.solve(), n_1=True, stage=stage)
        assert result.text == run.stdout
        check_tables(result, out)


@pytest.mark.parametrize("folder,stage", CASES[:2], ids=IDS[:2])
def test_robust_n_1_at_a_stage(folder, stage, cli, tmp_path):
    run = cli("solve", folder, "--robust", "--n-1-stage", stage, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.robust(n_1=True, stage=stage)
        assert result.text == run.stdout
        check_tables(result, tmp_path)


@pytest.mark.parametrize("folder,stage", CASES, ids=IDS)
def test_scenarios_at_a_stage(folder, stage, cli, tmp_path):
    out = tmp_path / "scenarios.csv"
    run = cli("scenarios", folder, "--samples", 500, "--seed", 7, "--severity", 0.2, "--stage", stage, "--out", out)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.scenarios(samples=500, seed=7, severity=0.2, stage=stage)
        assert result.names == ["scenarios"]
        assert_same_cells(result["scenarios"], out)


def test_scenarios_without_a_stage_match_the_cli(cli, tmp_path):
    folder = CASES[0][0]
    out = tmp_path / "scenarios.csv"
    assert cli("scenarios", folder, "--samples", 300, "--seed", 2, "--out", out).returncode == 0
    assert_same_cells(sourcemix.load(folder).scenarios(samples=300, seed=2)["scenarios"], out)


def test_an_unknown_stage_is_the_cli_message(cli, tmp_path):
    folder = CASES[0][0]
    run = cli("frontier", folder, "--measure", "hhi", "--stage", "nope", "--out", tmp_path)
    assert run.returncode == 2
    model = sourcemix.load(folder)
    with pytest.raises(sourcemix.InputError) as err:
        model.frontier(measure="hhi", stage="nope")
    assert err.value.exit_code == 2
    assert str(err.value).strip() in run.stderr
    with pytest.raises(sourcemix.InputError):
        model.stress(model.solve(), n_1=True, stage="nope")
    with pytest.raises(sourcemix.InputError) as err:
        model.stress(model.solve(), stage=CASES[0][1])
    assert "n_1" in str(err.value)
