#!/usr/bin/env bash
# Debian's redis-server for the cache tests (a throwaway server on loopback, started by test/infra/fixtures/
# services.mjs). Idempotent: `apt-get update` runs only when it is missing.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "redis deps: redis-server present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends redis-server
