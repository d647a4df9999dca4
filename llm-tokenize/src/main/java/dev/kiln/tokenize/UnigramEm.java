package dev.kiln.tokenize;

import dev.kiln.core.progress.Progress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
        UnigramSeed.Seed seed = UnigramSeed.of(words, cfg.maxPieceLength, cfg.seedSize, cfg.threads, cfg.input);
        pieces = seed.pieces();
        scores = seed.scores();
        isChar = seed.isChar();
    }

    static int cpLen(char[] cs, int i, int end) {
        return Character.isHighSurrogate(cs[i]) && i + 1 < end && Character.isLowSurrogate(cs[i + 1]) ? 2 : 1;
    }

    PieceTrie trie() {
        return PieceTrie.of(pieces);
    }

    double unkScore() {
        double min = Double.POSITIVE_INFINITY;
        for (double s : scores) {
            min = Math.min(min, s);
        }
        return min - UnigramModel.UNK_PENALTY;
    }

    // ---------------------------------------------------------------- EM

    /** One E-step and M-step; returns the negative log likelihood per word occurrence. */
    double emStep() {
        PieceTrie trie = trie();
        double unk = unkScore();
        double[] objective = new double[1];
        double[] expected;
        try (Progress p = cfg.input.progress("EM (" + pieces.length + " pieces)", "words", words.size())) {
            long[] fixed = WordPass.run(words.size(), cfg.threads, pieces.length, objective, p, (w, lat, acc) -> {
                UnigramLattice.build(lat, words.pool, words.off[w], words.len[w], trie, scores, unk, -1);
                return -words.count[w] * UnigramLattice.expect(lat, words.len[w], words.count[w], acc);
            });
            expected = new double[fixed.length];
            for (int i = 0; i < fixed.length; i++) {
                expected[i] = fixed[i] / UnigramLattice.FIXED_ONE;
            }
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
            long[] counts = WordPass.run(words.size(), cfg.threads, n, vsum, p, (w, lat, acc) -> {
                int len = words.len[w];
                UnigramLattice.build(lat, words.pool, words.off[w], len, trie, scores, unk, -1);
                int[] path = lat.path(len);
                int m = UnigramLattice.viterbi(lat, len, path);
                long c = words.count[w];
                for (int i = 0; i < m; i++) {
                    if (path[i] >= 0) {
                        acc[path[i]] += c;
                    }
                }
                return c;
            });
            freq = new double[n];
            for (int i = 0; i < n; i++) {
                freq[i] = counts[i];
            }
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
