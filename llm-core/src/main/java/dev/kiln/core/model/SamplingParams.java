package dev.kiln.core.model;

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

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
        }
    }

    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }
}
