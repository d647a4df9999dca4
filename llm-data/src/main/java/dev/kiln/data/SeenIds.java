package dev.kiln.data;

import dev.kiln.core.hash.Hash64;

/**
 * The document ids a pass has kept so far, as 128-bit hashes in an open-addressing table (16 bytes
 * per id, no strings kept): a row whose id repeats one already kept is dropped as {@code
 * read:duplicate-id} instead of failing a later dedup stage. Two independent 64-bit hashes make a
 * false match (two different ids taken for one) about 2<sup>-128</sup> per pair.
 */
final class SeenIds {

    private long[] a = new long[2 << 12];
    private int size;

    /** Adds {@code id}; false when it was already there. */
    boolean add(String id) {
        long h1 = Hash64.hashChars(id, 0, id.length(), 0x9E3779B97F4A7C15L);
        long h2 = Hash64.hashChars(id, 0, id.length(), 0xC2B2AE3D27D4EB4FL);
        if (h1 == 0 && h2 == 0) {
            h2 = 1; // (0, 0) marks an empty slot
        }
        if ((size + 1) * 2 > a.length / 2) {
            grow();
        }
        return insert(a, h1, h2);
    }

    private boolean insert(long[] t, long h1, long h2) {
        int mask = t.length / 2 - 1;
        int i = (int) (h1 ^ (h1 >>> 32)) & mask;
        while (true) {
            long x = t[2 * i];
            long y = t[2 * i + 1];
            if (x == 0 && y == 0) {
                t[2 * i] = h1;
                t[2 * i + 1] = h2;
                if (t == a) {
                    size++;
                }
                return true;
            }
            if (x == h1 && y == h2) {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] old = a;
        a = new long[old.length * 2];
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0 || old[i + 1] != 0) {
                insert(a, old[i], old[i + 1]);
            }
        }
    }
}
