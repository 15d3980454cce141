"""Frames in and out against hand-solved answers, the exceptions, keyword options,
polars and Arrow input, the GIL and Ctrl-C."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import sourcemix

# Two offers of gallium: B (CHN) at 8, A (AUS) at 10; CHN is capped at 60% of 100.
SUPPLIERS = {"supplier": ["A", "B"], "mineral": ["ga", "ga"], "country": ["AUS", "CHN"],
             "unit_cost": [10.0, 8.0]}
DEMAND = {"mineral": ["ga"], "quantity": [100.0]}
CONSTRAINTS = {"constraint": ["max_country_share"], "mineral": ["ga"], "target": ["CHN"],
               "bound": [0.6]}


def small(make):
    """The two-offer model built with the frame constructor `make`."""
    return sourcemix.Model.from_frames(
        suppliers=make(SUPPLIERS), demand=make(DEMAND), constraints=make(CONSTRAINTS)
    )


@pytest.mark.parametrize("make", [pd.DataFrame, pl.DataFrame, pa.table],
                         ids=["pandas", "polars", "arrow"])
def test_hand_solved_plan(make):
    # By hand: 60 from CHN at 8 and the other 40 from AUS at 10 = 880.
    result = small(make).solve()
    alloc = result["allocation"].set_index("supplier")
    assert alloc.loc["B", "quantity"] == 60
    assert alloc.loc["A", "quantity"] == 40
    summary = result["summary"].set_index("mineral")
    assert summary.loc["*", "cost"] == 60 * 8 + 40 * 10
    # Loosening the CHN cap by one point saves 100 * 0.01 * (10 - 8) = 2.
    cap = result["constraints"].iloc[0]
    assert abs(abs(cap["shadow_price_per_point"]) - 2.0) < 1e-6


def test_polars_frames_out():
    result = small(pl.DataFrame).solve()
    frames = result.frames("polars")
    assert isinstance(frames["allocation"], pl.DataFrame)
    assert frames["allocation"]["quantity"].sum() == 100


def test_arrow_capsule_object():
    class Capsule:
        """Only the Arrow PyCapsule stream interface, no known frame type."""

        def __init__(self, data):
            self._table = pa.table(data)

        def __arrow_c_stream__(self, requested_schema=None):
            return self._table.__arrow_c_stream__(requested_schema)

    model = sourcemix.Model.from_frames(
        suppliers=Capsule(SUPPLIERS), demand=Capsule(DEMAND), constraints=Capsule(CONSTRAINTS)
    )
    assert model.solve()["summary"].set_index("mineral").loc["*", "cost"] == 880


def test_bad_frame_names_frame_row_and_column():
    bad = dict(SUPPLIERS, unit_cost=["10", "cheap"])
    with pytest.raises(sourcemix.InputError) as err:
        sourcemix.Model.from_frames(suppliers=pd.DataFrame(bad), demand=pd.DataFrame(DEMAND))
    message = str(err.value)
    assert "suppliers frame, row 1, column unit_cost" in message
    assert '"cheap"' in message
    assert err.value.exit_code == 2
    assert isinstance(err.value, sourcemix.Error)


def test_missing_column_is_an_input_error():
    with pytest.raises(sourcemix.InputError, match="suppliers frame"):
        sourcemix.Model.from_frames(
            suppliers=pd.DataFrame({"supplier": ["A"], "mineral": ["ga"]}),
            demand=pd.DataFrame(DEMAND),
        )


def test_bad_file_names_file_line_and_column(tmp_path):
    (tmp_path / "suppliers.csv").write_text(
        "supplier,mineral,country,unit_cost\nA,ga,AUS,10\nB,ga,CHN,-8\n")
    (tmp_path / "demand.csv").write_text("mineral,quantity\nga,100\n")
    with pytest.raises(sourcemix.InputError, match=r"suppliers.csv:3: column unit_cost"):
        sourcemix.load(tmp_path)


def test_infeasible_raises_its_class():
    # CHN excluded and AUS can sell only 50 of 100, with no unmet penalty: no plan.
    suppliers = dict(SUPPLIERS, capacity=[50.0, 100.0])
    policy = {"constraint": ["exclude_country"], "mineral": ["ga"], "target": ["CHN"],
              "bound": [None]}
    model = sourcemix.Model.from_frames(
        suppliers=pd.DataFrame(suppliers), demand=pd.DataFrame(DEMAND),
        constraints=pd.DataFrame(policy))
    with pytest.raises(sourcemix.InfeasibleError) as err:
        model.solve()
    assert err.value.exit_code == 3
    assert err.value.result.status == "infeasible"
    # explain finds the least relaxation instead of raising: drop the exclusion.
    explained = model.explain()
    assert explained.exit_code == 0
    assert len(explained["explain"]) >= 1


@pytest.mark.parametrize("kw,flag,value", [
    ({"mip_gap": 2}, "--mip-gap", "2"),
    ({"time_limit": -1}, "--time-limit", "-1"),
    ({"solver": "nope"}, "--solver", "nope"),
    ({"threads": 0}, "--threads", "0"),
])
def test_bad_keyword_raises_the_cli_message(kw, flag, value, cli, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    for name, data in (("suppliers", SUPPLIERS), ("demand", DEMAND)):
        pd.DataFrame(data).to_csv(folder / f"{name}.csv", index=False)
    run = cli("solve", folder, f"{flag}={value}")
    assert run.returncode == 2
    with pytest.raises(sourcemix.InputError) as err:
        sourcemix.load(folder).solve(**kw)
    # The CLI says: error: invalid value 'V' for '--flag <NAME>': WHY; we give the WHY.
    why = str(err.value).split("': ", 1)[1]
    assert why in run.stderr, run.stderr


def test_keyword_options_take_effect():
    model = small(pd.DataFrame)
    for solver in ("clarabel", "microlp"):
        result = model.solve(solver=solver, threads=1, time_limit=60, mip_gap=1e-4)
        assert result["summary"].set_index("mineral").loc["*", "cost"] == 880


def test_frontier_needs_a_valid_measure():
    with pytest.raises(sourcemix.InputError, match="--measure"):
        small(pd.DataFrame).frontier(measure="cost")


def generated(cli, tmp_path, offers):
    folder = tmp_path / f"g{offers}"
    run = cli("generate", folder, "--minerals", 10, "--offers", offers, "--seed", 3)
    assert run.returncode == 0, run.stderr
    return folder


def test_gil_is_released_while_solving(cli, tmp_path):
    model = sourcemix.load(generated(cli, tmp_path, 100_000))
    done = threading.Event()
    ticks = 0

    def work():
        model.policy(threads=1)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    # With the GIL held for the whole solve this thread could not have run at all.
    assert ticks > 20


def test_ctrl_c_stops_a_solve(cli, tmp_path):
    folder = generated(cli, tmp_path, 200_000)
    script = textwrap.dedent(f"""
        import sys, time, sourcemix
        model = sourcemix.load({str(folder)!r})
        print("solving", flush=True)
        t = time.perf_counter()
        try:
            model.frontier(measure="hhi", points=200, threads=1)
            print("finished", flush=True)
        except KeyboardInterrupt:
            print(f"interrupted {{time.perf_counter() - t:.3f}}", flush=True)
            # The work was stopped, not abandoned: the process goes idle.
            import os
            before = sum(os.times()[:2])
            time.sleep(1.0)
            print(f"cpu {{sum(os.times()[:2]) - before:.3f}}", flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=tmp_path)
    assert child.stdout.readline().strip() == "solving"
    time.sleep(1.0)
    sent = time.perf_counter()
    child.send_signal(signal.SIGINT)
    line = child.stdout.readline().strip()
    latency = time.perf_counter() - sent
    cpu = child.stdout.readline().strip()
    child.wait(timeout=60)
    assert line.startswith("interrupted"), line
    assert latency < 2.0, latency
    assert cpu.startswith("cpu "), cpu
    assert float(cpu.split()[1]) < 0.3, f"the stopped work still ran: {cpu}"
