#!/usr/bin/env python3
"""Turns the raw files of benches/harness.sh into the Markdown tables of RESULTS.md.

Reads $WORK/runs.tsv, costs.tsv and reference.tsv; prints Markdown on stdout: one table per
model (min / median wall per solver, the phase split of the fastest run, the total cost),
the cost agreement, the references, and the performance targets with their verdicts.
Exits 1, with a last line starting "COST DISAGREEMENT", when two solvers (or a reference)
differ by more than 1e-6 relative on a model's total cost.

Usage: python3 benches/summarize.py --work DIR [--hhi-bound B] [--min-order-share S]
"""

import argparse
import csv
import os
import statistics
import sys
from collections import defaultdict

TOL = 1e-6

MODEL_LABEL = {
    "1kx10": "1k offers x 10 minerals",
    "10kx10": "10k offers x 10 minerals",
    "100kx10": "100k offers x 10 minerals",
    "50kx1": "50k offers x 1 mineral",
    "10kx10-hhi": "10k x 10 with max_hhi",
    "100kx10-hhi": "100k x 10 with max_hhi",
    "int2kx5": "integer: 2k offers x 5 minerals, min_order + min_suppliers",
}
ORDER = list(MODEL_LABEL)
SOLVER_BUILD = {"clarabel": "default", "microlp": "default", "highs": "highs"}


def tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def f3(x):
    return "" if x is None else f"{x:.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--hhi-bound", default="0.1")
    ap.add_argument("--min-order-share", default="0.01")
    ap.add_argument("--microlp-limit", default="60")
    a = ap.parse_args()

    runs = defaultdict(list)
    for r in tsv(os.path.join(a.work, "runs.tsv")):
        runs[(r["model"], r["solver"])].append(r)
    costs = defaultdict(dict)
    notes = {}
    for r in tsv(os.path.join(a.work, "costs.tsv")):
        if r["status"] == "ok":
            costs[r["model"]][r["solver"]] = float(r["total_cost"])
        else:
            notes[(r["model"], r["solver"])] = f"{r['status']} {r['note']}".strip()
    refs = defaultdict(list)
    for r in tsv(os.path.join(a.work, "reference.tsv")):
        refs[(r["model"], r["solver"])].append(r)

    models = [m for m in ORDER if any(k[0] == m for k in list(runs) + list(notes))]
    stats = {}  # (model, solver) -> dict
    out = []
    p = out.append

    meta = os.path.join(a.work, "meta.txt")
    if os.path.exists(meta):
        p("## Run\n")
        for line in open(meta):
            if line.strip():
                p(f"- {line.strip()}")
        p("")

    p("## Per model\n")
    p("Wall = end-to-end wall clock of the process (generate excluded), "
      f"{max((len(v) for v in runs.values()), default=0)} runs after one warm-up run. "
      "Phases are from `--timings` of the fastest run: read = reading and validating the "
      "CSVs; build = formulating the blocks; solve = time in the solvers summed over blocks "
      "(blocks run on 2 threads, so this can exceed its wall); b+s wall = wall time of "
      "build+solve; write = report and CSV files; other = wall − read − b+s wall − write "
      "(process start and exit, printing). RBW % = (read + build + write) / wall.\n")
    for m in models:
        loads = [float(r["load1"]) for k, v in runs.items() if k[0] == m for r in v]
        loads += [float(r["load1"]) for k, v in refs.items() if k[0] == m for r in v]
        p(f"### {m} — {MODEL_LABEL.get(m, m)}\n")
        if loads:
            p(f"1-minute load average at the start of the timed runs: {min(loads):.2f}–{max(loads):.2f}.\n")
        p("| solver (build) | min wall s | median wall s | read | build | solve Σ | b+s wall | write | other | RBW % | total cost |")
        p("|---|---|---|---|---|---|---|---|---|---|---|")
        for solver in ("clarabel", "microlp", "highs"):
            rs = runs.get((m, solver))
            if not rs:
                if (m, solver) in notes:
                    p(f"| {solver} ({SOLVER_BUILD[solver]}) | {notes[(m, solver)]} | | | | | | | | | |")
                continue
            walls = [float(r["wall"]) for r in rs]
            best = min(rs, key=lambda r: float(r["wall"]))
            w = float(best["wall"])
            rd, bd, sv, ow, wr = (float(best[k]) for k in ("read", "build", "solve", "opt_wall", "write"))
            other = w - rd - ow - wr
            rbw = 100.0 * (rd + bd + wr) / w
            st = {"min": min(walls), "median": statistics.median(walls), "rbw": rbw,
                  "read": rd, "build": bd, "solve": sv, "opt_wall": ow, "write": wr}
            stats[(m, solver)] = st
            c = costs[m].get(solver)
            p(f"| {solver} ({SOLVER_BUILD[solver]}) | {w:.3f} | {st['median']:.3f} | {rd:.3f} | {bd:.3f} | "
              f"{sv:.3f} | {ow:.3f} | {wr:.3f} | {other:.3f} | {rbw:.1f} | {'' if c is None else f'{c:.6f}'} |")
        for solver in ("scipy", "pulp"):
            rs = refs.get((m, solver))
            if not rs:
                continue
            walls = [float(r["wall"]) for r in rs]
            pws = [float(r["process_wall"]) for r in rs]
            best = min(rs, key=lambda r: float(r["wall"]))
            stats[(m, solver)] = {"min": min(walls), "median": statistics.median(walls),
                                  "pmin": min(pws), "pmedian": statistics.median(pws)}
            p(f"| {solver} (reference) | {min(walls):.3f} | {statistics.median(walls):.3f} | "
              f"{float(best['read']):.3f} | {float(best['build']):.3f} | {float(best['solve']):.3f} | | | | | "
              f"{float(best['total_cost']):.6f} |")
        p("")

    if refs:
        p("## References (benches/reference.py)\n")
        p("One monolithic sparse LP of the whole model (all minerals), timed in process from "
          "reading the CSVs to the total cost (`wall`), and as a whole process including the "
          "Python interpreter's start and the library imports (`process wall`). "
          "scipy = `scipy.optimize.linprog(method=\"highs\")`; pulp = PuLP with its bundled CBC.\n")
        p("| model | reference | min wall s | median wall s | min process wall s | median process wall s |")
        p("|---|---|---|---|---|---|")
        for m in models:
            for solver in ("scipy", "pulp"):
                st = stats.get((m, solver))
                if st and "pmin" in st:
                    p(f"| {m} | {solver} | {st['min']:.3f} | {st['median']:.3f} | {st['pmin']:.3f} | {st['pmedian']:.3f} |")
        p("")

    # Agreement
    p("## Agreement of the total cost\n")
    p("| model | solvers compared | largest relative difference | verdict |")
    p("|---|---|---|---|")
    bad = []
    for m in models:
        vals = dict(costs[m])
        for solver in ("scipy", "pulp"):
            rs = refs.get((m, solver))
            if rs:
                vals[solver] = float(rs[0]["total_cost"])
                for r in rs[1:]:
                    if float(r["total_cost"]) != vals[solver]:
                        vals[f"{solver}#{r['run']}"] = float(r["total_cost"])
        if len(vals) < 2:
            p(f"| {m} | {', '.join(vals)} | – | only one solver |")
            continue
        ref = next(iter(vals.values()))
        worst = max(abs(v - ref) / max(abs(ref), 1e-300) for v in vals.values())
        for x in vals.values():
            for y in vals.values():
                worst = max(worst, abs(x - y) / max(abs(x), abs(y), 1e-300))
        ok = worst <= TOL
        if not ok:
            bad.append(f"{m}: " + ", ".join(f"{k}={v!r}" for k, v in vals.items()))
        p(f"| {m} | {', '.join(vals)} | {worst:.2e} | {'ok' if ok else '**DISAGREE**'} |")
    p("")

    # Targets
    def med(m, s):
        st = stats.get((m, s))
        return st["median"] if st else None

    def mn(m, s):
        st = stats.get((m, s))
        return st["min"] if st else None

    rows = []

    def target(name, value, limit, unit, basis):
        if value is None:
            rows.append((name, "not measured", limit_text(limit, unit), "–", basis))
            return
        verdict = "met" if value <= limit else "**missed**"
        rows.append((name, f"{value:.3f}{unit}", limit_text(limit, unit), verdict, basis))

    def limit_text(limit, unit):
        return f"≤ {limit:g}{unit}"

    for m, lim in (("100kx10", 2.5), ("50kx1", 3.0)):
        target(f"default build {m} end to end (median)", med(m, "clarabel"), lim, " s",
               f"min {f3(mn(m, 'clarabel'))} s")
    for m in ("100kx10", "50kx1"):
        h, s = med(m, "highs"), med(m, "scipy")
        r = h / s if h is not None and s else None
        target(f"highs build {m} / scipy linprog (medians)", r, 0.6, "×",
               f"highs {f3(h)} s, scipy {f3(s)} s in process"
               + (f", {f3(stats[(m, 'scipy')]['pmedian'])} s as a process" if (m, "scipy") in stats else ""))
    for m in ("100kx10", "50kx1", "100kx10-hhi"):
        for solver in ("clarabel", "highs"):
            st = stats.get((m, solver))
            if st:
                rows.append((f"read+build+write share, {m} {solver}", f"{st['rbw']:.1f} %", "< 15 %",
                             "met" if st["rbw"] < 15 else "**missed**",
                             f"read {st['read']:.3f} + build {st['build']:.3f} + write {st['write']:.3f} s of {st['min']:.3f} s"))
    for base in ("10kx10", "100kx10"):
        for solver in ("clarabel", "highs", "microlp"):
            c, u = med(base + "-hhi", solver), med(base, solver)
            if c is None and u is None:
                continue
            r = c / u if c is not None and u else None
            if r is None and u is not None and (base + "-hhi", solver) in notes:
                rows.append((f"HHI cap / uncapped, {base} {solver}", notes[(base + "-hhi", solver)], "≤ 3×",
                             "**missed**" if "skipped" in notes[(base + "-hhi", solver)] else "–",
                             f"uncapped {f3(u)} s"))
                continue
            target(f"HHI cap / uncapped, {base} {solver} (medians)", r, 3.0, "×",
                   f"capped {f3(c)} s, uncapped {f3(u)} s")
    v = med("int2kx5", "microlp")
    if v is None and ("int2kx5", "microlp") in notes:
        rows.append(("integer model, default build (microlp)", notes[("int2kx5", "microlp")], "< 10 s", "**missed**", ""))
    else:
        target("integer model, default build (microlp, median)", v, 10.0, " s", f"min {f3(mn('int2kx5', 'microlp'))} s")
    target("integer model, highs build (median)", med("int2kx5", "highs"), 2.0, " s",
           f"min {f3(mn('int2kx5', 'highs'))} s")

    p("## Targets\n")
    p(f"HHI variants add `max_hhi,*,,{a.hhi_bound}`; the integer model has `min_order` = "
      f"{a.min_order_share} × the mineral's demand on every second offer and `min_suppliers,*,,2`.\n")
    p("| target | measured | limit | verdict | basis |")
    p("|---|---|---|---|---|")
    for r in rows:
        p("| " + " | ".join(r) + " |")
    p("")
    print("\n".join(out))
    if bad:
        print("COST DISAGREEMENT (> 1e-6 relative): " + "; ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
