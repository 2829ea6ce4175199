#!/usr/bin/env bash
# Debian's chromium: the headless browser playwright-core drives in the webview tests (webviews/test), the trace
# viewer test (test/trace/viewer-browser.test.mjs) and the VS Code end-to-end test (test/e2e).
# Idempotent: does nothing when /usr/bin/chromium exists; `apt-get update` runs only when it is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium present"
  exit 0
fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
command -v chromium >/dev/null
