"""Frames in, plan out: `Model.from_frames(...)` + `solve()` against the CLI's `solve` on
the same model folder, in the same run (issue 26: at most 1.3x the CLI).

    python benches/python_frames.py [--bin target/release/sourcemix] [--offers 1000000]
        [--minerals 10] [--runs 3]

Needs the package installed (`pip install ./python`) and pandas. The model is generated
into a temporary folder; its CSV files are read into pandas before timing (not timed).
Each run alternates the CLI and Python; the script prints every time and the ratio of
the medians.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pandas as pd

import sourcemix

FRAMES = ("suppliers", "demand", "countries", "constraints")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/sourcemix")
    ap.add_argument("--offers", type=int, default=1_000_000)
    ap.add_argument("--minerals", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        model = os.path.join(work, "model")
        subprocess.run(
            [args.bin, "generate", model, "--minerals", str(args.minerals),
             "--offers", str(args.offers), "--seed", "1"],
            check=True, stdout=subprocess.DEVNULL,
        )
        frames = {}
        for name in FRAMES:
            path = os.path.join(model, f"{name}.csv")
            if os.path.exists(path):
                frames[name] = pd.read_csv(path, keep_default_na=True)
        cli, py = [], []
        for run in range(args.runs):
            out = os.path.join(work, f"out{run}")
            t = time.perf_counter()
            subprocess.run([args.bin, "solve", model, "--out", out], check=True,
                           stdout=subprocess.DEVNULL)
            cli.append(time.perf_counter() - t)
            t = time.perf_counter()
            result = sourcemix.Model.from_frames(**frames).solve()
            py.append(time.perf_counter() - t)
            assert result.status == "optimal", result.status
            print(f"run {run + 1}: cli {cli[-1]:.3f} s, python {py[-1]:.3f} s", flush=True)
        ratio = statistics.median(py) / statistics.median(cli)
        print(f"{args.offers} offers x {args.minerals} minerals: median cli "
              f"{statistics.median(cli):.3f} s, python {statistics.median(py):.3f} s, "
              f"ratio {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
