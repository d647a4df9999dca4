#!/usr/bin/env bash
# Training step time: Kiln (DJL + libtorch 2.7.1, through dev.kiln.train.Trainer) side by side with
# the fixed PyTorch-eager reference ../shared/bench/torch_tiny_gpt.py (B=8, T=128, d=128, 4 heads,
# 2 layers, vocab 256, AdamW, clipping, 20 warm-up + 100 timed steps, 1 intra-op + 1 inter-op thread).
# Both sides also get OMP/MKL/OpenBLAS thread counts of 1 so neither oversubscribes a loaded machine.
# Debian's python3-torch uses the generic reference BLAS unless an optimized libblas.so.3 is
# installed (apt-get install libopenblas0-pthread): without it the PyTorch side is ~10x slower.
# Usage: benchmarks/compare/train-step.sh [STEPS]   (STEPS=1020 also shows memory flatness)
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export OPT_OUT_TRACKING=true OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
REF="${KILN_TORCH_REF:-}"
for c in "$REF" ../shared/bench/torch_tiny_gpt.py ../../shared/bench/torch_tiny_gpt.py /work/shared/bench/torch_tiny_gpt.py; do
  if [ -n "$c" ] && [ -f "$c" ]; then REF="$c"; break; fi
done
if [ ! -f benchmarks/target/benchmarks.jar ]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true
fi
echo "kiln:    $("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" dev.kiln.bench.TrainStepBench "${1:-120}" 2>/dev/null)"
if /usr/bin/python3 -c "import torch" 2>/dev/null && [ -f "$REF" ]; then
  # Wall time per step comes from the reference itself; on a shared machine CPU time is steadier:
  # the child's user+sys CPU minus that of importing torch, over its 140 steps (batch building included).
  /usr/bin/python3 - "$REF" <<'PY'
import resource, subprocess, sys
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
c0 = cpu()
subprocess.run([sys.executable, "-c", "import torch"], check=True)
c1 = cpu()
out = subprocess.run([sys.executable, sys.argv[1]], check=True, capture_output=True, text=True).stdout.strip()
c2 = cpu()
print("pytorch: %s {\"cpu_ms_per_step_approx\": %.2f}" % (out, ((c2 - c1) - (c1 - c0)) * 1000 / 140))
PY
else
  echo "pytorch: skipped (needs /usr/bin/python3 with python3-torch and torch_tiny_gpt.py)"
fi
