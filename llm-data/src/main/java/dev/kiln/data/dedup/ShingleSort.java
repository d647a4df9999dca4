package dev.kiln.data.dedup;

import java.util.Arrays;

/**
 * Sorts a document's shingle hashes and drops repeats, in expected linear time: the hashes are
 * uniformly distributed 64-bit values, so one counting pass over their top bits spreads them into
 * about one bucket per value, and each bucket is finished by an insertion sort of a few elements. A
 * bucket that is unexpectedly large (hashes crafted to share their top bits) is sorted with {@link
 * Arrays#sort}, so the worst case stays {@code O(n log n)}.
 *
 * <p>The result is the same as {@code Arrays.sort} then removing repeats (the signed order of
 * {@code long}). The point is start-up: its three short loops are compiled by the JIT in a few
 * milliseconds, where {@code Arrays.sort}'s dual-pivot quicksort took the optimising compiler over
 * 100 ms of a 0.7 s run, ahead of the MinHash loop. One instance per thread: it keeps its buffers.
 */
final class ShingleSort {

    /** Buckets hold this many elements at most before their insertion sort gives way. */
    private static final int MAX_INSERTION = 32;

    private long[] tmp = new long[0];
    private int[] starts = new int[0];

    /** Sorts {@code a[0, n)} in place (signed order) and removes repeats; returns the distinct count. */
    int sortUnique(long[] a, int n) {
        if (n < 64) {
            insertionSort(a, 0, n);
            return unique(a, n);
        }
        // about two elements per bucket: 2^bits >= n / 2
        int bits = 32 - Integer.numberOfLeadingZeros(n - 1) - 1;
        int buckets = 1 << bits;
        int shift = 64 - bits;
        if (tmp.length < n) {
            tmp = new long[Math.max(n, tmp.length * 2)];
        }
        if (starts.length < buckets + 1) {
            starts = new int[Math.max(buckets + 1, starts.length * 2)];
        }
        count(a, n, starts, buckets, shift);
        scatter(a, n, tmp, starts, shift);
        finish(tmp, starts, buckets);
        System.arraycopy(tmp, 0, a, 0, n);
        return unique(a, n);
    }

    // the passes are separate small methods: each is compiled on its own, early and quickly

    /** Sets {@code s[b]} to the start of bucket {@code b} in the sorted order. */
    private static void count(long[] a, int n, int[] s, int buckets, int shift) {
        Arrays.fill(s, 0, buckets + 1, 0);
        for (int i = 0; i < n; i++) {
            s[bucket(a[i], shift) + 1]++;
        }
        for (int b = 0; b < buckets; b++) {
            s[b + 1] += s[b];
        }
    }

    /** Moves each value into its bucket; {@code s[b]} ends up at the end of bucket {@code b}. */
    private static void scatter(long[] a, int n, long[] t, int[] s, int shift) {
        for (int i = 0; i < n; i++) {
            long v = a[i];
            t[s[bucket(v, shift)]++] = v;
        }
    }

    /** Sorts each bucket ({@code s[b]} is its end). */
    private static void finish(long[] t, int[] s, int buckets) {
        int from = 0;
        for (int b = 0; b < buckets; b++) {
            int to = s[b];
            if (to - from > MAX_INSERTION) {
                Arrays.sort(t, from, to);
            } else if (to - from > 1) {
                insertionSort(t, from, to);
            }
            from = to;
        }
    }

    /** The bucket of {@code v}: its top bits, in signed order. */
    private static int bucket(long v, int shift) {
        return (int) ((v ^ Long.MIN_VALUE) >>> shift);
    }

    private static void insertionSort(long[] a, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            long v = a[i];
            int j = i - 1;
            while (j >= from && a[j] > v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }

    private static int unique(long[] a, int n) {
        int w = 0;
        for (int i = 0; i < n; i++) {
            if (w == 0 || a[i] != a[w - 1]) {
                a[w++] = a[i];
            }
        }
        return w;
    }
}
