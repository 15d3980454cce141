#!/usr/bin/env bash
# Bundles' and lot discounts' cost: a generated model solved without and with
# bundles.csv and discounts.csv, in alternating fresh processes; prints each pair's wall
# seconds, the medians and the median of the pair-by-pair ratios, with the load average
# before and after. Both variants share one suppliers.csv, in which the offers of index k
# of every mineral belong to one supplier `pK` for every k below SUPPLIERS (the others keep
# their one-offer ids); the bundled variant adds, for every 4th such supplier, a bundle of
# its first two minerals (5% of each demand or half the offer's capacity, 10% off) and a discount (3% at 2 lots, 8% at
# every lot). With them, every mineral is in one joint MILP and solved in full.
#
#   bash benches/bundles.sh [BINARY] [OFFERS] [MINERALS] [SUPPLIERS] [PAIRS]
set -euo pipefail
bin=${1:-target/release/sourcemix} offers=${2:-2000} minerals=${3:-4}
suppliers=${4:-80} pairs=${5:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" generate "$tmp/plain" --minerals "$minerals" --offers "$offers" --seed 1 >/dev/null
python3 - "$tmp/plain" "$suppliers" <<'PY'
import csv, os, shutil, sys
plain, n = sys.argv[1], int(sys.argv[2])
rows = list(csv.reader(open(os.path.join(plain, "suppliers.csv"))))
head, body = rows[0], rows[1:]
minerals = sorted({r[1] for r in body})
for r in body:
    k = int(r[0].split("-")[1])
    if k < n:
        r[0] = f"p{k:06d}"
with open(os.path.join(plain, "suppliers.csv"), "w", newline="") as f:
    csv.writer(f).writerows([head] + body)
demand = {r[0]: float(r[1]) for r in list(csv.reader(open(os.path.join(plain, "demand.csv"))))[1:]}
capacity = {(r[0], r[1]): float(r[4] or "inf") for r in body}
bundled = plain.replace("plain", "bundled")
shutil.copytree(plain, bundled)
with open(os.path.join(bundled, "bundles.csv"), "w") as f:
    f.write("bundle,supplier,mineral,quantity,discount\n")
    for k in range(0, n, 4):
        for m in minerals[:2]:
            q = min(0.05 * demand[m], 0.5 * capacity[(f"p{k:06d}", m)])
            f.write(f"b{k},p{k:06d},{m},{q},0.1\n")
with open(os.path.join(bundled, "discounts.csv"), "w") as f:
    f.write("supplier,min_lots,discount\n")
    for k in range(0, n, 4):
        f.write(f"p{k:06d},2,0.03\np{k:06d},{len(minerals)},0.08\n")
PY
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # model -> wall seconds
    /usr/bin/time -f '%e' -o "$tmp/t" "$bin" solve "$tmp/$1" --out "$tmp/out-$1" >/dev/null 2>&1
    cat "$tmp/t"
}
for ((k = 1; k <= pairs; k++)); do
    echo "$k $(run plain) $(run bundled)" | tee -a "$tmp/pairs"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
{ grep -c true "$tmp/out-bundled/bundle_awards.csv" || true; } | sed 's/^/bundles won: /'
awk -F, 'NR > 1 && $7 > 0 { print $1 }' "$tmp/out-bundled/lot_discounts.csv" | sort -u | wc -l |
    sed 's/^/suppliers with a discount step: /'
python3 - "$tmp/pairs" <<'PY'
import statistics, sys
rows = [list(map(float, l.split()[1:])) for l in open(sys.argv[1])]
plain = statistics.median(r[0] for r in rows)
bundled = statistics.median(r[1] for r in rows)
ratio = statistics.median(r[1] / r[0] for r in rows)
print(f"median wall: without {plain:.3f} s, with bundles and discounts {bundled:.3f} s")
print(f"median ratio with/without: {ratio:.2f}")
PY
