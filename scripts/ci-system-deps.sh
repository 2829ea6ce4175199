#!/usr/bin/env bash
# System packages the tests need (Debian). Each area drops a script into scripts/ci-deps.d/; this runs them all.
# Idempotent: a package already installed is skipped quickly.
set -euo pipefail
cd "$(dirname "$0")"
for f in ci-deps.d/*.sh; do
  [ -e "$f" ] || continue
  echo "ci-deps: $f"
  bash "$f"
done
