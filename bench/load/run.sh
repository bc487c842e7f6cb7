#!/usr/bin/env bash
# HTTP load benchmark of minitok against nginx serving the same bytes, on loopback.
# One command: installs nginx and wrk when missing, seeds a fresh data folder in a temp dir,
# pins minitok and nginx to core 0 and wrk to core 1, runs every scenario (bounded in time),
# prints a table and writes bench/results/load.json. See bench/load/README.md.
#
#   bench/load/run.sh [--duration 10] [--connections 64] [--large] [--binary build/minitok] ...
#   bench/load/run.sh --help      all options (sizes also from LOAD_USERS, LOAD_VIDEOS, ...)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

# Debian packages this benchmark needs (the build's own, libsqlite3-dev included, come from
# scripts/setup.sh); apt-get update only when something is missing.
need=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v cc >/dev/null 2>&1 || need+=(gcc)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
[[ -f /usr/include/sqlite3.h ]] || need+=(libsqlite3-dev)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "load benchmark: installing ${need[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  # (on a systemd machine the package also starts the system nginx on port 80; the benchmark
  # never uses it: it runs its own nginx with its own config on a free loopback port)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
export PATH="$PATH:/usr/sbin:/sbin"

if [[ $(nproc) -lt 2 ]]; then
  echo "load benchmark: needs at least 2 CPU cores (server on core 0, wrk on core 1)" >&2
  exit 1
fi

exec python3 "$here/load.py" "$@"
