package dev.kiln.serve.engine;

import dev.kiln.core.model.LanguageModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread beside a {@link Scheduler} that prefills one long prompt at a time with {@link
 * LanguageModel#prefill}, in chunks, while the scheduler keeps stepping the running sequences. The
 * prompt's last token is left to the scheduler's step, which yields its first token. The thread
 * comes from {@link LanguageModel#prefillThreads()} (for Kiln's GPT models, Linux's idle priority):
 * it computes on a core the stepping thread leaves, and gives that core up to anything else.
 *
 * <p>The scheduler {@link #submit submits} a sequence, leaves it out of its steps, and {@link
 * #collect collects} it when the lane has finished with it (prompt done but one token, cancelled, or
 * failed: {@link Sequence#laneFailure}). Between chunks the lane stops early for a cancelled sequence or a
 * stopping engine; a session closed meanwhile is freed by the model when the chunk returns.
 */
final class PrefillLane {

    private static final Logger LOG = LoggerFactory.getLogger(PrefillLane.class);

    private final LanguageModel model;
    private final int chunk;
    private final Runnable onDone;
    private final Thread thread;
    private Sequence job;
    private Sequence finished;
    private boolean stopping;

    /**
     * A lane for {@code model}, prefilling {@code chunk} tokens per call; {@code onDone} runs on the
     * lane's thread each time a sequence is finished (the scheduler wakes up to collect it).
     */
    PrefillLane(LanguageModel model, int chunk, Runnable onDone, String name) {
        this.model = model;
        this.chunk = chunk;
        this.onDone = onDone;
        this.thread = model.prefillThreads().newThread(this::loop);
        thread.setName(name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the lane holds no sequence, finished or not (then {@link #submit} may be called). */
    synchronized boolean idle() {
        return job == null && finished == null;
    }

    /** Whether a finished sequence waits to be {@link #collect collected}. */
    synchronized boolean hasFinished() {
        return finished != null;
    }

    /** Hands {@code s} (opened, with at least two prompt tokens left) to the lane. */
    synchronized void submit(Sequence s) {
        if (!idle()) {
            throw new IllegalStateException("the prefill lane is busy");
        }
        job = s;
        notifyAll();
    }

    /** The finished sequence, or null; the lane is idle afterwards. */
    synchronized Sequence collect() {
        Sequence s = finished;
        finished = null;
        return s;
    }

    /** Stops the thread after its current chunk. */
    synchronized void stop() {
        stopping = true;
        notifyAll();
    }

    private void loop() {
        while (true) {
            Sequence s;
            synchronized (this) {
                while (job == null && !stopping) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
                s = job;
            }
            Throwable error = null;
            try {
                while (!s.cancelRequested && !isStopping() && model.prefill(s.session, chunk) > 0) {
                    // one chunk per call, checking for a cancel or a stop between them
                }
            } catch (RuntimeException | Error e) {
                // an Error too: the sequence must come back (and fail) rather than wait forever
                error = e;
                LOG.debug("the prefill lane failed a prompt of {} tokens", s.request.promptIds().length, e);
            }
            synchronized (this) {
                job = null;
                finished = s;
                s.laneFailure = error; // published to the scheduler by collect()'s lock
            }
            onDone.run();
        }
    }

    private synchronized boolean isStopping() {
        return stopping;
    }
}
