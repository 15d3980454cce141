#!/usr/bin/env bash
# The table of README "Benchmarking solvers": every backend of a `--features highs,cbc`
# build through `sourcemix bench`, and the scipy/HiGHS and PuLP/CBC references of
# benches/reference.py, on the same generated CSVs in the same run.
#
# Usage: bash benches/solvers.sh
# Environment: BIN (default target/release/sourcemix; build it first with
#   `cargo build --release --features highs,cbc`), SOLVERS (clarabel,microlp,highs,cbc),
#   REPEAT (3 runs each), SIZES ("10000x10 100000x10": offers x minerals), SEED (1),
#   SOURCEMIX_BENCH_DIR (default ${TMPDIR:-/tmp}/sourcemix-solvers), PYTHON (python3).
# Needs: pip install scipy numpy pulp. Not part of the test suite.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-$ROOT/target/release/sourcemix}
SOLVERS=${SOLVERS:-clarabel,microlp,highs,cbc}
REPEAT=${REPEAT:-3}
SIZES=${SIZES:-10000x10 100000x10}
SEED=${SEED:-1}
WORK=${SOURCEMIX_BENCH_DIR:-${TMPDIR:-/tmp}/sourcemix-solvers}
PYTHON=${PYTHON:-python3}
mkdir -p "$WORK"

for size in $SIZES; do
    offers=${size%x*}
    minerals=${size#*x}
    dir="$WORK/model-$size"
    "$BIN" generate "$dir" --offers "$offers" --minerals "$minerals" --seed "$SEED" >/dev/null
    echo "bench $size: $SOLVERS, $REPEAT runs each" >&2
    code=0
    "$BIN" bench "$dir" --solvers "$SOLVERS" --repeat "$REPEAT" --format csv \
        >"$WORK/bench-$size.csv" || code=$?
    [ "$code" = 0 ] || echo "sourcemix bench exit $code (4 = solvers disagree)" >&2
    : >"$WORK/reference-$size.jsonl"
    for _ in $(seq "$REPEAT"); do
        "$PYTHON" "$ROOT/benches/reference.py" "$dir" --json >>"$WORK/reference-$size.jsonl"
    done
done

"$PYTHON" - "$WORK" $SIZES <<'EOF'
import csv, json, statistics, sys
work, sizes = sys.argv[1], sys.argv[2:]
print("| offers × minerals | solver | build + solve, median s | × HiGHS (sourcemix) | total cost | rel. diff to clarabel |")
print("|---|---|---|---|---|---|")
for size in sizes:
    rows = list(csv.DictReader(open(f"{work}/bench-{size}.csv")))
    refs = {}
    for line in open(f"{work}/reference-{size}.jsonl"):
        r = json.loads(line)
        refs.setdefault(r["solver"], []).append(r)
    table = []
    for r in rows:
        t = float(r["build_secs_median"]) + float(r["solve_secs_median"])
        table.append((r["solver"], t, float(r["objective"])))
    for name, runs in refs.items():
        t = statistics.median(x["build_secs"] + x["solve_secs"] for x in runs)
        label = {"scipy": "scipy linprog (HiGHS)", "pulp": "PuLP + CBC"}.get(name, name)
        table.append((label, t, runs[0]["total_cost"]))
    base = dict((n, c) for n, _, c in table).get("clarabel")
    highs = dict((n, t) for n, t, _ in table).get("highs")
    n, m = size.split("x")
    for name, t, cost in table:
        ratio = f"{t / highs:.2f}" if highs else ""
        diff = f"{abs(cost - base) / max(abs(base), 1):.1e}" if base else ""
        print(f"| {int(n):,} × {m} | {name} | {t:.3f} | {ratio} | {cost:.2f} | {diff} |")
EOF
