package dev.kiln.serve.engine;

import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.FinishReason;
import dev.kiln.core.tokenizer.StreamingDetokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A sequence's state inside a {@link Scheduler}; only the scheduler thread touches it after admission. */
final class Sequence implements SequenceHandle {

    private static final Logger LOG = LoggerFactory.getLogger(Sequence.class);

    final SequenceRequest request;
    final SequenceListener listener;
    final Scheduler scheduler;
    final long arrivalNanos;
    final StreamingDetokenizer detok;
    final int endOfText;
    DecodeSession session;
    long lastTokenNanos;
    int generated;
    volatile boolean cancelRequested;
    /** Whether the scheduler's prefill lane holds the sequence (scheduler thread only). */
    boolean inLane;
    /** The prompt tokens computed when the sequence entered the lane. */
    int laneFrom;
    /** Why the lane's prefill failed, or null; set by the lane, read by the scheduler after collecting. */
    Throwable laneFailure;

    volatile boolean done;

    Sequence(SequenceRequest request, SequenceListener listener, Scheduler scheduler, Tokenizer tokenizer) {
        this.request = request;
        this.listener = listener;
        this.scheduler = scheduler;
        this.arrivalNanos = System.nanoTime();
        this.detok = new StreamingDetokenizer(tokenizer, request.stop());
        this.endOfText = request.stopAtEndOfText() ? tokenizer.endOfTextId().orElse(-1) : -1;
    }

    @Override
    public void cancel() {
        if (done) {
            return;
        }
        cancelRequested = true;
        scheduler.cancelQueued(this);
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public int instance() {
        return scheduler.index;
    }

    /**
     * Accepts the token the last step produced; returns the finish reason when the sequence ends
     * with it, else null.
     */
    FinishReason accept(int id, double logprob, int contextLength) {
        generated++;
        String text;
        FinishReason finish = null;
        if (id == endOfText) {
            text = detok.finish();
            finish = FinishReason.STOP;
        } else {
            text = detok.push(id);
            if (detok.stopped()) {
                finish = FinishReason.STOP;
            } else if (generated >= request.maxTokens() || session.length() >= contextLength) {
                text = text + detok.finish();
                finish = FinishReason.LENGTH;
            }
        }
        listener.onToken(id, text, logprob);
        return finish;
    }

    /** Tells the listener the sequence ended (once: later calls, and calls after {@link #fail}, do nothing). */
    void finish(FinishReason reason) {
        if (done) {
            return;
        }
        done = true;
        try {
            listener.onFinish(reason, request.promptIds().length, generated);
        } catch (RuntimeException e) {
            LOG.warn("a sequence listener failed in onFinish", e);
        }
    }

    /** Tells the listener the sequence failed (once, as {@link #finish}). */
    void fail(EngineException e) {
        if (done) {
            return;
        }
        done = true;
        try {
            listener.onError(e);
        } catch (RuntimeException ex) {
            LOG.warn("a sequence listener failed in onError", ex);
        }
    }
}
