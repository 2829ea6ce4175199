#!/usr/bin/env bash
# The runtime's tests need only what npm install already needs: Node and a Rust toolchain (cargo) to build the
# addon. wrk is for `npm run bench:http` only and is installed by the bench itself.
set -euo pipefail
if ! command -v cargo >/dev/null 2>&1; then
  echo "runtime: cargo is missing; install Rust (https://rustup.rs) so npm install can build the native runtime" >&2
  exit 1
fi
