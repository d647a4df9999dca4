package dev.kiln.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A Unigram vocabulary (pieces and log-probability scores) and its Viterbi segmentation, exactly
 * as Hugging Face's {@code Unigram} model: candidate pieces from a trie, shorter first; a better
 * path must score strictly higher; a position no one-character piece covers gets the unknown
 * token at {@code min score - 10}; adjacent unknowns are fused, and an unknown piece falls back to
 * its UTF-8 bytes as {@code <0xXX>} tokens. Immutable.
 */
final class UnigramModel {

    /** SentencePiece's and Hugging Face's {@code Metaspace} replacement for a space. */
    static final char SPACE = '\u2581';

    static final double UNK_PENALTY = 10.0;

    final String[] pieces;
    final double[] scores;
    final int unkId;
    final int[] byteIds = new int[256];
    final boolean[] isByte;
    final PieceTrie trie;
    final double unkScore;
    private final Map<String, Integer> ids;

    UnigramModel(String[] pieces, double[] scores, int unkId) {
        this.pieces = pieces;
        this.scores = scores;
        this.unkId = unkId;
        this.ids = new HashMap<>(pieces.length * 2);
        this.isByte = new boolean[pieces.length];
        java.util.Arrays.fill(byteIds, -1);
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < pieces.length; i++) {
            ids.put(pieces[i], i);
            min = Math.min(min, scores[i]);
            int b = byteOf(pieces[i]);
            if (b >= 0) {
                isByte[i] = true;
                if (byteIds[b] < 0) {
                    byteIds[b] = i;
                }
            }
        }
        this.unkScore = min - UNK_PENALTY;
        this.trie = PieceTrie.of(pieces);
    }

    /** The byte a {@code <0xXX>} piece stands for, or -1. */
    static int byteOf(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(piece.charAt(3), 16);
        int lo = Character.digit(piece.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    static String bytePiece(int b) {
        return String.format("<0x%02X>", b);
    }

    Integer id(String piece) {
        return ids.get(piece);
    }

    int size() {
        return pieces.length;
    }

    /** Reusable Viterbi arrays. */
    static final class Scratch {
        double[] best = new double[64];
        int[] from = new int[64];
        int[] id = new int[64];
        int[] path = new int[64];
        byte[] utf8 = new byte[64];

        void ensure(int n) {
            if (best.length < n + 1) {
                int m = Math.max(n + 1, best.length * 2);
                best = new double[m];
                from = new int[m];
                id = new int[m];
                path = new int[m];
            }
        }
    }

    /** Output of ids. */
    interface IdSink {
        void add(int id);
    }

    /**
     * Segments {@code cs[p, q)} (spaces already {@link #SPACE}) and hands the ids to {@code out};
     * pieces flagged in {@code skip} (null: none) are not used.
     */
    void encode(char[] cs, int p, int q, Scratch sc, IdSink out, boolean[] skip) {
        int n = q - p;
        if (n == 0) {
            return;
        }
        sc.ensure(n);
        double[] best = sc.best;
        int[] from = sc.from;
        int[] id = sc.id;
        for (int i = 0; i <= n; i++) {
            from[i] = -1;
        }
        best[0] = 0;
        int i = 0;
        while (i < n) {
            char c = cs[p + i];
            int cpLen = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(cs[p + i + 1]) ? 2 : 1;
            double base = best[i];
            boolean single = false;
            int node = trie.child(0, c);
            int j = i + 1;
            while (node >= 0) {
                int pid = trie.piece(node);
                if (pid >= 0 && (skip == null || !skip[pid])) {
                    double cand = base + scores[pid];
                    if (from[j] < 0 || cand > best[j]) {
                        best[j] = cand;
                        from[j] = i;
                        id[j] = pid;
                    }
                    if (j - i == cpLen) {
                        single = true;
                    }
                }
                if (j >= n) {
                    break;
                }
                node = trie.child(node, cs[p + j]);
                j++;
            }
            if (!single) {
                int e = i + cpLen;
                double cand = base + unkScore;
                if (from[e] < 0 || cand > best[e]) {
                    best[e] = cand;
                    from[e] = i;
                    id[e] = unkId;
                }
            }
            i += cpLen;
        }
        // backtrack: path holds the end positions, last first
        int[] path = sc.path;
        int k = 0;
        for (int e = n; e > 0; e = from[e]) {
            path[k++] = e;
        }
        int start = 0;
        for (int t = k - 1; t >= 0; t--) {
            int e = path[t];
            if (id[e] == unkId) {
                // fuse a run of unknowns
                while (t > 0 && id[path[t - 1]] == unkId) {
                    t--;
                }
                e = path[t];
                emitUnknown(cs, p + start, p + e, sc, out);
            } else {
                out.add(id[e]);
            }
            start = e;
        }
    }

    private void emitUnknown(char[] cs, int p, int q, Scratch sc, IdSink out) {
        Integer known = ids.get(new String(cs, p, q - p));
        if (known != null) {
            out.add(known);
            return;
        }
        if (sc.utf8.length < Utf8.maxBytes(q - p)) {
            sc.utf8 = new byte[Utf8.maxBytes(q - p) * 2];
        }
        int nb = Utf8.encode(cs, p, q, sc.utf8);
        for (int b = 0; b < nb; b++) {
            if (byteIds[sc.utf8[b] & 0xFF] < 0) {
                out.add(unkId);
                return;
            }
        }
        for (int b = 0; b < nb; b++) {
            out.add(byteIds[sc.utf8[b] & 0xFF]);
        }
    }

    /** The text a piece decodes to (spaces back), before byte fallback. */
    static String text(String piece) {
        return piece.replace(SPACE, ' ');
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
