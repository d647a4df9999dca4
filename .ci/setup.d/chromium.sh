#!/usr/bin/env bash
# Browser tests (site rendering, serve playground) need Debian's chromium.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version 2>/dev/null || true
