package dev.kiln.core.model;

/** Why a generation ended (OpenAI's {@code finish_reason}, plus cancellation). */
public enum FinishReason {
    /** A stop string or the end-of-text token. */
    STOP,
    /** {@code max_tokens} or the context length was reached. */
    LENGTH,
    /** The caller cancelled (e.g. the HTTP client went away). */
    CANCELLED;

    /** The OpenAI wire name. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
