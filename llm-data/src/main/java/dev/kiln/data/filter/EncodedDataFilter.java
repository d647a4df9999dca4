package dev.kiln.data.filter;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;

/**
 * Drops files dominated by encoded data ({@code encoded-data}), after StarCoder's filter: base64
 * blobs, hex byte arrays, {@code \\uXXXX} escape runs and numeric tables.
 *
 * <p>What counts as encoded (one pass, hand-written matchers, no regex):
 *
 * <ul>
 *   <li>base64: a run of ≥ 64 characters of {@code [A-Za-z0-9+/=]} that mixes upper case, lower
 *       case and digits; a line break continues the run when the line so far has ≥ 40 of them
 *       (PEM / MIME wrapping);
 *   <li>hex: ≥ 8 consecutive byte tokens {@code 0x1f}, {@code \x1f} or {@code 1f} separated by
 *       commas or spaces;
 *   <li>unicode: ≥ 8 consecutive {@code \\uXXXX} escapes;
 *   <li>numeric tables: lines of ≥ 16 characters made only of digits, signs, dots, commas, braces
 *       and spaces, at least half of them digits.
 * </ul>
 *
 * <p>A document is dropped when one base64/hex/unicode match is longer than {@code max-match}
 * (default 1024 characters) or when encoded characters make more than {@code max-fraction}
 * (default 0.5) of it.
 *
 * <pre>{@code
 * DocumentFilter f = Filters.encodedData();
 * }</pre>
 */
public final class EncodedDataFilter implements DocumentFilter {

    private static final long serialVersionUID = 1L;

    private final int maxMatch;
    private final double maxFraction;

    EncodedDataFilter(int maxMatch, double maxFraction) {
        if (maxMatch < 1) {
            throw new IllegalArgumentException("max-match must be ≥ 1, got " + maxMatch);
        }
        MinifiedFilter.fraction("max-fraction", maxFraction);
        this.maxMatch = maxMatch;
        this.maxFraction = maxFraction;
    }

    /** max-match 1024, max-fraction 0.5. */
    public static EncodedDataFilter defaults() {
        return new EncodedDataFilter(1024, 0.5);
    }

    @Override
    public String name() {
        return "encoded-data";
    }

    @Override
    public Verdict test(Document doc) {
        return test(doc.content(), null);
    }

    /**
     * {@link #test(Document)} of {@code s}; when {@code work} is not null, {@code work[0]} grows by
     * the characters the matchers scan (for tests that the scan stays linear on pathological input).
     */
    Verdict test(String s, long[] work) {
        int n = s.length();
        if (n == 0) {
            return Verdict.KEEP;
        }
        int[] t = Chars.ASCII;
        long encoded = 0;
        long numeric = 0;
        String longest = null;
        // Per-line numeric-table state.
        int lineStart = 0;
        int lineDigits = 0;
        boolean lineNumeric = true;
        long lineEncoded = 0;
        int i = 0;
        while (i <= n) {
            char c = i < n ? s.charAt(i) : '\n';
            if (c == '\n') {
                int len = i - lineStart;
                if (lineNumeric && len >= 16 && lineDigits * 2 >= countNonSpace(s, lineStart, i, work)) {
                    numeric += Math.max(0, len - lineEncoded);
                }
                lineStart = i + 1;
                lineDigits = 0;
                lineNumeric = true;
                lineEncoded = 0;
                i++;
                continue;
            }
            int k = c < 128 ? t[c] : 0;
            boolean boundary = i == 0 || !isIdent(s.charAt(i - 1));
            // unicode escapes
            if (c == '\\' && i + 1 < n && s.charAt(i + 1) == 'u') {
                int end = unicodeRun(s, i, work);
                if (end > i) {
                    int len = end - i;
                    encoded += len;
                    lineEncoded += len;
                    if (len > maxMatch) {
                        longest = "unicode";
                    }
                    lineNumeric = false;
                    i = end;
                    continue;
                }
            }
            // hex byte tokens
            if (boundary && ((k & Chars.HEX) != 0 || c == '\\')) {
                int end = hexRun(s, i, work);
                if (end > i) {
                    int len = end - i;
                    encoded += len;
                    lineEncoded += len;
                    if (len > maxMatch) {
                        longest = "hex";
                    }
                    i = end;
                    lineNumeric = false;
                    continue;
                }
            }
            // base64
            if (boundary && (k & Chars.B64) != 0) {
                long r = base64Run(s, i, work);
                int end = (int) (r >>> 1);
                if ((r & 1) != 0) {
                    int len = end - i;
                    encoded += len;
                    lineEncoded += len;
                    if (len > maxMatch) {
                        longest = "base64";
                    }
                    // the run may have crossed lines: restart line bookkeeping at its end
                    int nl = s.lastIndexOf('\n', end - 1);
                    if (nl >= i) {
                        lineStart = nl + 1;
                        lineEncoded = end - lineStart;
                        lineDigits = 0;
                    }
                    lineNumeric = false;
                    i = end;
                    continue;
                }
                // not base64: skip the scanned run (within this line) so it is not scanned again
                int stop = i;
                while (stop < end && s.charAt(stop) != '\n' && s.charAt(stop) != '\r') {
                    stop++;
                }
                if (stop > i + 1) {
                    for (int j = i; lineNumeric && j < stop; j++) {
                        char d = s.charAt(j);
                        if (d >= '0' && d <= '9') {
                            lineDigits++;
                        } else if (!numericPunct(d)) {
                            lineNumeric = false;
                        }
                    }
                    i = stop;
                    continue;
                }
            }
            if (lineNumeric) {
                if ((k & Chars.DIGIT) != 0) {
                    lineDigits++;
                } else if (!numericPunct(c)) {
                    lineNumeric = false;
                }
            }
            // skip the rest of an identifier so matchers only start at word boundaries
            i++;
            if ((k & Chars.IDENT) != 0) {
                while (i < n && isIdent(s.charAt(i))) {
                    if (lineNumeric) {
                        char d = s.charAt(i);
                        if (d >= '0' && d <= '9') {
                            lineDigits++;
                        } else if (!numericPunct(d)) {
                            lineNumeric = false;
                        }
                    }
                    i++;
                }
            }
        }
        if (longest != null) {
            return Verdict.drop(longest);
        }
        if ((double) (encoded + numeric) / n > maxFraction) {
            return Verdict.drop(numeric > encoded ? "numeric" : "encoded");
        }
        return Verdict.KEEP;
    }

    private static boolean isIdent(char c) {
        return c < 128 ? (Chars.ASCII[c] & Chars.IDENT) != 0 : Character.isLetterOrDigit(c);
    }

    private static boolean numericPunct(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == ',' || c == '.' || c == '-' || c == '+' || c == ';'
                || c == '{' || c == '}' || c == '[' || c == ']' || c == '(' || c == ')' || c == 'e' || c == 'E'
                || c == 'L' || c == 'f' || c == '|';
    }

    private static int countNonSpace(String s, int from, int to, long[] work) {
        count(work, to - from);
        int k = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r') {
                k++;
            }
        }
        return k;
    }

    /** End of a run of ≥ 8 {@code \\uXXXX} escapes starting at {@code i}, or {@code i}. */
    private static int unicodeRun(String s, int i, long[] work) {
        int n = s.length();
        int j = i;
        int count = 0;
        while (j + 5 < n + 0
                && s.charAt(j) == '\\'
                && s.charAt(j + 1) == 'u'
                && hex(s.charAt(j + 2))
                && hex(s.charAt(j + 3))
                && hex(s.charAt(j + 4))
                && hex(s.charAt(j + 5))) {
            j += 6;
            count++;
        }
        count(work, j - i + 1);
        return count >= 8 ? j : i;
    }

    /** End of a run of ≥ 8 hex byte tokens starting at {@code i}, or {@code i}. */
    private static int hexRun(String s, int i, long[] work) {
        int n = s.length();
        int j = i;
        int count = 0;
        int lastTokenEnd = i;
        while (j < n) {
            int p = j;
            boolean escape = false;
            if (p + 1 < n && s.charAt(p) == '0' && (s.charAt(p + 1) == 'x' || s.charAt(p + 1) == 'X')) {
                p += 2;
            } else if (p + 1 < n && s.charAt(p) == '\\' && s.charAt(p + 1) == 'x') {
                p += 2;
                escape = true;
            }
            if (p + 1 >= n || !hex(s.charAt(p)) || !hex(s.charAt(p + 1))) {
                break;
            }
            p += 2;
            if (p < n && isIdent(s.charAt(p)) && !escape) {
                break;
            }
            count++;
            lastTokenEnd = p;
            while (p < n && (s.charAt(p) == ',' || s.charAt(p) == ' ' || s.charAt(p) == '\t')) {
                p++;
            }
            if (p < n && s.charAt(p) == '\n') {
                p++;
                while (p < n && (s.charAt(p) == ' ' || s.charAt(p) == '\t')) {
                    p++;
                }
            }
            j = p;
        }
        count(work, j - i + 1);
        return count >= 8 ? lastTokenEnd : i;
    }

    /**
     * Scans a base64 run from {@code i}: returns {@code end << 1 | matched}, where a match has ≥ 64
     * characters mixing upper case, lower case and digits.
     */
    private static long base64Run(String s, int i, long[] work) {
        int n = s.length();
        int j = i;
        int segment = 0;
        int letters = 0;
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        int end = i;
        while (j < n) {
            char c = s.charAt(j);
            if (c < 128 && (Chars.ASCII[c] & Chars.B64) != 0) {
                upper |= c >= 'A' && c <= 'Z';
                lower |= c >= 'a' && c <= 'z';
                digit |= c >= '0' && c <= '9';
                segment++;
                letters++;
                j++;
                end = j;
            } else if (c == '\n' && segment >= 40) {
                segment = 0;
                j++;
            } else if (c == '\r' && segment >= 40) {
                j++;
            } else {
                break;
            }
        }
        count(work, j - i + 1);
        boolean matched = letters >= 64 && upper && lower && digit;
        return ((long) end << 1) | (matched ? 1 : 0);
    }

    private static void count(long[] work, int scanned) {
        if (work != null) {
            work[0] += scanned;
        }
    }

    private static boolean hex(char c) {
        return c < 128 && (Chars.ASCII[c] & Chars.HEX) != 0;
    }

    @Override
    public String toString() {
        return "encoded-data(max-match=" + maxMatch + ", max-fraction=" + maxFraction + ")";
    }
}
