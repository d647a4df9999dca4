package dev.kiln.tokenize;

import dev.kiln.core.hash.Hash64;
import java.util.Arrays;

/** Open-addressing map from a pair of token ids to the merge's rank; no boxing, no allocation on lookup. */
final class PairTable {

    static final int NONE = Integer.MAX_VALUE;

    private final long[] keys;
    private final int[] ranks;
    private final int mask;

    PairTable(int[] left, int[] right) {
        int cap = Integer.highestOneBit(Math.max(4, left.length * 2 + 1)) << 1;
        keys = new long[cap];
        Arrays.fill(keys, -1L);
        ranks = new int[cap];
        mask = cap - 1;
        for (int r = 0; r < left.length; r++) {
            long k = key(left[r], right[r]);
            int slot = slot(k);
            while (keys[slot] != -1L && keys[slot] != k) {
                slot = (slot + 1) & mask;
            }
            if (keys[slot] == -1L) { // the first (lowest-rank) merge of a pair wins
                keys[slot] = k;
                ranks[slot] = r;
            }
        }
    }

    static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private int slot(long k) {
        return Hash64.slot(k, mask);
    }

    /** The rank of merging {@code a} then {@code b}, or {@link #NONE}. */
    int rank(int a, int b) {
        long k = key(a, b);
        int slot = slot(k);
        while (true) {
            long s = keys[slot];
            if (s == k) {
                return ranks[slot];
            }
            if (s == -1L) {
                return NONE;
            }
            slot = (slot + 1) & mask;
        }
    }
}
