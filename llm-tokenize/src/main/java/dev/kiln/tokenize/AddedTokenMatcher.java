package dev.kiln.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds added tokens in text, leftmost first and longest among those (Hugging Face's Aho-Corasick
 * {@code LeftmostLongest}), indexed by first char. Immutable.
 */
final class AddedTokenMatcher {

    static final AddedTokenMatcher EMPTY = new AddedTokenMatcher(List.of(), List.of());

    private final AddedToken[] tokens;
    private final String[] patterns;
    private final long[] firstChars = new long[1024];
    /** Per first char: indices into {@link #patterns}, longest first (null when none). */
    private final int[][] byFirst;

    private final boolean onlyPlainSpecials;

    /** {@code patterns.get(i)} is what {@code tokens.get(i)} matches (its content, or its normalized content). */
    AddedTokenMatcher(List<AddedToken> tokens, List<String> patterns) {
        this.tokens = tokens.toArray(new AddedToken[0]);
        this.patterns = patterns.toArray(new String[0]);
        boolean plain = true;
        List<List<Integer>> lists = new ArrayList<>();
        java.util.Map<Character, Integer> slot = new java.util.HashMap<>();
        Integer[] order = new Integer[this.patterns.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            plain &= this.tokens[i].isPlainSpecial();
        }
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(this.patterns[b].length(), this.patterns[a].length()));
        for (int i : order) {
            String p = this.patterns[i];
            if (p.isEmpty()) {
                continue;
            }
            char c = p.charAt(0);
            firstChars[c >>> 6] |= 1L << (c & 63);
            Integer s = slot.get(c);
            if (s == null) {
                slot.put(c, s = lists.size());
                lists.add(new ArrayList<>());
            }
            lists.get(s).add(i);
        }
        this.byFirst = slot.isEmpty() ? null : new int[1 << 16][];
        for (java.util.Map.Entry<Character, Integer> e : slot.entrySet()) {
            byFirst[e.getKey()] =
                    lists.get(e.getValue()).stream().mapToInt(Integer::intValue).toArray();
        }
        this.onlyPlainSpecials = plain;
    }

    boolean isEmpty() {
        return tokens.length == 0;
    }

    /** Whether every token is a plain special token (no flags, not normalized). */
    boolean onlyPlainSpecials() {
        return onlyPlainSpecials;
    }

    AddedToken token(int i) {
        return tokens[i];
    }

    int patternLength(int i) {
        return patterns[i].length();
    }

    /**
     * Start of the leftmost (then longest) match in {@code cs[from, to)}, or -1; the matched token's
     * index goes to {@code found[0]}.
     */
    int find(char[] cs, int from, int to, int[] found) {
        for (int i = from; i < to; i++) {
            char c = cs[i];
            if ((firstChars[c >>> 6] & (1L << (c & 63))) == 0) {
                continue;
            }
            int t = matchAt(cs, i, to);
            if (t >= 0) {
                found[0] = t;
                return i;
            }
        }
        return -1;
    }

    /** The longest token at {@code i}, or -1. */
    int matchAt(char[] cs, int i, int to) {
        int[] cands = byFirst[cs[i]];
        if (cands == null) {
            return -1;
        }
        outer:
        for (int t : cands) {
            String p = patterns[t];
            int len = p.length();
            if (i + len > to) {
                continue;
            }
            for (int j = 1; j < len; j++) {
                if (cs[i + j] != p.charAt(j)) {
                    continue outer;
                }
            }
            return t;
        }
        return -1;
    }

    /** Rust regex {@code \w}, from {@link UnicodeClasses} (one Unicode version on every JVM). */
    static boolean isWordChar(int cp) {
        return UnicodeClasses.isWord(cp);
    }

    /** Rust regex {@code \w} by the running JVM's {@link Character} data (for generating the table). */
    static boolean jvmIsWordChar(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) {
            return true;
        }
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK
                || t == Character.ENCLOSING_MARK
                || t == Character.COMBINING_SPACING_MARK
                || t == Character.DECIMAL_DIGIT_NUMBER
                || t == Character.CONNECTOR_PUNCTUATION;
    }
}
