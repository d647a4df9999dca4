#!/usr/bin/env bash
# benchmarks' NearDedupQualityTest checks near-dedup on corpora it was not tuned on: the standard
# libraries of this machine's Python releases (Debian's python3 plus pyenv's, where present) and
# the JavaScript of Node.js's /usr/lib/node_modules.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! ls /usr/lib/python3.*/os.py >/dev/null 2>&1 || [ ! -d /usr/lib/node_modules/npm ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libpython3-stdlib npm >/dev/null
fi
ls -d /usr/lib/python3.*/ /usr/lib/node_modules/npm
