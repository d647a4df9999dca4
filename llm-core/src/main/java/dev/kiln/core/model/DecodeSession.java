package dev.kiln.core.model;

/**
 * One sequence being decoded step by step, holding its KV cache. Opened with {@link
 * LanguageModel#open}, advanced by {@link LanguageModel#step} together with other sessions
 * (continuous batching), and closed to free its cache.
 *
 * <pre>{@code
 * try (DecodeSession s = model.open(promptIds, SamplingParams.GREEDY)) {
 *     for (int i = 0; i < 16; i++) {
 *         int next = model.step(List.of(s))[0];
 *     }
 * }
 * }</pre>
 */
public interface DecodeSession extends AutoCloseable {

    /** Tokens of the prompt. */
    int promptLength();

    /** Tokens generated so far. */
    int generatedCount();

    /** Prompt plus generated tokens; never more than the model's context length. */
    default int length() {
        return promptLength() + generatedCount();
    }

    /**
     * Prompt tokens the model has processed so far (prefill progress), counting those reused from
     * a prefix cache; the prompt is done when this equals {@link #promptLength()}. Models that
     * prefill a whole prompt in one step report 0 before the first step and the prompt length
     * after it.
     */
    default int prefilledTokens() {
        return generatedCount() > 0 ? promptLength() : 0;
    }

    /**
     * Prompt tokens whose keys and values were reused from earlier sequences (prefix caching) at
     * {@link LanguageModel#open} instead of being computed; 0 for models without a prefix cache.
     */
    default int reusedPromptTokens() {
        return 0;
    }

    /** The last generated token, or -1 before the first step. */
    int lastToken();

    /** Natural log-probability of {@link #lastToken()} under the (unscaled) model distribution. */
    double lastLogprob();

    /** Whether {@link #close()} has been called. */
    boolean isClosed();

    /** Frees the session's cache; idempotent. */
    @Override
    void close();
}
