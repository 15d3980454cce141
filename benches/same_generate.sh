#!/usr/bin/env bash
# Same generated models, byte for byte: runs `generate` of two sourcemix binaries over a grid
# of options (offers, minerals, countries, seed, with and without the policy) and over a few
# refused option sets (same exit code, same messages, no folder), and reports every case that
# differs. For refactors of src/tools/generate/ that must not change a byte.
#
#   bash benches/same_generate.sh OLD_BINARY NEW_BINARY
#
# Exit 0 when every case is identical, 1 when something differs.
set -uo pipefail
old=${1:?usage: same_generate.sh OLD_BINARY NEW_BINARY}
new=${2:?usage: same_generate.sh OLD_BINARY NEW_BINARY}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
n=0
bad=0
for offers in 1 7 1000 20000; do for minerals in 1 3 10; do for countries in 1 2 3 60 676; do
  for seed in 1 7; do for pol in "" "--no-policy"; do
    [ "$offers" -lt "$minerals" ] && continue
    a="--offers $offers --minerals $minerals --countries $countries --seed $seed $pol"
    # shellcheck disable=SC2086
    "$old" generate "$d/o" $a >/dev/null 2>"$d/oe"; ro=$?
    # shellcheck disable=SC2086
    "$new" generate "$d/n" $a >/dev/null 2>"$d/ne"; rn=$?
    n=$((n + 1))
    if [ $ro != $rn ] || ! cmp -s "$d/oe" "$d/ne" || ! diff -rq "$d/o" "$d/n" >/dev/null 2>&1; then
      echo "differs: $a"
      bad=$((bad + 1))
    fi
    rm -rf "$d/o" "$d/n"
  done; done
done; done; done
for a in "--minerals 0" "--offers 2 --minerals 3" "--countries 0" "--countries 677"; do
  # shellcheck disable=SC2086
  "$old" generate "$d/o" $a >"$d/oo" 2>"$d/oe"; ro=$?
  # shellcheck disable=SC2086
  "$new" generate "$d/n" $a >"$d/no" 2>"$d/ne"; rn=$?
  n=$((n + 1))
  if [ $ro != $rn ] || ! cmp -s "$d/oe" "$d/ne" || ! cmp -s "$d/oo" "$d/no" || [ -e "$d/o" ] || [ -e "$d/n" ]; then
    echo "differs (refused): $a"
    bad=$((bad + 1))
  fi
done
echo "$n cases, $bad differ"
[ "$bad" -eq 0 ]
