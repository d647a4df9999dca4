package dev.kiln.serve.engine;

/** Why the engine could not (or no longer can) serve a sequence. */
public final class EngineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kind of failure; the HTTP layer maps each to a status code. */
    public enum Kind {
        /** The queue is full: retry later (HTTP 429). */
        QUEUE_FULL,
        /** The sequence exceeded the per-request timeout (HTTP 503 when nothing was sent yet). */
        TIMEOUT,
        /** The engine is shutting down or closed (HTTP 503). */
        SHUTDOWN,
        /** The model rejected the sequence, e.g. a prompt too long (HTTP 400). */
        BAD_REQUEST,
        /** The model failed while decoding (HTTP 500). */
        MODEL_ERROR
    }

    private final Kind kind;

    /** A failure of {@code kind} described by {@code message}. */
    public EngineException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** A failure of {@code kind} described by {@code message}, caused by {@code cause}. */
    public EngineException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** The kind of failure, which decides the HTTP status. */
    public Kind kind() {
        return kind;
    }
}
