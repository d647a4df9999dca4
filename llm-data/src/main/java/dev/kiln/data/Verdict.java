package dev.kiln.data;

import java.io.Serializable;

/**
 * The outcome of a {@link DocumentFilter}: keep, or drop with a short reason ({@code
 * "too-long"}, {@code "license:unknown"}) that reports count as {@code "<stage>:<reason>"}.
 *
 * @param keep whether the document stays
 * @param reason why it was dropped; {@code null} when kept
 */
public record Verdict(boolean keep, String reason) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The shared "keep" verdict. */
    public static final Verdict KEEP = new Verdict(true, null);

    public Verdict {
        if (!keep && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("a drop needs a reason, got '" + reason + "'");
        }
        if (keep && reason != null) {
            throw new IllegalArgumentException("a kept document has no drop reason, got '" + reason + "'");
        }
    }

    public static Verdict drop(String reason) {
        return new Verdict(false, reason);
    }
}
