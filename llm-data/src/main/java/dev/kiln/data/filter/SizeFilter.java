package dev.kiln.data.filter;

import dev.kiln.core.Document;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Verdict;

/**
 * Drops documents outside size bounds ({@code size}): blank documents, fewer than {@code min-lines}
 * or more than {@code max-lines} lines, fewer than {@code min-bytes} or more than {@code max-bytes}
 * UTF-8 bytes. Defaults: 1 line, 100 000 lines, 10 bytes, 1 MB (The Stack drops files over 1 MB).
 *
 * <pre>{@code
 * DocumentFilter f = Filters.size(5, 20_000, 50, 500_000);
 * }</pre>
 */
public final class SizeFilter implements DocumentFilter {

    private static final long serialVersionUID = 1L;

    private final int minLines;
    private final int maxLines;
    private final long minBytes;
    private final long maxBytes;

    SizeFilter(int minLines, int maxLines, long minBytes, long maxBytes) {
        if (minLines < 0 || maxLines < minLines) {
            throw new IllegalArgumentException(
                    "need 0 ≤ min-lines ≤ max-lines, got min-lines " + minLines + ", max-lines " + maxLines);
        }
        if (minBytes < 0 || maxBytes < minBytes) {
            throw new IllegalArgumentException(
                    "need 0 ≤ min-bytes ≤ max-bytes, got min-bytes " + minBytes + ", max-bytes " + maxBytes);
        }
        this.minLines = minLines;
        this.maxLines = maxLines;
        this.minBytes = minBytes;
        this.maxBytes = maxBytes;
    }

    /** 1 to 100 000 lines, 10 bytes to 1 MB. */
    public static SizeFilter defaults() {
        return new SizeFilter(1, 100_000, 10, 1_000_000);
    }

    @Override
    public String name() {
        return "size";
    }

    @Override
    public Verdict test(Document doc) {
        String s = doc.content();
        if (s.isBlank()) {
            return Verdict.drop("empty");
        }
        if (s.length() > maxBytes) { // ≥ 1 byte per char: too large for sure
            return Verdict.drop("too-large");
        }
        long bytes = Document.utf8Length(s);
        if (bytes < minBytes) {
            return Verdict.drop("too-small");
        }
        if (bytes > maxBytes) {
            return Verdict.drop("too-large");
        }
        int lines = Chars.lineCount(s);
        if (lines < minLines) {
            return Verdict.drop("too-few-lines");
        }
        if (lines > maxLines) {
            return Verdict.drop("too-many-lines");
        }
        return Verdict.KEEP;
    }

    @Override
    public String toString() {
        return "size(lines " + minLines + ".." + maxLines + ", bytes " + minBytes + ".." + maxBytes + ")";
    }
}
