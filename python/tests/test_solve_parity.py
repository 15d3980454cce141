"""`Model.solve` against `sourcemix solve` on models written here with the features the
CLI's solve writes more for: soft rows with priorities (with and without `by_priority`),
price tiers, stock, bundles and lot discounts. Every file the CLI writes is a table of the
result, in the same order, cell for cell, and the text is what the CLI prints; for models
read from their folder and built from frames."""

import json

import pandas as pd
import pytest

import sourcemix
from conftest import assert_same_cells

# Soft rows (penalties, priorities, a hard row with only a priority), price tiers, stock.
SOFT = {
    "suppliers": """supplier,mineral,country,unit_cost,capacity,freight
gaA,ga,AAA,10,1000,0
gaB,ga,BBB,12,1000,0.5
gaC,ga,CCC,15,1000,0
geA,ge,AAA,100,500,1
geB,ge,BBB,90,500,1
""",
    "demand": """mineral,quantity,unmet_penalty,stock_on_hand,holding_cost
ga,100,,10,0.5
ge,50,,0,1
""",
    "countries": """country,risk,groups,tariff
AAA,0.2,G,0
BBB,0.5,,0.1
CCC,0.1,G,0
""",
    "constraints": """constraint,mineral,target,bound,penalty,priority
max_country_share,ga,AAA,0.3,2,1
max_country_share,*,BBB,0.2,50,2
min_group_share,ga,G,0.9,,3
min_suppliers,ge,,2,,
max_country_share,ge,BBB,0.6,1,
min_stock_days,ga,,30,,
max_country_share,ga,CCC,0.4,,3
""",
    "tiers": """supplier,mineral,kind,from,unit_cost
gaC,ga,incremental,50,14
""",
}

# Bundles, lot discounts, tiers on an offer outside them, stock, and a soft row.
COUPLED = {
    "suppliers": """supplier,mineral,country,unit_cost,capacity,freight,min_order
sA,co,AUS,20,500,1,0
sA,li,AUS,10,500,1,0
sB,co,CHN,18,500,2,0
sB,li,CHN,11,500,2,20
sC,co,USA,25,500,0,0
sC,li,USA,9,500,0,0
""",
    "demand": """mineral,quantity,unmet_penalty,stock_on_hand,holding_cost
co,200,,0,0.1
li,300,,5,0.1
""",
    "countries": """country,risk,groups,tariff
AUS,0.1,,0.1
CHN,0.6,,0.05
USA,0.2,,0
""",
    "constraints": """constraint,mineral,target,bound,penalty,priority
max_country_share,*,CHN,0.5,,
max_country_share,co,AUS,0.3,5,1
""",
    "bundles": """bundle,supplier,mineral,quantity,price
p1,sA,co,100,1900
p1,sA,li,100,
p2,sB,co,150,2500
""",
    "discounts": """supplier,min_lots,discount
sB,1,0.02
sB,2,0.05
""",
    "tiers": """supplier,mineral,kind,from,unit_cost
sC,li,all_units,100,8.5
""",
}


def write_model(folder, files):
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def both_ways(folder, files):
    """The model loaded from its folder and built from pandas frames of its files (every
    cell as its text)."""
    frames = {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in files
    }
    return [sourcemix.load(folder), sourcemix.Model.from_frames(**frames)]


def solve_both(cli, tmp_path, files, flags, keywords, names):
    """The CLI's solve with `flags` and Python's with `keywords` agree: the files written
    are the result's tables (`names`, in this order), cell for cell, and the texts match.
    Returns the CLI's stdout."""
    folder = write_model(tmp_path / "model", files)
    out = tmp_path / "out"
    run = cli("solve", folder, "--out", out, *flags)
    assert run.returncode == 0, run.stderr
    written = sorted(p.name for p in out.glob("*.csv"))
    assert written == sorted(f"{n}.csv" for n in names)
    for model in both_ways(folder, files):
        result = model.solve(**keywords)
        assert result.status == "optimal"
        assert result.names == names
        assert result.text == run.stdout
        for name, frame in result.tables.items():
            assert_same_cells(frame, out / f"{name}.csv")
    return run.stdout


SOFT_NAMES = ["allocation", "summary", "constraints", "tier_prices"]


def test_soft_rows_agree(cli, tmp_path):
    text = solve_both(cli, tmp_path, SOFT, [], {}, SOFT_NAMES)
    # The 30% cap on AAA (penalty 2) gives way: ga's hard rows (G ≥ 90%, CCC ≤ 40%)
    # need AAA ≥ 50% with it hard, so the mineral has no plan then.
    assert "soft rules the plan breaks (penalties 140 in all" in text
    assert "it cannot be kept: with it hard, ga has no plan" in text


def test_by_priority_agrees(cli, tmp_path):
    text = solve_both(cli, tmp_path, SOFT, ["--by-priority"], {"by_priority": True}, SOFT_NAMES)
    # Tier 1 (AAA ≤ 30%) and tier 2 (BBB ≤ 20%) hold; tier 3 (G ≥ 90%, CCC ≤ 40%)
    # gives way by 20 points in all: 30 + CCC + BBB = 100 with BBB ≤ 20.
    assert "rules that gave way" in text
    assert "broken by 10 percentage points" in text


def test_ranging_agrees(cli, tmp_path):
    names = ["allocation", "summary", "constraints", "ranging", "tier_prices"]
    solve_both(cli, tmp_path, SOFT, ["--ranging"], {"ranging": True}, names)


def test_bundles_and_discounts_agree(cli, tmp_path):
    names = SOFT_NAMES + ["bundle_awards", "lot_discounts"]
    text = solve_both(cli, tmp_path, COUPLED, [], {}, names)
    assert "soft rules the plan breaks" in text
    awards = sourcemix.load(tmp_path / "model").solve()["bundle_awards"]
    p1 = awards[awards["bundle"] == "p1"].iloc[0]
    # By hand: 100 co at 20·1.1 + 1 and 100 li at 10·1.1 + 1 list at 3500; the price 1900
    # split 2:1 by value at unit cost, with the 10% tariff, plus 200 freight: 2290.
    assert bool(p1["won"])
    assert p1["list_cost"] == pytest.approx(3500)
    assert p1["bundle_cost"] == pytest.approx(2290)


def test_metrics_are_the_cli_json_report(cli, tmp_path):
    folder = write_model(tmp_path / "model", SOFT)
    run = cli("solve", folder, "--format", "json", "--by-priority", "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    result = sourcemix.load(folder).solve(by_priority=True)
    assert result.metrics == json.loads(run.stdout)["report"]


def test_by_priority_with_bundles_agrees(cli, tmp_path):
    names = SOFT_NAMES + ["bundle_awards", "lot_discounts"]
    solve_both(cli, tmp_path, COUPLED, ["--by-priority"], {"by_priority": True}, names)


def test_robust_takes_soft_rows_as_the_cli(cli, tmp_path):
    # --robust needs an unmet penalty for every mineral.
    demand = SOFT["demand"].replace("ga,100,,", "ga,100,500,").replace("ge,50,,", "ge,50,900,")
    folder = write_model(tmp_path / "model", dict(SOFT, demand=demand))
    run = cli("solve", folder, "--robust", "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert "soft-rule penalties" in run.stdout
    result = sourcemix.load(folder).robust()
    assert result.exit_code == 0
    assert "soft-rule penalties" in result.text


def test_robust_with_bundles_agrees(cli, tmp_path):
    # --robust needs an unmet penalty for every mineral; --n-1 gives the scenarios.
    demand = COUPLED["demand"].replace("co,200,,", "co,200,80,").replace("li,300,,", "li,300,40,")
    files = dict(COUPLED, demand=demand)
    folder = write_model(tmp_path / "model", files)
    out = tmp_path / "out"
    run = cli("solve", folder, "--robust", "--n-1", "--out", out)
    assert run.returncode == 0, run.stderr
    written = sorted(p.stem for p in out.glob("*.csv"))
    assert "bundle_awards" in written and "lot_discounts" in written
    for model in both_ways(folder, files):
        result = model.robust(n_1=True)
        assert result.exit_code == 0
        assert sorted(result.names) == written
        assert result.text == run.stdout
        for name, frame in result.tables.items():
            assert_same_cells(frame, out / f"{name}.csv")
