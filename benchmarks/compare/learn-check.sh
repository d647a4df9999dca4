#!/usr/bin/env bash
# Learning check: byte-level GPT (d=128, 4 heads, 3 layers, T=128, B=16) on ~3 MB of java.util sources
# from the JDK's src.zip; prints validation loss vs the unigram entropy of the validation tokens
# (bar: ratio <= 0.7) and a greedy sample.
# Usage: benchmarks/compare/learn-check.sh [--steps 600] [--d-model 128] [--layers 3] [--seq-len 128] [--batch 16]
# (LearnCheck's options; --help lists them)
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export OPT_OUT_TRACKING=true
if [ ! -f benchmarks/target/benchmarks.jar ]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true
fi
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
  -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" dev.kiln.bench.LearnCheck "$@"
