#!/usr/bin/env bash
# Pass-through throughput of the llm-data engine: read the JDK's own src.zip (~213 MB of Java in
# ~15k files), decode, write JSONL, with 1 and 2 workers (no stages: read -> write only).
#
#   benchmarks/compare/data-passthrough.sh [SRC_ZIP] [FORMAT]
#
# Prints, per worker count, the wall time and input MB/s measured by the pipeline itself
# (manifest.json "run"), plus the wall time of the whole process (JVM start included).
# Runs each configuration twice and keeps the second run (warm page cache). Also prints the
# process's CPU time (user+sys): on a shared, loaded machine wall-clock MB/s mostly measures the
# contention, MB per CPU-second measures the engine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SRC="${1:-$JAVA_HOME/lib/src.zip}"
FORMAT="${2:-jsonl}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
"$ROOT/llm" --version >/dev/null   # builds the CLI if needed
echo "input: $SRC ($(du -m "$SRC" | cut -f1) MB compressed), format: $FORMAT, cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for w in 1 2; do
  for rep in 1 2; do
    start=$(date +%s.%N)
    TIMEFORMAT="%U %S"
    { time "$ROOT/llm" data run --input "$SRC" --output "$OUT/w$w" --stages none --format "$FORMAT" --workers "$w" \
      >/dev/null 2>"$OUT/log-$w" ; } 2>"$OUT/cpu-$w"
    end=$(date +%s.%N)
  done
  python3 - "$OUT/w$w/manifest.json" "$w" "$start" "$end" "$OUT/cpu-$w" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
cpu = sum(float(x) for x in open(sys.argv[5]).read().split())
run, c = m["run"], m["counts"]
print(f"workers={sys.argv[2]}: {c['input_documents']} docs, {c['input_bytes']/1e6:.1f} MB in {run['seconds']:.2f} s"
      f" -> {run['input_mb_per_second']:.1f} MB/s (process wall {float(sys.argv[4])-float(sys.argv[3]):.2f} s,"
      f" kept {c['documents']}, output {sum(s['bytes'] for s in m['shards'])/1e6:.1f} MB;"
      f" process CPU {cpu:.1f} s = {c['input_bytes']/1e6/cpu:.1f} MB per CPU-second, JVM start included)")
PY
done
