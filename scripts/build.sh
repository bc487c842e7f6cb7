#!/usr/bin/env bash
# Configures and builds one flavour of minitok: `release` (build/) or `asan` (build-asan/,
# AddressSanitizer + UndefinedBehaviorSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."

flavour="${1:-release}"
jobs="${MINITOK_JOBS:-2}"
case "$flavour" in
  release)
    dir=build
    flags=(-DCMAKE_BUILD_TYPE=Release)
    ;;
  asan)
    dir=build-asan
    flags=(-DCMAKE_BUILD_TYPE=Debug -DMINITOK_SANITIZE=ON "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g")
    ;;
  *)
    echo "usage: $0 [release|asan]" >&2
    exit 2
    ;;
esac

mkdir -p "$dir"
cmake -S . -B "$dir" -G Ninja "${flags[@]}" > "$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
cmake --build "$dir" -j "$jobs"
ln -sf app/minitok "$dir/minitok"
