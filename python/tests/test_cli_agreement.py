"""Every command's tables against the CLI's files cell for cell, on the bundled models,
for models read from their folder and built from pandas frames."""

import pandas as pd
import pytest

import sourcemix
from conftest import MODELS, assert_same_cells

FRAMES = ("suppliers", "demand", "countries", "constraints", "scenarios")


def pandas_frames(folder):
    """The model folder's CSV files read with pandas (ids as text)."""
    out = {}
    for name in FRAMES:
        path = folder / f"{name}.csv"
        if path.exists():
            out[name] = pd.read_csv(path, dtype={"supplier": str, "mineral": str, "country": str})
    return out


def both_ways(folder):
    """The model loaded from its folder and built from frames."""
    return [sourcemix.load(folder), sourcemix.Model.from_frames(**pandas_frames(folder))]


def check_tables(result, out):
    """Every table of `result` equals the CLI's file of that name in `out`."""
    assert result.names, "no tables"
    for name, frame in result.tables.items():
        assert_same_cells(frame, out / f"{name}.csv")


@pytest.mark.parametrize("folder", MODELS, ids=lambda p: p.name)
def test_solve(folder, cli, tmp_path):
    run = cli("solve", folder, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.solve()
        assert result.status == "optimal"
        assert result.exit_code == 0
        assert result.text == run.stdout
        check_tables(result, tmp_path)


@pytest.mark.parametrize("folder", MODELS, ids=lambda p: p.name)
def test_policy(folder, cli, tmp_path):
    run = cli("policy", folder, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.policy()
        assert result.text == run.stdout
        check_tables(result, tmp_path)


@pytest.mark.parametrize("folder", MODELS, ids=lambda p: p.name)
def test_explain(folder, cli, tmp_path):
    run = cli("explain", folder, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.explain()
        assert result.text == run.stdout
        check_tables(result, tmp_path)


@pytest.mark.parametrize("measure", ["hhi", "avg_risk"])
def test_frontier(measure, cli, tmp_path):
    folder = [m for m in MODELS if m.name == "export-controls-2023"][0]
    run = cli("frontier", folder, "--measure", measure, "--points", 4, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.frontier(measure=measure, points=4)
        assert result.text == run.stdout
        check_tables(result, tmp_path)


@pytest.mark.parametrize("folder", MODELS, ids=lambda p: p.name)
def test_stress(folder, cli, tmp_path):
    plan = tmp_path / "plan"
    assert cli("solve", folder, "--out", plan).returncode == 0
    run = cli("stress", folder, "--plan", plan / "allocation.csv", "--n-1", "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.stress(model.solve(), n_1=True)
        assert result.text == run.stdout
        check_tables(result, tmp_path)


@pytest.mark.parametrize("folder", MODELS, ids=lambda p: p.name)
def test_robust(folder, cli, tmp_path):
    run = cli("solve", folder, "--robust", "--n-1", "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.robust(n_1=True)
        names = ["allocation", "summary", "constraints", "stress", "stress_summary"]
        if "stock_on_hand" in (folder / "demand.csv").read_text().splitlines()[0]:
            names.append("stock")
        assert result.names == names
        assert result.text == run.stdout
        check_tables(result, tmp_path)


@pytest.mark.parametrize("weights", ["0,1", [0, 0.5, 2]])
def test_hedge(weights, cli, tmp_path):
    folder = [m for m in MODELS if m.name == "export-controls-2023-stock"][0]
    text = weights if isinstance(weights, str) else ",".join(map(str, weights))
    run = cli("hedge", folder, "--weights", text, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.hedge(weights=weights)
        assert result.names == ["hedge"]
        assert result.text == run.stdout
        check_tables(result, tmp_path)


def test_hedge_bad_weight_is_the_cli_message(cli, tmp_path):
    folder = [m for m in MODELS if m.name == "export-controls-2023-stock"][0]
    run = cli("hedge", folder, "--weights", "0,-1", "--out", tmp_path)
    assert run.returncode == 2
    with pytest.raises(sourcemix.InputError) as err:
        sourcemix.load(folder).hedge(weights=[0, -1])
    assert err.value.exit_code == 2
    assert "-1" in str(err.value)


def test_workbook_model_and_xlsx(tmp_path):
    folder = [m for m in MODELS if (m / "model.xlsx").exists()][0]
    from_book = sourcemix.load(folder / "model.xlsx").solve()
    from_folder = sourcemix.load(folder).solve()
    pd.testing.assert_frame_equal(from_book["allocation"], from_folder["allocation"])
    book = tmp_path / "results.xlsx"
    from_folder.to_xlsx(book)
    import zipfile

    with zipfile.ZipFile(book) as z:
        workbook = z.read("xl/workbook.xml").decode()
    for sheet in ("allocation", "summary", "constraints", "inputs"):
        assert f'name="{sheet}"' in workbook


@pytest.mark.parametrize("command", ["solve", "policy", "explain"])
def test_metrics_are_the_cli_json_report(command, cli, tmp_path):
    import json

    folder = [m for m in MODELS if m.name == "export-controls-2023"][0]
    run = cli(command, folder, "--format", "json", "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    result = getattr(sourcemix.load(folder), command)()
    assert result.metrics == json.loads(run.stdout)["report"]


@pytest.mark.parametrize("folder", MODELS, ids=lambda p: p.name)
def test_compare_default_cases(folder, cli, tmp_path):
    run = cli("compare", folder, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    for model in both_ways(folder):
        result = model.compare()
        assert result.text == run.stdout
        check_tables(result, tmp_path)


def test_compare_cases_file(cli, tmp_path):
    folder = [m for m in MODELS if m.name == "export-controls-2023"][0]
    cases = folder / "cases.csv"
    run = cli("compare", folder, "--cases", cases, "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    result = sourcemix.load(folder).compare(cases=cases)
    assert result.text == run.stdout
    check_tables(result, tmp_path)
    # The full policy's total equals a plain solve of the model (summary's `*` row).
    compare = result.tables["compare"]
    full = compare[(compare["case"] == "full_policy") & (compare["mineral"] == "*")]
    summary = sourcemix.load(folder).solve().tables["summary"]
    total = summary[summary["mineral"] == "*"]
    assert float(full["cost"].iloc[0]) == pytest.approx(float(total["cost"].iloc[0]), rel=1e-9)
