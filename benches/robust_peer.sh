#!/usr/bin/env bash
# sourcemix solve --robust against its peer, the extensive R–U LP in scipy.sparse + HiGHS
# (benches/robust_peer.py), in one run.
#
#   bash benches/robust_peer.sh BINARY [RUNS]
#
# For each model of $MODELS (default "20x1x40 1000x3x200": offers x minerals x
# scenarios), generates it under $ROBUST_DIR (default a fresh temporary directory) with
# `generate --minerals M --offers N --seed 1` and benches/robust_scenarios.py (seed 1),
# then RUNS times (default 3), alternating: `solve --robust` with `--method $METHOD`
# (default auto) and the peer, each under /usr/bin/time. Prints one table row per run:
# sourcemix wall s (whole process, and the robust solve's own seconds from --format json),
# the method it used, its status; the peer's wall s (whole process, and
# from the CSVs to the optimum without interpreter start and imports); CPU seconds (user +
# system) of each process; sourcemix ÷ peer (whole processes, wall and CPU); the relative
# difference of the two objectives. Needs python3, GNU time,
# pip install highspy scipy.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BINARY [RUNS]" >&2; exit 2; }
bin=$1
runs=${2:-3}
MODELS=${MODELS:-"20x1x40 1000x3x200"}
METHOD=${METHOD:-auto}
DIR=${ROBUST_DIR:-$(mktemp -d)}
HERE=$(cd "$(dirname "$0")" && pwd)

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| model | run | sourcemix wall s (process / robust solve) | CPU s | method | status | peer wall s (process / CSVs→optimum) | CPU s | sourcemix ÷ peer, wall / CPU | objectives' relative difference |"
echo "|---|--:|--:|--:|---|---|--:|--:|--:|--:|"
for spec in $MODELS; do
  IFS=x read -r offers minerals scen <<<"$spec"
  model="$DIR/r$spec"
  if [ ! -f "$model/scenarios.csv" ]; then
    "$bin" generate "$model" --minerals "$minerals" --offers "$offers" --seed 1 >/dev/null
    python3 "$HERE/robust_scenarios.py" "$model" "$scen"
  fi
  for r in $(seq 1 "$runs"); do
    out="$DIR/out-$spec-$r"
    /usr/bin/time -f "%e %U %S" -o "$out.time" "$bin" solve "$model" --robust --method "$METHOD" \
      --format json --out "$out" >"$out.json" 2>"$out.err"
    /usr/bin/time -f "%e %U %S" -o "$out.peer-time" python3 "$HERE/robust_peer.py" "$model" \
      --check "$out.json" >"$out.peer.json" 2>"$out.peer.err" || true
    python3 - "$out" "$spec" "$r" <<'PY'
import json, sys
out, spec, r = sys.argv[1:]
def times(path):
    wall, user, sys_ = (float(v) for v in open(path).read().split()[-3:])
    return wall, user + sys_
wall, cpu = times(out + ".time")
peer_wall, peer_cpu = times(out + ".peer-time")
robust = json.load(open(out + ".json"))["robust"]
peer = json.loads(open(out + ".peer.json").read().strip().splitlines()[-1])
secs = robust["iterations"][-1]["secs"] if robust["iterations"] else float("nan")
print(f"| {spec} | {r} | {wall:.2f} / {secs:.2f} | {cpu:.2f} | {robust['method']} | {robust['status']} | "
      f"{peer_wall:.2f} / {peer['wall_secs']:.2f} | {peer_cpu:.2f} | {wall / peer_wall:.2f} / {cpu / peer_cpu:.2f} | "
      f"{peer['relative_difference']:.1e} |")
PY
  done
done
