package dev.kiln.data.pii;

import java.io.Serializable;

/**
 * One detected span: its type and where it is, as {@code [start, end)} indices. {@link
 * PiiScanner#scan} returns UTF-16 (Java {@code String}) indices; the {@code pii} metadata written by
 * {@link PiiRedactor} holds code-point offsets into the original content. Never the secret itself.
 *
 * @param type what was found
 * @param start first index
 * @param end index after the last
 * @param kind the detector that fired ({@code aws-access-key}, {@code github-token}, {@code
 *     email}, ...), for statistics and debugging
 */
public record PiiSpan(PiiType type, int start, int end, String kind) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** @throws IllegalArgumentException unless {@code 0 <= start < end} */
    public PiiSpan {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
    }

    /** Characters covered, {@code end - start}. */
    public int length() {
        return end - start;
    }
}
