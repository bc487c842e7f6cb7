#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to the whole test suite: installs what is missing,
# builds (Release) and runs the unit and black-box tests, the black-box tests again against the split
# topology (every service its own process, over gRPC) and the browser end-to-end suite, then
# builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit and black-box tests
# again under them, then fuzzes every parser for a bounded time (MINITOK_FUZZ_SECONDS, default 30
# each).
set -euo pipefail
cd "$(dirname "$0")/.."
MINITOK_WITH_BROWSER=1 MINITOK_WITH_FUZZ=1 scripts/setup.sh

jobs="${MINITOK_JOBS:-2}"


echo "== release build"
scripts/build.sh release
echo "== release: unit and black-box tests"
(cd build && ctest -j "$jobs" --output-on-failure --timeout 600)
echo "== release: the black-box suite again against the split topology (a process per service, gRPC)"
MINITOK_TOPOLOGY=split MINITOK_BIN="$PWD/build/minitok" python3 tests/blackbox/run_all.py -j "$jobs"

if [[ -x tests/e2e/run.sh ]]; then
  echo "== browser end-to-end tests"
  MINITOK_BIN="$PWD/build/minitok" tests/e2e/run.sh
fi

echo "== sanitizer build (ASan + UBSan)"
scripts/build.sh asan
echo "== sanitizers: unit and black-box tests"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd build-asan && ctest -j "$jobs" --output-on-failure --timeout 900)

echo "== fuzzing: every parser, ${MINITOK_FUZZ_SECONDS:-30} s each (clang, libFuzzer, ASan + UBSan)"
scripts/fuzz.sh "${MINITOK_FUZZ_SECONDS:-30}"
