#!/usr/bin/env bash
# Debian packages for the VS Code end-to-end test (test/e2e) and the mermaid parse test:
#   chromium (the browser playwright-core drives), ripgrep (stands in for @vscode/ripgrep's GitHub download
#   when code-server is installed), libkrb5-dev + python3/make/g++ (code-server's native addons via node-gyp).
# Idempotent: `apt-get update` runs only when something is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
for t in python3 make g++; do command -v "$t" >/dev/null || need+=("$t"); done
[ ${#need[@]} -eq 0 ] && { echo "e2e deps: already installed"; exit 0; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
