package dev.kiln.data.filter;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps HTML only when it carries real text ({@code html-text}), as in StarCoder: the visible text
 * must be at least {@code min-fraction} (default 0.2) of the document and at least {@code
 * min-chars} (default 100) characters. Other languages pass.
 *
 * <p>Visible text is what is left after removing tags, comments, {@code <script>}, {@code <style>}
 * and {@code <template>} bodies, with each run of whitespace counted as one character and each
 * entity ({@code &amp;}) as one. A hand-written scanner, one pass, no DOM.
 *
 * <pre>{@code
 * DocumentFilter f = Filters.htmlText();
 * }</pre>
 */
public final class HtmlTextFilter implements DocumentFilter {

    private static final long serialVersionUID = 1L;

    private final double minFraction;
    private final int minChars;
    private final TreeSet<String> languages;

    HtmlTextFilter(double minFraction, int minChars, Set<String> languages) {
        MinifiedFilter.fraction("min-fraction", minFraction);
        if (minChars < 0) {
            throw new IllegalArgumentException("min-chars must be ≥ 0, got " + minChars);
        }
        this.minFraction = minFraction;
        this.minChars = minChars;
        this.languages = new TreeSet<>(languages);
    }

    /** 20% and 100 characters, HTML only. */
    public static HtmlTextFilter defaults() {
        return new HtmlTextFilter(0.2, 100, Set.of("html"));
    }

    @Override
    public String name() {
        return "html-text";
    }

    @Override
    public Verdict test(Document doc) {
        if (!languages.contains(doc.language())) {
            return Verdict.KEEP;
        }
        String s = doc.content();
        long text = visibleTextLength(s);
        if (text < minChars) {
            return Verdict.drop("little-text");
        }
        return (double) text / Math.max(1, s.length()) < minFraction ? Verdict.drop("low-text-fraction") : Verdict.KEEP;
    }

    /** Length of the visible text of an HTML document (whitespace runs count 1, entities 1). */
    public static long visibleTextLength(String s) {
        int n = s.length();
        long text = 0;
        boolean lastSpace = true;
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '<') {
                if (s.startsWith("<!--", i)) {
                    int end = s.indexOf("-->", i + 4);
                    i = end < 0 ? n : end + 3;
                    continue;
                }
                if (i + 1 < n
                        && (isLetter(s.charAt(i + 1))
                                || s.charAt(i + 1) == '/'
                                || s.charAt(i + 1) == '!'
                                || s.charAt(i + 1) == '?')) {
                    int end = tagEnd(s, i + 1);
                    String raw = rawTextElement(s, i + 1);
                    i = end;
                    if (raw != null) {
                        int close = indexOfIgnoreCase(s, "</" + raw, i);
                        i = close < 0 ? n : tagEnd(s, close + 2);
                    }
                    lastSpace = true; // a tag separates words
                    continue;
                }
            }
            if (c == '&') {
                int semi = i + 1;
                while (semi < n
                        && semi < i + 12
                        && (isLetter(s.charAt(semi)) || s.charAt(semi) == '#' || Character.isDigit(s.charAt(semi)))) {
                    semi++;
                }
                if (semi < n && s.charAt(semi) == ';' && semi > i + 1) {
                    text += lastSpace && text > 0 ? 2 : 1;
                    lastSpace = false;
                    i = semi + 1;
                    continue;
                }
            }
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
                lastSpace = true;
            } else {
                // a run of whitespace before a visible character counts as one
                text += lastSpace && text > 0 ? 2 : 1;
                lastSpace = false;
            }
            i++;
        }
        return text;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Index after the {@code >} closing the tag whose name starts at {@code i} (quotes respected). */
    private static int tagEnd(String s, int i) {
        int n = s.length();
        char quote = 0;
        for (int j = i; j < n; j++) {
            char c = s.charAt(j);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return j + 1;
            }
        }
        return n;
    }

    /** "script", "style" or "template" when the tag at {@code i} opens one, else null. */
    private static String rawTextElement(String s, int i) {
        for (String name : new String[] {"script", "style", "template"}) {
            int e = i + name.length();
            if (s.regionMatches(true, i, name, 0, name.length())
                    && e < s.length()
                    && (s.charAt(e) == '>' || Character.isWhitespace(s.charAt(e)))) {
                return name;
            }
        }
        return null;
    }

    private static int indexOfIgnoreCase(String s, String what, int from) {
        int n = s.length() - what.length();
        char first = what.charAt(0);
        for (int i = from; i <= n; i++) {
            if (s.charAt(i) == first && s.regionMatches(true, i, what, 0, what.length())) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "html-text(min-fraction=" + minFraction + ", min-chars=" + minChars + ")";
    }
}
