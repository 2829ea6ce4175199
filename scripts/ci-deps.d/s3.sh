#!/usr/bin/env bash
# An S3-compatible server for the bucket tests (runtime/infra s3_live tests, test/infra/buckets-s3.test.mjs):
# moto's standalone server (`moto[server]` from PyPI) in a virtualenv under the user's cache folder, started on
# loopback by the tests themselves as `moto_server -H 127.0.0.1 -p <port>`.
# Idempotent and fast when present: pip runs only when the venv's moto_server is missing or not the pinned version.
# The tests find the server at $REPRISE_MOTO_SERVER, else at the path printed below.
set -euo pipefail
MOTO_VERSION="5.2.5"
VENV="${REPRISE_S3_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/reprise/moto-venv}"
BIN="$VENV/bin/moto_server"
if [ -x "$BIN" ] && [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null)" = "$MOTO_VERSION" ]; then
  echo "s3 deps: moto $MOTO_VERSION present ($BIN)"
  exit 0
fi
# Debian's python3 lacks ensurepip (so `python3 -m venv` fails) until python3-venv is installed.
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv
fi
mkdir -p "$(dirname "$VENV")"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
"$VENV/bin/moto_server" --help >/dev/null
echo "s3 deps: moto $MOTO_VERSION installed ($BIN)"
