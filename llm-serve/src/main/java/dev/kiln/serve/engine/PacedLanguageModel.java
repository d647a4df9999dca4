package dev.kiln.serve.engine;

import dev.kiln.core.model.ChatTemplate;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.KvCacheStats;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.FimTemplate;
import dev.kiln.core.tokenizer.Tokenizer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * A model whose every decoding {@link #step} lasts at least a given time, whatever the batch size:
 * the cost profile of a memory-bound accelerator forward pass, played by a cheap CPU model. Use it
 * to load-test or size a server (batching gains, queueing, timeouts, cancellation) without the
 * accelerator, or wherever a generation must last long enough to act on it midway.
 *
 * <pre>{@code
 * LanguageModel gpuLike = PacedLanguageModel.of(ngramModel, Duration.ofMillis(2));
 * Server server = Server.builder().setModel(gpuLike).build().start();
 * }</pre>
 *
 * <p>The wait parks the decoding thread (no spinning). Everything else is the wrapped model's;
 * {@link #close()} leaves the wrapped model open (its owner closes it).
 */
public final class PacedLanguageModel implements LanguageModel {

    private final LanguageModel inner;
    private final long stepNanos;

    private PacedLanguageModel(LanguageModel model, Duration minStep) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (minStep == null || minStep.isNegative()) {
            throw new IllegalArgumentException("the minimum step time must be >= 0, got " + minStep);
        }
        this.inner = model;
        this.stepNanos = minStep.toNanos();
    }

    /**
     * Wraps {@code model} so that each step takes at least {@code minStep}.
     *
     * @throws IllegalArgumentException if the model is null or the duration null or negative
     */
    public static PacedLanguageModel of(LanguageModel model, Duration minStep) {
        return new PacedLanguageModel(model, minStep);
    }

    /** The minimum time of one step. */
    public Duration minStep() {
        return Duration.ofNanos(stepNanos);
    }

    @Override
    public String id() {
        return inner.id();
    }

    @Override
    public Tokenizer tokenizer() {
        return inner.tokenizer();
    }

    @Override
    public int contextLength() {
        return inner.contextLength();
    }

    @Override
    public Optional<FimTemplate> fimTemplate() {
        return inner.fimTemplate();
    }

    @Override
    public Optional<ChatTemplate> chatTemplate() {
        return inner.chatTemplate();
    }

    @Override
    public boolean supportsStepDecoding() {
        return inner.supportsStepDecoding();
    }

    @Override
    public DecodeSession open(int[] promptIds, SamplingParams sampling) {
        return inner.open(promptIds, sampling);
    }

    @Override
    public DecodeSession open(int[] promptIds, SamplingParams sampling, int maxNewTokens) {
        return inner.open(promptIds, sampling, maxNewTokens);
    }

    @Override
    public int[] step(List<? extends DecodeSession> sessions) {
        long end = System.nanoTime() + stepNanos;
        return pace(inner.step(sessions), end);
    }

    @Override
    public int[] step(List<? extends DecodeSession> sessions, int[] prefillLimits) {
        long end = System.nanoTime() + stepNanos;
        return pace(inner.step(sessions, prefillLimits), end);
    }

    private static int[] pace(int[] out, long end) {
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
        return out;
    }

    @Override
    public boolean supportsChunkedPrefill() {
        return inner.supportsChunkedPrefill();
    }

    @Override
    public boolean supportsConcurrentPrefill() {
        return inner.supportsConcurrentPrefill();
    }

    /** The wrapped model's prefill, lasting at least the minimum step time too. */
    @Override
    public int prefill(DecodeSession session, int maxTokens) {
        long end = System.nanoTime() + stepNanos;
        int n = inner.prefill(session, maxTokens);
        pace(null, end);
        return n;
    }

    @Override
    public java.util.concurrent.ThreadFactory prefillThreads() {
        return inner.prefillThreads();
    }

    @Override
    public Optional<KvCacheStats> kvCache() {
        return inner.kvCache();
    }

    @Override
    public boolean supportsScoring() {
        return inner.supportsScoring();
    }

    @Override
    public double[] score(int[] ids) {
        return inner.score(ids);
    }

    /** Does nothing: the wrapped model belongs to the caller. */
    @Override
    public void close() {}
}
