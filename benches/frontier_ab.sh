#!/usr/bin/env bash
# Frontier and policy of two binaries in one run: RUNS rounds, each running, for OLD then
# NEW, solve, the three 20-point frontiers and policy once on the 10k-offer generated
# model, so machine load hits both alike. Prints the median wall and CPU (user) seconds
# of each, its ratio to the same binary's solve, and NEW/OLD.
#
#   bash benches/frontier_ab.sh OLD_BINARY NEW_BINARY [RUNS]   (default 5)
set -euo pipefail
old=${1:?usage: frontier_ab.sh OLD_BINARY NEW_BINARY [RUNS]}
new=${2:?usage: frontier_ab.sh OLD_BINARY NEW_BINARY [RUNS]}
runs=${3:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$new" generate "$work/g10k" --minerals 10 --offers 10000 --seed 1 >/dev/null
cases=(solve hhi risk_hhi avg_risk policy)
for r in $(seq "$runs"); do
  for which in old new; do
    bin=$old
    [ "$which" = new ] && bin=$new
    for c in "${cases[@]}"; do
      case $c in
        solve) cmd=("$bin" solve "$work/g10k" --out "$work/out") ;;
        policy) cmd=("$bin" policy "$work/g10k" --out "$work/out") ;;
        *) cmd=("$bin" frontier "$work/g10k" --measure "$c" --points 20 --out "$work/out") ;;
      esac
      /usr/bin/time -f "%e %U" -o "$work/t" "${cmd[@]}" >/dev/null 2>&1
      echo "$which $c $(cat "$work/t")" >>"$work/times"
    done
  done
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    b, c, w, u = line.split()
    t.setdefault((b, c), []).append((float(w), float(u)))
med = {k: (statistics.median(w for w, _ in v), statistics.median(u for _, u in v)) for k, v in t.items()}
n = len(t[("old", "solve")])
print(f"{'case':10} {'old wall':>8} {'old user':>8} {'x solve':>11} {'new wall':>8} {'new user':>8} {'x solve':>11} {'new/old':>11}  (median of {n})")
for c in ["solve", "hhi", "risk_hhi", "avg_risk", "policy"]:
    (ow, ou), (nw, nu) = med[("old", c)], med[("new", c)]
    (osw, osu), (nsw, nsu) = med[("old", "solve")], med[("new", "solve")]
    print(f"{c:10} {ow:8.3f} {ou:8.3f} {ow / osw:5.1f}/{ou / osu:5.1f} {nw:8.3f} {nu:8.3f} {nw / nsw:5.1f}/{nu / nsu:5.1f} {nw / ow:5.2f}/{nu / ou:5.2f}")
PY
