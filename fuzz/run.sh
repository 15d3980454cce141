#!/usr/bin/env bash
# Coverage-guided fuzzing of the model loaders and the solve pipeline with cargo-fuzz
# (libFuzzer). Stable Rust builds it with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Z flags).
#
#   cargo install cargo-fuzz        # once
#   bash fuzz/run.sh [SECONDS]      # each target for SECONDS (default 60)
#
# New inputs that reach new code are kept in fuzz/corpus/<target>/ (commit the useful
# ones). A crash is copied to tests/fuzz-regressions/<target>/, where
# `cargo test --test it fuzz_regressions` replays it on every CI run; fix the bug, keep the file.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
export RUSTC_BOOTSTRAP=1
status=0
for target in csv_table load_model stress_plan xlsx_model; do
  mkdir -p "fuzz/corpus/$target" "tests/fuzz-regressions/$target"
  echo "=== fuzzing $target for ${secs}s"
  if ! cargo fuzz run -O "$target" "fuzz/corpus/$target" -- \
      -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 -max_len=65536; then
    status=1
  fi
  for crash in fuzz/artifacts/"$target"/*; do
    [ -f "$crash" ] || continue
    cp "$crash" "tests/fuzz-regressions/$target/"
    echo "kept $(basename "$crash") in tests/fuzz-regressions/$target/"
  done
done
exit "$status"
