#!/usr/bin/env bash
# HumanEval (Python) needs python3.
set -euo pipefail
if ! command -v python3 >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3 >/dev/null
fi
python3 --version
