#!/usr/bin/env bash
# llm-train's HF-export test runs a plain PyTorch GPT-2 forward with Debian's python3-torch.
set -euo pipefail
if /usr/bin/python3 -c "import torch" >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch
