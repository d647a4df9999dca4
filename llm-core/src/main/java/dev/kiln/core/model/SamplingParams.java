package dev.kiln.core.model;

import static dev.kiln.core.Checks.requireArgument;

/**
 * How the next token is chosen from the logits.
 *
 * @param temperature 0 for greedy (argmax), else logits are divided by it
 * @param topP nucleus sampling mass in (0, 1]; 1 disables it
 * @param topK keep the k most likely tokens; 0 disables it
 * @param seed seed of the session's random stream; the same seed gives the same tokens
 */
public record SamplingParams(double temperature, double topP, int topK, long seed) {

    /** Greedy decoding. */
    public static final SamplingParams GREEDY = new SamplingParams(0, 1, 0, 0);

    /**
     * @throws IllegalArgumentException for a negative or infinite temperature, top-p outside (0, 1] or a negative top-k
     */
    public SamplingParams {
        requireArgument(
                temperature >= 0 && !Double.isInfinite(temperature),
                "temperature must be a finite number >= 0, got %s",
                temperature);
        requireArgument(topP > 0 && topP <= 1, "top_p must be in (0, 1], got %s", topP);
        requireArgument(topK >= 0, "top_k must be >= 0 (0 = off), got %s", topK);
    }

    /** Whether sampling reduces to argmax (temperature 0 or top-k 1). */
    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }
}
