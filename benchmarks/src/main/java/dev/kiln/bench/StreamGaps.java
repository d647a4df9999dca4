package dev.kiln.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The inter-token gaps of streams that decode side by side, counted only while all of them
 * decode: from the last stream's first token to the first stream's last token. Gaps outside that
 * window belong to the streams' own arrival (their prompts prefilled one after another while the
 * others already decode) or to a batch that is emptying, not to a long prompt arriving while they
 * all decode, which is what the long-prompt scenario measures.
 *
 * @param median the median gap in the window, in ms
 * @param worst the largest gap in the window, in ms
 * @param worstStream the stream of the largest gap
 * @param worstEndNanos when the largest gap ended (its token's arrival, {@link System#nanoTime()})
 * @param count gaps in the window
 * @param windowStartNanos the last stream's first token
 * @param windowEndNanos the first stream's last token
 */
record StreamGaps(
        double median,
        double worst,
        int worstStream,
        long worstEndNanos,
        int count,
        long windowStartNanos,
        long windowEndNanos) {

    /**
     * The gaps of {@code arrivals} (per stream, its tokens' arrival times in {@link System#nanoTime()}
     * order) while all streams decode.
     *
     * @throws IllegalArgumentException when a stream has no token or the window holds no gap
     */
    static StreamGaps of(List<? extends List<Long>> arrivals) {
        long start = Long.MIN_VALUE;
        long end = Long.MAX_VALUE;
        for (int s = 0; s < arrivals.size(); s++) {
            List<Long> times = arrivals.get(s);
            if (times.isEmpty()) {
                throw new IllegalArgumentException("stream " + s + " received no token");
            }
            start = Math.max(start, times.getFirst());
            end = Math.min(end, times.getLast());
        }
        double[] gaps = new double[0];
        int n = 0;
        double worst = -1;
        int worstStream = -1;
        long worstEnd = 0;
        for (int s = 0; s < arrivals.size(); s++) {
            List<Long> times = arrivals.get(s);
            for (int i = 1; i < times.size(); i++) {
                long a = times.get(i - 1);
                long b = times.get(i);
                if (a < start || b > end) {
                    continue;
                }
                double g = (b - a) / 1e6;
                if (n == gaps.length) {
                    gaps = Arrays.copyOf(gaps, Math.max(64, n * 2));
                }
                gaps[n++] = g;
                if (g > worst) {
                    worst = g;
                    worstStream = s;
                    worstEnd = b;
                }
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException(
                    "no inter-token gap falls in the window where all " + arrivals.size() + " streams decode");
        }
        double[] sorted = Arrays.copyOf(gaps, n);
        Arrays.sort(sorted);
        return new StreamGaps(ServeLoad.pct(sorted, 0.5), worst, worstStream, worstEnd, n, start, end);
    }

    /** The worst gap over the median. */
    double ratio() {
        return worst / median;
    }
}
