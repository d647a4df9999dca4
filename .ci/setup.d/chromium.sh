#!/usr/bin/env bash
# llm-serve's playground test drives headless Chromium over the DevTools protocol.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version 2>/dev/null || true
