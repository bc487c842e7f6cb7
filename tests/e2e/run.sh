#!/usr/bin/env bash
# Runs the browser end-to-end suite against a real minitok binary.
#   MINITOK_BIN   server binary (default: build/minitok, relative to the repo root)
#   CHROMIUM_BIN  browser (default: /usr/bin/chromium; Debian package "chromium")
# Screenshots land in build/e2e-screenshots/. Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! command -v node >/dev/null 2>&1; then
  echo "e2e: node (>= 20) is required" >&2
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
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --include=dev --no-audit --no-fund --prefer-offline
fi

exec node --test --test-concurrency=1 --test-reporter=spec specs/
