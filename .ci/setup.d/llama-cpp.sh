#!/usr/bin/env bash
# llm-train's GGUF tests run the exported files in llama.cpp through the npm package node-llama-cpp,
# which ships prebuilt CPU binaries (no compiler, no download beyond the npm registry).
# Installs into KILN_LLAMA_CPP_DIR (default /opt/kiln-node/llama-cpp); the tests look there.
set -euo pipefail
VERSION=3.21.1
DIR="${KILN_LLAMA_CPP_DIR:-/opt/kiln-node/llama-cpp}"
if [ -f "$DIR/node_modules/node-llama-cpp/package.json" ] \
    && grep -q "\"version\": \"$VERSION\"" "$DIR/node_modules/node-llama-cpp/package.json"; then
  echo "node-llama-cpp $VERSION already in $DIR"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name":"kiln-llama-cpp","private":true}' > package.json
# --ignore-scripts: the postinstall step only offers to build from source; the prebuilt
# @node-llama-cpp/linux-x64 binaries come as an optional dependency.
npm install --no-audit --no-fund --ignore-scripts -E "node-llama-cpp@$VERSION"
node -e "import('$DIR/node_modules/node-llama-cpp/dist/index.js').then(m => m.getLlama({gpu: false, build: 'never', skipDownload: true, progressLogs: false})).then(l => { console.log('llama.cpp ' + l.llamaCppRelease.release + ' (' + l.buildType + ')'); return l.dispose(); })"
