#!/usr/bin/env bash
# Debian packages the infrastructure tests need: PostgreSQL 15 (initdb/pg_ctl for a throwaway server on loopback)
# and nats-server (JetStream). Idempotent: `apt-get update` runs only when something is missing.
set -euo pipefail
missing=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
if [ ${#missing[@]} -eq 0 ]; then
  echo "infra deps: postgresql and nats-server present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
