#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and runs each for SECONDS
# (default 30), two at a time, from its checked-in seeds plus the inputs that once crashed it.
# Exit status non-zero on any crash, leak, timeout or sanitizer report; the crashing input is
# kept in build-fuzz/findings/<target>/ (add it to tests/fuzz/regressions/<target>/).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
all_targets=(multipart urlencoded paths range numbers utf8 token config)
targets=("${@:-${all_targets[@]}}")
jobs="${MINITOK_JOBS:-2}"

mkdir -p build-fuzz
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DMINITOK_FUZZ=ON -DMINITOK_BUILD_TESTS=OFF \
  -DMINITOK_BUILD_BENCHMARKS=OFF > build-fuzz/configure.log 2>&1 || { cat build-fuzz/configure.log; exit 1; }
cmake --build build-fuzz -j "$jobs" --target minitok_fuzzers

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
work=$(mktemp -d /tmp/minitok-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT

run_one() {
  local target=$1
  local corpus="$work/corpus-$target" findings="build-fuzz/findings/$target"
  mkdir -p "$corpus" "$findings"
  # The checked-in seeds are copied: a run adds what it finds to its own copy only.
  cp tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  local regressions=()
  if compgen -G "tests/fuzz/regressions/$target/*" > /dev/null; then
    regressions=(tests/fuzz/regressions/"$target"/*)
    # Each input that once crashed runs on its own first.
    build-fuzz/tests/fuzz/fuzz_"$target" "${regressions[@]}" > "$work/$target.regressions.log" 2>&1 ||
      { echo "fuzz $target: a regression input fails again"; cat "$work/$target.regressions.log"; return 1; }
  fi
  if build-fuzz/tests/fuzz/fuzz_"$target" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" > "$work/$target.log" 2>&1; then
    local runs
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz $target: ${seconds} s, $runs executions, no crash (corpus $(ls "$corpus" | wc -l) inputs)"
  else
    echo "fuzz $target: FAILED, input kept in $findings/"
    tail -60 "$work/$target.log"
    return 1
  fi
}

failed=0
running=0
for target in "${targets[@]}"; do
  run_one "$target" &
  running=$((running + 1))
  if (( running >= jobs )); then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while (( running > 0 )); do
  wait -n || failed=1
  running=$((running - 1))
done
exit "$failed"
