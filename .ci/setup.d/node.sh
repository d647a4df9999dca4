#!/usr/bin/env bash
# llm-data's LanguageRecheckTest re-checks tree-sitter's verdicts with node (JavaScript) and python3.
set -euo pipefail
if ! command -v node >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs >/dev/null
fi
node --version
