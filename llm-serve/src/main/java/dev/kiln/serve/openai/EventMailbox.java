package dev.kiln.serve.openai;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The events of one request, from the engine's scheduler thread (and a cancelling thread) to the
 * request's own thread: adding never blocks and never takes a lock; a waiting reader is woken
 * through the server's {@link StreamWaker}.
 */
final class EventMailbox<E> {

    private final ConcurrentLinkedQueue<E> queue = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Thread> waiting = new AtomicReference<>();
    private final StreamWaker waker;

    EventMailbox(StreamWaker waker) {
        this.waker = waker;
    }

    void add(E event) {
        queue.add(event);
        Thread t = waiting.getAndSet(null);
        if (t != null) {
            waker.wake(t);
        }
    }

    /**
     * Moves every waiting event into {@code out}, first waiting up to {@code nanos} for one
     * ({@link Long#MAX_VALUE}: as long as it takes).
     *
     * @return false when none came in time
     */
    boolean drainTo(List<E> out, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        Thread me = Thread.currentThread();
        while (true) {
            E e;
            while ((e = queue.poll()) != null) {
                out.add(e);
            }
            if (!out.isEmpty()) {
                return true;
            }
            waiting.set(me);
            if (queue.isEmpty()) {
                if (nanos == Long.MAX_VALUE) {
                    LockSupport.park(this); // a stale wake-up only loops once more
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        waiting.set(null);
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
            waiting.set(null);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
