#!/usr/bin/env bash
# What the VS Code end-to-end test (test/e2e) needs: chromium (chromium.sh), and the Debian packages code-server's
# install needs: ripgrep (stands in for @vscode/ripgrep's GitHub download), libkrb5-dev + python3/make/g++
# (code-server's native addons via node-gyp). Then code-server itself (test/e2e/install.sh, npm registry only,
# into .vscode-e2e/). scripts/test.mjs runs this before the e2e phase when code-server is missing.
# Idempotent: `apt-get update` runs only when a package is missing; install.sh is a no-op once installed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
bash "$HERE/chromium.sh" >/dev/null
need=()
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
for t in python3 make g++; do command -v "$t" >/dev/null || need+=("$t"); done
if [ ${#need[@]} -eq 0 ]; then
  echo "e2e deps: Debian packages already installed"
else
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi
# install.sh calls this script for the Debian part; the guard stops the loop.
if [ -z "${REPRISE_E2E_INSTALLING:-}" ] && [ -f "$HERE/../../test/e2e/install.sh" ]; then
  REPRISE_E2E_INSTALLING=1 bash "$HERE/../../test/e2e/install.sh"
fi
