#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running server: installs what is missing,
# builds (Release) and starts `minitok serve` (http://127.0.0.1:8080 unless told otherwise).
# Extra arguments go to `minitok serve`, e.g. scripts/serve.sh --listen 0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
exec build/minitok serve "$@"
