#!/usr/bin/env bash
# Neovim for test/lsp/neovim.test.mjs (drives the language server from Neovim's built-in LSP client).
# Idempotent: does nothing when nvim is already on PATH; runs `apt-get update` only when the package is missing
# and no package list is present yet (or the first install attempt fails on stale lists).
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "neovim.sh: not root and no sudo; install the Debian package 'neovim' by hand" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends neovim; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends neovim
fi
command -v nvim >/dev/null
