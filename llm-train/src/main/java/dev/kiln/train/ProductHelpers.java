package dev.kiln.train;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads that take column blocks of a product while the calling thread works on the same product,
 * without ever making the caller wait for a helper that lost its core. The caller publishes a
 * {@link Task} and computes unclaimed blocks until none is left; a helper computes the blocks it
 * claims into its own scratch memory and copies a finished block into the output only if the caller
 * has not taken the block back. The caller waits for a helper's block at most about as long as one
 * of its own blocks took, then computes that block itself and the helper's copy is dropped. So a
 * helper descheduled by the machine's other threads (HTTP, sampling, the client) delays a product
 * by at most one block, where an OpenMP team (a fixed share per thread and a barrier) waits for the
 * descheduled thread (benchmarks/README.md, "Serving", session 5: steps of 294–649 ms).
 *
 * <p>An idle helper polls briefly for the next product (a decode step's products follow each
 * other within microseconds), then parks until one is published.
 */
final class ProductHelpers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProductHelpers.class);

    /** How long an idle helper polls for the next product before it parks. */
    private static final long SPIN_NANOS = 100_000;

    /** The least time the caller waits for a helper's block beyond its own block time. */
    private static final long SLACK_NANOS = 20_000;

    private static final int FREE = 0;
    private static final int HELPER = 1;
    private static final int COPYING = 2;
    private static final int DONE = 3;
    private static final int TAKEN_BACK = 4;

    private final Thread[] threads;
    private final AtomicIntegerArray parked;
    private final LongFunction<MemorySegment> allocate;
    private final Consumer<MemorySegment> free;
    private volatile Task task;
    private volatile boolean closed;
    /** Whether a caller's task holds the helpers; a second concurrent caller computes alone. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /** How many {@link #pause} calls are in force; while any is, every task runs on its caller alone. */
    private final AtomicInteger paused = new AtomicInteger();

    /** Blocks taken back from a helper, for tests and logs. */
    private final AtomicInteger takenBack = new AtomicInteger();

    /** One product split into independent column blocks. */
    abstract static class Task {
        private final int blocks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicIntegerArray state;

        Task(int blocks) {
            this.blocks = blocks;
            this.state = new AtomicIntegerArray(blocks);
        }

        /** Computes block {@code j} into the output. */
        abstract void direct(int j) throws Throwable;

        /** Bytes of scratch memory block {@code j} needs. */
        abstract long scratchBytes(int j);

        /** Computes block {@code j} into {@code scratch} (at least {@link #scratchBytes} long). */
        abstract void toScratch(int j, MemorySegment scratch) throws Throwable;

        /** Copies block {@code j} from {@code scratch} into the output. */
        abstract void copy(int j, MemorySegment scratch);

        final boolean claimable() {
            return next.get() < blocks;
        }
    }

    /**
     * Starts {@code n} daemon helper threads (n >= 1), each running {@code threadSetup} first;
     * scratch memory comes from {@code allocate} and goes back to {@code free}.
     */
    ProductHelpers(int n, Runnable threadSetup, LongFunction<MemorySegment> allocate, Consumer<MemorySegment> free) {
        this.threads = new Thread[n];
        this.parked = new AtomicIntegerArray(n);
        this.allocate = allocate;
        this.free = free;
        for (int i = 0; i < n; i++) {
            int id = i;
            threads[i] = Thread.ofPlatform()
                    .daemon()
                    .name("kiln-product-helper-" + i)
                    .unstarted(() -> {
                        Devices.idlePriority();
                        threadSetup.run();
                        loop(id);
                    });
            threads[i].start();
        }
    }

    /**
     * Pauses ({@code true}) or resumes ({@code false}) sharing; calls nest.
     *
     * @throws IllegalStateException when resuming more often than paused (the count would go
     *     negative and a later pause would silently not pause)
     */
    void pause(boolean on) {
        if (on) {
            paused.incrementAndGet();
        } else if (paused.getAndUpdate(n -> n > 0 ? n - 1 : n) == 0) {
            throw new IllegalStateException("the product helpers were resumed more often than paused");
        }
    }

    int size() {
        return threads.length;
    }

    /** Helper threads still running; for tests. */
    int alive() {
        int n = 0;
        for (Thread t : threads) {
            n += t.isAlive() ? 1 : 0;
        }
        return n;
    }

    /** Blocks the callers have taken back from helpers since these started. */
    int takenBack() {
        return takenBack.get();
    }

    /**
     * Runs {@code t} on the calling thread and any helper that joins; returns when every block is in
     * the output. If a block fails on the calling thread, the blocks helpers still hold are taken
     * back before the failure is rethrown, so no helper writes into the output afterwards. While the
     * helpers are {@link #pause paused}, or another caller's task holds them (two products at once),
     * the task runs on the calling thread alone.
     */
    void run(Task t) throws Throwable {
        if (paused.get() > 0 || !busy.compareAndSet(false, true)) {
            for (int j = 0; j < t.blocks; j++) {
                t.direct(j);
            }
            return;
        }
        try {
            share(t);
        } finally {
            busy.set(false);
        }
    }

    private void share(Task t) throws Throwable {
        task = t;
        try {
            for (int i = 0; i < threads.length; i++) {
                if (parked.get(i) != 0) {
                    LockSupport.unpark(threads[i]);
                }
            }
            long start = System.nanoTime();
            int own = 0;
            int j;
            while ((j = t.next.getAndIncrement()) < t.blocks) {
                t.direct(j);
                t.state.set(j, DONE);
                own++;
            }
            long finished = System.nanoTime();
            long patience = (own == 0 ? 200_000 : (finished - start) / own) + SLACK_NANOS;
            for (int b = 0; b < t.blocks; b++) {
                int spins = 0;
                while (true) {
                    int s = t.state.get(b);
                    if (s == DONE) {
                        break;
                    }
                    if ((s == FREE || s == HELPER)
                            && System.nanoTime() - finished > patience
                            && t.state.compareAndSet(b, s, TAKEN_BACK)) {
                        t.direct(b);
                        takenBack.incrementAndGet();
                        break;
                    }
                    spins = pause(spins);
                }
            }
        } finally {
            task = null;
            retire(t);
        }
    }

    /** Takes back every block a helper has not begun copying, and waits for those it has. */
    private static void retire(Task t) {
        for (int b = 0; b < t.blocks; b++) {
            int spins = 0;
            while (true) {
                int s = t.state.get(b);
                if (s == DONE || s == TAKEN_BACK) {
                    break;
                }
                if (s != COPYING && t.state.compareAndSet(b, s, TAKEN_BACK)) {
                    break;
                }
                spins = pause(spins);
            }
        }
    }

    private static int pause(int spins) {
        if (spins < 1_000) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return spins + 1;
    }

    private void loop(int id) {
        MemorySegment scratch = MemorySegment.NULL;
        try {
            long idleSince = System.nanoTime();
            while (!closed) {
                Task t = task;
                if (t != null && t.claimable()) {
                    int j;
                    while ((j = t.next.getAndIncrement()) < t.blocks) {
                        if (!t.state.compareAndSet(j, FREE, HELPER)) {
                            continue; // already taken back
                        }
                        long need = t.scratchBytes(j);
                        if (scratch.byteSize() < need) {
                            if (scratch.byteSize() > 0) {
                                free.accept(scratch);
                            }
                            scratch = MemorySegment.NULL;
                            scratch = allocate.apply(need);
                        }
                        try {
                            t.toScratch(j, scratch);
                        } catch (Throwable e) {
                            LOG.warn("product helper {}: a block failed; the caller computes it", id, e);
                            continue; // the caller takes the block back
                        }
                        if (t.state.compareAndSet(j, HELPER, COPYING)) {
                            t.copy(j, scratch);
                            t.state.set(j, DONE);
                        }
                    }
                    idleSince = System.nanoTime();
                    continue;
                }
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked.set(id, 1);
                t = task;
                if (!closed && (t == null || !t.claimable())) {
                    LockSupport.park(this);
                }
                parked.set(id, 0);
                idleSince = System.nanoTime();
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("product helper {} stopped; products continue on the calling thread", id, e);
        } finally {
            if (scratch.byteSize() > 0) {
                free.accept(scratch);
            }
        }
    }

    /** Stops the helpers (after the last product). */
    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
