package dev.kiln.core.model;

/**
 * A finished generation.
 *
 * @param text the completion, stop string excluded
 * @param tokenIds generated ids (including the one that completed a stop string)
 * @param finishReason why it ended
 * @param promptTokens number of prompt tokens
 */
public record Generation(String text, int[] tokenIds, FinishReason finishReason, int promptTokens) {

    /** The number of generated tokens (OpenAI's {@code usage.completion_tokens}). */
    public int completionTokens() {
        return tokenIds.length;
    }
}
