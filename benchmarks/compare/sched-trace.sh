#!/usr/bin/env bash
# Records the kernel's scheduler events (which thread ran on which CPU, and which thread woke which)
# while a command runs, to explain a stall the command measured: e.g. the long-prompt scenario's worst
# gap between a stream's tokens, with `ServeLoad --gaps-out` (see sched_gaps.py).
# Usage: benchmarks/compare/sched-trace.sh OUT_PREFIX COMMAND [ARGS...]
# Writes OUT_PREFIX.trace (ftrace's sched_switch and sched_wakeup events, CLOCK_MONOTONIC seconds)
# and OUT_PREFIX.offset (wall-clock epoch ms minus CLOCK_MONOTONIC ms, to line the trace up with
# logs and CSVs in epoch ms). Needs root and tracefs (mounted here if it is not); the ring buffer
# (SCHED_TRACE_KB per CPU, default 120000) keeps the newest events if the command outlasts it.
# Example (the long-prompt round of session 13):
#   benchmarks/compare/sched-trace.sh /tmp/lp java … dev.kiln.bench.ServeLoad --model target/serve-model \
#       --scenarios long-prompt --long-prompt-policies time --gaps-out /tmp/lp.csv
#   python3 benchmarks/compare/sched_gaps.py --gaps /tmp/lp.csv --trace /tmp/lp
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 OUT_PREFIX COMMAND [ARGS...]" >&2
  exit 2
fi
OUT="$1"
shift
T=/sys/kernel/tracing
if [ ! -e "$T/trace" ]; then
  mount -t tracefs nodev "$T" 2>/dev/null || {
    echo "sched-trace: cannot mount tracefs at $T (needs root)" >&2
    exit 1
  }
fi
if [ ! -w "$T/tracing_on" ]; then
  echo "sched-trace: $T/tracing_on is not writable (needs root)" >&2
  exit 1
fi
if [ ! -d "$(dirname "$OUT")" ]; then
  echo "sched-trace: no such directory for OUT_PREFIX: $(dirname "$OUT")" >&2
  exit 2
fi
# The ring buffer and clock are put back afterwards (the buffer holds SCHED_TRACE_KB per CPU of
# kernel memory while it is this size).
OLD_KB="$(cat "$T/buffer_size_kb" | grep -o '[0-9]*' | head -1)"
OLD_CLOCK="$(grep -o '\[[a-z0-9-]*\]' "$T/trace_clock" | tr -d '[]')"
stop() {
  echo 0 > "$T/tracing_on"
  echo 0 > "$T/events/sched/sched_switch/enable"
  echo 0 > "$T/events/sched/sched_wakeup/enable"
}
restore() {
  stop
  echo > "$T/trace"
  [ -n "$OLD_KB" ] && echo "$OLD_KB" > "$T/buffer_size_kb"
  [ -n "$OLD_CLOCK" ] && echo "$OLD_CLOCK" > "$T/trace_clock"
  return 0
}
trap restore EXIT
echo 0 > "$T/tracing_on"
echo mono > "$T/trace_clock"
echo "${SCHED_TRACE_KB:-120000}" > "$T/buffer_size_kb"
echo > "$T/trace"
echo 1 > "$T/events/sched/sched_switch/enable"
echo 1 > "$T/events/sched/sched_wakeup/enable"
python3 -c 'import time; print(time.time() * 1000 - time.clock_gettime(time.CLOCK_MONOTONIC) * 1000)' > "$OUT.offset"
echo 1 > "$T/tracing_on"
rc=0
"$@" || rc=$?
stop
cat "$T/trace" > "$OUT.trace"
echo "sched-trace: $(grep -c sched_switch "$OUT.trace") context switches in $OUT.trace" >&2
exit $rc
