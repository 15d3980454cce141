#!/usr/bin/env bash
# explain, policy and the frontier at scale, against one solve in the same run (issue 27):
#
# - 1M × 10 (`generate --minerals 10 --offers 1000000 --seed 5`): solve, policy and the
#   three 10-point frontiers, each once, as ratios to the solve;
# - 100k × 10 (`--offers 100000 --seed 5`): each mineral's least HHI found with
#   `frontier --measure hhi`, then `explain` with every mineral's HHI cap 1e-4 below its
#   least value (no mineral has a plan), against `solve` with the caps 1e-4 above it.
#
# Prints wall seconds, peak memory and the ratio to the solve of the same model. The
# models are too large for criterion's loops: one timed run each (`/usr/bin/time -v`).
#
#   bash benches/scale_1m.sh [BINARY]   (default target/release/sourcemix)
set -euo pipefail
bin=${1:-target/release/sourcemix}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate "$work/m1m" --minerals 10 --offers 1000000 --seed 5 >/dev/null
"$bin" generate "$work/m100k" --minerals 10 --offers 100000 --seed 5 >/dev/null

# NAME ARGS...: runs the binary once, keeps "NAME wall_s peak_KiB exit".
timed() {
  local name=$1
  shift
  set +e
  /usr/bin/time -v -o "$work/t" "$bin" "$@" >/dev/null 2>&1
  local code=$?
  set -e
  local wall kib
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/t")
  kib=$(awk -F': ' '/Maximum resident/ { print $2 }' "$work/t")
  echo "$name $wall $kib $code" >>"$work/times"
}

timed "1M:solve" solve "$work/m1m" --out "$work/o"
timed "1M:policy" policy "$work/m1m" --out "$work/o"
for m in hhi risk_hhi avg_risk; do
  timed "1M:frontier-$m" frontier "$work/m1m" --measure "$m" --points 10 --out "$work/o"
done

# The least HHI of each mineral of the 100k model, from the frontier's JSON.
"$bin" frontier "$work/m100k" --measure hhi --points 2 --out "$work/fh" --format json >"$work/fh.json" 2>/dev/null
for side in below above; do
  cp -r "$work/m100k" "$work/$side"
  python3 - "$work/fh.json" "$side" >>"$work/$side/constraints.csv" <<'PY'
import json, sys
step = -1e-4 if sys.argv[2] == "below" else 1e-4
for m in json.load(open(sys.argv[1]))["frontier"]["least_by_mineral"]:
    print(f"max_hhi,{m['mineral']},,{m['least'] + step:.10f}")
PY
done
timed "100k:solve" solve "$work/above" --out "$work/o"
timed "100k:explain" explain "$work/below" --out "$work/o"
rows=$(($(wc -l <"$work/o/explain.csv") - 1))

echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg); explain.csv rows: $rows (10 expected)"
python3 - "$work/times" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
base = {n.split(":")[0]: float(w) for n, w, _, _ in rows if n.endswith(":solve")}
print(f"{'case':22} {'wall s':>8} {'MiB':>6} {'exit':>4} {'x solve':>8}")
for n, w, k, code in rows:
    print(f"{n:22} {float(w):8.2f} {int(k) / 1024:6.0f} {code:>4} {float(w) / base[n.split(':')[0]]:8.2f}")
PY
