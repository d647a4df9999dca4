#!/usr/bin/env bash
# Training step time: Kiln (DJL + libtorch 2.7.1, through dev.kiln.train.Trainer) side by side with
# the fixed PyTorch-eager reference ../shared/bench/torch_tiny_gpt.py (B=8, T=128, d=128, 4 heads,
# 2 layers, vocab 256, AdamW, clipping, 20 warm-up + 100 timed steps, 1 intra-op + 1 inter-op thread).
# Both sides also get OMP/MKL/OpenBLAS thread counts of 1 so neither oversubscribes a loaded machine.
# The two sides alternate for ROUNDS rounds (default 3); each side's figure is the median over its
# rounds of the per-run median, and the ratio is Kiln / PyTorch of those medians.
# Debian's python3-torch uses the generic reference BLAS unless an optimized libblas.so.3 is
# installed (apt-get install libopenblas0-pthread): without it the PyTorch side is ~10x slower.
# The Kiln JVM runs with a fixed, pre-touched 256 MB heap so that its resident size shows native
# memory (a growing Java heap would otherwise dominate it).
# Usage: benchmarks/compare/train-step.sh [STEPS] [ROUNDS] [ARCH] [TrainStepBench option...]  (e.g. 1520 1 for
# memory flatness; options such as --d-model 256 --mfu or --grad-accum 4 go to the Kiln side only; the
# JVM's C2 compiler adds a one-time ~35 MB around step 1,000: -XX:TieredStopAtLevel=1 removes it).
# ARCH gpt2 (default) compares with ../shared/bench/torch_tiny_gpt.py; ARCH llama compares the llama
# preset (RoPE, RMSNorm, SwiGLU, 2 kv heads) with benchmarks/compare/torch_tiny_llama.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export OPT_OUT_TRACKING=true OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
STEPS="${1:-120}"
ROUNDS="${2:-3}"
ARCH="${3:-gpt2}"
if [ "$ARCH" != gpt2 ] && [ "$ARCH" != llama ]; then
  echo "train-step.sh: ARCH must be gpt2 or llama, got '$ARCH'" >&2
  exit 2
fi
MIN_STEPS=40
if [[ " ${*:4} " == *" --grad-accum"* ]]; then MIN_STEPS=10; fi
if ! [[ "$STEPS" =~ ^[0-9]+$ ]] || [ "$STEPS" -lt "$MIN_STEPS" ]; then
  echo "train-step.sh: STEPS must be a whole number >= $MIN_STEPS (20 warm-up steps, then blocks of 20; 10 with --grad-accum), got '$STEPS'" >&2
  exit 2
fi
if ! [[ "$ROUNDS" =~ ^[0-9]+$ ]] || [ "$ROUNDS" -lt 1 ]; then
  echo "train-step.sh: ROUNDS must be a whole number >= 1, got '$ROUNDS'" >&2
  exit 2
fi
REF="${KILN_TORCH_REF:-}"
if [ "$ARCH" = llama ]; then
  REF="${KILN_TORCH_REF:-benchmarks/compare/torch_tiny_llama.py}"
else
  for c in "$REF" ../shared/bench/torch_tiny_gpt.py ../../shared/bench/torch_tiny_gpt.py /work/shared/bench/torch_tiny_gpt.py; do
    if [ -n "$c" ] && [ -f "$c" ]; then REF="$c"; break; fi
  done
fi
if [ ! -f benchmarks/target/benchmarks.jar ]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true
fi
HAVE_TORCH=0
if /usr/bin/python3 -c "import torch" 2>/dev/null && [ -f "$REF" ]; then HAVE_TORCH=1; fi
kiln=()
torch=()
for ((i = 1; i <= ROUNDS; i++)); do
  out="$("$JAVA_HOME/bin/java" -Xms256m -Xmx256m -XX:+AlwaysPreTouch ${KILN_JAVA_OPTS:-} \
    --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" dev.kiln.bench.TrainStepBench --steps "$STEPS" --arch "$ARCH" "${@:4}" 2>/dev/null)"
  echo "round $i kiln:    $(echo "$out" | tr '\n' ' ')"
  kiln+=("$(echo "$out" | sed -n 's/.*"ms_per_step": \([0-9.]*\).*/\1/p')")
  if [ "$HAVE_TORCH" = 1 ]; then
    out="$(/usr/bin/python3 "$REF")"
    echo "round $i pytorch: $out"
    torch+=("$(echo "$out" | sed -n 's/.*"ms_per_step": \([0-9.]*\).*/\1/p')")
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
k="$(median "${kiln[@]}")"
if [ "$HAVE_TORCH" = 1 ]; then
  t="$(median "${torch[@]}")"
  echo "median over $ROUNDS rounds: kiln $k ms/step, pytorch $t ms/step, ratio $(awk -v k="$k" -v t="$t" 'BEGIN {printf "%.3f", k / t}')"
else
  echo "median over $ROUNDS rounds: kiln $k ms/step; pytorch skipped (needs /usr/bin/python3 with python3-torch and torch_tiny_gpt.py)"
fi
