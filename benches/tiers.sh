#!/usr/bin/env bash
# Price tiers' cost: a generated model solved without and with tiers.csv (`generate
# --tiers F`: tiers on a fraction F of the offers, the other files byte for byte the same),
# in alternating fresh processes; prints each pair's wall seconds, the medians and the
# median of the pair-by-pair ratios, with the load average before and after. Target
# (issue 25): with tiers ≤ 3× without, at 10k offers × 10 minerals and F = 0.1.
#
#   cargo build --release
#   bash benches/tiers.sh [BINARY] [OFFERS] [MINERALS] [FRACTION] [PAIRS]
set -euo pipefail
bin=${1:-target/release/sourcemix} offers=${2:-10000} minerals=${3:-10}
fraction=${4:-0.1} pairs=${5:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" generate "$tmp/plain" --minerals "$minerals" --offers "$offers" --seed 1 >/dev/null
"$bin" generate "$tmp/tiered" --minerals "$minerals" --offers "$offers" --seed 1 \
    --tiers "$fraction" >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # model -> wall seconds
    /usr/bin/time -f '%e' -o "$tmp/t" "$bin" solve "$tmp/$1" --out "$tmp/out-$1" >/dev/null 2>&1
    cat "$tmp/t"
}
for ((k = 1; k <= pairs; k++)); do
    echo "$k $(run plain) $(run tiered)" | tee -a "$tmp/pairs"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$tmp/pairs" <<'PY'
import statistics, sys
rows = [list(map(float, l.split()[1:])) for l in open(sys.argv[1])]
plain = statistics.median(r[0] for r in rows)
tiered = statistics.median(r[1] for r in rows)
ratio = statistics.median(r[1] / r[0] for r in rows)
print(f"median wall: without tiers {plain:.3f} s, with tiers {tiered:.3f} s")
print(f"median ratio with/without: {ratio:.2f} (target <= 3)")
PY
