# Finds a JDK 25 or newer for Kiln's launchers (./mvnw, ./llm, .ci/run and the distribution's bin/llm).
# POSIX sh, meant to be sourced. kiln_find_jdk prints the first JDK 25+ among: $KILN_JDK, $JAVA_HOME,
# /usr/lib/jvm/*, /opt/java/*, SDKMAN's and IntelliJ's JDK folders; it returns 1 when there is none.

# The feature version of the JDK at $1 ("25"), from its release file (no JVM start), else from java itself.
kiln_java_major() {
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' "$1/release" | head -n 1
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
  fi
}

# $1 = "java" (a runtime is enough) or "javac" (Maven needs a full JDK).
kiln_find_jdk() {
  _kiln_need="${1:-javac}"
  _kiln_noglob=0
  case $- in *f*) _kiln_noglob=1; set +f ;; esac
  _kiln_found=""
  for _kiln_c in "${KILN_JDK:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/* \
      /opt/java/* "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/*; do
    [ -n "$_kiln_c" ] && [ -x "$_kiln_c/bin/java" ] && [ -x "$_kiln_c/bin/$_kiln_need" ] || continue
    _kiln_v="$(kiln_java_major "$_kiln_c")"
    if [ -n "$_kiln_v" ] && [ "$_kiln_v" -ge 25 ] 2>/dev/null; then
      _kiln_found="$_kiln_c"
      break
    fi
  done
  [ "$_kiln_noglob" = 1 ] && set -f
  [ -n "$_kiln_found" ] || return 1
  printf '%s\n' "$_kiln_found"
}

# Sets JAVA_HOME to a JDK 25+ (saying so on stderr when it replaces a JAVA_HOME that was set), or
# explains what to install and returns 1. $1 = the caller's name for messages, $2 = java|javac.
kiln_use_jdk() {
  if ! _kiln_jdk="$(kiln_find_jdk "${2:-javac}")"; then
    echo "$1: Kiln needs a JDK 25 or newer, and none was found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm, /opt/java, ~/.sdkman)." >&2
    echo "$1: install one (e.g. Temurin 25: apt-get install temurin-25-jdk, or https://adoptium.net), or set KILN_JDK to it." >&2
    return 1
  fi
  if [ -n "${JAVA_HOME:-}" ] && [ "$JAVA_HOME" != "$_kiln_jdk" ] && [ -z "${KILN_JDK:-}" ]; then
    echo "$1: JAVA_HOME=$JAVA_HOME is not a JDK 25+; using $_kiln_jdk" >&2
  fi
  JAVA_HOME="$_kiln_jdk"
  export JAVA_HOME
}

# The JVM flags of the data commands (`llm data ...`), one a line; the near-dedup benchmark
# (benchmarks/compare/neardup.sh) runs its JVM with the same flags. On Linux with transparent huge
# pages in `madvise` or `always` mode: -XX:+UseTransparentHugePages, so the Java heap is faulted in
# 2 MB at a time rather than 4 KB. A short data command touches tens of MB of fresh heap (each
# document's bytes and text, shingle sets), and on a virtual machine each 4 KB page fault is dear:
# near-dedup of an 11 MB corpus took 21,000 page faults without the flag and 9,000 with it, 17% less
# wall time in the library and 8% in `llm data dedupe` (benchmarks/README.md, "Near dedup
# start-up"). Elsewhere (another OS, huge pages off) nothing: the flag exists only on Linux.
kiln_data_jvm_flags() {
  if [ -r /sys/kernel/mm/transparent_hugepage/enabled ] \
      && grep -Eq '\[(madvise|always)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
    printf '%s\n' -XX:+UseTransparentHugePages
  fi
}
