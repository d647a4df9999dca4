#!/usr/bin/env bash
# llm-serve's ServerApiTest parses /metrics with the Prometheus project's Python client
# (Debian's python3-prometheus-client), the reference reader of the text format.
set -euo pipefail
if /usr/bin/python3 -c "import prometheus_client.parser" >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-prometheus-client
