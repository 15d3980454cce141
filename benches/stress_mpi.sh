#!/usr/bin/env bash
# `stress` and `scenarios` on 1, 2 and 4 MPI ranks (feature `mpi`), the stress and
# sampling rows of the scaling account in benches/RESULTS.md ("Robust solve across MPI
# ranks"):
#
#   bash benches/stress_mpi.sh BINARY
#
# BINARY: a release build with `--features mpi`. For each "OFFERS×MINERALS×SAMPLES" in
# $MODELS (default "10000x2x10000"): `generate --offers O --minerals M --seed 1`,
# `scenarios --samples S --seed 7` (60 countries: nearly every sample is its own
# scenario), unmet_penalty 1000 on every mineral, the nominal plan by `solve`; then
# `stress --plan` of that plan alone and under `mpirun -n K --oversubscribe` for K in
# $RANKS (default "1 2 4"). Then `scenarios --samples $SAMPLES (default 10000000, the
# most) --seed 3` on models/export-controls-2023-stock (16 countries, its correlation.csv:
# a few hundred patterns, so drawing is the work, not writing), the same way. With SOURCEMIX_MPI_TIMINGS set; prints one row per
# run: wall s, the hub's evaluation wall and own-block seconds, bytes moved, and whether
# the output is byte-identical to the lone run. Needs python3 and GNU time.
set -euo pipefail
bin=$(realpath "$1")
MODELS=${MODELS:-"10000x2x10000"}
RANKS=${RANKS:-"1 2 4"}
SAMPLES=${SAMPLES:-10000000}
here=$(cd "$(dirname "$0")/.." && pwd)
ec="$here/models/export-controls-2023-stock"
dir=${MPI_BENCH_DIR:-$(mktemp -d)}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader SOURCEMIX_MPI_TIMINGS=1
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run | ranks | wall s | evaluation wall s | hub's own block s | bytes sent | bytes received | same bytes |"
echo "|---|--:|--:|--:|--:|--:|--:|---|"

# LABEL REFERENCE OUT K ARGS...: one run of `sourcemix ARGS` (alone when K is "alone"),
# its row.
row() {
    local label=$1 reference=$2 out=$3 k=$4
    shift 4
    local launch=()
    [ "$k" = alone ] || launch=(mpirun --oversubscribe -n "$k")
    /usr/bin/time -f "%e" -o "$out.time" "${launch[@]}" "$bin" "$@" >/dev/null 2>"$out.err"
    local same=yes
    [ "$k" = alone ] || diff -r -x .sourcemix "$reference" "$out" >/dev/null || same=NO
    python3 - "$out" "$label" "$k" "$same" <<'PY'
import re, sys
out, label, k, same = sys.argv[1:]
wall = float(open(out + ".time").read().split()[-1])
m = re.search(r"evaluation wall ([\d.]+) s, hub's own block ([\d.]+) s, "
              r"sent (\d+) bytes, received (\d+) bytes", open(out + ".err").read())
ev = m.groups() if m else ("–",) * 4
print(f"| {label} | {k} | {wall:.2f} | " + " | ".join(ev) + f" | {same} |")
PY
}

for spec in $MODELS; do
    IFS=x read -r offers minerals samples <<<"$spec"
    model="$dir/s$spec"
    if [ ! -f "$model/scenarios.csv" ]; then
        "$bin" generate "$model" --offers "$offers" --minerals "$minerals" --seed 1 >/dev/null
        "$bin" scenarios "$model" --samples "$samples" --seed 7 --out "$model/scenarios.csv" >/dev/null 2>&1
        awk -F, 'NR == 1 { print; next } { print $1 "," $2 ",1000" }' "$model/demand.csv" >"$dir/d.csv"
        mv "$dir/d.csv" "$model/demand.csv"
        "$bin" solve "$model" --out "$model.plan" >/dev/null 2>&1
    fi
    scenarios=$(($(cut -d, -f1 "$model/scenarios.csv" | sort -u | wc -l) - 1))
    for k in alone $RANKS; do
        row "stress $spec ($scenarios scenarios)" "$dir/stress-$spec-alone" "$dir/stress-$spec-$k" "$k" \
            stress "$model" --plan "$model.plan/allocation.csv" --out "$dir/stress-$spec-$k"
    done
done
for k in alone $RANKS; do
    row "scenarios --samples $SAMPLES" "$dir/sample-alone.csv" "$dir/sample-$k.csv" "$k" \
        scenarios "$ec" --correlation "$ec/correlation.csv" --samples "$SAMPLES" --seed 3 \
        --out "$dir/sample-$k.csv"
done
