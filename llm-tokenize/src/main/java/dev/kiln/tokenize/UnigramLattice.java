package dev.kiln.tokenize;

import java.util.Arrays;

/**
 * The lattice of one word for {@link UnigramEm} (every piece of the vocabulary that stands at
 * every position, plus unknown single characters), with forward-backward (expected piece counts)
 * and Viterbi (the best segmentation) over it. Reused across words: buffers only grow.
 */
final class UnigramLattice {

    int n;
    int[] start = new int[64];
    int[] end = new int[64];
    int[] piece = new int[64];
    double[] score = new double[64];
    double[] a = new double[64];
    double[] b = new double[64];
    int[] from = new int[64];
    int[] via = new int[64];

    void add(int s, int e, int p, double sc) {
        if (n == start.length) {
            int m = n * 2;
            start = Arrays.copyOf(start, m);
            end = Arrays.copyOf(end, m);
            piece = Arrays.copyOf(piece, m);
            score = Arrays.copyOf(score, m);
        }
        start[n] = s;
        end[n] = e;
        piece[n] = p;
        score[n++] = sc;
    }

    void positions(int len) {
        if (a.length < len + 1) {
            int m = Math.max(len + 1, a.length * 2);
            a = new double[m];
            b = new double[m];
            from = new int[m];
            via = new int[m];
        }
    }

    /** Fills {@code lat} for {@code cs[p, p + len)}; piece {@code banned} is left out (-1: none). */
    static void build(
            UnigramLattice lat,
            char[] cs,
            int p,
            int len,
            PieceTrie trie,
            double[] scores,
            double unkScore,
            int banned) {
        lat.n = 0;
        int end = p + len;
        for (int i = p; i < end; ) {
            int cl = UnigramEm.cpLen(cs, i, end);
            boolean single = false;
            int node = trie.child(0, cs[i]);
            int j = i + 1;
            while (node >= 0) {
                int id = trie.piece(node);
                if (id >= 0 && id != banned) {
                    lat.add(i - p, j - p, id, scores[id]);
                    if (j - i == cl) {
                        single = true;
                    }
                }
                if (j >= end) {
                    break;
                }
                node = trie.child(node, cs[j]);
                j++;
            }
            if (!single) {
                lat.add(i - p, i - p + cl, -1, unkScore);
            }
            i += cl;
        }
    }

    private static double logAdd(double x, double y) {
        if (x == Double.NEGATIVE_INFINITY) {
            return y;
        }
        if (y == Double.NEGATIVE_INFINITY) {
            return x;
        }
        double m = Math.max(x, y);
        return m + Math.log1p(Math.exp(-Math.abs(x - y)));
    }

    /** Forward-backward: adds {@code count} × each piece's marginal to {@code expected}; returns log Z. */
    static double expect(UnigramLattice lat, int len, long count, double[] expected) {
        lat.positions(len);
        double[] a = lat.a;
        double[] b = lat.b;
        Arrays.fill(a, 0, len + 1, Double.NEGATIVE_INFINITY);
        Arrays.fill(b, 0, len + 1, Double.NEGATIVE_INFINITY);
        a[0] = 0;
        b[len] = 0;
        for (int k = 0; k < lat.n; k++) {
            a[lat.end[k]] = logAdd(a[lat.end[k]], a[lat.start[k]] + lat.score[k]);
        }
        for (int k = lat.n - 1; k >= 0; k--) {
            b[lat.start[k]] = logAdd(b[lat.start[k]], lat.score[k] + b[lat.end[k]]);
        }
        double z = a[len];
        for (int k = 0; k < lat.n; k++) {
            int id = lat.piece[k];
            if (id >= 0) {
                expected[id] += count * Math.exp(a[lat.start[k]] + lat.score[k] + b[lat.end[k]] - z);
            }
        }
        return z;
    }

    /** Viterbi over the lattice: the pieces of the best path (-1 for unknown), in order; returns their number. */
    static int viterbi(UnigramLattice lat, int len, int[] out) {
        lat.positions(len);
        double[] best = lat.a;
        int[] from = lat.from;
        int[] via = lat.via;
        Arrays.fill(from, 0, len + 1, -1);
        best[0] = 0;
        for (int k = 0; k < lat.n; k++) {
            int s = lat.start[k];
            int e = lat.end[k];
            double c = best[s] + lat.score[k];
            if (from[e] < 0 || c > best[e]) {
                best[e] = c;
                from[e] = s;
                via[e] = lat.piece[k];
            }
        }
        int m = 0;
        for (int e = len; e > 0; e = from[e]) {
            out[m++] = via[e];
        }
        for (int i = 0; i < m / 2; i++) {
            int t = out[i];
            out[i] = out[m - 1 - i];
            out[m - 1 - i] = t;
        }
        return m;
    }
}
