#!/usr/bin/env bash
# Debian's Chromium for the web app's end-to-end tests (Playwright drives it; it never downloads
# a browser of its own). Needs root or sudo for apt-get.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "==> installing Debian's chromium for the browser tests"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
