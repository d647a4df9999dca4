package dev.kiln.data.filter;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;

/**
 * Drops minified or packed JavaScript, CSS, JSON and HTML ({@code minified}).
 *
 * <p>Heuristics, in order (reason in brackets):
 *
 * <ol>
 *   <li>[{@code min-name}] the file name has a {@code .min.} part or ends in {@code -min.js} /
 *       {@code -min.css} ({@code jquery.min.js}, {@code app.min.css}).
 *   <li>A "long line" is longer than {@code long-line} code units (default 500). When long lines
 *       hold at least {@code long-line-share} (default 0.5) of the text:
 *       <ul>
 *         <li>[{@code dense}] whitespace is under {@code max-whitespace} (default 0.08) of the
 *             long lines' characters: formatted code, even with long literal tables, has a space after
 *             most commas and operators (typically 12–20%); minifiers strip them (1–4%);
 *         <li>[{@code short-identifiers}] at least {@code short-identifier-share} (default 0.35)
 *             of the identifiers in long lines have one or two characters ({@code e}, {@code t},
 *             {@code n}, {@code r} ... are what mangling produces; ordinary code sits near 10–20%).
 *       </ul>
 *   <li>[{@code bundle}] a webpack bundle: {@code webpackBootstrap} or the {@code /******}{@code /}
 *       runtime banner in the first 2 KB (generated module glue, the sources live elsewhere).
 *   <li>[{@code source-map}] a {@code sourceMappingURL=} comment in the last 1024 characters and
 *       long lines holding at least 20% of the text: a build output whose source lives elsewhere.
 * </ol>
 *
 * <p>The content checks skip prose and tabular languages ({@code exempt}, default Markdown,
 * reStructuredText, TeX, SQL, CSV), whose long lines are normal. One pass over the text, no
 * allocation.
 *
 * <pre>{@code
 * DocumentFilter f = Filters.minified();
 * }</pre>
 */
public final class MinifiedFilter implements DocumentFilter {

    private static final long serialVersionUID = 1L;

    private final int longLine;
    private final double longLineShare;
    private final double maxWhitespace;
    private final double shortIdentifierShare;
    private final boolean checkName;
    private final java.util.TreeSet<String> exempt;

    MinifiedFilter(
            int longLine, double longLineShare, double maxWhitespace, double shortIdentifierShare, boolean checkName) {
        this(longLine, longLineShare, maxWhitespace, shortIdentifierShare, checkName, DEFAULT_EXEMPT);
    }

    /** Prose and tabular languages whose long lines are normal: not checked by content. */
    public static final java.util.List<String> DEFAULT_EXEMPT =
            java.util.List.of("markdown", "restructuredtext", "tex", "sql", "csv");

    MinifiedFilter(
            int longLine,
            double longLineShare,
            double maxWhitespace,
            double shortIdentifierShare,
            boolean checkName,
            java.util.Collection<String> exempt) {
        this.exempt = new java.util.TreeSet<>(exempt);
        if (longLine < 1) {
            throw new IllegalArgumentException("long-line must be ≥ 1, got " + longLine);
        }
        fraction("long-line-share", longLineShare);
        fraction("max-whitespace", maxWhitespace);
        fraction("short-identifier-share", shortIdentifierShare);
        this.longLine = longLine;
        this.longLineShare = longLineShare;
        this.maxWhitespace = maxWhitespace;
        this.shortIdentifierShare = shortIdentifierShare;
        this.checkName = checkName;
    }

    static void fraction(String what, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1], got " + v);
        }
    }

    /** With the documented defaults. */
    public static MinifiedFilter defaults() {
        return new MinifiedFilter(500, 0.5, 0.08, 0.35, true);
    }

    @Override
    public String name() {
        return "minified";
    }

    @Override
    public Verdict test(Document doc) {
        if (checkName && minName(doc.path())) {
            return Verdict.drop("min-name");
        }
        String s = doc.content();
        int n = s.length();
        if (n == 0 || exempt.contains(doc.language())) {
            return Verdict.KEEP;
        }
        if (webpackBundle(s)) {
            return Verdict.drop("bundle");
        }
        int[] table = Chars.ASCII;
        long longChars = 0;
        long longSpace = 0;
        long idents = 0;
        long shortIdents = 0;
        int lineStart = 0;
        int lineSpace = 0;
        int lineIdents = 0;
        int lineShort = 0;
        int identLen = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? s.charAt(i) : '\n';
            if (c == '\n') {
                if (identLen > 0) {
                    lineIdents++;
                    if (identLen <= 2) {
                        lineShort++;
                    }
                    identLen = 0;
                }
                int len = i - lineStart;
                if (len > longLine) {
                    longChars += len;
                    longSpace += lineSpace;
                    idents += lineIdents;
                    shortIdents += lineShort;
                }
                lineStart = i + 1;
                lineSpace = 0;
                lineIdents = 0;
                lineShort = 0;
                continue;
            }
            int k = c < 128 ? table[c] : Chars.of(c);
            if ((k & Chars.IDENT) != 0) {
                if (identLen > 0 || (k & Chars.DIGIT) == 0) {
                    identLen++;
                }
            } else {
                if (identLen > 0) {
                    lineIdents++;
                    if (identLen <= 2) {
                        lineShort++;
                    }
                    identLen = 0;
                }
                if ((k & Chars.SPACE) != 0) {
                    lineSpace++;
                }
            }
        }
        double share = (double) longChars / n;
        if (share >= longLineShare && longChars > 0) {
            if ((double) longSpace / longChars < maxWhitespace) {
                return Verdict.drop("dense");
            }
            if (idents >= 20 && (double) shortIdents / idents >= shortIdentifierShare) {
                return Verdict.drop("short-identifiers");
            }
        }
        if (share >= 0.2) {
            int from = Math.max(0, n - 1024);
            if (s.indexOf("sourceMappingURL=", from) >= 0) {
                return Verdict.drop("source-map");
            }
        }
        return Verdict.KEEP;
    }

    /** A webpack bundle: its runtime banner ({@code webpackBootstrap}) in the first 2 KB. */
    static boolean webpackBundle(String s) {
        String head = s.length() > 2048 ? s.substring(0, 2048) : s;
        return head.contains("webpackBootstrap") || head.contains("/******/ (");
    }

    /** {@code x.min.js}, {@code x-min.js}, {@code x.min.css}: a minifier's output name. */
    static boolean minName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        String name = path.substring(slash + 1);
        return name.contains(".min.") || name.endsWith("-min.js") || name.endsWith("-min.css");
    }

    @Override
    public String toString() {
        return "minified(long-line=" + longLine + ", long-line-share=" + longLineShare + ", max-whitespace="
                + maxWhitespace + ", short-identifier-share=" + shortIdentifierShare + ", check-name=" + checkName
                + ", exempt=" + exempt + ")";
    }
}
