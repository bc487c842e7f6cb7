#!/usr/bin/env bash
# Installs what minitok needs to build, run and test on Debian 12, when it is missing.
# Safe to run again: it installs nothing when everything is there.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libssl-dev libsodium-dev libhiredis-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev
  ffmpeg python3 curl
  redis-server etcd-server etcd-client
  # scripts/cluster.sh's front and the check of deploy/docker-compose.yml (no container engine)
  nginx docker-compose
)
if [[ "${MINITOK_WITH_BROWSER:-0}" == "1" ]]; then
  packages+=(chromium)
fi
# The fuzz targets (scripts/fuzz.sh): clang with its libFuzzer and sanitizer runtimes.
if [[ "${MINITOK_WITH_FUZZ:-0}" == "1" ]]; then
  packages+=(clang libclang-rt-14-dev libfuzzer-14-dev)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
# Node.js may come from another Debian-format source (with npm inside its nodejs package), so
# the browser tests ask for the commands, not for Debian's package names.
if [[ "${MINITOK_WITH_BROWSER:-0}" == "1" ]]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "minitok setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
