package dev.kiln.tokenize;

import dev.kiln.core.hash.Hash64;
import java.util.Arrays;

/**
 * An open-addressing map from long keys (never {@code -1}) to ints, for BPE's pair table: no boxing, no allocation per lookup. Grows at half full.
 */
final class LongIntMap {

    private static final long EMPTY = -1L;

    private long[] keys;
    private int[] vals;
    private int mask;
    private int size;

    /** @param capacity initial slots, a power of two */
    LongIntMap(int capacity) {
        keys = new long[capacity];
        vals = new int[capacity];
        Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    private int slot(long k) {
        return Hash64.slot(k, mask);
    }

    /** The value of {@code k}, or -1. */
    int get(long k) {
        int s = slot(k);
        while (keys[s] != EMPTY) {
            if (keys[s] == k) {
                return vals[s];
            }
            s = (s + 1) & mask;
        }
        return -1;
    }

    /** Adds {@code k} (not yet in the map) with value {@code v}. */
    void putNew(long k, int v) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int s = slot(k);
        while (keys[s] != EMPTY) {
            s = (s + 1) & mask;
        }
        keys[s] = k;
        vals[s] = v;
        size++;
    }

    private void grow() {
        long[] ok = keys;
        int[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new int[ok.length * 2];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] != EMPTY) {
                putNew(ok[i], ov[i]);
            }
        }
    }
}
