package dev.kiln.data.dedup;

import dev.kiln.core.hash.Hash64;
import java.util.Arrays;

/** Growable primitive arrays. */
final class PrimitiveLists {

    private PrimitiveLists() {}

    static final class Longs {
        long[] a;
        int size;

        Longs(int capacity) {
            a = new long[Math.max(16, capacity)];
        }

        void add(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, grow(a.length));
            }
            a[size++] = v;
        }

        long get(int i) {
            return a[i];
        }

        void clear() {
            size = 0;
        }
    }

    static final class Ints {
        int[] a;
        int size;

        Ints(int capacity) {
            a = new int[Math.max(16, capacity)];
        }

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, grow(a.length));
            }
            a[size++] = v;
        }

        void clear() {
            size = 0;
        }
    }

    static final class Doubles {
        double[] a;
        int size;

        Doubles(int capacity) {
            a = new double[Math.max(16, capacity)];
        }

        void add(double v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, grow(a.length));
            }
            a[size++] = v;
        }
    }

    /** A set of longs other than {@link Long#MIN_VALUE} (open addressing, linear probing). */
    static final class LongSet {
        private static final long EMPTY = Long.MIN_VALUE;
        private long[] slots = filled(1 << 10);
        private int size;

        private static long[] filled(int n) {
            long[] a = new long[n];
            Arrays.fill(a, EMPTY);
            return a;
        }

        /** Adds {@code v}; returns false if it was there. */
        boolean add(long v) {
            if (2 * (size + 1) > slots.length) {
                long[] old = slots;
                slots = filled(old.length * 2);
                size = 0;
                for (long o : old) {
                    if (o != EMPTY) {
                        add(o);
                    }
                }
            }
            int mask = slots.length - 1;
            for (int i = Hash64.slot(v, mask); ; i = (i + 1) & mask) {
                if (slots[i] == EMPTY) {
                    slots[i] = v;
                    size++;
                    return true;
                }
                if (slots[i] == v) {
                    return false;
                }
            }
        }

        int size() {
            return size;
        }
    }

    static int grow(int n) {
        long next = (long) n + (n >> 1) + 16;
        if (next > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("more than " + n + " entries: too many documents for one dedup run");
        }
        return (int) next;
    }
}
