package dev.kiln.data;

import java.io.Serializable;

/**
 * The outcome of a {@link DocumentFilter}: keep, or drop with a short reason ({@code
 * "too-long"}, {@code "license:unknown"}) that reports count as {@code "<stage>:<reason>"}. A kept
 * document may carry a note ({@code "unchecked:haskell"}, {@code "rescued:node"}) that reports
 * count per stage, so a filter can say how it kept a document without changing it.
 *
 * <pre>{@code
 * Verdict.KEEP;                      // kept
 * Verdict.keep("unchecked:haskell"); // kept, counted under the stage's notes
 * Verdict.drop("python");            // dropped, counted as "<stage>:python"
 * }</pre>
 *
 * @param keep whether the document stays
 * @param reason why it was dropped; {@code null} when kept
 * @param note for a kept document, how it was kept (a short label); {@code null} for none and for
 *     drops
 */
public record Verdict(boolean keep, String reason, String note) implements Serializable {

    private static final long serialVersionUID = 2L;

    /** The shared "keep" verdict. */
    public static final Verdict KEEP = new Verdict(true, null, null);

    /** @throws IllegalArgumentException for a drop without a reason */
    public Verdict {
        if (!keep && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("a drop needs a reason, got '" + reason + "'");
        }
        if (keep && reason != null) {
            throw new IllegalArgumentException("a kept document has no drop reason, got '" + reason + "'");
        }
        if (note != null && (!keep || note.isBlank())) {
            throw new IllegalArgumentException(
                    "only a kept document has a note, and not a blank one; got keep=" + keep + ", note '" + note + "'");
        }
    }

    /** Keep or drop without a note. */
    public Verdict(boolean keep, String reason) {
        this(keep, reason, null);
    }

    /** Drop, for {@code reason} (not blank; reports count drops by it). */
    public static Verdict drop(String reason) {
        return new Verdict(false, reason, null);
    }

    /** Keep, with a note that reports count per stage ({@code null} is plain {@link #KEEP}). */
    public static Verdict keep(String note) {
        return note == null ? KEEP : new Verdict(true, null, note);
    }
}
