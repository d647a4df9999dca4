package dev.kiln.data.dedup;

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

    static int grow(int n) {
        long next = (long) n + (n >> 1) + 16;
        if (next > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("more than " + n + " entries: too many documents for one dedup run");
        }
        return (int) next;
    }
}
