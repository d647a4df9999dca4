package dev.kiln.data.pii;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One vendor key format from {@code key-rules.tsv}: a literal prefix, then pieces (a character
 * class with a length range, or a literal), matched without regex, plus the randomness gate of each
 * class piece. See the data file for the shape syntax.
 */
final class KeyRule {

    /** A piece of a shape: a literal ({@code literal != null}) or a class with a length range. */
    record Piece(String literal, boolean[] allowed, int min, int max, Gate gate) {
        boolean accepts(char c) {
            return c < 128 && allowed[c];
        }
    }

    /**
     * The randomness gate of a class piece: the character classes a uniform body shows (upper 1,
     * lower 2, digit 4) that all but 4% of uniform bodies show, the entropy 99.5% of them reach, the
     * word share 99.5% of them stay under (at least 0.5; where uniform bodies spell words as often as not, e.g. upper-case
     * base32, that reaches 1 and only the other tests remain).
     */
    record Gate(int requiredClasses, double minEntropy, double maxWordShare) {}

    final String kind;
    final String shape;
    final String prefix;
    final Piece[] pieces;
    /** Position in its {@link KeyRules}. */
    int index;

    private KeyRule(String kind, String shape, String prefix, Piece[] pieces) {
        this.kind = kind;
        this.shape = shape;
        this.prefix = prefix;
        this.pieces = pieces;
    }

    /** Parses {@code kind} and {@code shape}; {@code where} names the line for errors. */
    static KeyRule parse(String kind, String shape, String where) {
        int p = 0;
        StringBuilder prefix = new StringBuilder();
        while (p < shape.length() && shape.charAt(p) != '[') {
            prefix.append(shape.charAt(p++));
        }
        if (prefix.length() < 2) {
            throw new IllegalArgumentException(
                    where + ": a shape needs a literal prefix of 2+ characters, got '" + shape + "'");
        }
        List<Piece> pieces = new ArrayList<>();
        while (p < shape.length()) {
            if (shape.charAt(p) == '[') {
                int close = shape.indexOf(']', p + 2);
                int brace = close + 1;
                int end = shape.indexOf('}', brace);
                if (close < 0 || brace >= shape.length() || shape.charAt(brace) != '{' || end < 0) {
                    throw new IllegalArgumentException(
                            where + ": expected [class]{n} or [class]{min,max} at " + p + " in '" + shape + "'");
                }
                boolean[] allowed = charClass(shape.substring(p + 1, close), where);
                String[] range = shape.substring(brace + 1, end).split(",");
                int min = Integer.parseInt(range[0].trim());
                int max = range.length > 1 ? Integer.parseInt(range[1].trim()) : min;
                if (min < 1 || max < min) {
                    throw new IllegalArgumentException(
                            where + ": bad length {" + shape.substring(brace + 1, end) + "} in '" + shape + "'");
                }
                pieces.add(new Piece(null, allowed, min, max, gate(allowed, min)));
                p = end + 1;
            } else {
                StringBuilder lit = new StringBuilder();
                while (p < shape.length() && shape.charAt(p) != '[') {
                    lit.append(shape.charAt(p++));
                }
                pieces.add(new Piece(lit.toString(), null, lit.length(), lit.length(), null));
            }
        }
        return new KeyRule(kind, shape, prefix.toString(), pieces.toArray(Piece[]::new));
    }

    private static boolean[] charClass(String spec, String where) {
        boolean[] allowed = new boolean[128];
        for (int i = 0; i < spec.length(); i++) {
            char a = spec.charAt(i);
            if (i + 2 < spec.length() && spec.charAt(i + 1) == '-') {
                char b = spec.charAt(i + 2);
                if (b < a) {
                    throw new IllegalArgumentException(where + ": bad range " + a + "-" + b);
                }
                for (char c = a; c <= b; c++) {
                    allowed[c] = true;
                }
                i += 2;
            } else {
                allowed[a] = true;
            }
        }
        return allowed;
    }

    /**
     * The gate of a class piece, from 2,000 uniformly random bodies of its shortest length (seeded:
     * the same thresholds every run). Digit-only pieces, and pieces under 12 characters, get none.
     */
    private static Gate gate(boolean[] allowed, int len) {
        StringBuilder alphabet = new StringBuilder();
        int upper = 0;
        int lower = 0;
        int digit = 0;
        for (char c = 0; c < 128; c++) {
            if (allowed[c]) {
                alphabet.append(c);
                upper += Randomness.isUpper(c) ? 1 : 0;
                lower += Randomness.isLower(c) ? 1 : 0;
                digit += Randomness.isDigit(c) ? 1 : 0;
            }
        }
        if (len < 12 || upper + lower == 0) {
            return null;
        }
        int k = alphabet.length();
        int required = 0;
        required |= absent(upper, k, len) <= 0.04 ? 1 : 0;
        required |= absent(lower, k, len) <= 0.04 ? 2 : 0;
        required |= absent(digit, k, len) <= 0.04 ? 4 : 0;
        Random rnd = new Random(0x6b696c6eL ^ alphabet.toString().hashCode() * 31L + len);
        int trials = 2000;
        double[] h = new double[trials];
        double[] w = new double[trials];
        char[] body = new char[len];
        for (int t = 0; t < trials; t++) {
            for (int i = 0; i < len; i++) {
                body[i] = alphabet.charAt(rnd.nextInt(k));
            }
            String b = new String(body);
            h[t] = Randomness.entropy(b, 0, len);
            w[t] = Randomness.wordShare(b, 0, len);
        }
        Arrays.sort(h);
        Arrays.sort(w);
        double minEntropy = h[trials / 200];
        double maxWord = Math.max(0.5, w[trials - 1 - trials / 200]);
        return new Gate(required, minEntropy, maxWord);
    }

    /** The chance that none of {@code len} uniform draws from {@code k} symbols is one of {@code m}. */
    private static double absent(int m, int k, int len) {
        return m == 0 ? 1 : Math.pow(1 - (double) m / k, len);
    }

    /**
     * The end of this rule's match at {@code start} in {@code s}, or -1. The prefix has been checked
     * by the caller.
     */
    int match(CharSequence s, int start) {
        return match(s, 0, start + prefix.length(), s.length());
    }

    private int match(CharSequence s, int piece, int p, int n) {
        if (piece == pieces.length) {
            return p == n || !tokenChar(s.charAt(p)) ? p : -1;
        }
        Piece pc = pieces[piece];
        if (pc.literal != null) {
            if (!startsWith(s, p, pc.literal)) {
                return -1;
            }
            return match(s, piece + 1, p + pc.literal.length(), n);
        }
        int q = p;
        int limit = Math.min(n, p + pc.max);
        while (q < limit && pc.accepts(s.charAt(q))) {
            q++;
        }
        for (int end = q; end - p >= pc.min; end--) {
            int r = match(s, piece + 1, end, n);
            if (r >= 0 && (pc.gate == null || passes(pc.gate, s, p, end))) {
                return r;
            }
        }
        return -1;
    }

    static boolean passes(Gate g, CharSequence s, int from, int to) {
        if ((Randomness.classes(s, from, to) & g.requiredClasses) != g.requiredClasses) {
            return false;
        }
        return Randomness.entropy(s, from, to) >= g.minEntropy
                && Randomness.wordShare(s, from, to) <= g.maxWordShare
                && !Randomness.identifierShape(s, from, to);
    }

    static boolean startsWith(CharSequence s, int at, String lit) {
        if (at + lit.length() > s.length()) {
            return false;
        }
        for (int i = 0; i < lit.length(); i++) {
            if (s.charAt(at + i) != lit.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Characters that continue a token: a match must not be followed (or preceded) by one. */
    static boolean tokenChar(char c) {
        return Randomness.isLetter(c) || Randomness.isDigit(c) || c == '_' || c == '-';
    }

    @Override
    public String toString() {
        return kind + " " + shape;
    }
}
