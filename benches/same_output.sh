#!/usr/bin/env bash
# Same output, byte for byte: runs two sourcemix binaries on the bundled models and on
# generated benchmark models (CSV files and --format json, each solver of the build) and
# reports every file that differs. For refactors that must not change behaviour.
#
#   bash benches/same_output.sh OLD_BINARY NEW_BINARY [WORKDIR]
#
# Exit 0 when everything is identical, 1 when something differs.
set -uo pipefail
old=${1:?usage: same_output.sh OLD_BINARY NEW_BINARY [WORKDIR]}
new=${2:?usage: same_output.sh OLD_BINARY NEW_BINARY [WORKDIR]}
work=${3:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work/models"

# Generated models: the benchmark policy at three sizes, one with an HHI cap, one with
# integer rules (min_order on every second offer and min_suppliers).
"$new" generate "$work/models/g1kx10" --offers 1000 --minerals 10 --seed 7 >/dev/null
"$new" generate "$work/models/g10kx10" --offers 10000 --minerals 10 --seed 7 >/dev/null
"$new" generate "$work/models/g20kx1" --offers 20000 --minerals 1 --seed 7 >/dev/null
cp -r "$work/models/g10kx10" "$work/models/g10kx10-hhi"
printf 'max_hhi,*,,0.1\n' >>"$work/models/g10kx10-hhi/constraints.csv"
"$new" generate "$work/models/gint" --offers 400 --minerals 4 --seed 7 >/dev/null
awk -F, 'NR == 1 { print $0 ",min_order"; next } { print $0 "," (NR % 2 ? "" : "5") }' \
    "$work/models/gint/suppliers.csv" >"$work/models/gint/s.csv"
mv "$work/models/gint/s.csv" "$work/models/gint/suppliers.csv"
printf 'min_suppliers,*,,2\n' >>"$work/models/gint/constraints.csv"
# A model with stock columns in demand.csv (README "Stock") is new behaviour: an older
# binary ignores those columns, so there is nothing to compare.
for m in "$root"/models/*/; do
    head -1 "$m/demand.csv" | grep -q stock_on_hand && continue
    cp -r "$m" "$work/models/$(basename "$m")"
done

solvers=$("$new" solvers | awk 'NR > 1 && !/^auto/ { print $1 }')
status=0
run() { # BIN TAG MODEL SOLVER: both binaries write to the same path (it is in the output)
    local out=$work/run/$(basename "$3")-$4 dest=$work/out/$2
    rm -rf "$out"; mkdir -p "$out" "$dest"
    "$1" solve "$3" --out "$out" --solver "$4" --format json >"$out/stdout.json" 2>"$out/stderr.txt"
    echo "exit $?" >>"$out/stderr.txt"
    "$1" solve "$3" --out "$out/text" --solver "$4" >"$out/stdout.txt" 2>/dev/null
    mv "$out" "$dest/"
}
for model in "$work"/models/*/; do
    model=${model%/}
    for s in auto $solvers; do
        case "$s:$(basename "$model")" in microlp:g20kx1 | microlp:g10kx10-hhi) continue ;; esac
        run "$old" old "$model" "$s"
        run "$new" new "$model" "$s"
    done
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
