package dev.kiln.tokenize;

import java.util.Arrays;

/**
 * The training words of the Unigram trainer: spaces as {@code ▁}, lone surrogates as U+FFFD, with
 * counts; and the required characters (those covering the character coverage).
 */
final class UnigramWords {
    final char[] pool;
    final int[] off;
    final int[] len;
    final long[] count;
    /** Required code points, sorted. */
    final int[] required;
    /** Occurrences of each required code point (weighted by word counts). */
    final long[] requiredCount;
    /** Whether each BMP char is a required code point. */
    final boolean[] requiredBmp = new boolean[1 << 16];

    private UnigramWords(char[] pool, int[] off, int[] len, long[] count, int[] required, long[] requiredCount) {
        this.pool = pool;
        this.off = off;
        this.len = len;
        this.count = count;
        this.required = required;
        this.requiredCount = requiredCount;
        for (int cp : required) {
            if (cp < requiredBmp.length) {
                requiredBmp[cp] = true;
            }
        }
    }

    int size() {
        return off.length;
    }

    boolean isRequired(int cp) {
        return Arrays.binarySearch(required, cp) >= 0;
    }

    static UnigramWords of(WordCounts wc, double coverage) {
        int n = wc.size;
        // words in the counting table's order: EM's sums are exact (fixed point), so the order of the
        // words changes no result
        char[] pool = new char[wc.poolLen];
        int[] off = new int[n];
        int[] len = new int[n];
        long[] count = new long[n];
        int p = 0;
        long[] bmp = new long[1 << 16];
        java.util.Map<Integer, long[]> supp = new java.util.HashMap<>();
        for (int w = 0; w < n; w++) {
            int e = w;
            off[w] = p;
            int s = wc.offs[e];
            int l = wc.lens[e];
            long c = wc.counts[e];
            for (int i = 0; i < l; i++) {
                char ch = wc.pool[s + i];
                if (ch == ' ') {
                    ch = UnigramModel.SPACE;
                } else if (Character.isHighSurrogate(ch) && i + 1 < l && Character.isLowSurrogate(wc.pool[s + i + 1])) {
                    pool[p++] = ch;
                    char lo = wc.pool[s + ++i];
                    pool[p++] = lo;
                    supp.computeIfAbsent(Character.toCodePoint(ch, lo), k -> new long[1])[0] += c;
                    continue;
                } else if (Character.isSurrogate(ch)) {
                    ch = '\uFFFD';
                }
                pool[p++] = ch;
                bmp[ch] += c;
            }
            len[w] = p - off[w];
            count[w] = c;
        }
        // required characters: the most frequent ones covering `coverage` of all occurrences
        int distinct = supp.size();
        for (long v : bmp) {
            if (v > 0) {
                distinct++;
            }
        }
        int[] cps = new int[distinct];
        long[] freqs = new long[distinct];
        int k = 0;
        long total = 0;
        for (int c = 0; c < bmp.length; c++) {
            if (bmp[c] > 0) {
                cps[k] = c;
                freqs[k++] = bmp[c];
                total += bmp[c];
            }
        }
        for (java.util.Map.Entry<Integer, long[]> e : supp.entrySet()) {
            cps[k] = e.getKey();
            freqs[k++] = e.getValue()[0];
            total += e.getValue()[0];
        }
        int[] order = IntSort.identity(distinct);
        IntSort.sort(
                order,
                (a, b) -> freqs[a] != freqs[b] ? Long.compare(freqs[b], freqs[a]) : Integer.compare(cps[a], cps[b]));
        long acc = 0;
        int keep = 0;
        for (int i = 0; i < distinct; i++) {
            if (keep > 0 && acc >= coverage * total) {
                break;
            }
            acc += freqs[order[i]];
            keep++;
        }
        int[] kept = Arrays.copyOf(order, keep);
        IntSort.sort(kept, (a, b) -> Integer.compare(cps[a], cps[b]));
        int[] required = new int[keep];
        long[] requiredCount = new long[keep];
        for (int i = 0; i < keep; i++) {
            required[i] = cps[kept[i]];
            requiredCount[i] = freqs[kept[i]];
        }
        return new UnigramWords(Arrays.copyOf(pool, p), off, len, count, required, requiredCount);
    }
}
