#!/usr/bin/env bash
# End-to-end benchmark harness for sourcemix (see benches/README.md).
#
# Generates the benchmark models into a scratch folder outside the repository, runs each
# model with each solver RUNS times as a user would (the release binary, wall clock from
# process start to exit), records min and median wall time and the phase split printed by
# `--timings` for the fastest run, checks that every solver (and the scipy / PuLP
# references of benches/reference.py) finds the same total cost, and writes
#
#   $WORK/runs.tsv        one line per timed run
#   $WORK/costs.tsv       total cost per model and solver
#   $WORK/reference.tsv   one line per reference run
#   $WORK/summary.md      the tables of benches/RESULTS.md, with the targets evaluated
#
# Usage: bash benches/harness.sh [--no-build] [--quick] [--models a,b,...] [--no-wait]
#   --no-build   use the binaries as they are (default: cargo build both first)
#   --quick      only the small models (1k x 10, 10k x 10, its HHI variant, the integer one)
#   --models     comma-separated subset of: 1kx10 10kx10 100kx10 50kx1 10kx10-hhi
#                100kx10-hhi int2kx5
#   --no-wait    do not wait for a quiet machine (load average below $MAX_LOAD)
# Environment: RUNS (3), REF_RUNS (3), SEED (1), HHI_BOUND (0.1), MIN_ORDER_SHARE (0.01),
#   MICROLP_LIMIT (60 s: microlp is skipped on a model where one run takes longer),
#   TIME_LIMIT (600 s, any other single run), MAX_LOAD (0.5), MAX_WAIT (1200 s),
#   SOURCEMIX_BENCH_DIR (default ${TMPDIR:-/tmp}/sourcemix-bench),
#   HIGHS_TARGET_DIR ($ROOT/target-highs: the CARGO_TARGET_DIR of the `--features highs`
#   build), PYTHON (python3).
# Exit status: 0 when every run succeeded and all solvers agree; 1 otherwise (the reason is
# printed in capitals at the end, after the tables).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${SOURCEMIX_BENCH_DIR:-${TMPDIR:-/tmp}/sourcemix-bench}
HIGHS_TARGET_DIR=${HIGHS_TARGET_DIR:-$ROOT/target-highs}
PYTHON=${PYTHON:-python3}
RUNS=${RUNS:-3}
REF_RUNS=${REF_RUNS:-3}
SEED=${SEED:-1}
HHI_BOUND=${HHI_BOUND:-0.1}
MIN_ORDER_SHARE=${MIN_ORDER_SHARE:-0.01}
MICROLP_LIMIT=${MICROLP_LIMIT:-60}
TIME_LIMIT=${TIME_LIMIT:-600}
MAX_LOAD=${MAX_LOAD:-0.5}
MAX_WAIT=${MAX_WAIT:-1200}

BUILD=1
WAIT=1
MODELS="1kx10 10kx10 100kx10 50kx1 10kx10-hhi 100kx10-hhi int2kx5"
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) BUILD=0 ;;
        --no-wait) WAIT=0 ;;
        --quick) MODELS="1kx10 10kx10 10kx10-hhi int2kx5" ;;
        --models) MODELS=${2//,/ }; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "harness.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

case "$WORK" in
    "$ROOT"|"$ROOT"/*) echo "harness.sh: SOURCEMIX_BENCH_DIR must be outside the repository" >&2; exit 2 ;;
esac
mkdir -p "$WORK/bin" "$WORK/models" "$WORK/out" "$WORK/logs"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '\nHARNESS FAILURE: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# ---------------------------------------------------------------------------------------
# Binaries: build, then snapshot them so that a rebuild by someone else during the run
# cannot change what is measured.

if [ "$BUILD" = 1 ]; then
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release --quiet) || die "default build failed"
    log "cargo build --release --features highs (CARGO_TARGET_DIR=$HIGHS_TARGET_DIR)"
    (cd "$ROOT" && CARGO_TARGET_DIR="$HIGHS_TARGET_DIR" cargo build --release --features highs --quiet) \
        || die "highs build failed"
fi
[ -x "$ROOT/target/release/sourcemix" ] || die "no $ROOT/target/release/sourcemix (cargo build --release)"
cp "$ROOT/target/release/sourcemix" "$WORK/bin/sourcemix-default"
HAVE_HIGHS=0
if [ -x "$HIGHS_TARGET_DIR/release/sourcemix" ]; then
    cp "$HIGHS_TARGET_DIR/release/sourcemix" "$WORK/bin/sourcemix-highs"
    HAVE_HIGHS=1
else
    log "WARNING: no $HIGHS_TARGET_DIR/release/sourcemix: HiGHS is left out"
fi
DEFAULT_BIN=$WORK/bin/sourcemix-default
HIGHS_BIN=$WORK/bin/sourcemix-highs

# What is measured, on what: summarize.py puts this at the top of summary.md.
{
    echo "date: $(date -u +'%Y-%m-%d %H:%M UTC')"
    dirty=""
    git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null \
        || dirty=" + uncommitted changes in src/ (the binaries were built from the work tree)"
    [ "$BUILD" = 1 ] || dirty="$dirty (--no-build: the binaries may be older than this commit)"
    echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$dirty"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "rustc: $(rustc --version 2>/dev/null || echo unknown); python: $("$PYTHON" -c 'import sys, scipy, pulp; print(sys.version.split()[0], "scipy", scipy.__version__, "pulp", pulp.__version__)' 2>/dev/null || echo unknown)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$WORK/meta.txt"

"$PYTHON" -c 'import scipy, numpy, pulp' 2>/dev/null \
    || die "$PYTHON lacks scipy/numpy/pulp: pip install scipy numpy pulp"

# ---------------------------------------------------------------------------------------
# Models

# gen NAME OFFERS MINERALS
gen() {
    local dir=$WORK/models/$1
    "$DEFAULT_BIN" generate "$dir" --offers "$2" --minerals "$3" --seed "$SEED" >/dev/null
}

# with_hhi BASE NAME: BASE plus one row max_hhi,*,,$HHI_BOUND
with_hhi() {
    local src=$WORK/models/$1 dir=$WORK/models/$2
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$src"/suppliers.csv "$src"/demand.csv "$src"/countries.csv "$src"/constraints.csv "$dir"/
    printf 'max_hhi,*,,%s\n' "$HHI_BOUND" >>"$dir/constraints.csv"
}

# integer_model NAME: 2,000 offers x 5 minerals; min_order = MIN_ORDER_SHARE x the
# mineral's demand on every second offer of each mineral (empty elsewhere) and
# min_suppliers,*,,2. Demand is 400,000 per mineral and capacities 500..5,500, so the
# default 1 % (4,000) lies inside the capacity range: about a third of the min_order
# offers can still be used and min_order binds. 2 % (8,000) exceeds every capacity, which
# leaves every min_order offer unusable and the generated policy infeasible (exit 3).
integer_model() {
    local dir=$WORK/models/$1
    gen "$1" 2000 5
    "$PYTHON" - "$dir" "$MIN_ORDER_SHARE" <<'EOF'
import csv, sys
d, share = sys.argv[1], float(sys.argv[2])
demand = {r["mineral"]: float(r["quantity"]) for r in csv.DictReader(open(f"{d}/demand.csv"))}
rows = list(csv.reader(open(f"{d}/suppliers.csv", newline="")))
head, body = rows[0], rows[1:]
m_col = head.index("mineral")
seen = {}
out = [head + ["min_order"]]
for r in body:
    k = seen.get(r[m_col], 0)
    seen[r[m_col]] = k + 1
    out.append(r + ([f"{share * demand[r[m_col]]:g}"] if k % 2 == 0 else [""]))
with open(f"{d}/suppliers.csv", "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(out)
EOF
    printf 'min_suppliers,*,,2\n' >>"$dir/constraints.csv"
}

make_model() {
    case "$1" in
        1kx10) gen 1kx10 1000 10 ;;
        10kx10) gen 10kx10 10000 10 ;;
        100kx10) gen 100kx10 100000 10 ;;
        50kx1) gen 50kx1 50000 1 ;;
        10kx10-hhi) [ -d "$WORK/models/10kx10" ] || gen 10kx10 10000 10; with_hhi 10kx10 10kx10-hhi ;;
        100kx10-hhi) [ -d "$WORK/models/100kx10" ] || gen 100kx10 100000 10; with_hhi 100kx10 100kx10-hhi ;;
        int2kx5) integer_model int2kx5 ;;
        *) die "unknown model $1" ;;
    esac
}

# Regenerate every model, so a change of the generator is always picked up.
rm -rf "$WORK/models"/*
for m in $MODELS; do
    log "generate $m"
    make_model "$m"
done

# ---------------------------------------------------------------------------------------
# Quiet machine

# Waits (in steps of at most a minute) until the 1-minute load average is at most
# MAX_LOAD; MAX_WAIT bounds the waiting of the whole harness run, not of each call.
WAITED=0
wait_quiet() {
    [ "$WAIT" = 1 ] || return 0
    local l
    while :; do
        l=$(load1)
        if awk -v l="$l" -v m="$MAX_LOAD" 'BEGIN { exit !(l <= m) }'; then
            return 0
        fi
        if [ "$WAITED" -ge "$MAX_WAIT" ]; then
            log "load average $l above $MAX_LOAD, waited ${WAITED} s in all: measuring anyway"
            return 0
        fi
        local step=$(( MAX_WAIT - WAITED < 60 ? MAX_WAIT - WAITED : 60 ))
        log "load average $l > $MAX_LOAD: waiting ${step} s"
        sleep "$step"
        WAITED=$(( WAITED + step ))
    done
}

# ---------------------------------------------------------------------------------------
# Runs

RUNS_TSV=$WORK/runs.tsv
COSTS_TSV=$WORK/costs.tsv
REF_TSV=$WORK/reference.tsv
printf 'model\tsolver\trun\twall\tread\tbuild\tsolve\topt_wall\twrite\tload1\n' >"$RUNS_TSV"
printf 'model\tsolver\tstatus\ttotal_cost\tnote\n' >"$COSTS_TSV"
printf 'model\tsolver\trun\tprocess_wall\twall\tread\tbuild\tsolve\timport\ttotal_cost\tload1\n' >"$REF_TSV"

FAILURES=()

# solvers_for MODEL: "binary-tag:solver" pairs
solvers_for() {
    local s=""
    case "$1" in
        int*) s="default:microlp" ;;                 # clarabel has no integers
        *) s="default:clarabel default:microlp" ;;
    esac
    [ "$HAVE_HIGHS" = 1 ] && s="$s highs:highs"
    echo "$s"
}

# one_run MODEL TAG SOLVER FORMAT LIMIT LOGFILE -> prints "rc wall"
one_run() {
    local model=$1 tag=$2 solver=$3 format=$4 limit=$5 logf=$6
    local bin=$DEFAULT_BIN; [ "$tag" = highs ] && bin=$HIGHS_BIN
    local out=$WORK/out/$model-$solver
    local t0 t1 rc=0
    t0=$(now)
    timeout "$limit" "$bin" solve "$WORK/models/$model" --out "$out" --solver "$solver" \
        --format "$format" --timings >"$logf.stdout" 2>"$logf.stderr" || rc=$?
    t1=$(now)
    echo "$rc $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
}

# timings_of STDERR -> "read build solve opt_wall write"
timings_of() {
    sed -n 's/^timings: read \([0-9.]*\) s, build \([0-9.]*\) s, solve \([0-9.]*\) s (wall \([0-9.]*\) s for build+solve), write \([0-9.]*\) s$/\1 \2 \3 \4 \5/p' "$1"
}

for model in $MODELS; do
    for pair in $(solvers_for "$model"); do
        tag=${pair%%:*}; solver=${pair#*:}
        limit=$TIME_LIMIT; [ "$solver" = microlp ] && limit=$MICROLP_LIMIT
        wait_quiet
        base=$WORK/logs/$model-$solver
        # Warm-up run (page cache, binary loaded), in JSON for the exact total cost; not
        # counted in the timings.
        log "$model / $solver: warm-up (json)"
        read -r rc wall < <(one_run "$model" "$tag" "$solver" json "$limit" "$base-json")
        if [ "$rc" = 124 ] && [ "$solver" = microlp ]; then
            log "$model / $solver: over ${MICROLP_LIMIT} s, skipped"
            printf '%s\t%s\tskipped\t\tover %s s\n' "$model" "$solver" "$MICROLP_LIMIT" >>"$COSTS_TSV"
            continue
        fi
        if [ "$rc" != 0 ]; then
            log "$model / $solver: exit $rc: $(tail -3 "$base-json.stderr" | tr '\n' ' ')"
            printf '%s\t%s\texit %s\t\t%s\n' "$model" "$solver" "$rc" \
                "$(tail -1 "$base-json.stderr" | tr '\t' ' ')" >>"$COSTS_TSV"
            FAILURES+=("$model / $solver exited with $rc (see $base-json.stderr)")
            continue
        fi
        cost=$("$PYTHON" -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["report"]["total_cost"]))' "$base-json.stdout")
        printf '%s\t%s\tok\t%s\t\n' "$model" "$solver" "$cost" >>"$COSTS_TSV"
        # HHI variants: the cap must bind somewhere, or the variant measures nothing.
        if [[ "$model" == *-hhi ]]; then
            nb=$(awk -F, 'NR > 1 && $1 == "max_hhi" && $7 == "true"' "$WORK/out/$model-$solver/constraints.csv" | wc -l)
            nt=$(awk -F, 'NR > 1 && $1 == "max_hhi"' "$WORK/out/$model-$solver/constraints.csv" | wc -l)
            log "$model / $solver: max_hhi binding on $nb of $nt minerals"
            [ "$nb" -gt 0 ] || FAILURES+=("$model / $solver: max_hhi $HHI_BOUND binds on no mineral")
        fi
        for r in $(seq 1 "$RUNS"); do
            l=$(load1)
            read -r rc wall < <(one_run "$model" "$tag" "$solver" text "$limit" "$base-$r")
            if [ "$rc" = 124 ] && [ "$solver" = microlp ]; then
                log "$model / $solver run $r: over ${MICROLP_LIMIT} s, no further runs"
                printf '%s\t%s\ttimeout\t\trun %s over %s s\n' "$model" "$solver" "$r" "$MICROLP_LIMIT" >>"$COSTS_TSV"
                break
            fi
            if [ "$rc" != 0 ]; then
                FAILURES+=("$model / $solver run $r exited with $rc")
                continue
            fi
            read -r tr tb ts tw twr < <(timings_of "$base-$r.stderr")
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
                "$model" "$solver" "$r" "$wall" "$tr" "$tb" "$ts" "$tw" "$twr" "$l" >>"$RUNS_TSV"
            log "$model / $solver run $r: ${wall} s"
        done
    done
    # Reference optima: the linear models the targets compare against.
    case "$model" in
        100kx10|50kx1)
            for ref in scipy pulp; do
                wait_quiet
                for r in $(seq 1 "$REF_RUNS"); do
                    l=$(load1)
                    t0=$(now)
                    line=$("$PYTHON" "$ROOT/benches/reference.py" "$WORK/models/$model" --solvers "$ref" --json) \
                        || { FAILURES+=("reference $ref on $model failed"); break; }
                    t1=$(now)
                    pw=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
                    "$PYTHON" - "$model" "$ref" "$r" "$pw" "$l" "$line" >>"$REF_TSV" <<'EOF'
import json, sys
model, ref, r, pw, l, line = sys.argv[1:]
j = json.loads(line)
print("\t".join([model, ref, r, pw] + [f"{j[k]:.4f}" for k in
      ("wall_secs", "read_secs", "build_secs", "solve_secs", "import_secs")] +
      [repr(j["total_cost"]), l]))
EOF
                    log "$model / reference $ref run $r: $(tail -1 "$REF_TSV" | cut -f5) s in process, $pw s with interpreter"
                done
            done
            ;;
    esac
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); waited ${WAITED} s for a quiet machine (limit ${MAX_WAIT} s, quiet = 1-min load <= ${MAX_LOAD})" >>"$WORK/meta.txt"

# ---------------------------------------------------------------------------------------
# Agreement and the tables

SUMMARY_ARGS=(--work "$WORK" --hhi-bound "$HHI_BOUND" --min-order-share "$MIN_ORDER_SHARE"
              --microlp-limit "$MICROLP_LIMIT")
"$PYTHON" "$ROOT/benches/summarize.py" "${SUMMARY_ARGS[@]}" >"$WORK/summary.md" \
    || FAILURES+=("$(tail -1 "$WORK/summary.md")")
cat "$WORK/summary.md"

if [ "${#FAILURES[@]}" -gt 0 ]; then
    printf '\n' >&2
    for f in "${FAILURES[@]}"; do printf 'HARNESS FAILURE: %s\n' "$f" >&2; done
    exit 1
fi
log "all runs succeeded and all solvers agree; tables in $WORK/summary.md"
