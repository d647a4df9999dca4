package dev.kiln.core.model;

import java.util.Iterator;
import java.util.Optional;

/**
 * The tokens of one generation as they are produced. Iterating drives decoding; {@link #cancel()}
 * (from any thread) ends it before the next step and frees the model's cache.
 *
 * <pre>{@code
 * try (TokenStream s = model.generate(request)) {
 *     while (s.hasNext()) System.out.print(s.next().text());
 *     System.out.println(" [" + s.finishReason().orElseThrow() + "]");
 * }
 * }</pre>
 */
public interface TokenStream extends Iterator<GeneratedToken>, AutoCloseable {

    /** Stops decoding at the next step boundary; safe from any thread. */
    void cancel();

    /** Set once the stream has ended. */
    Optional<FinishReason> finishReason();

    /** Number of prompt tokens. */
    int promptTokens();

    /** Reads the rest of the stream. */
    default Generation collect() {
        StringBuilder text = new StringBuilder();
        int[] ids = new int[16];
        int n = 0;
        while (hasNext()) {
            GeneratedToken t = next();
            if (n == ids.length) {
                ids = java.util.Arrays.copyOf(ids, n * 2);
            }
            ids[n++] = t.id();
            text.append(t.text());
        }
        close();
        return new Generation(
                text.toString(),
                java.util.Arrays.copyOf(ids, n),
                finishReason().orElse(FinishReason.CANCELLED),
                promptTokens());
    }

    /** Cancels if still running and frees resources. */
    @Override
    void close();
}
