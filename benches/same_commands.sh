#!/usr/bin/env bash
# Same commands, byte for byte: runs two sourcemix binaries through every command that
# reads a plan or a solve beyond `solve` itself — solve --ranging, policy, explain,
# frontier (hhi and avg_risk), stress --plan, solve --robust — on the bundled models, on
# generated ones (LP, HHI cap, integer rules, with sampled scenarios) and on an infeasible
# one, as text and as --format json, and reports every file, stdout, stderr or exit code
# that differs (wall times in JSON aside). `same_output.sh` covers `solve` over every
# solver; this covers the rest.
#
#   bash benches/same_commands.sh OLD_BINARY NEW_BINARY [WORKDIR]
#
# Exit 0 when everything is identical, 1 when something differs.
set -uo pipefail
old=${1:?usage: same_commands.sh OLD_BINARY NEW_BINARY [WORKDIR]}
new=${2:?usage: same_commands.sh OLD_BINARY NEW_BINARY [WORKDIR]}
work=${3:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/.." && pwd)
models=$work/models
mkdir -p "$models" "$work/plans"

# A model with stock columns in demand.csv (README "Stock") is new behaviour: an older
# binary ignores those columns, so there is nothing to compare.
for m in "$root"/models/*/; do
    head -1 "$m/demand.csv" | grep -q stock_on_hand && continue
    cp -r "$m" "$models/$(basename "$m")"
done
# Generated: an LP, the same under an HHI cap, and one with integer rules (min_order on
# every second offer and min_suppliers: shadow prices from the fixed-binary LP); each
# with sampled scenarios for stress and --robust.
"$new" generate "$models/glp" --offers 2000 --minerals 4 --seed 3 >/dev/null
cp -r "$models/glp" "$models/ghhi"
printf 'max_hhi,*,,0.1\n' >>"$models/ghhi/constraints.csv"
"$new" generate "$models/gint" --offers 400 --minerals 4 --seed 7 >/dev/null
awk -F, 'NR == 1 { print $0 ",min_order"; next } { print $0 "," (NR % 2 ? "" : "5") }' \
    "$models/gint/suppliers.csv" >"$models/gint/s.csv"
mv "$models/gint/s.csv" "$models/gint/suppliers.csv"
printf 'min_suppliers,*,,2\n' >>"$models/gint/constraints.csv"
for g in glp ghhi gint; do
    "$new" scenarios "$models/$g" --samples 40 --seed 5 --out "$models/$g/scenarios.csv" >/dev/null
    # --robust needs an unmet penalty for every mineral.
    awk -F, 'NR == 1 { print; next } { print $1 "," $2 ",1000" }' "$models/$g/demand.csv" \
        >"$models/$g/d.csv"
    mv "$models/$g/d.csv" "$models/$g/demand.csv"
done
# No plan: every country capped at 5% of a mineral's demand.
cp -r "$models/export-controls-2023" "$models/infeasible"
printf 'max_country_share,*,*,0.05\n' >>"$models/infeasible/constraints.csv"

# One plan per model for `stress --plan`, the same file for both binaries.
for model in "$models"/*/; do
    name=$(basename "$model")
    "$old" solve "$model" --out "$work/plans/$name" >/dev/null 2>&1
done

status=0
# BIN TAG NAME ARGS...: runs `BIN ARGS` twice (text, then --format json) in a folder
# whose path is the same for both binaries (paths appear in the output), keeping stdout,
# stderr and exit codes, then moves the folder under out/TAG.
run() {
    local bin=$1 tag=$2 name=$3
    shift 3
    local out=$work/run/$name dest=$work/out/$tag
    rm -rf "$out"
    mkdir -p "$out" "$dest"
    "$bin" "$@" --out "$out/text" >"$out/stdout.txt" 2>"$out/stderr.txt"
    echo "exit $?" >>"$out/stderr.txt"
    "$bin" "$@" --out "$out/json" --format json >"$out/stdout.json" 2>"$out/stderr-json.txt"
    echo "exit $?" >>"$out/stderr-json.txt"
    # Wall times (the robust rounds' "secs") differ from run to run.
    sed -i -E 's/"secs": *[-0-9.eE+]+/"secs": 0/g' "$out/stdout.json"
    mv "$out" "$dest/"
}
both() { # NAME ARGS...
    run "$old" old "$@"
    run "$new" new "$@"
}
for model in "$models"/*/; do
    model=${model%/}
    name=$(basename "$model")
    both "$name-ranging" solve "$model" --ranging
    both "$name-policy" policy "$model"
    both "$name-explain" explain "$model"
    both "$name-frontier-hhi" frontier "$model" --measure hhi --points 4
    both "$name-frontier-risk" frontier "$model" --measure avg_risk --points 3
    if [ -f "$work/plans/$name/allocation.csv" ]; then
        both "$name-stress" stress "$model" --plan "$work/plans/$name/allocation.csv"
    fi
    if [ -f "$model/scenarios.csv" ] || [ "$name" = infeasible ]; then
        both "$name-robust" solve "$model" --robust
    fi
done
# Result files are compared through their links (diff follows them); a results folder's
# .sourcemix (the generations those links name, see README "Results on disk") is not output.
if diff -r -x .sourcemix "$work/out/old" "$work/out/new" >"$work/diff.txt"; then
    echo "identical: $(find -L "$work/out/new" -name .sourcemix -prune -o -type f -print | wc -l) files in $work/out"
else
    echo "DIFFERENT (see $work/diff.txt):"
    grep '^diff\|^Only' "$work/diff.txt" | head -40
    status=1
fi
exit $status
