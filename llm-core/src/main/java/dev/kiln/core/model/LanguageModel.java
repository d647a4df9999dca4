package dev.kiln.core.model;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.tokenizer.FimTemplate;
import dev.kiln.core.tokenizer.Tokenizer;
import java.util.List;

/**
 * What evaluation and serving need from a model, whether it is a local checkpoint (llm-train) or a
 * remote OpenAI-compatible endpoint.
 *
 * <pre>{@code
 * try (LanguageModel model = LanguageModels.open("checkpoints/run1")) {
 *     Generation g = model.generate(GenerationRequest.builder()
 *             .setPrompt("def fib(n):")
 *             .optMaxTokens(64)
 *             .optStop(List.of("\ndef "))
 *             .build()).collect();
 *     System.out.println(g.text());
 * }
 * }</pre>
 *
 * <p>Two levels: {@link #generate} for one request (a cancellable stream of tokens), and the
 * step-level API ({@link #open}, {@link #step}, {@link DecodeSession#close}) on which a server
 * builds continuous batching. Local models implement the step level and inherit {@code generate};
 * remote models override {@code generate} and report {@link #supportsStepDecoding()} false.
 */
public interface LanguageModel extends AutoCloseable {

    /** A name for logs and the {@code /v1/models} listing. */
    String id();

    /** The tokenizer the model was trained with. */
    Tokenizer tokenizer();

    /** Maximum prompt + generated tokens. */
    int contextLength();

    /** The fill-in-the-middle layout, when the model was trained for it. */
    default java.util.Optional<FimTemplate> fimTemplate() {
        return tokenizer().fimTemplate();
    }

    /** The chat template, for models that ship one (imported instruct models); empty otherwise. */
    default java.util.Optional<ChatTemplate> chatTemplate() {
        return java.util.Optional.empty();
    }

    /** Whether {@link #open} and {@link #step} are available. */
    default boolean supportsStepDecoding() {
        return true;
    }

    /**
     * Opens a decoding session over {@code promptIds} (at least one id, fewer than the context
     * length). The prompt is processed (prefill) at the first {@link #step}.
     */
    DecodeSession open(int[] promptIds, SamplingParams sampling);

    /**
     * Opens a session that will generate at most {@code maxNewTokens} tokens. A model with a
     * bounded KV cache ({@link #kvCache()}) reserves the memory for prompt plus {@code
     * maxNewTokens} here, so that a running session never runs out of it, and may reuse cached
     * keys and values of a shared prompt prefix ({@link DecodeSession#reusedPromptTokens()}).
     *
     * @throws KvCacheFullException when the cache cannot hold the session now (retry after other
     *     sessions close) or ever ({@link KvCacheFullException#fitsWhenIdle()} false)
     */
    default DecodeSession open(int[] promptIds, SamplingParams sampling, int maxNewTokens) {
        return open(promptIds, sampling);
    }

    /**
     * Advances every session by one token, in one batched forward pass where the model can.
     * Sessions may have different lengths and may have joined at different times.
     *
     * @return the new token of each session, aligned with {@code sessions}
     * @throws IllegalArgumentException if a session is closed, full, or from another model
     */
    int[] step(List<? extends DecodeSession> sessions);

    /**
     * One step with chunked prefill: a session whose prompt is not fully processed consumes at most
     * {@code prefillLimits[i]} (at least 1) more prompt tokens, and yields a token only in the step
     * that completes its prompt ({@code -1} before); every other session yields one token. Prompt
     * chunks and decodes run in the same step, so a long prompt delays running sequences by one
     * chunk, not by its whole prefill.
     *
     * <p>The default ignores the limits and prefills whole prompts ({@link #step(List)}); see
     * {@link #supportsChunkedPrefill()}.
     *
     * <pre>{@code
     * int[] next = model.step(sessions, new int[] {1, 256});   // session 1 prefills 256 tokens
     * }</pre>
     */
    default int[] step(List<? extends DecodeSession> sessions, int[] prefillLimits) {
        requireArgument(
                prefillLimits.length == sessions.size(),
                "prefill limits (%s) must align with the sessions (%s)",
                prefillLimits.length,
                sessions.size());
        return step(sessions);
    }

    /** Whether {@link #step(List, int[])} honours its prefill limits. */
    default boolean supportsChunkedPrefill() {
        return false;
    }

    /**
     * Whether {@link #prefill} is available: a prompt can be processed on another thread while
     * {@link #step} advances other sessions.
     */
    default boolean supportsConcurrentPrefill() {
        return false;
    }

    /**
     * Processes up to {@code maxTokens} more prompt tokens of {@code session}, leaving at least the
     * prompt's last token for {@link #step}, whose step then yields the first generated token. One
     * thread may call this while another steps other sessions: the serving engine's prefill lane,
     * which computes long prompts on a core the stepping thread leaves instead of inside the steps
     * the running streams wait on. The session must not be in a concurrent step; calls to this
     * method are serialised with each other. Closing the session meanwhile is allowed (its memory
     * is freed when the call returns).
     *
     * <pre>{@code
     * // on a second thread, while the first steps the running sessions
     * while (model.prefill(session, 256) > 0) {
     *     if (cancelled) break;
     * }
     * }</pre>
     *
     * @return the prompt tokens processed (0 when at most one is left, or the session is closed)
     * @throws UnsupportedOperationException if {@link #supportsConcurrentPrefill()} is false
     * @throws IllegalArgumentException if {@code maxTokens} is below 1 or the session is not this model's
     */
    default int prefill(DecodeSession session, int maxTokens) {
        throw new UnsupportedOperationException("model '" + id() + "' cannot prefill beside its steps");
    }

    /**
     * Makes the threads that call {@link #prefill}: by default plain daemon threads; a local model
     * may lower their operating-system priority so that they use only a core its steps leave free.
     */
    default java.util.concurrent.ThreadFactory prefillThreads() {
        return r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        };
    }

    /** The model's KV cache pool, when it has a bounded one (empty for count-based or remote models). */
    default java.util.Optional<KvCacheStats> kvCache() {
        return java.util.Optional.empty();
    }

    /** Generates for one request; the stream can be cancelled between tokens. */
    default TokenStream generate(GenerationRequest request) {
        return Generator.start(this, request);
    }

    /** Whether {@link #score} is available (remote endpoints usually cannot). */
    default boolean supportsScoring() {
        return false;
    }

    /**
     * Log-likelihood of each token given the ones before it: element {@code i} is {@code log
     * p(ids[i + 1] | ids[0..i])}, so the result has {@code ids.length - 1} elements.
     */
    default double[] score(int[] ids) {
        throw new UnsupportedOperationException("model '" + id() + "' cannot score token sequences");
    }

    /** Frees the model's native memory. */
    @Override
    void close();
}
