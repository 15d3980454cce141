#!/usr/bin/env bash
# Supply chains in stages at scale (issue 23 item 7): 1M offers × 10 minerals
# (`generate --minerals 10 --offers 1000000 --seed 5`), solved
#
# - single: the generated policy plus `max_hhi,*,,0.3` (the shipping country only), on
#   the generated suppliers.csv;
# - staged: the same offers with two stage columns (origin_mine = the shipping country;
#   origin_refine = the shipping country, or for every other country a mix
#   XAF:0.5;<country>:0.5), and the generated policy plus the country caps and the HHI
#   cap at each of the two stages (`max_country_share,*,*,0.4,mine` and `,refine`,
#   `max_hhi,*,,0.3,mine` and `,refine`);
# - any: those offers with the caps and the HHI cap at the shipping country and both
#   stages (`max_country_share,*,*,0.4,any`, `max_hhi,*,,0.3,any`): three times the rows.
#
# Offers of one country share one chain there, so the country aggregation carries over
# to chain classes. Prints wall seconds, peak memory and staged/single ratios (one timed
# run each, `/usr/bin/time -v`, the two runs alternated twice).
#
#   bash benches/stages.sh [BINARY]   (default target/release/sourcemix)
set -euo pipefail
bin=${1:-target/release/sourcemix}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate "$work/single" --minerals 10 --offers "${OFFERS:-1000000}" --seed 5 >/dev/null
cp -r "$work/single" "$work/staged"
echo "max_hhi,*,,0.3" >>"$work/single/constraints.csv"
# The generated rows get an empty stage cell.
sed -i '1s/$/,stage/; 2,5s/$/,/' "$work/staged/constraints.csv"
cp -r "$work/staged" "$work/any"
printf 'max_country_share,*,*,0.4,mine\nmax_country_share,*,*,0.4,refine\nmax_hhi,*,,0.3,mine\nmax_hhi,*,,0.3,refine\n' >>"$work/staged/constraints.csv"
printf 'max_country_share,*,*,0.4,any\nmax_hhi,*,,0.3,any\n' >>"$work/any/constraints.csv"
awk -F, 'BEGIN { OFS = "," }
  NR == 1 { print $0, "origin_mine", "origin_refine"; next }
  { c = $3; k = index("ABCDEFGHIJKLMNOPQRSTUVWXYZ", substr(c, 3, 1));
    refine = (k % 2 == 0 && c != "XAF") ? "XAF:0.5;" c ":0.5" : c;
    print $0, c, refine }' "$work/single/suppliers.csv" >"$work/staged/suppliers.csv"
cp "$work/staged/suppliers.csv" "$work/any/suppliers.csv"

timed() {
  local name=$1
  shift
  set +e
  /usr/bin/time -v -o "$work/t" "$bin" "$@" >/dev/null 2>"$work/err"
  local code=$?
  set -e
  local wall kib
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/t")
  kib=$(awk -F': ' '/Maximum resident/ { print $2 }' "$work/t")
  echo "$name $wall $kib $code" >>"$work/times"
}

for round in 1 2; do
  timed "single" solve "$work/single" --out "$work/os"
  timed "staged" solve "$work/staged" --out "$work/ot"
  timed "any" solve "$work/any" --out "$work/oa"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg); staged rows: $(grep -c ',refine$\|,mine$' "$work/ot/constraints.csv" || true)"
python3 - "$work/times" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
print(f"{'case':8} {'wall s':>8} {'MiB':>6} {'exit':>4}")
for n, w, k, code in rows:
    print(f"{n:8} {float(w):8.2f} {int(k) / 1024:6.0f} {code:>4}")
best = {}
for n, w, k, _ in rows:
    b = best.setdefault(n, [1e99, 1e99])
    b[0] = min(b[0], float(w)); b[1] = min(b[1], int(k))
for case in ("staged", "any"):
    print(f"{case}/single: time {best[case][0] / best['single'][0]:.2f}x (best of 2), "
          f"memory {best[case][1] / best['single'][1]:.2f}x")
PY
