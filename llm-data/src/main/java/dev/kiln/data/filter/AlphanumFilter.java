package dev.kiln.data.filter;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;
import java.util.Objects;

/**
 * Drops documents with too few alphanumeric characters ({@code alphanum}, default: fraction &lt;
 * 0.25 of all characters, as in BigCode / CodeParrot), and data files with too few alphabetic
 * characters (default: JSON and YAML need an alphabetic fraction ≥ 0.5, as in StarCoder's data
 * filters, which removes number dumps and base64 blobs dressed as JSON).
 *
 * <p>Fractions are over UTF-16 chars; letters and digits beyond ASCII count through {@link
 * Character}. One pass, no allocation.
 *
 * <pre>{@code
 * DocumentFilter f = Filters.alphanum(0.25);
 * }</pre>
 */
public final class AlphanumFilter implements DocumentFilter {

    private static final long serialVersionUID = 1L;

    private final PerLanguage minAlphanum;
    private final PerLanguage minAlphabetic;

    AlphanumFilter(PerLanguage minAlphanum, PerLanguage minAlphabetic) {
        this.minAlphanum = Objects.requireNonNull(minAlphanum, "minAlphanum");
        this.minAlphabetic = Objects.requireNonNull(minAlphabetic, "minAlphabetic");
        check(minAlphanum.defaultValue());
        check(minAlphabetic.defaultValue());
    }

    private static void check(double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException("a fraction must be in [0, 1], got " + v);
        }
    }

    /** 0.25 for every language. */
    public static PerLanguage defaultAlphanum() {
        return PerLanguage.of(0.25);
    }

    /** 0.5 for JSON and YAML, not checked (0) elsewhere. */
    public static PerLanguage defaultAlphabetic() {
        return PerLanguage.of(0).with("json", 0.5).with("yaml", 0.5);
    }

    @Override
    public String name() {
        return "alphanum";
    }

    @Override
    public Verdict test(Document doc) {
        String lang = doc.language();
        boolean an = minAlphanum.applies(lang);
        boolean al = minAlphabetic.applies(lang) && minAlphabetic.get(lang) > 0;
        String s = doc.content();
        int n = s.length();
        if ((!an && !al) || n == 0) {
            return Verdict.KEEP;
        }
        int alnum = 0;
        int alpha = 0;
        int[] table = Chars.ASCII;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int k = c < 128 ? table[c] : Chars.of(c);
            if ((k & Chars.ALNUM) != 0) {
                alnum++;
                if ((k & Chars.ALPHA) != 0) {
                    alpha++;
                }
            }
        }
        if (an && (double) alnum / n < minAlphanum.get(lang)) {
            return Verdict.drop("low-alphanum");
        }
        if (al && (double) alpha / n < minAlphabetic.get(lang)) {
            return Verdict.drop("low-alphabetic");
        }
        return Verdict.KEEP;
    }

    @Override
    public String toString() {
        return "alphanum(" + minAlphanum + ", alphabetic " + minAlphabetic + ")";
    }
}
