#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR for SECONDS each, on a copy of its seed corpus
# (new inputs stay in BUILD_DIR/corpus, the repository's corpus only grows by hand), and prints
# each target's executions per second, total executions and crashes. A crash's input is kept in
# BUILD_DIR/crashes/: copy it into tests/fuzz/corpus/NAME/ once fixed, so ctest replays it.
#     run-fuzzers.sh BUILD_DIR SECONDS [NAME...]
set -euo pipefail
build=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for binary in "$build"/fuzz_*; do
    names+=("${binary##*/fuzz_}")
  done
fi
mkdir -p "$build/crashes"
status=0
printf '%-14s %10s %14s %8s\n' target 'exec/s' executions crashes
for name in "${names[@]}"; do
  work="$build/corpus/$name"
  mkdir -p "$work"
  log="$build/fuzz-$name.log"
  # -rss_limit_mb: a parser that allocates what a lying header claims fails here.
  if ! "$build/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$build/crashes/$name-" \
      "$work" "$here/corpus/$name" >"$log" 2>&1; then
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  crashes=$(find "$build/crashes" -name "$name-*" | wc -l)
  printf '%-14s %10s %14s %8s\n' "$name" "${rate:-?}" "${runs:-?}" "$crashes"
done
if [ $status -ne 0 ]; then
  echo "a target stopped on a finding: see $build/fuzz-NAME.log and $build/crashes/" >&2
fi
exit $status
