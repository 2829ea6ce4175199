#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, with no download outside the npm registry and Debian's archive:
#   - Debian: chromium, ripgrep, libkrb5-dev, python3/make/g++ (scripts/ci-deps.d/e2e.sh)
#   - npm: code-server 4.100.3 (VS Code 1.100.3 server + web workbench) into $VSCODE_E2E_HOME (default .vscode-e2e/)
# Idempotent: with code-server already installed it does nothing.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3      # newest code-server whose engines accept Node 20 (4.103+ want Node 22)
RIPGREP_NPM_VERSION=1.15.11      # @vscode/ripgrep, pinned by code-server's lib/vscode/npm-shrinkwrap.json
RIPGREP_TAG=v13.0.0-10           # VERSION in @vscode/ripgrep/lib/postinstall.js

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="${VSCODE_E2E_HOME:-$REPO/.vscode-e2e}"
CS="$DEST/node_modules/.bin/code-server"
# Written only after the whole install (including code-server's own postinstall) succeeded and was checked.
MARKER="$DEST/.installed-code-server-$CODE_SERVER_VERSION"

if [ -f "$MARKER" ] && [ -x "$CS" ]; then
  echo "code-server $CODE_SERVER_VERSION already in $DEST"
  exit 0
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || { echo "code-server@$CODE_SERVER_VERSION needs Node 20, found $(node --version)" >&2; exit 1; }

REPRISE_E2E_INSTALLING=1 bash "$REPO/scripts/ci-deps.d/e2e.sh"

# @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache holds the tarball: seed it with Debian's rg.
mkdir -p "$DEST/tmp"
export TMPDIR="$DEST/tmp"
case "$(node -p process.arch)" in
  x64) target=x86_64-unknown-linux-musl ;;
  arm64) target=aarch64-unknown-linux-musl ;;
  *) echo "unsupported arch $(node -p process.arch)" >&2; exit 1 ;;
esac
cache="$TMPDIR/vscode-ripgrep-cache-$RIPGREP_NPM_VERSION"
mkdir -p "$cache"
tar czf "$cache/ripgrep-$RIPGREP_TAG-$target.tar.gz" -C "$(dirname "$(command -v rg)")" rg

# node-gyp would fetch Node headers from nodejs.org without a local nodedir.
if [ -z "${npm_config_nodedir:-}" ] && ! npm config get nodedir 2>/dev/null | grep -q '^/' && [ -f /usr/include/node/common.gypi ]; then
  export npm_config_nodedir=/usr
fi

cd "$DEST"
cat > package.json <<JSON
{
  "name": "reprise-vscode-e2e-tools",
  "private": true,
  "allowScripts": { "code-server@$CODE_SERVER_VERSION": true, "argon2@0.31.2": true }
}
JSON
# npm_config_unsafe_perm: code-server's postinstall refuses root without it; npm_config_yes: node-pty runs `npx node-gyp`.
npm_config_yes=true npm_config_unsafe_perm=true \
  npm install --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION"

test -x "$DEST/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
test -f "$DEST/node_modules/code-server/lib/vscode/node_modules/node-pty/build/Release/pty.node"
XDG_CONFIG_HOME="$DEST/tmp" XDG_DATA_HOME="$DEST/tmp" "$CS" --version
touch "$MARKER"
