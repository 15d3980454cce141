#!/usr/bin/env bash
# Read phase, A/B: alternating fresh processes of two builds on one model folder; prints
# each pair (wall of the read, CPU of the whole process) and the medians and the median
# pair-by-pair ratio, with the load average before and after. The builds are either
# examples/read_model (the read alone) or sourcemix binaries (the read phase of
# `solve --timings`, whose process CPU includes the solve).
#
#   cargo build --release --example read_model
#   bash benches/read_ab.sh OLD_READ_MODEL NEW_READ_MODEL MODEL_DIR [PAIRS]
#   bash benches/read_ab.sh OLD_SOURCEMIX NEW_SOURCEMIX MODEL_DIR [PAIRS]
#
# e.g. MODEL_DIR from `sourcemix generate /tmp/g1m --minerals 10 --offers 1000000 --seed 1`.
set -euo pipefail
old=$1 new=$2 dir=$3 pairs=${4:-9}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # binary -> "wall cpu"
    local wall cpu
    if [ "$(basename "$1")" = sourcemix ]; then
        /usr/bin/time -f '%U %S' -o "$tmp/t" "$1" solve "$dir" --out "$tmp/out" --timings \
            >/dev/null 2>"$tmp/o"
        wall=$(sed -n 's/^timings: read \([0-9.]*\) s.*/\1/p' "$tmp/o")
    else
        /usr/bin/time -f '%U %S' -o "$tmp/t" "$1" "$dir" 1 >"$tmp/o"
        wall=$(awk '{print $1}' "$tmp/o")
    fi
    cpu=$(awk '{printf "%.3f", $1 + $2}' "$tmp/t")
    echo "$wall $cpu"
}
for ((k = 1; k <= pairs; k++)); do
    a=$(run "$old")
    b=$(run "$new")
    echo "$k $a $b" | tee -a "$tmp/pairs"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$tmp/pairs" <<'EOF'
import statistics, sys
rows = [list(map(float, l.split()[1:])) for l in open(sys.argv[1])]
med = lambda xs: statistics.median(xs)
print(f"old: read {med([r[0] for r in rows]):.3f} s (range {min(r[0] for r in rows):.3f}-{max(r[0] for r in rows):.3f}), process CPU {med([r[1] for r in rows]):.3f} s")
print(f"new: read {med([r[2] for r in rows]):.3f} s (range {min(r[2] for r in rows):.3f}-{max(r[2] for r in rows):.3f}), process CPU {med([r[3] for r in rows]):.3f} s")
print(f"new/old pair by pair: read {med([r[2] / r[0] for r in rows]):.3f}, CPU {med([r[3] / r[1] for r in rows]):.3f}")
EOF
