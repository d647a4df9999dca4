package dev.kiln.serve.openai;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the request threads waiting for events, on its own virtual thread, so that the engine's
 * scheduler thread, which delivers a step's tokens to every stream of the batch, hands over one
 * wake-up per step instead of one per stream (each a thread switch that can take the stepping
 * core from the next step). One per server.
 */
final class StreamWaker implements AutoCloseable {

    private final ConcurrentLinkedQueue<Thread> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closed;

    StreamWaker() {
        thread = Thread.ofVirtual().name("kiln-stream-waker").start(this::loop);
    }

    /** Wakes {@code waiter} soon (never blocks the caller). */
    void wake(Thread waiter) {
        pending.add(waiter);
        if (closed) {
            wakeAll(); // added after close() drained: nobody else will
            return;
        }
        if (scheduled.compareAndSet(false, true)) {
            LockSupport.unpark(thread);
        }
    }

    private void wakeAll() {
        Thread t;
        while ((t = pending.poll()) != null) {
            LockSupport.unpark(t);
        }
    }

    private void loop() {
        while (true) {
            wakeAll();
            scheduled.set(false);
            if (closed) {
                return;
            }
            // A waiter added after the drain but before the flag cleared found it set: look again.
            if (pending.isEmpty() || !scheduled.compareAndSet(false, true)) {
                LockSupport.park(this);
            }
        }
    }

    /** Stops the waking thread; later wake-ups are done by the caller. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        wakeAll();
    }
}
