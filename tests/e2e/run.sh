#!/usr/bin/env bash
# Runs the browser end-to-end suite against a real minitok binary.
#   MINITOK_BIN   server binary (default: build/minitok, relative to the repo root)
#   CHROMIUM_BIN  browser (default: /usr/bin/chromium; Debian package "chromium")
# Screenshots land in build/e2e-screenshots/. Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# Node >= 18: Debian 12's own nodejs (18.20) is enough. playwright-core is pinned to the
# newest release that still runs on it (package.json); newer ones need node 20.
min_node_major=18
if ! node_bin="$(command -v node)"; then
  echo "e2e: node (>= $min_node_major) is required (apt-get install -y nodejs npm)" >&2
  exit 1
fi
node_version="$(node -p 'process.versions.node' 2>/dev/null || true)"
echo "e2e: using node ${node_version:-of unknown version} at $node_bin"
if [[ ! "$node_version" =~ ^([0-9]+)\. ]] || (( BASH_REMATCH[1] < min_node_major )); then
  echo "e2e: node at $node_bin is ${node_version:-unusable}; the suite needs node >= $min_node_major" \
    "(put a newer node first in PATH)" >&2
  exit 1
fi
chromium_bin="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [[ ! -x "$chromium_bin" ]]; then
  echo "e2e: $chromium_bin not found (apt-get install -y chromium)" >&2
  exit 1
fi
if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "e2e: ffmpeg is required to generate the test video" >&2
  exit 1
fi

# Install the pinned playwright-core from package-lock.json. With node_modules
# already matching the lock file, skip the registry entirely (offline-safe).
installed_version="$(node -p "try { require('./node_modules/playwright-core/package.json').version } catch { '' }" 2>/dev/null || true)"
locked_version="$(node -p "require('./package-lock.json').packages['node_modules/playwright-core'].version")"
if [[ "$installed_version" != "$locked_version" ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "e2e: npm is required to install playwright-core $locked_version (apt-get install -y npm)" >&2
    exit 1
  fi
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --include=dev --no-audit --no-fund --prefer-offline
fi

exec node --test --test-concurrency=1 --test-reporter=spec specs/
