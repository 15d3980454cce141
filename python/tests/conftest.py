"""Shared fixtures: the repository's bundled models and the `sourcemix` CLI to compare
with (SOURCEMIX_CLI, else the checkout's target/release or target/debug binary)."""

import csv
import math
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = sorted(p for p in (ROOT / "models").iterdir() if (p / "suppliers.csv").exists())


def cli_path() -> pathlib.Path:
    """The CLI binary the tests compare with."""
    given = os.environ.get("SOURCEMIX_CLI")
    if given:
        return pathlib.Path(given)
    for profile in ("release", "debug"):
        path = ROOT / "target" / profile / "sourcemix"
        if path.exists():
            return path
    pytest.fail("no sourcemix binary: build it (cargo build) or set SOURCEMIX_CLI")


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI with `args`; returns the completed process (no check)."""
    binary = cli_path()

    def run(*args):
        return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)

    return run


def read_cli_csv(path):
    """A CLI result file as (header, rows of strings), read with the csv module alone."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def assert_same_cells(frame, path):
    """`frame` (pandas) equals the CLI's CSV file at `path` cell for cell: the same
    header, row count, text cells as strings, numeric cells as the same doubles (an
    empty cell is a missing value)."""
    header, rows = read_cli_csv(path)
    assert list(frame.columns) == header, path
    assert len(frame) == len(rows), path
    for j, name in enumerate(header):
        column = frame[name].tolist()
        for i, cell in enumerate(rows):
            got, want = column[i], cell[j]
            assert same_cell(got, want), f"{path.name} row {i} column {name}: {got!r} != {want!r}"


def same_cell(got, want: str) -> bool:
    """A DataFrame cell against the CSV text of the same cell."""
    if isinstance(got, str):
        return got == want
    if got is None or (isinstance(got, float) and math.isnan(got)):
        return want == ""
    if isinstance(got, bool):
        return want == ("true" if got else "false")
    try:
        return float(want) == float(got)
    except ValueError:
        return False
