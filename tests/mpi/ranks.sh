#!/usr/bin/env bash
# The robust solve, stress and scenarios across MPI ranks (feature `mpi`, README "Across
# machines: MPI"):
#
#   bash tests/mpi/ranks.sh BINARY
#
# BINARY is a sourcemix built with `--features mpi`. On every bundled model with a
# scenarios.csv, on generated ones (an LP, the same under an HHI cap, one with integer
# rules, each with sampled scenarios) and with the --n-1 preset, runs
# `solve --robust --method decomposition` (and `auto` on one model), `stress` of the
# nominal plan, and `scenarios` (independent, correlated, at a stage) alone and then under
# `mpirun -n K --oversubscribe` for K = 1, 2, 4, and compares the output files and
# standard output byte for byte with the lone run. Then the failures, for the robust
# solve, stress and scenarios: a rank that reads another model (or runs another command)
# is named by rank 0; a rank that stops answering (SIGSTOP) is named by rank 0 after
# SOURCEMIX_MPI_TIMEOUT; a rank killed (SIGKILL) mid-run ends the job (mpirun names the
# rank), and with `--mca orte_abort_on_non_zero_status 0` rank 0 names it; in each case
# no result file is written. Prints "N passed, N failed". PARTS=failures runs only the
# failures, PARTS=same only the byte comparisons.
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

# Files in the folder OUT (1 when OUT is a file).
files() {
    if [ -d "$1" ]; then ls "$1" | wc -l; else echo 1; fi
}

# ARGS with every @OUT replaced by $1.
at() {
    local out=$1 a
    shift
    for a in "$@"; do printf '%s\0' "${a//@OUT/$out}"; done
}

# NAME ARGS...: the lone run of `sourcemix ARGS` (@OUT: where it writes), then K = 1, 2, 4
# ranks, compared byte for byte (files and standard output).
same_run() {
    local name=$1
    shift
    local alone args
    mapfile -d '' alone < <(at "$work/out/$name-alone" "$@")
    "$bin" "${alone[@]}" >"$work/$name-alone.stdout" 2>/dev/null
    local code=$?
    if [ ! -e "$work/out/$name-alone" ]; then
        fail "$name: the lone run wrote nothing (exit $code)"
        return
    fi
    for k in 1 2 4; do
        local out="$work/out/$name-$k"
        mapfile -d '' args < <(at "$out" "$@")
        "${mpi[@]}" -n "$k" "$bin" "${args[@]}" >"$work/$name-$k.stdout" 2>"$work/$name-$k.stderr"
        local got=$?
        if [ "$got" != "$code" ]; then
            fail "$name: $k ranks exit $got, alone $code"; sed 's/^/    /' "$work/$name-$k.stderr"
        elif ! diff -r -x .sourcemix "$work/out/$name-alone" "$out" >/dev/null; then
            fail "$name: $k ranks wrote other bytes than the lone run"
        elif ! cmp -s <(sed "s|$name-$k|NAME|g" "$work/$name-$k.stdout") \
            <(sed "s|$name-alone|NAME|g" "$work/$name-alone.stdout"); then
            fail "$name: $k ranks printed another standard output"
        else
            pass "$name: $k ranks, same bytes ($(files "$out") files)"
        fi
    done
}

# NAME MODEL ARGS...: `solve MODEL --robust ARGS` compared.
same() {
    local name=$1 model=$2
    shift 2
    same_run "$name" solve "$model" --robust "$@" --out @OUT
}

# NAME MODEL ARGS...: `stress MODEL ARGS` of MODEL's nominal plan (solved alone) compared.
same_stress() {
    local name=$1 model=$2
    shift 2
    local plan="$work/plan/$name"
    "$bin" solve "$model" --out "$plan" >/dev/null 2>&1
    if [ ! -f "$plan/allocation.csv" ]; then
        fail "stress-$name: the nominal solve wrote no plan"
        return
    fi
    same_run "stress-$name" stress "$model" --plan "$plan/allocation.csv" "$@" --out @OUT
}

# PARTS=failures runs only the failure cases (while working on them), PARTS=same only
# the comparisons.
[ "${PARTS:-all}" = failures ] && same_run() { :; }
for m in "$here"/models/*/; do
    [ -f "$m/scenarios.csv" ] || continue
    same "$(basename "$m")" "$m" --method decomposition
    same_stress "$(basename "$m")" "$m"
done
same export-controls-auto "$here/models/export-controls-2023" --method auto
same rare-earths-n-1 "$here/models/rare-earths" --method decomposition --n-1 --alpha 0.9
same_stress rare-earths-n-1 "$here/models/rare-earths" --n-1 --alpha 0.9 --spot-premium 0.5
same_stress graphite-n-1-stage "$here/models/graphite-stages" --n-1-stage spherical
for g in glp ghhi gint; do
    same "$g" "$work/$g" --method decomposition
    same_stress "$g" "$work/$g"
done
# Many scenarios: nearly every sample of 60 countries is its own pattern.
"$bin" scenarios "$work/glp" --samples 3000 --seed 9 --out "$work/glp-many.csv" >/dev/null 2>&1
same_stress glp-many "$work/glp" --scenarios "$work/glp-many.csv"
# Sampling: chunks of 4,096 samples, so 25 chunks over the ranks.
ec="$here/models/export-controls-2023-stock"
same_run scenarios-independent scenarios "$ec" --samples 100000 --seed 4 --out @OUT
same_run scenarios-correlated scenarios "$ec" --samples 100000 --seed 18446744073709551000 \
    --correlation "$ec/correlation.csv" --severity 0.3 --out @OUT
same_run scenarios-glp scenarios "$work/glp" --samples 30000 --seed 1 --out @OUT
same_run scenarios-stage scenarios "$here/models/graphite-stages" --samples 50000 --seed 2 \
    --stage spherical --out @OUT
[ "${PARTS:-all}" = same ] && { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }

# NAME EXPECT RESULT CODE: exit CODE is not 0, no file RESULT and EXPECT (a pattern) in
# the job's stderr.
refused() {
    local name=$1 expect=$2 result=$3 code=$4
    if [ "$code" = 0 ]; then
        fail "$name: exit 0"
    elif [ -e "$result" ]; then
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
refused other "MPI rank 1 of 2 cannot evaluate this run's scenarios" "$out/allocation.csv" $?
"$bin" solve "$work/glp" --out "$work/plan/glp-other" >/dev/null 2>&1
out="$work/out/stress-other"
"${mpi[@]}" -n 1 "$bin" stress "$work/glp" --plan "$work/plan/glp-other/allocation.csv" --out "$out" : \
    -n 1 "$bin" stress "$work/gint" --plan "$work/plan/glp-other/allocation.csv" --out "$out" \
    >/dev/null 2>"$work/stress-other.stderr"
refused stress-other "MPI rank 1 of 2 cannot evaluate this run's scenarios.*stress cannot finish" \
    "$out/stress.csv" $?
# A rank running another command cannot draw samples.
out="$work/out/scenarios-other.csv"
"${mpi[@]}" -n 1 "$bin" scenarios "$work/glp" --samples 9000 --seed 1 --out "$out" : \
    -n 1 "$bin" stress "$work/glp" --plan "$work/plan/glp-other/allocation.csv" --out "$work/out/x" \
    >/dev/null 2>"$work/scenarios-other.stderr"
refused scenarios-other "MPI rank 1 of 2 cannot evaluate this run's samples.*sampling cannot finish" \
    "$out" $?

# Long runs to stop or kill a rank in. The robust solve: 3,000 offers x 3 minerals x 400
# scenarios (1.9 s in a release build, ~10x that in the debug build CI runs; the warm
# master made 400 x 2 x 60 finish before the kill); stress: 2,000 offers under ~4,000 scenarios (a few seconds a rank); sampling:
# 250,000 samples of 60 countries.
"$bin" generate "$work/long" --offers 3000 --minerals 3 --seed 11 >/dev/null
"$bin" scenarios "$work/long" --samples 400 --seed 2 --out "$work/long/scenarios.csv" >/dev/null 2>&1
awk -F, 'NR == 1 { print; next } { print $1 "," $2 ",1000" }' "$work/long/demand.csv" >"$work/d.csv"
mv "$work/d.csv" "$work/long/demand.csv"
"$bin" generate "$work/lstress" --offers 2000 --minerals 2 --seed 11 >/dev/null
"$bin" scenarios "$work/lstress" --samples 4000 --seed 2 --out "$work/lstress/scenarios.csv" >/dev/null 2>&1
awk -F, 'NR == 1 { print; next } { print $1 "," $2 ",1000" }' "$work/lstress/demand.csv" >"$work/d.csv"
mv "$work/d.csv" "$work/lstress/demand.csv"
"$bin" solve "$work/lstress" --out "$work/plan/lstress" >/dev/null 2>&1

# KIND OUT: the long run's arguments (NUL-separated), writing to OUT.
long_args() {
    case $1 in
    robust) at "$2" solve "$work/long" --robust --method decomposition --out @OUT ;;
    stress) at "$2" stress "$work/lstress" --plan "$work/plan/lstress/allocation.csv" --out @OUT ;;
    scenarios) at "$2" scenarios "$work/lstress" --samples 250000 --seed 3 --out @OUT ;;
    esac
}

# KIND OUT: the file a run of KIND writes to OUT.
result_of() {
    case $1 in
    robust) echo "$2/allocation.csv" ;;
    stress) echo "$2/stress.csv" ;;
    scenarios) echo "$2" ;;
    esac
}

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

# KIND NAME SIGNAL PATTERN [MPIRUN OPTIONS]: starts the long run of KIND on 3 ranks,
# sends SIGNAL to rank 2 after a second, expects PATTERN in the job's stderr.
signalled() {
    local kind=$1 name=$2 signal=$3 expect=$4 out="$work/out/$2" args
    mapfile -d '' args < <(long_args "$kind" "$out")
    "${mpi[@]}" "${@:5}" -n 3 "$bin" "${args[@]}" >/dev/null 2>"$work/$name.stderr" &
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
    local code=$?
    refused "$name" "$expect" "$(result_of "$kind" "$out")" "$code"
}
SOURCEMIX_MPI_TIMEOUT=2 signalled robust stopped STOP "MPI rank 2 of 3 did not answer within [0-9]+ s"
for kind in robust stress scenarios; do
    name=${kind/#robust/}
    # OpenMPI's default: mpirun ends the job itself and names the rank.
    signalled "$kind" "${name:+$name-}killed" KILL "process rank 2 .*(signal 9|Killed)"
    # mpirun told to let the job go on: rank 0 finds the rank gone and names it.
    SOURCEMIX_MPI_TIMEOUT=2 signalled "$kind" "${name:+$name-}killed-going-on" KILL \
        "MPI rank 2 of 3 did not answer" --mca orte_abort_on_non_zero_status 0
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
