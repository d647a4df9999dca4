#!/usr/bin/env bash
# Single-stream greedy decode, Kiln vs llama.cpp, side by side in one run on the same model:
# a llama-preset model with random weights (default d_model 384, 6 layers, 6 heads / 2 kv heads,
# vocab 12,288: 14.2M parameters) exported by Kiln as an F32 GGUF (llama.cpp keeps an F32 KV cache,
# as Kiln does). Kiln decodes with GptLanguageModel (DJL + libtorch, KV cache); llama.cpp through node-llama-cpp 3.21.1's prebuilt
# CPU build (installed by .ci/setup.d/llama-cpp.sh). Both use THREADS threads (default 2), the same
# 16-token prompt and TOKENS generated tokens (default 128); tokens/s counts the steps after the
# first token (prefill excluded). One warm-up, then REPEATS timed runs each (default 5); medians and
# the ratio Kiln / llama.cpp are printed, per wall second and per process CPU second (the latter is
# steadier when other work shares the machine).
# Usage: benchmarks/compare/decode-vs-llamacpp.sh [THREADS] [TOKENS] [REPEATS] [D_MODEL LAYERS HEADS KV_HEADS VOCAB]
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
THREADS="${1:-2}"
TOKENS="${2:-128}"
REPEATS="${3:-5}"
D="${4:-384}"; LAYERS="${5:-6}"; HEADS="${6:-6}"; KV="${7:-2}"; VOCAB="${8:-12288}"
for v in "$THREADS" "$TOKENS" "$REPEATS" "$D" "$LAYERS" "$HEADS" "$KV" "$VOCAB"; do
  if ! [[ "$v" =~ ^[1-9][0-9]*$ ]]; then
    echo "decode-vs-llamacpp.sh: every argument must be a positive whole number, got '$v'" >&2
    exit 2
  fi
done
if [ "$TOKENS" -lt 8 ]; then
  echo "decode-vs-llamacpp.sh: TOKENS must be >= 8, got '$TOKENS'" >&2
  exit 2
fi
INSTALL="${KILN_LLAMA_CPP_DIR:-/opt/kiln-node/llama-cpp}"
if [ ! -f "$INSTALL/node_modules/node-llama-cpp/package.json" ]; then
  echo "decode-vs-llamacpp.sh: node-llama-cpp is not in $INSTALL; run .ci/setup.d/llama-cpp.sh" >&2
  exit 1
fi
if [ ! -f benchmarks/target/benchmarks.jar ]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true
fi
# Same thread budget on both sides: libtorch's OpenMP pool is sized by Devices.setThreads.
export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS=1
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$JAVA_HOME/bin/java" -Xmx2g --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" dev.kiln.bench.DecodeVsLlamaCpp \
  llm-train/src/test/resources/dev/kiln/train/gguf/llama-cpp-run.mjs "$INSTALL" "$WORK" \
  "$THREADS" "$D" "$LAYERS" "$HEADS" "$KV" "$VOCAB" "$TOKENS" "$REPEATS" 2>&1 | grep -v "WARN\|INFO"
