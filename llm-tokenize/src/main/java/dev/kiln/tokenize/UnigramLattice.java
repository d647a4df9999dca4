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
    double[] sum = new double[64];
    double[] tmp = new double[64];
    int[] from = new int[64];
    int[] via = new int[64];
    private int[] path = new int[64];

    void add(int s, int e, int p, double sc) {
        if (n == start.length) {
            int m = n * 2;
            start = Arrays.copyOf(start, m);
            end = Arrays.copyOf(end, m);
            piece = Arrays.copyOf(piece, m);
            score = Arrays.copyOf(score, m);
            tmp = new double[m];
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
            sum = new double[m];
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

    /** Fixed-point unit of expected counts ({@link #expect}): 2<sup>26</sup>. */
    static final double FIXED_ONE = 1L << 26;

    /**
     * Forward-backward: adds {@code count} × each piece's marginal, in units of {@link #FIXED_ONE}
     * (integers, so sums are exact in any order), to {@code expected}; returns log Z.
     *
     * <p>Log-sum-exp with one {@code exp} per edge each way: forward keeps a running maximum and a
     * scaled sum per position; backward takes each start position's edges as a group, and the
     * group's scaled terms give the marginals too.
     */
    static double expect(UnigramLattice lat, int len, long count, long[] expected) {
        lat.positions(len);
        double[] a = lat.a;
        double[] am = lat.b; // forward's running maximum per position
        double[] as = lat.sum;
        Arrays.fill(as, 0, len + 1, 0.0);
        int n = lat.n;
        int[] start = lat.start;
        int[] end = lat.end;
        double[] score = lat.score;
        a[0] = 0;
        int cur = 0;
        for (int k = 0; k < n; k++) {
            int s = start[k];
            if (s != cur) {
                cur = s;
                a[s] = as[s] > 0 ? am[s] + Math.log(as[s]) : Double.NEGATIVE_INFINITY;
            }
            double x = a[s] + score[k];
            if (x == Double.NEGATIVE_INFINITY) {
                continue;
            }
            int e = end[k];
            double sm = as[e];
            if (sm == 0) {
                am[e] = x;
                as[e] = 1;
            } else {
                double m = am[e];
                if (x <= m) {
                    as[e] = sm + Math.exp(x - m);
                } else {
                    as[e] = sm * Math.exp(m - x) + 1;
                    am[e] = x;
                }
            }
        }
        double z = am[len] + Math.log(as[len]);
        // backward, by groups of edges with the same start (last group first)
        double[] b = lat.b;
        double[] t = lat.tmp;
        int[] piece = lat.piece;
        b[len] = 0;
        double scale = count * FIXED_ONE;
        for (int g1 = n; g1 > 0; ) {
            int s = start[g1 - 1];
            int g0 = g1 - 1;
            while (g0 > 0 && start[g0 - 1] == s) {
                g0--;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int k = g0; k < g1; k++) {
                double v = score[k] + b[end[k]];
                t[k] = v;
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int k = g0; k < g1; k++) {
                double ek = Math.exp(t[k] - max);
                t[k] = ek;
                sum += ek;
            }
            b[s] = max + Math.log(sum);
            double f = scale * Math.exp(a[s] + max - z);
            for (int k = g0; k < g1; k++) {
                int id = piece[k];
                if (id >= 0) {
                    expected[id] += (long) (t[k] * f + 0.5);
                }
            }
            g1 = g0;
        }
        return z;
    }

    /** A scratch array for {@link #viterbi}'s output, at least {@code len} long. */
    int[] path(int len) {
        if (path.length < len) {
            path = new int[Math.max(len, path.length * 2)];
        }
        return path;
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
