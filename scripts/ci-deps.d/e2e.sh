#!/usr/bin/env bash
# System packages for the VS Code end-to-end test (test/e2e) and the webview tests:
#   chromium (the browser playwright-core drives), ripgrep (stands in for @vscode/ripgrep's GitHub download
#   when code-server is installed), libkrb5-dev + python3/make/g++ (code-server's native addons via node-gyp).
# Then code-server itself (test/e2e/install.sh, npm registry only, into .vscode-e2e/), so the e2e phase of
# `npm test` doesn't spend its time budget installing.
# Idempotent: `apt-get update` runs only when a package is missing; install.sh is a no-op once installed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
need=()
command -v chromium >/dev/null || need+=(chromium)
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
