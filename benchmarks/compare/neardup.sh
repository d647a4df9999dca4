#!/usr/bin/env bash
# Near-dedup quality and end-to-end speed against exact ground truth (exact Jaccard of word-5-gram
# shingle sets >= 0.7, connected components, all but the first removed), on three corpora:
#   jdk     3,500 Java files of the JDK's src.zip + 3,500 graded mutated copies (~95 MB): the
#           corpus the defaults were tuned on
#   python  2-3 releases of ~700 standard-library modules of the Pythons on this machine (pyenv's
#           2.7 and 3.6-3.13, Debian's /usr/lib/python3.*): real edits, not tuned on
#   npm     JavaScript of /usr/lib/node_modules + copies under another edit model: not tuned on
# and, side by side, the reference: datasketch's MinHash + MinHashLSH with BigCode's settings
# (compare/neardup_datasketch.py). datasketch is not on this machine's registries (no PyPI, no
# Debian package): point DATASKETCH_SRC at a checkout of its source (ekzhu/datasketch, pure
# Python; numpy and scipy are needed). Without it only Kiln runs.
#
#   benchmarks/compare/neardup.sh [--runs 3] [--verify exact|estimate] [--bands 25x10]
#   KILN_NEARDUP_CORPORA="jdk npm" DATASKETCH_SRC=/tmp/datasketch-src benchmarks/compare/neardup.sh
#
# Each timed run is a fresh process (Kiln: DedupRunner JVM; reference: python3): wall time
# includes start-up, reading every file, signatures, clustering and writing the removed ids.
# Also: 1M small docs with -Xmx256m (KILN_SCALE=1).
#
# Start-up: on the 12-29 MB corpora most of Kiln's time is the JVM's start, class loading and JIT.
#   KILN_NEARDUP_AOT=1        first records an AOT cache (JDK 25, JEP 483/514/515: classes loaded and
#                             linked, method profiles) from a training run on a small corpus that is
#                             not timed (300 + 300 JDK files, seed 2), then times Kiln with it
#   KILN_NEARDUP_JVM_OPTS=... more options of the Kiln JVM, e.g. -XX:TieredStopAtLevel=1 (C1 only:
#                             faster on small inputs, slower on the 95 MB JDK corpus)
# The Kiln JVM always gets the options the `llm` launcher gives data commands (kiln_data_jvm_flags in
# .mvn/find-jdk.sh: -XX:+UseTransparentHugePages on Linux with huge pages in madvise/always mode),
# also in the AOT training run; the line "Kiln's JVM options" on stderr says which.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$ROOT"
# KILN_NEARDUP_SKIP_BUILD=1: use the benchmarks jar already built
[ "${KILN_NEARDUP_SKIP_BUILD:-0}" = 1 ] || ./mvnw -q -B -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true
BASE="${KILN_NEARDUP_DIR:-/tmp/kiln-neardup}"
REF=()
if [ -n "${DATASKETCH_SRC:-}" ]; then
  REF=(--reference "PYTHONPATH=$DATASKETCH_SRC python3 $ROOT/benchmarks/compare/neardup_datasketch.py")
fi
# the Kiln JVM runs with the flags `llm data ...` gets (kiln_data_jvm_flags: transparent huge pages
# on Linux), then KILN_NEARDUP_JVM_OPTS
. "$ROOT/.mvn/find-jdk.sh"
JVM_OPTS="$(kiln_data_jvm_flags | tr '\n' ' ')${KILN_NEARDUP_JVM_OPTS:-}"
echo "neardup.sh: Kiln's JVM options: ${JVM_OPTS:-(none)}" >&2
if [ "${KILN_NEARDUP_AOT:-0}" = 1 ]; then
  # the cache belongs to this class path and these options: recorded afresh each time
  "$JAVA_HOME/bin/java" -cp benchmarks/target/benchmarks.jar dev.kiln.bench.dedup.DedupQuality \
    --dir "$BASE-aot-train" --corpus jdk --originals 300 --copies 300 --seed 2 --runs 1 >/dev/null
  rm -f "$BASE-kiln.aot"
  # shellcheck disable=SC2086 # JVM_OPTS is a list of options
  "$JAVA_HOME/bin/java" $JVM_OPTS -XX:AOTCacheOutput="$BASE-kiln.aot" -cp benchmarks/target/benchmarks.jar \
    dev.kiln.bench.dedup.DedupRunner "$BASE-aot-train" "$BASE-aot-train/removed.txt" >/dev/null 2>&1
  JVM_OPTS="$JVM_OPTS -XX:AOTCache=$BASE-kiln.aot"
fi
JOPTS=()
if [ -n "${JVM_OPTS// /}" ]; then JOPTS=(--jvm-opts "$JVM_OPTS"); fi
for corpus in ${KILN_NEARDUP_CORPORA:-jdk python npm}; do
  case "$corpus" in
    jdk) size=(--originals 3500 --copies 3500) ;;
    python) size=(--originals 1200) ;;
    npm) size=(--originals 1000 --copies 1000) ;;
    *) echo "unknown corpus '$corpus'; use jdk, python or npm" >&2; exit 2 ;;
  esac
  "$JAVA_HOME/bin/java" -cp benchmarks/target/benchmarks.jar dev.kiln.bench.dedup.DedupQuality \
    --dir "$BASE-$corpus" --corpus "$corpus" "${size[@]}" --seed 1 ${REF[@]+"${REF[@]}"} ${JOPTS[@]+"${JOPTS[@]}"} "$@"
done
if [ "${KILN_SCALE:-0}" = 1 ]; then
  "$JAVA_HOME/bin/java" -Xmx256m -cp benchmarks/target/benchmarks.jar dev.kiln.bench.dedup.DedupScale --docs 1000000
fi
