#!/usr/bin/env bash
# Kiln's decoding engine vs llama.cpp on the same real Kiln checkpoint, side by side in one run:
# the model directory (default: the serving benchmark's trained model, target/serve-model, written
# by dev.kiln.bench.ServeModel when missing) is exported as an F32 GGUF (as `llm export --format gguf
# --dtype f32` does), and both decode greedily from the same token ids with THREADS threads (default
# 2): one sequence alone, then SEQUENCES sequences (default 16) batched — Kiln's paged-KV batched
# step against node-llama-cpp 3.21.1's multi-sequence context (installed by
# .ci/setup.d/llama-cpp.sh). Rounds alternate the four runs (one warm-up round, then REPEATS,
# default 3); medians are printed. Tokens/s count the tokens after each sequence's first. Before the
# rounds Kiln decodes for WARMUP seconds (default 5) so that its JIT has compiled the step, as in a
# server that has been up a while (llama.cpp is native); 0 gives a freshly started JVM's figures.
# Usage: benchmarks/compare/serve-vs-llamacpp.sh [MODEL_DIR] [THREADS] [TOKENS] [REPEATS] [SEQUENCES] [WARMUP]
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
MODEL="${1:-target/serve-model}"
THREADS="${2:-2}"
TOKENS="${3:-128}"
REPEATS="${4:-3}"
SEQUENCES="${5:-16}"
WARMUP="${6:-5}"
if ! [[ "$WARMUP" =~ ^[0-9]+$ ]]; then
  echo "serve-vs-llamacpp.sh: WARMUP must be a whole number of seconds, got '$WARMUP'" >&2
  exit 2
fi
for v in "$THREADS" "$TOKENS" "$REPEATS" "$SEQUENCES"; do
  if ! [[ "$v" =~ ^[1-9][0-9]*$ ]]; then
    echo "serve-vs-llamacpp.sh: THREADS, TOKENS, REPEATS and SEQUENCES must be positive whole numbers, got '$v'" >&2
    exit 2
  fi
done
INSTALL="${KILN_LLAMA_CPP_DIR:-/opt/kiln-node/llama-cpp}"
if [ ! -f "$INSTALL/node_modules/node-llama-cpp/package.json" ]; then
  echo "serve-vs-llamacpp.sh: node-llama-cpp is not in $INSTALL; run .ci/setup.d/llama-cpp.sh" >&2
  exit 1
fi
if [ ! -f benchmarks/target/benchmarks.jar ]; then
  ./mvnw -q -B -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true >&2
fi
CP="benchmarks/target/benchmarks.jar:benchmarks/target/lib/*"
JAVA=("$JAVA_HOME/bin/java" -Xmx4g --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP")
if [ "$MODEL" = target/serve-model ] && [ ! -f target/serve-model/config.json ]; then
  "${JAVA[@]}" dev.kiln.bench.ServeModel target/serve-model
fi
if [ ! -f "$MODEL/config.json" ]; then
  echo "serve-vs-llamacpp.sh: $MODEL is not a Kiln model directory (no config.json)" >&2
  exit 1
fi
export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS=1
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"${JAVA[@]}" dev.kiln.bench.ServeVsLlamaCpp benchmarks/compare/llamacpp-batch.mjs "$INSTALL" "$WORK" "$MODEL" \
  "$THREADS" "$TOKENS" "$REPEATS" "$SEQUENCES" "$WARMUP" 2>&1 | grep -v "WARN\|INFO"
