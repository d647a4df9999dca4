#!/usr/bin/env bash
# Kiln vs Hugging Face tokenizers, side by side on the JDK's own sources.
#
#   benchmarks/compare/tokenizer-train.sh            (from the repository root)
#
# 1. Training: java.base sources from $JAVA_HOME/lib/src.zip (~57 MB of Java), vocabulary 30,000,
#    code pre-tokenizer (single digits + GPT-2 byte-level regex), no special tokens, min frequency 1
#    -- the settings of HF's default BpeTrainer, which `Tokenizer.train(files)` of the `tokenizers`
#    npm package uses. Wall times side by side (bar: Kiln <= 0.5x HF).
# 2. Compression on held-out java.desktop sources: bytes per token of each trained tokenizer.
#    Note: HF's trainer reads files line by line, Kiln's whole files, so Kiln also learns tokens
#    that span a newline and the next line's indentation ("\n        "), which are frequent in code.
# 3. Encoding throughput on >= 50 MB of distinct code (java.desktop + java.xml + jdk.compiler, not
#    seen in training): Kiln's encoder vs DJL's binding of HF's Rust encoder, same tokenizer.json,
#    single-threaded and batched, plus Kiln's cache hit rate. Ids are checked to be identical.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
WORK=${WORK:-$(mktemp -d -t kiln-tok-compare-XXXX)}
echo "work dir: $WORK" >&2

if [ ! -f "$ROOT/benchmarks/target/benchmarks.jar" ]; then
  (cd "$ROOT" && ./mvnw -q -pl benchmarks -am package -DskipTests) >&2
fi
JAVA="$JAVA_HOME/bin/java -Xmx6g --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -cp $ROOT/benchmarks/target/benchmarks.jar"

mkdir -p "$WORK/src"
if [ ! -d "$WORK/src/java.base" ]; then
  (cd "$WORK/src" && unzip -q "$JAVA_HOME/lib/src.zip" 'java.base/*' 'java.desktop/*' 'java.xml/*' 'jdk.compiler/*')
fi

if [ ! -d "$WORK/npm/node_modules/tokenizers" ]; then
  mkdir -p "$WORK/npm"
  if ! (cd "$WORK/npm" && npm install --no-audit --no-fund tokenizers >&2); then
    echo "could not install the tokenizers npm package: HF side skipped" >&2
  fi
fi

echo "== training, java.base, vocab 30000 =="
echo "machine load: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
$JAVA dev.kiln.bench.TokenizerCompare train "$WORK/src/java.base" 30000 "$WORK/kiln.json" 2>/dev/null
if [ -d "$WORK/npm/node_modules/tokenizers" ]; then
  NODE_PATH="$WORK/npm/node_modules" node "$ROOT/benchmarks/compare/hf-train.js" \
    "$WORK/src/java.base" "$WORK/src/java.desktop" "$WORK/hf.json" 2>/dev/null | grep -E '^hf_'
  echo "== HF's tokenizer.json encoded by Kiln (must equal hf_tokens above) =="
  $JAVA dev.kiln.bench.TokenizerCompare count "$WORK/hf.json" "$WORK/src/java.desktop" 2>/dev/null
fi
echo "== compression, held-out java.desktop, Kiln's tokenizer =="
$JAVA dev.kiln.bench.TokenizerCompare count "$WORK/kiln.json" "$WORK/src/java.desktop" 2>/dev/null
echo "== the same, Kiln trained line by line as HF's trainer reads files (apples to apples) =="
$JAVA dev.kiln.bench.TokenizerCompare train-lines "$WORK/src/java.base" 30000 "$WORK/kiln-lines.json" 2>/dev/null
$JAVA dev.kiln.bench.TokenizerCompare count "$WORK/kiln-lines.json" "$WORK/src/java.desktop" 2>/dev/null

echo "== encoding throughput, Kiln vs DJL's HF binding (same tokenizer.json) =="
$JAVA dev.kiln.bench.TokenizerCompare encode "$WORK/kiln.json" \
  "$WORK/src/java.desktop" "$WORK/src/java.xml" "$WORK/src/jdk.compiler" 2>/dev/null
