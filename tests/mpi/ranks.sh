#!/usr/bin/env bash
# The robust solve across MPI ranks (feature `mpi`, README "Across machines: MPI"):
#
#   bash tests/mpi/ranks.sh BINARY
#
# BINARY is a sourcemix built with `--features mpi`. On every bundled model with a
# scenarios.csv, on generated ones (an LP, the same under an HHI cap, one with integer
# rules, each with sampled scenarios) and with the --n-1 preset, runs
# `solve --robust --method decomposition` (and `auto` on one model) alone and then under
# `mpirun -n K --oversubscribe` for K = 1, 2, 4, and compares the output files and
# standard output byte for byte with the lone run. Then the failures: a rank that reads
# another model is named by rank 0; a rank that stops answering (SIGSTOP) is named by
# rank 0 after SOURCEMIX_MPI_TIMEOUT; a rank killed (SIGKILL) mid-run ends the job (mpirun
# names the rank), and with `--mca orte_abort_on_non_zero_status 0` rank 0 names it; in
# each case no result file is written. Prints "N passed, N failed".
set -uo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One node, no network interfaces needed: shared memory and loopback only.
export OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
mpi=(mpirun --oversubscribe)
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

# Generated models: as benches/same_commands.sh, with sampled scenarios and penalties.
"$bin" generate "$work/glp" --offers 600 --minerals 3 --seed 3 >/dev/null
cp -r "$work/glp" "$work/ghhi"
printf 'max_hhi,*,,0.1\n' >>"$work/ghhi/constraints.csv"
"$bin" generate "$work/gint" --offers 200 --minerals 3 --seed 7 >/dev/null
awk -F, 'NR == 1 { print $0 ",min_order"; next } { print $0 "," (NR % 2 ? "" : "5") }' \
    "$work/gint/suppliers.csv" >"$work/gint/s.csv"
mv "$work/gint/s.csv" "$work/gint/suppliers.csv"
printf 'min_suppliers,*,,2\n' >>"$work/gint/constraints.csv"
for g in glp ghhi gint; do
    "$bin" scenarios "$work/$g" --samples 37 --seed 5 --out "$work/$g/scenarios.csv" >/dev/null 2>&1
    awk -F, 'NR == 1 { print; next } { print $1 "," $2 ",1000" }' "$work/$g/demand.csv" \
        >"$work/$g/d.csv"
    mv "$work/$g/d.csv" "$work/$g/demand.csv"
done

# NAME MODEL ARGS...: the lone run, then K = 1, 2, 4 ranks, compared byte for byte.
same() {
    local name=$1 model=$2
    shift 2
    local args=(solve "$model" --robust "$@")
    "$bin" "${args[@]}" --out "$work/out/$name-alone" >"$work/$name-alone.stdout" 2>/dev/null
    local code=$?
    if [ ! -f "$work/out/$name-alone/allocation.csv" ]; then
        fail "$name: the lone run wrote no allocation.csv (exit $code)"
        return
    fi
    for k in 1 2 4; do
        local out="$work/out/$name-$k"
        "${mpi[@]}" -n "$k" "$bin" "${args[@]}" --out "$out" >"$work/$name-$k.stdout" 2>"$work/$name-$k.stderr"
        local got=$?
        if [ "$got" != "$code" ]; then
            fail "$name: $k ranks exit $got, alone $code"; sed 's/^/    /' "$work/$name-$k.stderr"
        elif ! diff -r -x .sourcemix "$work/out/$name-alone" "$out" >/dev/null; then
            fail "$name: $k ranks wrote other bytes than the lone run"
        elif ! cmp -s <(sed "s|$name-$k|NAME|g" "$work/$name-$k.stdout") \
            <(sed "s|$name-alone|NAME|g" "$work/$name-alone.stdout"); then
            fail "$name: $k ranks printed another standard output"
        else
            pass "$name: $k ranks, same bytes ($(ls "$out" | wc -l) files)"
        fi
    done
}

# PARTS=failures runs only the failure cases (while working on them).
[ "${PARTS:-all}" = failures ] && same() { :; }
for m in "$here"/models/*/; do
    [ -f "$m/scenarios.csv" ] || continue
    same "$(basename "$m")" "$m" --method decomposition
done
same export-controls-auto "$here/models/export-controls-2023" --method auto
same rare-earths-n-1 "$here/models/rare-earths" --method decomposition --n-1 --alpha 0.9
for g in glp ghhi gint; do
    same "$g" "$work/$g" --method decomposition
done

# NAME EXPECT OUT: no result file in OUT and EXPECT (a pattern) in the job's stderr.
refused() {
    local name=$1 expect=$2 out=$3 code=$4
    if [ "$code" = 0 ]; then
        fail "$name: exit 0"
    elif [ -e "$out/allocation.csv" ]; then
        fail "$name: a result file was written"
    elif ! grep -q -E "$expect" "$work/$name.stderr"; then
        fail "$name: stderr does not match '$expect'"; sed 's/^/    /' "$work/$name.stderr"
    else
        pass "$name: exit $code, no result file, '$(grep -o -m1 -E "$expect" "$work/$name.stderr")'"
    fi
}

# A rank that read another model answers "cannot"; rank 0 names it.
out="$work/out/other"
"${mpi[@]}" -n 1 "$bin" solve "$work/glp" --robust --method decomposition --out "$out" : \
    -n 1 "$bin" solve "$work/gint" --robust --method decomposition --out "$out" \
    >/dev/null 2>"$work/other.stderr"
refused other "MPI rank 1 of 2 cannot evaluate" "$out" $?

# A long run to stop or kill a rank in: many scenarios, so rounds take a while.
"$bin" generate "$work/long" --offers 400 --minerals 2 --seed 11 >/dev/null
"$bin" scenarios "$work/long" --samples 60 --seed 2 --out "$work/long/scenarios.csv" >/dev/null 2>&1
awk -F, 'NR == 1 { print; next } { print $1 "," $2 ",1000" }' "$work/long/demand.csv" >"$work/d.csv"
mv "$work/d.csv" "$work/long/demand.csv"

# PID of rank RANK among the children of mpirun MPIRUN (its environment names the rank).
rank_pid() {
    local parent=$1 rank=$2 pid
    for _ in $(seq 200); do
        for pid in $(ps -o pid= --ppid "$parent"); do
            if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$rank"; then
                echo "$pid"
                return
            fi
        done
        sleep 0.05
    done
}

# NAME SIGNAL PATTERN [MPIRUN OPTIONS]: starts the long run on 3 ranks, sends SIGNAL to
# rank 2 after a second, expects PATTERN in the job's stderr.
signalled() {
    local name=$1 signal=$2 out="$work/out/$1"
    "${mpi[@]}" "${@:4}" -n 3 "$bin" solve "$work/long" --robust --method decomposition --out "$out" \
        >/dev/null 2>"$work/$name.stderr" &
    local job=$!
    local pid
    pid=$(rank_pid "$job" 2)
    sleep 1
    if [ -z "$pid" ]; then
        fail "$name: rank 2 not found"
        kill "$job"
    else
        kill "-$signal" "$pid"
    fi
    wait "$job"
    refused "$name" "$3" "$out" $?
}
SOURCEMIX_MPI_TIMEOUT=2 signalled stopped STOP "MPI rank 2 of 3 did not answer within [0-9]+ s"
# OpenMPI's default: mpirun ends the job itself and names the rank.
signalled killed KILL "process rank 2 .*(signal 9|Killed)"
# mpirun told to let the job go on: rank 0 finds the rank gone and names it.
SOURCEMIX_MPI_TIMEOUT=2 signalled killed-going-on KILL "MPI rank 2 of 3 did not answer" \
    --mca orte_abort_on_non_zero_status 0

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
