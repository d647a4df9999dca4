#!/usr/bin/env bash
# Load test of llm-serve on a real model: throughput and TTFT/ITL percentiles at concurrency 1, 4, 16, 64;
# a typing replay with and without the prefix cache; a long prompt arriving while 8 streams decode.
# Usage: benchmarks/compare/serve-load.sh [--model DIR] [--scenarios load,typing,long-prompt] [--seconds 10]
#          [--concurrency 1,4,16,64] [--load-rounds 3] [--max-tokens 64] [--prefill-chunk 512] [--prefill-slowdown 2]
#          [--long-prompt-chunk 64] [--long-prompt-warmups 3] [--threads N (default: cores - 1, as `kiln serve`)]
#          [--helper-threads N (default: 1 when --threads leave a core, as `llm serve`)]
#          [--long-prompt-policies time,lane,fixed,whole,none] [--gaps-out FILE] [--prefill-lane on|off]
# --load-rounds N runs the load levels' windows N times, the order reversed every other round (1 16, 16 1, ...),
# and prints each round's ratio to the first level from its own windows and their median: the host's drift
# over a run then falls on both sides of a ratio (--load-rounds 1: each level once, in the order given).
# The long-prompt scenario compares the time budget (--prefill-slowdown, within --prefill-chunk), the
# time budget with the prefill lane (`lane`: the prompt computed beside the steps, `llm serve --prefill-lane`),
# a fixed --long-prompt-chunk per step, and whole-prompt prefill (--long-prompt-policies picks some, run
# in the order given; `none` is the control: the same streams and no long prompt, the machine's floor);
# it counts the gaps while all 8 streams decode, and --gaps-out writes every token's arrival (CSV,
# epoch ms) to line up with the scheduler's step log
# (-Dorg.slf4j.simpleLogger.log.dev.kiln.serve.engine.Scheduler=trace); each policy's line on stderr also
# gives the server's own account of the measured round from /metrics (kiln_token_delivery_seconds: a token's
# step to its flushed chunk; kiln_inter_token_latency_seconds). Each policy's server first runs
# the scenario --long-prompt-warmups times unmeasured (printed as "cold"; 0 measures the first round).
# Without --model, the benchmark model (ServeModel: Llama-style d=256, 4 layers, BPE 8k, trained
# briefly on Kiln's own sources) is written to target/serve-model once and used.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl benchmarks -am package >&2
CP="benchmarks/target/benchmarks.jar:benchmarks/target/lib/*"
# The heap flags of `llm serve` (see the llm launcher): the server runs in this JVM.
JAVA=("$JAVA_HOME/bin/java" -XX:InitialRAMPercentage=4 -XX:MaxHeapFreeRatio=100 -XX:+AlwaysPreTouch -XX:MaxGCPauseMillis=10 --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP")
if [[ " $* " != *" --model "* && " $* " != *" --help "* ]]; then
  if [[ ! -f target/serve-model/config.json ]]; then
    "${JAVA[@]}" dev.kiln.bench.ServeModel target/serve-model
  fi
  set -- --model target/serve-model "$@"
fi
exec "${JAVA[@]}" dev.kiln.bench.ServeLoad "$@"
