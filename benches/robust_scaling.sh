#!/usr/bin/env bash
# How the robust decomposition grows with scenarios at 10,000 offers × 3 minerals.
#
#   bash benches/robust_scaling.sh LABEL=BINARY [LABEL=BINARY ...]
#
# e.g. bash benches/robust_scaling.sh default=target/release/sourcemix \
#        highs=target-highs/release/sourcemix
#
# For each K in $SCENARIOS (default "100 300 1000 3000"): generates the model
# (`generate --minerals 3 --offers 10000 --seed 1`) and K sampled scenarios
# (benches/robust_scenarios.py, seed 1) under $ROBUST_DIR (default a fresh temporary
# directory), then runs `solve --robust --method decomposition --time-limit $LIMIT`
# (default 120) under /usr/bin/time -v with every binary in turn. Prints one table row
# per (K, binary): wall s, user CPU s, peak MB, rounds, final gap, status. Needs
# python3 and GNU time.
set -euo pipefail

SCENARIOS=${SCENARIOS:-"100 300 1000 3000"}
LIMIT=${LIMIT:-120}
DIR=${ROBUST_DIR:-$(mktemp -d)}
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 LABEL=BINARY ..." >&2; exit 2; }
first=${1#*=}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| scenarios | build | wall s | CPU s | peak MB | rounds | gap | status |"
echo "|--:|---|--:|--:|--:|--:|--:|---|"
for k in $SCENARIOS; do
  model="$DIR/m$k"
  if [ ! -f "$model/scenarios.csv" ]; then
    "$first" generate "$model" --minerals 3 --offers 10000 --seed 1 >/dev/null
    python3 "$HERE/robust_scenarios.py" "$model" "$k"
  fi
  for pair in "$@"; do
    label=${pair%%=*}
    bin=${pair#*=}
    out="$DIR/out-$k-$label"
    /usr/bin/time -v "$bin" solve "$model" --robust --method decomposition \
      --time-limit "$LIMIT" --format json --out "$out" >"$out.json" 2>"$out.time" || true
    python3 - "$out.json" "$out.time" "$k" "$label" <<'PY'
import json, re, sys
js, tm, k, label = sys.argv[1:]
t = open(tm).read()
def field(name):
    m = re.search(name + r".*?: (.*)", t)
    return m.group(1).strip() if m else "?"
wall = field("Elapsed \\(wall clock\\) time")
parts = [float(x) for x in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
user = float(field("User time \\(seconds\\)"))
peak = int(field("Maximum resident set size \\(kbytes\\)")) / 1024
try:
    r = json.load(open(js))["robust"]
    rounds, gap, status = len(r["iterations"]), r["gap"], r["status"]
except Exception as e:
    rounds, gap, status = "?", "?", f"no result ({e.__class__.__name__})"
print(f"| {k} | {label} | {secs:.1f} | {user:.1f} | {peak:.0f} | {rounds} | {gap:.1e} | {status} |"
      if isinstance(gap, float) else
      f"| {k} | {label} | {secs:.1f} | {user:.1f} | {peak:.0f} | {rounds} | {gap} | {status} |")
PY
  done
done
