#!/usr/bin/env bash
# Frontier and policy against one solve, in one run: RUNS rounds, each running solve,
# the three 20-point frontiers and policy once, alternating, so machine load hits all
# alike. Prints the median wall and CPU (user) seconds of each and its ratio to solve.
#
#   bash benches/frontier.sh [BINARY] [RUNS]   (default target/release/sourcemix, 5)
set -euo pipefail
bin=${1:-target/release/sourcemix}
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate "$work/g10k" --minerals 10 --offers 10000 --seed 1 >/dev/null
cases=(solve hhi risk_hhi avg_risk policy)
run() {
  case $1 in
    solve) "$bin" solve "$work/g10k" --out "$work/out_solve" ;;
    policy) "$bin" policy "$work/g10k" --out "$work/out_policy" ;;
    *) "$bin" frontier "$work/g10k" --measure "$1" --points 20 --out "$work/out_$1" ;;
  esac
}
for r in $(seq "$runs"); do
  for c in "${cases[@]}"; do
    /usr/bin/time -f "%e %U" -o "$work/t" bash -c "$(declare -f run); bin='$bin' work='$work' run $c" >/dev/null 2>&1
    echo "$c $(cat "$work/t")" >>"$work/times"
  done
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    c, w, u = line.split()
    t.setdefault(c, []).append((float(w), float(u)))
med = {c: (statistics.median(w for w, _ in v), statistics.median(u for _, u in v)) for c, v in t.items()}
sw, su = med["solve"]
print(f"{'case':10} {'wall s':>8} {'user s':>8} {'wall x':>7} {'user x':>7}  (median of {len(t['solve'])})")
for c, (w, u) in med.items():
    print(f"{c:10} {w:8.3f} {u:8.3f} {w / sw:7.1f} {u / su:7.1f}")
PY
