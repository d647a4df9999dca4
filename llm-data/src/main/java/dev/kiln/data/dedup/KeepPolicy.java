package dev.kiln.data.dedup;

import dev.kiln.core.Document;
import java.io.Serializable;
import java.util.Objects;

/**
 * Which document of a duplicate cluster is kept: the first in input order (default), the one with
 * the largest numeric metadata value (e.g. {@code stars}), or the longest content. Ties always go to
 * the earliest document, so the choice is deterministic.
 *
 * <pre>{@code
 * KeepPolicy byStars = KeepPolicy.largest("stars");
 * KeepPolicy p = KeepPolicy.parse("largest:stars");   // recipe / CLI spelling
 * }</pre>
 */
public final class KeepPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Keep the first document in input order. */
    public static final KeepPolicy FIRST = new KeepPolicy("first", null);
    /** Keep the document with the longest content (UTF-8 bytes). */
    public static final KeepPolicy LONGEST = new KeepPolicy("longest", null);

    private final String kind;
    private final String key;

    private KeepPolicy(String kind, String key) {
        this.kind = kind;
        this.key = key;
    }

    /** Keep the document with the largest value of numeric metadata {@code key}; missing counts as -∞. */
    public static KeepPolicy largest(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("metadata key must not be blank, got '" + key + "'");
        }
        return new KeepPolicy("largest", key);
    }

    /** Parses {@code first}, {@code longest} or {@code largest:<key>}. */
    public static KeepPolicy parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("keep policy must not be null; use first, longest or largest:<key>");
        }
        if (s.equals("first")) {
            return FIRST;
        }
        if (s.equals("longest")) {
            return LONGEST;
        }
        if (s.startsWith("largest:") && s.length() > "largest:".length()) {
            return largest(s.substring("largest:".length()));
        }
        throw new IllegalArgumentException("unknown keep policy '" + s + "'; use first, longest or largest:<key>");
    }

    /** Whether every document scores the same (no per-document value needs storing). */
    public boolean isFirst() {
        return key == null && kind.equals("first");
    }

    /** The metadata key of {@code largest:<key>}, else null. */
    public String metadataKey() {
        return key;
    }

    /** The document's score; larger is kept, ties go to the earlier document. */
    public double score(Document doc) {
        return score(doc.content(), doc.metadata().get(key == null ? "" : key));
    }

    /** The score from content and the value of {@link #metadataKey()} (engines without Documents). */
    public double score(String content, Object metadataValue) {
        switch (kind) {
            case "first":
                return 0;
            case "longest":
                return Document.utf8Length(content);
            default:
                if (metadataValue instanceof Number n) {
                    double d = n.doubleValue();
                    return Double.isNaN(d) ? Double.NEGATIVE_INFINITY : d;
                }
                if (metadataValue instanceof String str) {
                    try {
                        return Double.parseDouble(str.trim());
                    } catch (NumberFormatException e) {
                        return Double.NEGATIVE_INFINITY;
                    }
                }
                return Double.NEGATIVE_INFINITY;
        }
    }

    @Override
    public String toString() {
        return key == null ? kind : kind + ":" + key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeepPolicy p && p.kind.equals(kind) && Objects.equals(p.key, key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, key);
    }

    private Object readResolve() {
        return key == null ? (kind.equals("first") ? FIRST : LONGEST) : this;
    }
}
