package dev.kiln.data.filter;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;
import java.util.Objects;

/**
 * Drops documents whose longest line ({@code max-line-length}) or mean line length ({@code
 * avg-line-length}) exceeds a per-language limit, as in the BigCode / CodeParrot pipelines (defaults
 * 1000 and 100 characters). Markdown and SQL are exempt by default: prose paragraphs and {@code
 * INSERT} rows are long lines in good files.
 *
 * <p>Lengths count code points of a line without its terminator; lines end at {@code \n}, {@code
 * \r\n} or {@code \r}. One pass over the text, no allocation.
 *
 * <pre>{@code
 * DocumentFilter f = Filters.maxLineLength(1000);
 * DocumentFilter g = Filters.avgLineLength(PerLanguage.of(100).exempt("markdown", "sql", "csv"));
 * }</pre>
 */
public final class LineLengthFilter implements DocumentFilter {

    private static final long serialVersionUID = 1L;

    /** Which statistic the filter limits. */
    public enum Kind {
        /** The longest line. */
        MAX,
        /** The mean line length. */
        MEAN
    }

    private final Kind kind;
    private final PerLanguage limit;

    LineLengthFilter(Kind kind, PerLanguage limit) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.limit = Objects.requireNonNull(limit, "limit");
        if (!(limit.defaultValue() > 0)) {
            throw new IllegalArgumentException("line length limit must be > 0, got " + limit.defaultValue());
        }
    }

    /** The BigCode defaults: max 1000, Markdown and SQL exempt. */
    public static PerLanguage defaultMax() {
        return PerLanguage.of(1000).exempt("markdown", "sql");
    }

    /** The BigCode defaults: mean 100, Markdown and SQL exempt. */
    public static PerLanguage defaultMean() {
        return PerLanguage.of(100).exempt("markdown", "sql");
    }

    @Override
    public String name() {
        return kind == Kind.MAX ? "max-line-length" : "avg-line-length";
    }

    /** Which line length is limited (the longest, or the mean). */
    public Kind kind() {
        return kind;
    }

    /** The limit per language. */
    public PerLanguage limit() {
        return limit;
    }

    @Override
    public Verdict test(Document doc) {
        String lang = doc.language();
        if (!limit.applies(lang)) {
            return Verdict.KEEP;
        }
        double max = limit.get(lang);
        String s = doc.content();
        int n = s.length();
        if (n == 0) {
            return Verdict.KEEP;
        }
        long total = 0;
        int lines = 0;
        int longest = 0;
        int cur = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                    i++;
                }
                lines++;
                total += cur;
                if (cur > longest) {
                    longest = cur;
                }
                cur = 0;
            } else if (!Character.isLowSurrogate(c)) {
                cur++;
            }
        }
        if (cur > 0 || (s.charAt(n - 1) != '\n' && s.charAt(n - 1) != '\r')) {
            lines++;
            total += cur;
            if (cur > longest) {
                longest = cur;
            }
        }
        if (kind == Kind.MAX) {
            return longest > max ? Verdict.drop("long-line") : Verdict.KEEP;
        }
        return lines > 0 && (double) total / lines > max ? Verdict.drop("long-mean-line") : Verdict.KEEP;
    }

    @Override
    public String toString() {
        return name() + "(" + limit + ")";
    }
}
