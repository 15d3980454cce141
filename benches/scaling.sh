#!/usr/bin/env bash
# Scaling curve of sourcemix against scipy-HiGHS (benches/RESULTS.md, "Scaling").
#
# For each generated model (seed 1, the benchmark policy of `sourcemix generate`), and its
# variant with `max_hhi,*,,$HHI_BOUND` added, runs end to end as a user would -- each
# command once, wall clock and peak resident memory from /usr/bin/time --
#   * the default build (exact country aggregation),
#   * the default build with --no-aggregate (the full LP; only up to $FULL_MAX_OFFERS),
#   * the `--features highs` build, when given,
#   * scipy's linprog(method="highs") with presolve on and off (benches/reference.py;
#     linear models only: the reference states no HHI cap),
# and prints one tab-separated line per run:
#   model  hhi  runner  wall_secs  user_secs  peak_mb  total_cost  exit_code
#
# Usage: bash benches/scaling.sh DEFAULT_BINARY [HIGHS_BINARY]
# Environment: MODELS ("10kx10 100kx10 1Mx10 100kx1 1Mx1"; also 10Mx10), HHI_BOUND (0.1),
#   FULL_MAX_OFFERS (100000), SCALING_DIR (${TMPDIR:-/tmp}/sourcemix-scaling; generated
#   models are kept there and reused), PYTHON (python3), REFERENCE (1: run scipy),
#   TIMEOUT (seconds per run, 0 = none; a run stopped by it shows exit code 124).
# Each line also has the run's user CPU seconds (the machine may be shared).
set -euo pipefail

DEFAULT=${1:?usage: bash benches/scaling.sh DEFAULT_BINARY [HIGHS_BINARY]}
HIGHS=${2:-}
DIR=${SCALING_DIR:-${TMPDIR:-/tmp}/sourcemix-scaling}
MODELS=${MODELS:-"10kx10 100kx10 1Mx10 100kx1 1Mx1"}
HHI_BOUND=${HHI_BOUND:-0.1}
FULL_MAX_OFFERS=${FULL_MAX_OFFERS:-100000}
PYTHON=${PYTHON:-python3}
REFERENCE=${REFERENCE:-1}
TIMEOUT=${TIMEOUT:-0}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$DIR/models" "$DIR/out"

# offers and minerals of a model name such as 100kx10
size() {
    local offers=${1%x*} minerals=${1#*x}
    offers=${offers/k/000}
    offers=${offers/M/000000}
    echo "$offers $minerals"
}

# generates MODEL (and MODEL-hhi) once
generate() {
    local name=$1 offers minerals
    read -r offers minerals < <(size "$name")
    if [ ! -f "$DIR/models/$name/suppliers.csv" ]; then
        "$DEFAULT" generate "$DIR/models/$name" --minerals "$minerals" --offers "$offers" --seed 1 >/dev/null
    fi
    if [ ! -f "$DIR/models/$name-hhi/suppliers.csv" ]; then
        mkdir -p "$DIR/models/$name-hhi"
        cp "$DIR/models/$name"/*.csv "$DIR/models/$name-hhi/"
        echo "max_hhi,*,,$HHI_BOUND" >>"$DIR/models/$name-hhi/constraints.csv"
    fi
}

# run LABEL MODEL HHI COMMAND...: one timed run, one output line
run() {
    local label=$1 model=$2 hhi=$3 code=0
    shift 3
    /usr/bin/time -f "%e %M %U" -o "$DIR/time.txt" timeout "$TIMEOUT" "$@" >"$DIR/stdout.txt" 2>"$DIR/stderr.txt" || code=$?
    local wall rss user cost
    # the last line: /usr/bin/time puts "Command terminated by signal N" before it
    read -r wall rss user < <(tail -n 1 "$DIR/time.txt") || { wall=NA; rss=0; user=NA; }
    cost=$(grep -oE 'total cost:? [0-9.e+]+' "$DIR/stdout.txt" | head -1 | grep -oE '[0-9.e+]+$' || echo NA)
    printf '%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n' "$model" "$hhi" "$label" "$wall" "$user" "$((rss / 1024))" "$cost" "$code"
}

printf 'model\thhi\trunner\twall_secs\tuser_secs\tpeak_mb\ttotal_cost\texit_code\n'
for name in $MODELS; do
    generate "$name"
    read -r offers _ < <(size "$name")
    for variant in "$name" "$name-hhi"; do
        hhi=no
        [ "$variant" != "$name" ] && hhi=yes
        m="$DIR/models/$variant"
        run default "$name" "$hhi" "$DEFAULT" solve "$m" --out "$DIR/out/default"
        if [ "$offers" -le "$FULL_MAX_OFFERS" ]; then
            run default-no-aggregate "$name" "$hhi" "$DEFAULT" solve "$m" --out "$DIR/out/full" --no-aggregate
        fi
        if [ -n "$HIGHS" ]; then
            run highs "$name" "$hhi" "$HIGHS" solve "$m" --out "$DIR/out/highs"
        fi
        if [ "$REFERENCE" = 1 ] && [ "$hhi" = no ]; then
            run scipy-presolve "$name" "$hhi" "$PYTHON" "$HERE/reference.py" "$m" --solvers scipy
            run scipy-no-presolve "$name" "$hhi" "$PYTHON" "$HERE/reference.py" "$m" --solvers scipy-nopresolve
        fi
    done
done
