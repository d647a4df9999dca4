package dev.kiln.serve.engine;

import dev.kiln.core.model.FinishReason;

/**
 * Receives a sequence's tokens. Called on the engine's scheduler thread, so implementations must
 * return quickly and never block (hand the events to the request's own thread, e.g. through a
 * queue); a slow listener slows every sequence in the batch.
 *
 * <p>Exactly one of {@link #onFinish} or {@link #onError} is called, last.
 */
public interface SequenceListener {

    /**
     * A generated token.
     *
     * @param tokenId the token's id
     * @param text the text it releases: possibly empty (an incomplete UTF-8 character or a possible
     *     stop string is held back), possibly longer than the token (held text released)
     * @param logprob natural log-probability of the token under the model
     */
    void onToken(int tokenId, String text, double logprob);

    /**
     * Whether {@link #onToken} needs the token's log-probability (default true). A listener that
     * answers false gets {@code NaN} instead, and the engine skips computing it (a pass over the
     * vocabulary per token).
     */
    default boolean wantsLogprobs() {
        return true;
    }

    /**
     * The sequence ended.
     *
     * @param reason stop (end-of-text or a stop string), length, or cancelled
     * @param promptTokens the prompt's length in tokens
     * @param completionTokens tokens generated
     */
    void onFinish(FinishReason reason, int promptTokens, int completionTokens);

    /** The sequence failed (timed out, engine shut down, model error). */
    void onError(EngineException error);
}
