package dev.kiln.serve.engine;

import dev.kiln.core.model.SamplingParams;
import java.util.List;

/**
 * One sequence to decode: the prompt ids (already laid out, e.g. with FIM tokens), how to sample,
 * and when to stop.
 *
 * <pre>{@code
 * SequenceRequest r = new SequenceRequest(tokenizer.encode("def f("), new SamplingParams(0, 1, 0, 7),
 *         32, List.of("\n\n"), true);
 * }</pre>
 *
 * @param promptIds at least one token id
 * @param sampling temperature, top-p, top-k and seed
 * @param maxTokens tokens to generate at most (≥ 1)
 * @param stop stop strings; generation ends before the first one, which is not emitted
 * @param stopAtEndOfText whether the end-of-text token ends the sequence (vLLM's {@code ignore_eos}
 *     is the negation)
 */
public record SequenceRequest(
        int[] promptIds, SamplingParams sampling, int maxTokens, List<String> stop, boolean stopAtEndOfText) {

    /**
     * Checks the request and copies the stop strings.
     *
     * @throws IllegalArgumentException on an empty prompt, null sampling or stop list, {@code maxTokens < 1}
     *     or an empty stop string
     */
    public SequenceRequest {
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt must have at least one token");
        }
        if (sampling == null) {
            throw new IllegalArgumentException("sampling parameters must not be null");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
        }
        if (stop == null) {
            throw new IllegalArgumentException("stop strings must not be null (use List.of())");
        }
        stop = List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty, got " + stop);
            }
        }
    }
}
