#!/usr/bin/env bash
# Times HumanEval execution of the 164 canonical solutions:
#   - Python with Kiln's sandbox vs a faithful minimal copy of the reference human-eval harness
#     (reference_humaneval.py: multiprocessing + in-process exec, no isolation). Bar: Kiln <= 1.5x.
#   - Java (HumanEval-X) with Kiln's warm compile workers + per-sample sandboxed JVM. Bar: <= 60 s.
# Usage: benchmarks/compare/humaneval-exec.sh [WORKERS] [python|java|all]
#   WORKERS defaults to 4 (the reference figure's setting) for Python; Java uses one per core.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORKERS="${1:-4}"
WHAT="${2:-all}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
./mvnw -q -pl llm-eval -am package -DskipTests -Dspotless.check.skip=true
CP_FILE="$(mktemp)"
# llm-eval's only dependency is llm-core: its classes plus llm-core's external libraries.
./mvnw -q -pl llm-core dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime >/dev/null
CP="llm-eval/target/classes:llm-core/target/classes:$(cat "$CP_FILE")"
rm -f "$CP_FILE"
PY="${PYTHON:-/usr/bin/python3}"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$WHAT" != java ]; then
  "$PY" benchmarks/compare/reference_humaneval.py llm-eval/src/main/resources/dev/kiln/eval/HumanEval.jsonl.gz "$WORKERS"
  "$JAVA_HOME/bin/java" -cp "$CP" benchmarks/compare/HumanEvalExec.java python "$WORKERS"
fi
if [ "$WHAT" != python ]; then
  "$JAVA_HOME/bin/java" -cp "$CP" benchmarks/compare/HumanEvalExec.java java "$(nproc)"
fi
