package dev.kiln.tokenize;

/** Sorting ints by a comparator without boxing: a stable merge sort over a scratch array. */
final class IntSort {

    /** Compares two ints (indices into the caller's arrays). */
    interface Comparator {
        int compare(int a, int b);
    }

    private IntSort() {}

    /** Sorts {@code a} stably by {@code c}. */
    static void sort(int[] a, Comparator c) {
        int n = a.length;
        if (n < 2) {
            return;
        }
        int[] src = a;
        int[] dst = new int[n];
        // insertion-sorted runs of 32, then merges
        int run = 32;
        for (int lo = 0; lo < n; lo += run) {
            int hi = Math.min(n, lo + run);
            for (int i = lo + 1; i < hi; i++) {
                int v = src[i];
                int j = i - 1;
                while (j >= lo && c.compare(src[j], v) > 0) {
                    src[j + 1] = src[j];
                    j--;
                }
                src[j + 1] = v;
            }
        }
        for (int width = run; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(n, lo + width);
                int hi = Math.min(n, lo + 2 * width);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    dst[k++] = c.compare(src[j], src[i]) < 0 ? src[j++] : src[i++];
                }
                while (i < mid) {
                    dst[k++] = src[i++];
                }
                while (j < hi) {
                    dst[k++] = src[j++];
                }
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != a) {
            System.arraycopy(src, 0, a, 0, n);
        }
    }

    /** Indices {@code 0..n-1}. */
    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
