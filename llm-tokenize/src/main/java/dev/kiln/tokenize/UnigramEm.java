package dev.kiln.tokenize;

import dev.kiln.core.progress.Progress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** The state of {@link UnigramTrainer}'s EM: the current pieces and scores, seed, E/M steps, pruning. */
final class UnigramEm {

    private static final double MIN_EXPECTED = 0.5;

    private final UnigramTrainer cfg;
    private final UnigramWords words;
    String[] pieces;
    double[] scores;
    boolean[] isChar;

    UnigramEm(UnigramTrainer cfg, UnigramWords words) {
        this.cfg = cfg;
        this.words = words;
    }

    int size() {
        return pieces.length;
    }

    // ---------------------------------------------------------------- seed

    /** Every required character, plus the most frequent substrings by frequency × length. */
    void seed() {
        WordCounts subs = new WordCounts();
        char[] pool = words.pool;
        // substrings of the words seen at least twice (most occurrences; a word seen once adds only its
        // characters, which keeps the count to tens of millions of substrings on a 50 MB corpus)
        long repeated = 0;
        for (long c : words.count) {
            if (c >= 2) {
                repeated++;
            }
        }
        long minCount = repeated > 0 ? 2 : 1;
        try (Progress p = cfg.input.progress("seed pieces", "words", words.size())) {
            for (int w = 0; w < words.size(); w++) {
                int s = words.off[w];
                int e = s + words.len[w];
                long c = words.count[w];
                int maxLen = c >= minCount ? cfg.maxPieceLength : 1;
                for (int i = s; i < e; i += cpLen(pool, i, e)) {
                    int j = i;
                    for (int l = 0; l < maxLen && j < e; l++) {
                        if (j > i && pool[j] == UnigramModel.SPACE) {
                            break;
                        }
                        int cl = cpLen(pool, j, e);
                        if (!words.isRequired(Character.codePointAt(pool, j, e))) {
                            break;
                        }
                        j += cl;
                        subs.add(pool, i, j, c);
                    }
                }
                p.advance(1);
            }
        }
        List<Integer> chars = new ArrayList<>();
        List<Integer> multi = new ArrayList<>();
        for (int e = 0; e < subs.size; e++) {
            int l = subs.lens[e];
            boolean single = l == 1 || (l == 2 && Character.isHighSurrogate(subs.pool[subs.offs[e]]));
            if (single) {
                chars.add(e);
            } else if (subs.counts[e] >= 2) {
                multi.add(e);
            }
        }
        int[] m = multi.stream().mapToInt(Integer::intValue).toArray();
        long[] cnt = subs.counts;
        int[] lens = subs.lens;
        int room = Math.max(0, cfg.seedSize - chars.size());
        if (m.length > room) {
            // the room-th largest frequency × length, by a primitive sort; then only the ties are ordered
            long[] sc = new long[m.length];
            for (int i = 0; i < m.length; i++) {
                sc[i] = cnt[m[i]] * lens[m[i]];
            }
            long[] sorted = sc.clone();
            Arrays.sort(sorted);
            long threshold = room == 0 ? Long.MAX_VALUE : sorted[sorted.length - room];
            int k0 = 0;
            for (int i = 0; i < m.length; i++) {
                if (sc[i] >= threshold) {
                    m[k0++] = m[i];
                }
            }
            m = Arrays.copyOf(m, k0);
        }
        IntSort.sort(m, (a, b) -> {
            long sa = cnt[a] * lens[a];
            long sb = cnt[b] * lens[b];
            if (sa != sb) {
                return Long.compare(sb, sa);
            }
            return Arrays.compare(
                    subs.pool, subs.offs[a], subs.offs[a] + lens[a], subs.pool, subs.offs[b], subs.offs[b] + lens[b]);
        });
        int keepMulti = Math.min(m.length, Math.max(0, cfg.seedSize - chars.size()));
        int n = chars.size() + keepMulti;
        pieces = new String[n];
        scores = new double[n];
        isChar = new boolean[n];
        double sum = 0;
        int k = 0;
        for (int e : chars) {
            pieces[k] = new String(subs.pool, subs.offs[e], subs.lens[e]);
            scores[k] = subs.counts[e];
            isChar[k++] = true;
            sum += subs.counts[e];
        }
        for (int i = 0; i < keepMulti; i++) {
            int e = m[i];
            pieces[k] = new String(subs.pool, subs.offs[e], subs.lens[e]);
            scores[k++] = subs.counts[e];
            sum += subs.counts[e];
        }
        double logsum = Math.log(sum);
        for (int i = 0; i < n; i++) {
            scores[i] = Math.log(scores[i]) - logsum;
        }
    }

    static int cpLen(char[] cs, int i, int end) {
        return Character.isHighSurrogate(cs[i]) && i + 1 < end && Character.isLowSurrogate(cs[i + 1]) ? 2 : 1;
    }

    PieceTrie trie() {
        PieceTrie t = new PieceTrie();
        for (int i = 0; i < pieces.length; i++) {
            t.add(pieces[i], i);
        }
        return t;
    }

    double unkScore() {
        double min = Double.POSITIVE_INFINITY;
        for (double s : scores) {
            min = Math.min(min, s);
        }
        return min - UnigramModel.UNK_PENALTY;
    }

    // ---------------------------------------------------------------- parallel loops

    interface WordTask {
        /** Handles words [from, to) with the thread's own accumulators. */
        void run(int from, int to, double[] acc, double[] objective);
    }

    /** Runs {@code task} over all words in {@code threads} contiguous blocks; sums their arrays in order. */
    double[] overWords(int accSize, double[] objective, WordTask task) {
        int t = Math.max(1, Math.min(cfg.threads, words.size()));
        double[][] accs = new double[t][];
        double[][] objs = new double[t][1];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> ths = new ArrayList<>();
        int n = words.size();
        for (int k = 0; k < t; k++) {
            int from = (int) ((long) n * k / t);
            int to = (int) ((long) n * (k + 1) / t);
            int kk = k;
            accs[k] = new double[accSize];
            Runnable r = () -> {
                try {
                    task.run(from, to, accs[kk], objs[kk]);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            };
            if (k == t - 1) {
                r.run();
            } else {
                Thread th = new Thread(r, "kiln-unigram-" + k);
                th.setDaemon(true);
                th.start();
                ths.add(th);
            }
        }
        try {
            for (Thread th : ths) {
                th.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        }
        WordCounting.rethrow(failure.get());
        double[] sum = accs[0];
        objective[0] = objs[0][0];
        for (int k = 1; k < t; k++) {
            for (int i = 0; i < accSize; i++) {
                sum[i] += accs[k][i];
            }
            objective[0] += objs[k][0];
        }
        return sum;
    }

    // ---------------------------------------------------------------- EM

    /** One E-step and M-step; returns the negative log likelihood per word occurrence. */
    double emStep() {
        PieceTrie trie = trie();
        double unk = unkScore();
        double[] objective = new double[1];
        double[] expected;
        try (Progress p = cfg.input.progress("EM (" + pieces.length + " pieces)", "words", words.size())) {
            expected = overWords(pieces.length, objective, (from, to, acc, obj) -> {
                UnigramLattice lat = new UnigramLattice();
                for (int w = from; w < to; w++) {
                    UnigramLattice.build(lat, words.pool, words.off[w], words.len[w], trie, scores, unk, -1);
                    obj[0] -= words.count[w] * UnigramLattice.expect(lat, words.len[w], words.count[w], acc);
                    if ((w & 4095) == 0) {
                        p.advance(Math.min(4096, to - w));
                    }
                }
            });
        }
        // M-step: drop rarely expected pieces (never characters), digamma re-estimation
        int k = 0;
        double sum = 0;
        for (int i = 0; i < pieces.length; i++) {
            double f = expected[i];
            if (!isChar[i] && f < MIN_EXPECTED) {
                continue;
            }
            f = Math.max(f, MIN_EXPECTED);
            pieces[k] = pieces[i];
            isChar[k] = isChar[i];
            expected[k++] = f;
            sum += f;
        }
        pieces = Arrays.copyOf(pieces, k);
        isChar = Arrays.copyOf(isChar, k);
        scores = new double[k];
        double logsum = digamma(sum);
        for (int i = 0; i < k; i++) {
            scores[i] = digamma(expected[i]) - logsum;
        }
        long total = 0;
        for (long c : words.count) {
            total += c;
        }
        return objective[0] / total;
    }

    /** Digamma by recurrence and the asymptotic series. */
    static double digamma(double x) {
        double r = 0;
        while (x < 7) {
            r -= 1 / x;
            x += 1;
        }
        x -= 0.5;
        double xx = 1.0 / x;
        double xx2 = xx * xx;
        double xx4 = xx2 * xx2;
        return r
                + Math.log(x)
                + (1.0 / 24) * xx2
                - (7.0 / 960) * xx4
                + (31.0 / 8064) * xx4 * xx2
                - (127.0 / 30720) * xx4 * xx4;
    }

    // ---------------------------------------------------------------- pruning

    /** Removes the pieces whose loss of likelihood would be smallest, keeping max(budget, shrink × size). */
    void prune(int budget) {
        PieceTrie trie = trie();
        double unk = unkScore();
        int n = pieces.length;
        double[] vsum = new double[1];
        double[] freq;
        try (Progress p = cfg.input.progress("prune (" + n + " pieces)", "words", words.size())) {
            freq = overWords(n, vsum, (from, to, acc, obj) -> {
                UnigramLattice lat = new UnigramLattice();
                int[] path = new int[64];
                for (int w = from; w < to; w++) {
                    int len = words.len[w];
                    UnigramLattice.build(lat, words.pool, words.off[w], len, trie, scores, unk, -1);
                    if (path.length < len) {
                        path = new int[len * 2];
                    }
                    int m = UnigramLattice.viterbi(lat, len, path);
                    long c = words.count[w];
                    obj[0] += c;
                    for (int i = 0; i < m; i++) {
                        if (path[i] >= 0) {
                            acc[path[i]] += c;
                        }
                    }
                    if ((w & 4095) == 0) {
                        p.advance(Math.min(4096, to - w));
                    }
                }
            });
        }
        double sum = 0;
        for (double f : freq) {
            sum += f;
        }
        double logsum = Math.log(sum);
        boolean[] keep = new boolean[n];
        List<Integer> candidates = new ArrayList<>();
        double[] loss = new double[n];
        UnigramLattice lat = new UnigramLattice();
        int[] path = new int[300];
        for (int i = 0; i < n; i++) {
            if (isChar[i]) {
                keep[i] = true;
                continue;
            }
            char[] cs = pieces[i].toCharArray();
            UnigramLattice.build(lat, cs, 0, cs.length, trie, scores, unk, -1);
            int m = UnigramLattice.viterbi(lat, cs.length, path);
            if (m != 1 || path[0] != i) {
                continue; // never used as itself
            }
            if (freq[i] == 0) {
                continue; // on no Viterbi path
            }
            UnigramLattice.build(lat, cs, 0, cs.length, trie, scores, unk, i);
            m = UnigramLattice.viterbi(lat, cs.length, path);
            boolean unknown = false;
            for (int k = 0; k < m; k++) {
                unknown |= path[k] < 0;
            }
            if (unknown) {
                keep[i] = true; // no alternative
                continue;
            }
            double f = freq[i] / vsum[0];
            double logprobSp = Math.log(freq[i]) - logsum;
            double logsumAlt = Math.log(sum + freq[i] * (m - 1));
            double logprobAlt = 0;
            for (int k = 0; k < m; k++) {
                logprobAlt += Math.log(freq[path[k]] + freq[i]) - logsumAlt;
            }
            loss[i] = f * (logprobSp - logprobAlt);
            candidates.add(i);
        }
        int target = Math.max(budget, (int) (cfg.shrinkingFactor * n));
        int kept = 0;
        for (boolean b : keep) {
            if (b) {
                kept++;
            }
        }
        int[] c = candidates.stream().mapToInt(Integer::intValue).toArray();
        IntSort.sort(
                c, (x, y) -> loss[x] != loss[y] ? Double.compare(loss[y], loss[x]) : pieces[x].compareTo(pieces[y]));
        for (int i = 0; i < c.length && kept < target; i++) {
            keep[c[i]] = true;
            kept++;
        }
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (keep[i]) {
                pieces[k] = pieces[i];
                scores[k] = scores[i];
                isChar[k++] = isChar[i];
            }
        }
        pieces = Arrays.copyOf(pieces, k);
        scores = Arrays.copyOf(scores, k);
        isChar = Arrays.copyOf(isChar, k);
    }

    // ---------------------------------------------------------------- final

    private double[] finalScores;

    /** The final pieces by score (required characters always in), at most {@code budget}. */
    String[] finalPieces(int budget) {
        int n = pieces.length;
        int[] order = IntSort.identity(n);
        IntSort.sort(order, (x, y) -> {
            if (isChar[x] != isChar[y]) {
                return isChar[x] ? -1 : 1;
            }
            return scores[x] != scores[y] ? Double.compare(scores[y], scores[x]) : pieces[x].compareTo(pieces[y]);
        });
        int[] sel = Arrays.copyOf(order, Math.min(budget, n));
        IntSort.sort(
                sel,
                (x, y) ->
                        scores[x] != scores[y] ? Double.compare(scores[y], scores[x]) : pieces[x].compareTo(pieces[y]));
        String[] out = new String[sel.length];
        finalScores = new double[sel.length];
        for (int i = 0; i < sel.length; i++) {
            out[i] = pieces[sel[i]];
            finalScores[i] = scores[sel[i]];
        }
        return out;
    }

    double[] finalScores() {
        return finalScores;
    }
}
