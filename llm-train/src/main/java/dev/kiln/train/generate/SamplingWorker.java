package dev.kiln.train.generate;

import dev.kiln.core.model.Sampler;
import dev.kiln.train.generate.GptLanguageModel.Session;
import java.util.concurrent.locks.LockSupport;

/**
 * Draws the next tokens of a step's sessions on two threads: the stepping thread and one helper
 * thread with its own {@link Sampler}. A temperature draw is a pass of {@code Math.exp} over the
 * whole vocabulary (~60 µs for 8,192 ids), all on one core while libtorch computes on that same
 * core and the second core idles; splitting the rows halves that part of a batched step. Every
 * session draws from its own logits with its own random stream, exactly as on one thread, so the
 * tokens are the same; only which thread computes a row changes.
 *
 * <p>Small batches, and every batch on a one-processor machine, stay on the calling thread (a
 * hand-off costs tens of microseconds). The helper
 * starts at the first batch that uses it and parks between steps; {@link #close()} stops it.
 */
final class SamplingWorker implements AutoCloseable {

    /** Rows to draw below which the calling thread draws them all. */
    static final int MIN_ROWS = 4;

    private final Sampler own;
    private final Sampler helperSampler;
    private final String name;
    /** With one processor a second thread only adds hand-offs. */
    private final boolean twoCores = Runtime.getRuntime().availableProcessors() > 1;

    private Thread helper;
    private volatile boolean closed;
    /** Incremented by the stepping thread to hand over a batch; the helper answers in {@link #done}. */
    private volatile int task;

    private volatile int done;
    private volatile Thread waiter;
    private Session[] rows;
    private int[] out;
    private int count;
    private Throwable failure;

    SamplingWorker(Sampler own, int vocabSize, String name) {
        this.own = own;
        this.helperSampler = new Sampler(vocabSize);
        this.name = name;
    }

    /**
     * Draws the next token of {@code rows[0..n)} into {@code out[0..n)}; the helper thread takes the
     * odd rows when {@code n >= MIN_ROWS}.
     */
    void sample(Session[] rows, int[] out, int n) {
        if (n < MIN_ROWS || closed || !twoCores) {
            for (int i = 0; i < n; i++) {
                out[i] = rows[i].sample(own);
            }
            return;
        }
        start();
        this.rows = rows;
        this.out = out;
        this.count = n;
        this.failure = null;
        this.waiter = Thread.currentThread();
        int t = task + 1;
        task = t; // publishes the fields above to the helper
        LockSupport.unpark(helper);
        for (int i = 0; i < n; i += 2) {
            out[i] = rows[i].sample(own);
        }
        while (done != t) {
            LockSupport.park(this);
        }
        // done's read makes the helper's writes (out, the sessions' state) visible here
        this.rows = null;
        this.out = null;
        if (failure != null) {
            Throwable f = failure;
            failure = null;
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f);
        }
    }

    private void start() {
        if (helper == null) {
            helper = Thread.ofPlatform().daemon().name(name).unstarted(this::loop);
            helper.start();
        }
    }

    private void loop() {
        int seen = 0;
        while (!closed) {
            int t = task;
            if (t == seen) {
                LockSupport.park(this);
                continue;
            }
            seen = t;
            try {
                for (int i = 1; i < count; i += 2) {
                    out[i] = rows[i].sample(helperSampler);
                }
            } catch (Throwable e) {
                failure = e;
            }
            done = t;
            LockSupport.unpark(waiter);
        }
    }

    /** Stops the helper thread (a later batch draws on the calling thread). */
    @Override
    public void close() {
        closed = true;
        Thread h = helper;
        if (h != null) {
            LockSupport.unpark(h);
        }
    }
}
