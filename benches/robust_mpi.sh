#!/usr/bin/env bash
# The robust decomposition on 1, 2 and 4 MPI ranks (feature `mpi`), and the numbers of the
# scaling account in benches/RESULTS.md ("Robust solve across MPI ranks").
#
#   bash benches/robust_mpi.sh BINARY
#
# BINARY: a release build with `--features mpi`. For each "OFFERS×MINERALS×SCENARIOS" in
# $MODELS (default "1000x3x200 1000x3x1000"): `generate --offers O --minerals M --seed 1`,
# `scenarios --samples S --seed 7`, unmet_penalty 1000 on every mineral (3× the dearest
# landed cost of the generated offers), then `solve --robust --method decomposition
# --format json` alone and under `mpirun -n K --oversubscribe` for K in $RANKS (default
# "1 2 4"), with SOURCEMIX_MPI_TIMINGS set. Prints one row per run: wall s, rounds, cuts,
# when the first and last rounds ended (seconds since the robust solve started), the
# hub's evaluation wall and own-block seconds, bytes moved, and whether the output
# files are byte-identical to the lone run. Needs python3 and GNU time.
set -euo pipefail
bin=$(realpath "$1")
MODELS=${MODELS:-"1000x3x200 1000x3x1000"}
RANKS=${RANKS:-"1 2 4"}
dir=${MPI_BENCH_DIR:-$(mktemp -d)}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader SOURCEMIX_MPI_TIMINGS=1
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| model | ranks | wall s | first round at s | last round at s | rounds | cuts | evaluations | evaluation wall s | hub's own block s | bytes sent | bytes received | same bytes |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
for spec in $MODELS; do
    IFS=x read -r offers minerals samples <<<"$spec"
    model="$dir/m$spec"
    if [ ! -f "$model/scenarios.csv" ]; then
        "$bin" generate "$model" --offers "$offers" --minerals "$minerals" --seed 1 >/dev/null
        "$bin" scenarios "$model" --samples "$samples" --seed 7 --out "$model/scenarios.csv" >/dev/null 2>&1
        awk -F, 'NR == 1 { print; next } { print $1 "," $2 ",1000" }' "$model/demand.csv" >"$dir/d.csv"
        mv "$dir/d.csv" "$model/demand.csv"
    fi
    for k in alone $RANKS; do
        out="$dir/out-$spec-$k"
        launch=()
        [ "$k" = alone ] || launch=(mpirun --oversubscribe -n "$k")
        /usr/bin/time -f "%e" -o "$out.time" "${launch[@]}" "$bin" solve "$model" --robust \
            --method decomposition --format json --out "$out" >"$out.json" 2>"$out.err"
        same=yes
        [ "$k" = alone ] || diff -r -x .sourcemix "$dir/out-$spec-alone" "$out" >/dev/null || same=NO
        python3 - "$out" "$spec" "$k" "$same" <<'PY'
import json, re, sys
out, spec, k, same = sys.argv[1:]
wall = float(open(out + ".time").read().split()[-1])
r = json.load(open(out + ".json"))["robust"]
cuts = sum(i["cuts"] for i in r["iterations"])
m = re.search(r"evaluations (\d+), evaluation wall ([\d.]+) s, hub's own block ([\d.]+) s, "
              r"sent (\d+) bytes, received (\d+) bytes", open(out + ".err").read())
ev = m.groups() if m else ("–",) * 5
it = r["iterations"]
print(f"| {spec} | {k} | {wall:.2f} | {it[0]['secs']:.2f} | {it[-1]['secs']:.2f} | {len(it)} | {cuts} | " + " | ".join(ev) + f" | {same} |")
PY
    done
done
