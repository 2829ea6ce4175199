#!/usr/bin/env bash
# vitest 4 for test/testing/vitest4.test.mjs (`reprise test` on an app whose vitest is 4.x). The repository's own
# devDependency is vitest 3 (its peer ranges conflict with a second major in one tree), so vitest 4 is installed from
# the npm registry into a folder of its own under the user's cache: `node_modules/vitest` there is what the test links
# into its app. Idempotent and fast when present.
set -euo pipefail
VITEST4_VERSION="4.1.12"
DIR="${REPRISE_VITEST4_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/reprise/vitest-$VITEST4_VERSION}"
PKG="$DIR/node_modules/vitest/package.json"
if [ -f "$PKG" ] && [ "$(node -p "require('$PKG').version" 2>/dev/null)" = "$VITEST4_VERSION" ]; then
  echo "vitest4 deps: vitest $VITEST4_VERSION present ($DIR)"
  exit 0
fi
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{ "private": true }' > "$DIR/package.json"
npm install --prefix "$DIR" --no-save --no-package-lock --no-audit --no-fund "vitest@$VITEST4_VERSION" >/dev/null
node -p "require('$PKG').version" >/dev/null
echo "vitest4 deps: vitest $VITEST4_VERSION installed ($DIR)"
