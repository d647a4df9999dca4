#!/usr/bin/env python3
"""Lines up a long-prompt round's worst gaps with the scheduler events recorded around them.

Input: the CSV that `ServeLoad --gaps-out` writes (policy, stream, token, epoch_ms; the long prompt's
request and answer as stream -1) and a trace from sched-trace.sh. For the N-th worst gap between two
tokens of a stream while all streams decode, prints what ran on each CPU during the gap (longest
stretches and totals per thread) and, for the threads the tokens pass through (the engine's, the
virtual threads' carriers, the clients'), how long each waited between its wake-up and getting a
CPU, and behind which thread.

Usage: python3 benchmarks/compare/sched_gaps.py --gaps GAPS.csv --trace PREFIX [--policy time]
                                                [--rank 0] [--pad-ms 10] [--min-ms 0.3]
"""
import argparse
import collections
import csv
import re
import signal
import sys

SWITCH = re.compile(
    r"\[(\d+)\].* (\d+\.\d+): sched_switch: prev_comm=(.*) prev_pid=(\d+) prev_prio=\d+ "
    r"prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+)"
)
WAKEUP = re.compile(r" (\d+\.\d+): sched_wakeup: comm=(.*) pid=(\d+) prio=\d+ target_cpu=(\d+)")
WATCHED = ("kiln", "ForkJoinPool", "long-prompt", "serve-load")


def fail(message):
    print(f"sched_gaps: {message}", file=sys.stderr)
    sys.exit(2)


def gaps(path, policy):
    streams = collections.defaultdict(list)
    try:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if row["policy"] == policy:
                    streams[int(row["stream"])].append(float(row["epoch_ms"]))
    except (OSError, KeyError, ValueError) as e:
        fail(f"cannot read {path} as a --gaps-out CSV: {e}")
    prompt = streams.pop(-1, None)
    if not streams:
        fail(f"{path} has no streams for policy {policy!r}")
    start = max(v[0] for v in streams.values())
    end = min(v[-1] for v in streams.values())
    out = []
    for s, times in streams.items():
        for a, b in zip(times, times[1:]):
            if a >= start and b <= end:
                out.append((b - a, a, b, s))
    if not out:
        fail(f"{path}: no gaps while all {len(streams)} streams decode (their tokens do not overlap in time)")
    out.sort(reverse=True)
    gap_values = sorted(g[0] for g in out)
    return out, gap_values[len(gap_values) // 2], start, prompt


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gaps", required=True)
    p.add_argument("--trace", required=True, help="the OUT_PREFIX given to sched-trace.sh")
    p.add_argument("--policy", default="time")
    p.add_argument("--rank", type=int, default=0, help="0 = the worst gap, 1 = the next, ...")
    p.add_argument("--pad-ms", type=float, default=10, help="also show this long before the gap")
    p.add_argument("--min-ms", type=float, default=0.3, help="shortest stretch on a CPU to list")
    args = p.parse_args()
    try:
        offset = float(open(args.trace + ".offset").read())
    except (OSError, ValueError) as e:
        fail(f"cannot read {args.trace}.offset: {e}")
    all_gaps, median, start, prompt = gaps(args.gaps, args.policy)
    if args.rank < 0 or args.pad_ms < 0 or args.min_ms < 0:
        fail(f"--rank, --pad-ms and --min-ms must be >= 0, got {args.rank}, {args.pad_ms}, {args.min_ms}")
    if args.rank >= len(all_gaps):
        fail(f"--rank {args.rank}: only {len(all_gaps)} gaps")
    gap, a_ms, b_ms, stream = all_gaps[args.rank]
    lo = (a_ms - offset - args.pad_ms) / 1000
    hi = (b_ms - offset + 3) / 1000
    t0 = (a_ms - offset) / 1000

    def rel(ts):
        return (ts - t0) * 1000

    where = ""
    if prompt:
        where = f"; the long prompt was sent at {prompt[0] - a_ms:+.0f} ms and answered at {prompt[1] - a_ms:+.0f} ms"
    print(f"gap {gap:.1f} ms ({gap / median:.1f}x the median {median:.1f} ms), stream {stream},"
          f" {a_ms - start:.0f} ms into the window{where}")
    print("times in ms from the gap's start (its end: %.2f)" % gap)
    running = {}
    stretches = collections.defaultdict(list)
    woken = {}
    waits = []
    try:
        trace = open(args.trace + ".trace")
    except OSError as e:
        fail(f"cannot read {args.trace}.trace: {e}")
    with trace:
        for line in trace:
            m = SWITCH.search(line)
            if m:
                cpu, ts = int(m.group(1)), float(m.group(2))
                if cpu in running:
                    name, pid, since = running[cpu]
                    if ts >= lo and since <= hi:
                        stretches[cpu].append((max(since, lo), min(ts, hi), name, m.group(5)))
                nxt, npid = m.group(6), m.group(7)
                running[cpu] = (nxt, npid, ts)
                if npid in woken:
                    wts, wcpu, behind = woken.pop(npid)
                    if lo <= wts <= hi:
                        waits.append((wts, nxt, npid, wcpu, cpu, ts - wts, behind))
                continue
            m = WAKEUP.search(line)
            if m:
                ts, name, pid, cpu = float(m.group(1)), m.group(2), m.group(3), int(m.group(4))
                if name.startswith(WATCHED):
                    current = running.get(cpu, ("?", "?", 0))[0]
                    woken[pid] = (ts, cpu, current)
    if not stretches:
        fail("the trace holds no events in the gap (did it record the same run, and the same clock?)")
    for cpu in sorted(stretches):
        total = collections.Counter()
        print(f"CPU {cpu}:")
        for s, e, name, state in stretches[cpu]:
            total[name] += e - s
            if (e - s) * 1000 >= args.min_ms and not name.startswith("swapper"):
                print(f"  {rel(s):8.2f} +{(e - s) * 1000:6.2f}  {name} (then {state})")
        shares = ", ".join(f"{k} {v * 1000:.1f}" for k, v in total.most_common(6))
        print(f"  ms per thread: {shares}")
    slow = sorted(waits, key=lambda w: -w[5])[:8]
    if slow:
        print("longest waits from wake-up to a CPU (watched threads):")
        for wts, name, pid, wcpu, cpu, wait, behind in slow:
            print(f"  {rel(wts):8.2f}  {name}-{pid} woken for CPU {wcpu} (running {behind}), ran on CPU {cpu}"
                  f" {wait * 1000:.2f} ms later")


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the output quietly
    main()
