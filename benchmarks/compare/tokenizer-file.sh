#!/usr/bin/env bash
# Kiln vs Hugging Face (npm `tokenizers`) and SentencePiece (Debian `spm_train`) on ONE large text
# file, the most common way to train a tokenizer.
#
#   benchmarks/compare/tokenizer-file.sh            (from the repository root)
#
# java.base.txt: every java.base source of $JAVA_HOME/lib/src.zip concatenated (~52 MB);
# held.txt: 400 java.desktop sources (held out).
# 1. BPE training, vocab 30,000, code pre-tokenizer, no specials, min frequency 1 (HF's defaults),
#    both reading the file line by line: wall times side by side (bar: Kiln <= 0.2x HF).
# 2. Encoding: HF's trained tokenizer.json, encodeBatch over chunks of 200 lines of java.base.txt,
#    median tokens/s of 3 rounds each, ids compared by count and checksum (bar: Kiln >= 3x HF).
# 3. Unigram, vocab 32,000: Kiln vs spm_train --model_type=unigram (identity normalization, byte
#    fallback, no dummy prefix, whitespace kept), wall times, 2 alternating rounds; tokens on held.txt
#    line by line: SentencePiece's, Kiln's, and Hugging Face's library loading Kiln's file (same ids:
#    same checksum). Needs Debian's `sentencepiece` package (apt-get install sentencepiece);
#    skipped when spm_train is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
WORK=${WORK:-$(mktemp -d -t kiln-tokfile-XXXX)}
echo "work dir: $WORK" >&2
if [ ! -f "$ROOT/benchmarks/target/benchmarks.jar" ]; then
  (cd "$ROOT" && ./mvnw -q -pl benchmarks -am package -DskipTests) >&2
fi
JAVA="$JAVA_HOME/bin/java -Xmx10g --enable-native-access=ALL-UNNAMED -cp $ROOT/benchmarks/target/benchmarks.jar"
B=dev.kiln.bench.TokenizerFileCompare
if [ ! -f "$WORK/java.base.txt" ]; then
  (cd "$WORK" && unzip -q -o "$JAVA_HOME/lib/src.zip" 'java.base/*' 'java.desktop/*' \
    && find java.base -type f -name '*.java' | LC_ALL=C sort | xargs cat > java.base.txt \
    && find java.desktop -type f -name '*.java' | LC_ALL=C sort > desktop.list \
    && sed -n 1,400p desktop.list | xargs cat > held.txt)
fi
if [ ! -d "$WORK/npm/node_modules/tokenizers" ]; then
  mkdir -p "$WORK/npm" && (cd "$WORK/npm" && npm install --no-audit --no-fund tokenizers >&2)
fi
NODE="env NODE_PATH=$WORK/npm/node_modules node $ROOT/benchmarks/compare/hf-file.js"
echo "java.base.txt: $(stat -c %s "$WORK/java.base.txt") bytes; load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

echo "== 1. BPE training from one file, vocab 30000 (side by side, alternating) =="
for round in 1 2; do
  $JAVA $B train-bpe "$WORK/java.base.txt" 30000 "$WORK/kiln-bpe.json" 2>/dev/null
  $NODE train-bpe "$WORK/java.base.txt" 30000 "$WORK/hf-bpe.json" 2>/dev/null
done

echo "== 2. encoding java.base.txt with HF's tokenizer.json, encodeBatch =="
$NODE encode "$WORK/hf-bpe.json" "$WORK/java.base.txt" 3 2>/dev/null
$JAVA $B encode "$WORK/hf-bpe.json" "$WORK/java.base.txt" 3 2>/dev/null

if command -v spm_train >/dev/null 2>&1; then
  echo "== 3. Unigram training, vocab 32000: Kiln vs spm_train (2 alternating rounds) =="
  for round in 1 2; do
    echo "round $round: load $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -f "kiln_unigram_wall_seconds=%e max_rss_kb=%M" \
      $JAVA $B train-unigram "$WORK/java.base.txt" 32000 "$WORK/kiln-uni.json" 2>&1 | grep -E "^kiln|wall"
    /usr/bin/time -f "spm_wall_seconds=%e max_rss_kb=%M" spm_train --input="$WORK/java.base.txt" \
      --model_prefix="$WORK/spm" --vocab_size=32000 --model_type=unigram --byte_fallback=true \
      --character_coverage=0.9995 --normalization_rule_name=identity --remove_extra_whitespaces=false \
      --add_dummy_prefix=false --split_by_whitespace=true --max_sentence_length=100000 \
      --num_threads="$(nproc)" --minloglevel=1 2>&1 | grep -E "wall"
  done
  echo "spm_line_tokens=$(spm_encode --model="$WORK/spm.model" --output_format=id < "$WORK/held.txt" | wc -w)"
  $JAVA $B count-lines "$WORK/kiln-uni.json" "$WORK/held.txt" 2>/dev/null
  $NODE count-lines "$WORK/kiln-uni.json" "$WORK/held.txt" 2>/dev/null
else
  echo "== 3. skipped: spm_train not found (apt-get install sentencepiece) =="
fi
