package dev.kiln.serve.engine;

import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.serve.metrics.ServeMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model instance and its decoding loop: between steps it drops cancelled and timed-out
 * sequences, admits queued ones up to the batch size, advances the whole batch with one {@link
 * LanguageModel#step}, and delivers the tokens.
 */
final class Scheduler implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    final int index;
    private final LanguageModel model;
    private final Engine engine;
    private final ServeMetrics metrics;
    private final int maxBatch;
    private final long maxQueueDelayNanos;
    private final long timeoutNanos;
    private final int contextLength;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Sequence> queue = new ArrayDeque<>();
    private final ArrayList<Sequence> running = new ArrayList<>();
    private final ArrayList<DecodeSession> sessions = new ArrayList<>();
    private final Thread thread;
    private volatile int load;
    private volatile boolean stopping;
    private volatile boolean aborting;

    Scheduler(int index, LanguageModel model, Engine engine, ServeMetrics metrics, Engine.Builder cfg) {
        this.index = index;
        this.model = model;
        this.engine = engine;
        this.metrics = metrics;
        this.maxBatch = cfg.maxBatchSize;
        this.maxQueueDelayNanos = cfg.maxQueueDelay.toNanos();
        this.timeoutNanos = cfg.requestTimeout == null ? Long.MAX_VALUE : cfg.requestTimeout.toNanos();
        this.contextLength = model.contextLength();
        this.thread =
                Thread.ofPlatform().name("kiln-scheduler-" + index).daemon(true).unstarted(this);
    }

    void start() {
        thread.start();
    }

    LanguageModel model() {
        return model;
    }

    /** Queued plus running sequences. */
    int load() {
        return load;
    }

    Sequence enqueue(SequenceRequest request, SequenceListener listener) {
        Sequence s = new Sequence(request, listener, this, model.tokenizer());
        lock.lock();
        try {
            if (stopping) {
                throw new EngineException(EngineException.Kind.SHUTDOWN, "the server is shutting down");
            }
            queue.addLast(s);
            load++;
            work.signal();
        } finally {
            lock.unlock();
        }
        metrics.addQueued(1);
        return s;
    }

    void cancelQueued(Sequence s) {
        boolean removed;
        lock.lock();
        try {
            removed = queue.remove(s);
            if (removed) {
                load--;
            } else {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        if (removed) {
            metrics.addQueued(-1);
            engine.releaseQueueSlot();
            metrics.cancelled();
            finish(s, FinishReason.CANCELLED);
        }
    }

    /** Stops admitting; the loop ends when the queue and batch are empty (or at once if aborting). */
    void stop(boolean abort) {
        lock.lock();
        try {
            stopping = true;
            aborting |= abort;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    boolean join(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
        return !thread.isAlive();
    }

    @Override
    public void run() {
        List<Sequence> admitted = new ArrayList<>();
        List<Sequence> expired = new ArrayList<>();
        try {
            while (true) {
                boolean exit;
                admitted.clear();
                expired.clear();
                lock.lock();
                try {
                    while (running.isEmpty() && queue.isEmpty() && !stopping) {
                        work.await();
                    }
                    if (aborting) {
                        expired.addAll(queue);
                        load -= queue.size();
                        queue.clear();
                    }
                    exit = stopping && queue.isEmpty() && (running.isEmpty() || aborting);
                    // Triton's max queue delay: with an idle batch, wait a little for company.
                    if (running.isEmpty() && !queue.isEmpty() && queue.size() < maxBatch && maxQueueDelayNanos > 0) {
                        long waited = System.nanoTime() - queue.peekFirst().arrivalNanos;
                        if (waited < maxQueueDelayNanos && !stopping) {
                            work.awaitNanos(maxQueueDelayNanos - waited);
                            continue;
                        }
                    }
                    long now = System.nanoTime();
                    while (running.size() + admitted.size() < maxBatch && !queue.isEmpty()) {
                        Sequence s = queue.pollFirst();
                        if (now - s.arrivalNanos > timeoutNanos) {
                            expired.add(s);
                            load--;
                        } else {
                            admitted.add(s);
                        }
                    }
                } finally {
                    lock.unlock();
                }
                for (Sequence s : expired) {
                    metrics.addQueued(-1);
                    engine.releaseQueueSlot();
                    if (aborting) {
                        metrics.cancelled();
                        fail(s, new EngineException(EngineException.Kind.SHUTDOWN, "the server shut down"));
                    } else {
                        metrics.timedOut();
                        fail(
                                s,
                                new EngineException(
                                        EngineException.Kind.TIMEOUT, "the request timed out waiting in the queue"));
                    }
                }
                admit(admitted);
                sweep();
                if (exit) {
                    return;
                }
                if (!running.isEmpty()) {
                    step();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("scheduler {} crashed", index, e);
        } finally {
            abortAll();
        }
    }

    private void admit(List<Sequence> admitted) {
        long now = System.nanoTime();
        for (Sequence s : admitted) {
            metrics.addQueued(-1);
            engine.releaseQueueSlot();
            if (s.cancelRequested) {
                decrementLoad();
                metrics.cancelled();
                finish(s, FinishReason.CANCELLED);
                continue;
            }
            metrics.queueTime().observeNanos(now - s.arrivalNanos);
            try {
                s.session = model.open(s.request.promptIds(), s.request.sampling());
            } catch (IllegalArgumentException e) {
                decrementLoad();
                fail(s, new EngineException(EngineException.Kind.BAD_REQUEST, e.getMessage(), e));
                continue;
            } catch (RuntimeException e) {
                decrementLoad();
                fail(
                        s,
                        new EngineException(
                                EngineException.Kind.MODEL_ERROR,
                                "the model cannot open a sequence: " + e.getMessage(),
                                e));
                continue;
            }
            metrics.addPromptTokens(s.request.promptIds().length);
            s.lastTokenNanos = now;
            running.add(s);
            metrics.addRunning(1);
        }
    }

    /** Removes cancelled and timed-out sequences before the step. */
    private void sweep() {
        long now = System.nanoTime();
        for (int i = running.size() - 1; i >= 0; i--) {
            Sequence s = running.get(i);
            if (s.cancelRequested || aborting) {
                removeAt(i);
                metrics.cancelled();
                if (aborting && !s.cancelRequested) {
                    fail(s, new EngineException(EngineException.Kind.SHUTDOWN, "the server shut down"));
                } else {
                    finish(s, FinishReason.CANCELLED);
                }
            } else if (now - s.arrivalNanos > timeoutNanos) {
                removeAt(i);
                metrics.timedOut();
                fail(s, new EngineException(EngineException.Kind.TIMEOUT, "the request exceeded its timeout"));
            }
        }
    }

    private void step() {
        sessions.clear();
        for (int i = 0; i < running.size(); i++) {
            sessions.add(running.get(i).session);
        }
        int[] next;
        try {
            next = model.step(sessions);
        } catch (RuntimeException e) {
            LOG.error("model instance {} failed a decoding step of {} sequences", index, running.size(), e);
            for (int i = running.size() - 1; i >= 0; i--) {
                Sequence s = running.get(i);
                removeAt(i);
                fail(
                        s,
                        new EngineException(
                                EngineException.Kind.MODEL_ERROR,
                                "the model failed while decoding: " + e.getMessage(),
                                e));
            }
            return;
        }
        long now = System.nanoTime();
        int n = running.size();
        metrics.batchSize().observe(n);
        metrics.addGeneratedTokens(n);
        // Iterate backwards so that removals keep indices aligned with next[].
        for (int i = n - 1; i >= 0; i--) {
            Sequence s = running.get(i);
            if (s.generated == 0) {
                metrics.timeToFirstToken().observeNanos(now - s.arrivalNanos);
            } else {
                metrics.interTokenLatency().observeNanos(now - s.lastTokenNanos);
            }
            s.lastTokenNanos = now;
            FinishReason finish;
            try {
                finish = s.accept(next[i], s.session.lastLogprob(), contextLength);
            } catch (RuntimeException e) {
                LOG.warn("a sequence listener failed; cancelling the sequence", e);
                s.cancelRequested = true;
                continue;
            }
            if (finish != null) {
                removeAt(i);
                metrics.requestLatency().observeNanos(now - s.arrivalNanos);
                finish(s, finish);
            }
        }
    }

    private void removeAt(int i) {
        Sequence s = running.remove(i);
        if (s.session != null) {
            s.session.close();
        }
        metrics.addRunning(-1);
        decrementLoad();
    }

    private void decrementLoad() {
        lock.lock();
        try {
            load--;
        } finally {
            lock.unlock();
        }
    }

    private void finish(Sequence s, FinishReason reason) {
        if (s.done) {
            return;
        }
        s.done = true;
        try {
            s.listener.onFinish(reason, s.request.promptIds().length, s.generated);
        } catch (RuntimeException e) {
            LOG.warn("a sequence listener failed in onFinish", e);
        }
    }

    private void fail(Sequence s, EngineException e) {
        if (s.done) {
            return;
        }
        s.done = true;
        try {
            s.listener.onError(e);
        } catch (RuntimeException ex) {
            LOG.warn("a sequence listener failed in onError", ex);
        }
    }

    private void abortAll() {
        List<Sequence> left = new ArrayList<>();
        lock.lock();
        try {
            stopping = true;
            left.addAll(queue);
            for (int i = 0; i < queue.size(); i++) {
                metrics.addQueued(-1);
                engine.releaseQueueSlot();
            }
            load -= queue.size();
            queue.clear();
        } finally {
            lock.unlock();
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            left.add(running.get(i));
            removeAt(i);
        }
        for (Sequence s : left) {
            fail(s, new EngineException(EngineException.Kind.SHUTDOWN, "the server shut down"));
        }
    }

    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (load > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(10, Math.max(1, left / 1_000_000)));
        }
        return true;
    }
}
