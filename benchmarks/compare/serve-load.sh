#!/usr/bin/env bash
# Load test of llm-serve: throughput and TTFT/latency percentiles at concurrency 1, 4, 16, 64.
# Usage: benchmarks/compare/serve-load.sh [--seconds 10] [--step-us 2000] [--max-tokens 64]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl benchmarks -am package >&2
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" dev.kiln.bench.ServeLoad "$@"
