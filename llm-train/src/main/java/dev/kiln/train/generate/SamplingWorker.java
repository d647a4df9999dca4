package dev.kiln.train.generate;

import dev.kiln.core.model.Sampler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToIntBiFunction;

/**
 * Draws the next tokens of a step's rows on two threads: the stepping thread and one helper thread
 * with its own {@link Sampler}. A temperature draw is a pass of {@code Math.exp} over the whole
 * vocabulary (~60 µs for 8,192 ids), all on one core while libtorch computes on that same core and
 * the second core idles; sharing the rows halves that part of a batched step. Every row draws from
 * its own logits with its own random stream, exactly as on one thread, so the tokens are the same;
 * only which thread computes a row changes.
 *
 * <p>Rows are claimed one at a time from a shared counter, and the stepping thread keeps claiming
 * until none is left: it waits only for rows the helper has already started, never for a helper
 * that has not got a core yet. (A fixed share per thread made the step wait for the helper's wake-up;
 * on a two-core machine that wake-up queues behind whatever runs on the other core, e.g. a JIT
 * compiler thread's 4 ms time slice, while the stepping thread's own core idles.)
 *
 * <p>Small batches, and every batch on a one-processor machine, stay on the calling thread (a
 * hand-off costs tens of microseconds). The helper starts at the first batch that uses it and parks
 * between steps; {@link #close()} stops it.
 *
 * @param <R> a row (a session) to draw for
 */
final class SamplingWorker<R> implements AutoCloseable {

    /** Rows to draw below which the calling thread draws them all. */
    static final int MIN_ROWS = 4;

    /** How long the calling thread spins for a row the helper is drawing before it parks. */
    private static final long SPIN_NANOS = 200_000;

    private final Sampler own;
    private final Sampler helperSampler;
    private final ToIntBiFunction<R, Sampler> draw;
    private final ThreadFactory threads;
    /** With one processor a second thread only adds hand-offs. */
    private final boolean twoCores;

    private Thread helper;
    private volatile boolean closed;
    /** The batch being drawn; the helper claims rows from the newest one it sees. */
    private volatile Batch<R> current;

    /** One step's rows; immutable but for its counters, so a helper that wakes late touches nothing. */
    private static final class Batch<R> {
        final R[] rows;
        final int[] out;
        final int count;
        final Thread waiter;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        volatile Throwable failure;

        Batch(R[] rows, int[] out, int count, Thread waiter) {
            this.rows = rows;
            this.out = out;
            this.count = count;
            this.waiter = waiter;
        }
    }

    SamplingWorker(Sampler own, int vocabSize, String name, ToIntBiFunction<R, Sampler> draw) {
        this(
                own,
                vocabSize,
                draw,
                Thread.ofPlatform().daemon().name(name).factory(),
                Runtime.getRuntime().availableProcessors() > 1);
    }

    /** For tests: the helper thread comes from {@code threads}. */
    SamplingWorker(
            Sampler own, int vocabSize, ToIntBiFunction<R, Sampler> draw, ThreadFactory threads, boolean twoCores) {
        this.own = own;
        this.helperSampler = new Sampler(vocabSize);
        this.draw = draw;
        this.threads = threads;
        this.twoCores = twoCores;
    }

    /**
     * Draws the next token of {@code rows[0..n)} into {@code out[0..n)}; the helper thread takes a
     * share when {@code n >= MIN_ROWS} and it gets a core in time.
     */
    void sample(R[] rows, int[] out, int n) {
        if (n < MIN_ROWS || closed || !twoCores) {
            for (int i = 0; i < n; i++) {
                out[i] = draw.applyAsInt(rows[i], own);
            }
            return;
        }
        start();
        Batch<R> b = new Batch<>(rows, out, n, Thread.currentThread());
        current = b; // publishes the batch to the helper
        LockSupport.unpark(helper);
        drawClaimed(b, own);
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (b.finished.get() != n) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        // finished's read makes the helper's writes (out, the rows' state) visible here
        Throwable f = b.failure;
        if (f != null) {
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f);
        }
    }

    /** Draws rows of {@code b} until none is left to claim; returns how many this thread drew. */
    private int drawClaimed(Batch<R> b, Sampler sampler) {
        int drawn = 0;
        int i;
        while ((i = b.next.getAndIncrement()) < b.count) {
            try {
                b.out[i] = draw.applyAsInt(b.rows[i], sampler);
            } catch (Throwable e) {
                b.failure = e;
            }
            b.finished.incrementAndGet();
            drawn++;
        }
        return drawn;
    }

    private void start() {
        if (helper == null) {
            helper = threads.newThread(this::loop);
            helper.start();
        }
    }

    private void loop() {
        Batch<R> seen = null;
        while (!closed) {
            Batch<R> b = current;
            if (b == seen) {
                LockSupport.park(this);
                continue;
            }
            seen = b;
            if (drawClaimed(b, helperSampler) > 0) {
                LockSupport.unpark(b.waiter);
            }
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
