package dev.kiln.tokenize;

import dev.kiln.core.hash.Fnv1a;
import java.util.Arrays;

/** Word (char slice) → 64-bit count, open addressing over a char pool: no allocation per lookup. */
final class WordCounts {
    char[] pool = new char[1 << 16];
    int poolLen;
    int[] offs = new int[1 << 12];
    int[] lens = new int[1 << 12];
    int[] hashes = new int[1 << 12];
    long[] counts = new long[1 << 12];
    int size;
    private int[] table = new int[1 << 13]; // entry index + 1, 0 = empty
    private int mask = table.length - 1;

    static int hash(char[] cs, int p, int q) {
        int h = Fnv1a.hash32(cs, p, q);
        // murmur3's finalizer: FNV's low bits depend only on the chars' low bits
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    void add(char[] cs, int p, int q, long c) {
        add(cs, p, q, hash(cs, p, q), c);
    }

    void add(char[] cs, int p, int q, int h, long c) {
        int len = q - p;
        int slot = h & mask;
        while (true) {
            int e = table[slot];
            if (e == 0) {
                break;
            }
            e--;
            if (hashes[e] == h && lens[e] == len && same(pool, offs[e], cs, p, len)) {
                counts[e] += c;
                return;
            }
            slot = (slot + 1) & mask;
        }
        if (size == offs.length) {
            int n = size * 2;
            offs = Arrays.copyOf(offs, n);
            lens = Arrays.copyOf(lens, n);
            hashes = Arrays.copyOf(hashes, n);
            counts = Arrays.copyOf(counts, n);
        }
        if (poolLen + len > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(poolLen + len, pool.length * 2));
        }
        System.arraycopy(cs, p, pool, poolLen, len);
        offs[size] = poolLen;
        lens[size] = len;
        hashes[size] = h;
        counts[size] = c;
        poolLen += len;
        table[slot] = ++size;
        if (size * 2 > table.length) {
            rehash(table.length * 2);
        }
    }

    /** Whether {@code a[i, i + len)} equals {@code b[j, j + len)}; a plain loop beats a stub call for short words. */
    private static boolean same(char[] a, int i, char[] b, int j, int len) {
        if (len > 32) {
            return Arrays.equals(a, i, i + len, b, j, j + len);
        }
        for (int k = 0; k < len; k++) {
            if (a[i + k] != b[j + k]) {
                return false;
            }
        }
        return true;
    }

    private void rehash(int cap) {
        table = new int[cap];
        mask = cap - 1;
        for (int e = 0; e < size; e++) {
            int slot = hashes[e] & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = e + 1;
        }
    }

    /** Empties the table and drops its memory. */
    void clear() {
        pool = new char[16];
        poolLen = 0;
        offs = new int[16];
        lens = new int[16];
        hashes = new int[16];
        counts = new long[16];
        size = 0;
        table = new int[32];
        mask = table.length - 1;
    }

    /** Empties the table, keeping its memory for reuse. */
    void reset() {
        poolLen = 0;
        size = 0;
        Arrays.fill(table, 0);
    }

    /** Adds every word of {@code other}. */
    void addAll(WordCounts other) {
        for (int e = 0; e < other.size; e++) {
            add(other.pool, other.offs[e], other.offs[e] + other.lens[e], other.hashes[e], other.counts[e]);
        }
    }

    /** Keeps only words counted more than {@code minCount} times (compacts the pool). */
    void pruneAtMost(long minCount) {
        WordCounts kept = new WordCounts();
        for (int e = 0; e < size; e++) {
            if (counts[e] > minCount) {
                kept.add(pool, offs[e], offs[e] + lens[e], hashes[e], counts[e]);
            }
        }
        pool = kept.pool;
        poolLen = kept.poolLen;
        offs = kept.offs;
        lens = kept.lens;
        hashes = kept.hashes;
        counts = kept.counts;
        size = kept.size;
        table = kept.table;
        mask = kept.mask;
    }
}
