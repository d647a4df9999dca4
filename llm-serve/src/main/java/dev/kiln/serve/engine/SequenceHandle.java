package dev.kiln.serve.engine;

/** A submitted sequence: cancel it when its client goes away. */
public interface SequenceHandle {

    /**
     * Removes the sequence: from the queue at once, or from the running batch before the next
     * decoding step (its KV cache is freed then). Idempotent; a no-op once finished.
     */
    void cancel();

    /** Whether the sequence has finished, failed or been cancelled. */
    boolean isDone();

    /** The model instance the sequence was routed to (0-based). */
    int instance();
}
