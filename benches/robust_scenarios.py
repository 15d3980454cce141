#!/usr/bin/env python3
"""Benchmark input for `solve --robust`: sampled country bans for a generated model.

    python3 benches/robust_scenarios.py MODEL_DIR N [--seed S] [--penalty P]

Writes MODEL_DIR/scenarios.csv with N equally likely samples (probability 1/N each): in
each sample every country of countries.csv is banned (capacity_factor 0, all minerals)
with its disruption_prob, independently. Samples without a ban are left to the baseline.
Also sets unmet_penalty P (default 1000) on every row of demand.csv, which the robust solve
needs. Deterministic for a seed (Python's Mersenne Twister). This is a stand-in for the
`scenarios` command (correlated sampling), good enough to time the solver.
"""

import argparse
import csv
import random
from pathlib import Path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", type=Path)
    ap.add_argument("samples", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--penalty", type=float, default=1000.0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with open(args.model / "countries.csv", newline="") as f:
        countries = [(r["country"], float(r["disruption_prob"] or 0)) for r in csv.DictReader(f)]
    p = 1.0 / args.samples
    rows = []
    for k in range(args.samples):
        banned = [c for c, q in countries if rng.random() < q]
        for c in banned:
            rows.append(f"s{k:05d},{p!r},,{c},,0,")
    with open(args.model / "scenarios.csv", "w") as f:
        f.write("scenario,probability,mineral,country,supplier,capacity_factor,price_factor\n")
        f.write("\n".join(rows) + ("\n" if rows else ""))
    demand = args.model / "demand.csv"
    with open(demand, newline="") as f:
        lines = list(csv.DictReader(f))
    with open(demand, "w") as f:
        f.write("mineral,quantity,unmet_penalty\n")
        for r in lines:
            f.write(f"{r['mineral']},{r['quantity']},{args.penalty:g}\n")


if __name__ == "__main__":
    main()
