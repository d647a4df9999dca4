package dev.kiln.serve.engine;

import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.KvCacheFullException;
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
 * sequences, admits queued ones up to the batch size and as far as the model's KV cache can hold
 * them (in arrival order; the rest wait), advances the batch with one {@link
 * LanguageModel#step(List, int[])}, and delivers the tokens.
 *
 * <p>Each step has a token budget ({@code prefillChunk}): every decoding sequence takes one token
 * of it, and what is left goes to prompts still being prefilled, oldest first, in chunks. So a long
 * prompt is processed over several steps while the running sequences keep decoding, instead of
 * stalling them for its whole prefill (Sarathi-style chunked prefill, as in vLLM).
 *
 * <p>While sequences decode, the prompt share is also bounded in time: the scheduler measures
 * decode-only steps and the extra time each prompt token adds to a step (see {@link StepBudget}),
 * and gives each waiting prompt as many tokens as fit in {@code (prefillSlowdown − 1)} decode
 * steps (the prompts together, oldest first, within the token budget). A fixed token
 * count cannot do this: what 64 prompt tokens cost against one decode step depends on the model,
 * the batch, the prompt's position and the machine. Measured, the running streams' worst gap
 * stays near {@code prefillSlowdown} times their usual one.
 *
 * <p>With a prefill lane ({@link Engine.Builder#optPrefillLane}), a prompt that needs more than
 * its share of the step while sequences decode is handed to the lane's thread instead ({@link
 * PrefillLane}, one prompt at a time): it is left out of the steps until the lane has computed all
 * of it but its last token, which the next step takes to yield the first token. Prompts that fit
 * their share, and every prompt while nothing decodes, stay in the steps.
 */
final class Scheduler implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** Per-thread CPU time, for the step trace (a step that took longer than its CPU time waited for the core). */
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    final int index;
    private final LanguageModel model;
    private final Engine engine;
    private final ServeMetrics metrics;
    private final int maxBatch;
    private final long maxQueueDelayNanos;
    private final long timeoutNanos;
    private final int contextLength;
    final StepBudget budget;
    /** Whether {@link #start} makes a prefill lane (asked for, and the model can prefill beside its steps). */
    private final boolean prefillLane;
    /** Tokens per lane call: the step's token budget. */
    private final int laneChunk;
    /** The prefill lane, or null; set by {@link #start}. */
    private PrefillLane lane;

    private final ArrayList<Sequence> stepping = new ArrayList<>();
    private int[] limits = new int[64];

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
        this.budget = new StepBudget(cfg.prefillChunk, cfg.prefillSlowdown);
        this.thread =
                Thread.ofPlatform().name("kiln-scheduler-" + index).daemon(true).unstarted(this);
        this.prefillLane = cfg.prefillLane && model.supportsConcurrentPrefill();
        this.laneChunk = cfg.prefillChunk;
    }

    void start() {
        if (prefillLane) {
            lane = new PrefillLane(model, laneChunk, this::wake, "kiln-prefill-" + index);
        }
        thread.start();
    }

    /** Wakes the loop (the lane finished a prompt). */
    private void wake() {
        lock.lock();
        try {
            work.signal();
        } finally {
            lock.unlock();
        }
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
            s.finish(FinishReason.CANCELLED);
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
                        s.fail(new EngineException(EngineException.Kind.SHUTDOWN, "the server shut down"));
                    } else {
                        metrics.timedOut();
                        s.fail(new EngineException(
                                EngineException.Kind.TIMEOUT, "the request timed out waiting in the queue"));
                    }
                }
                collectLane();
                long admitStart = System.nanoTime();
                admit(admitted);
                long admitNanos = System.nanoTime() - admitStart;
                if (admitNanos > 20_000_000L && LOG.isDebugEnabled()) {
                    LOG.debug(
                            "instance {}: admitting {} sequences took {} ms",
                            index,
                            admitted.size(),
                            admitNanos / 1_000_000);
                }
                sweep();
                if (kvBlocked && running.isEmpty() && !exit) {
                    // Nothing runs to free memory (cached prefixes are evictable, so this is rare): back off.
                    TimeUnit.MILLISECONDS.sleep(5);
                }
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
            if (lane != null) {
                lane.stop();
            }
        }
    }

    /** Takes back the prompt the lane finished (it rejoins the steps), or fails it if the lane failed. */
    private void collectLane() {
        if (lane == null) {
            return;
        }
        Sequence s = lane.collect();
        if (s == null) {
            return;
        }
        s.inLane = false;
        Throwable e = s.laneFailure;
        int at = running.indexOf(s);
        if (at >= 0 && !s.session.isClosed()) {
            metrics.addPrefillLaneTokens(s.session.prefilledTokens() - s.laneFrom);
        }
        if (e != null && at >= 0) {
            LOG.error(
                    "model instance {} failed to prefill a prompt of {} tokens",
                    index,
                    s.request.promptIds().length,
                    e);
            removeAt(at);
            s.fail(new EngineException(
                    EngineException.Kind.MODEL_ERROR, "the model failed while prefilling: " + e.getMessage(), e));
        }
    }

    /** Whether the last admission stopped because the KV cache was full. */
    private boolean kvBlocked;

    private void admit(List<Sequence> admitted) {
        long now = System.nanoTime();
        kvBlocked = false;
        for (int a = 0; a < admitted.size(); a++) {
            Sequence s = admitted.get(a);
            if (s.cancelRequested) {
                metrics.addQueued(-1);
                engine.releaseQueueSlot();
                decrementLoad();
                metrics.cancelled();
                s.finish(FinishReason.CANCELLED);
                continue;
            }
            try {
                s.session = model.open(s.request.promptIds(), s.request.sampling(), s.request.maxTokens());
            } catch (KvCacheFullException e) {
                if (e.fitsWhenIdle()) {
                    // Wait (first in line) until running sequences release memory.
                    requeue(admitted.subList(a, admitted.size()));
                    kvBlocked = true;
                    return;
                }
                metrics.addQueued(-1);
                engine.releaseQueueSlot();
                decrementLoad();
                s.fail(new EngineException(
                        EngineException.Kind.BAD_REQUEST,
                        "the request needs " + e.neededTokens()
                                + " KV cache positions (prompt + max_tokens) but this server's KV cache holds "
                                + e.capacityTokens() + "; lower max_tokens or shorten the prompt",
                        e));
                continue;
            } catch (IllegalArgumentException e) {
                metrics.addQueued(-1);
                engine.releaseQueueSlot();
                decrementLoad();
                s.fail(new EngineException(EngineException.Kind.BAD_REQUEST, e.getMessage(), e));
                continue;
            } catch (RuntimeException e) {
                metrics.addQueued(-1);
                engine.releaseQueueSlot();
                decrementLoad();
                s.fail(new EngineException(
                        EngineException.Kind.MODEL_ERROR, "the model cannot open a sequence: " + e.getMessage(), e));
                continue;
            }
            metrics.addQueued(-1);
            engine.releaseQueueSlot();
            metrics.queueTime().observeNanos(now - s.arrivalNanos);
            metrics.addPromptTokens(s.request.promptIds().length);
            metrics.addPrefixHitTokens(s.session.reusedPromptTokens());
            s.lastTokenNanos = now;
            running.add(s);
            metrics.addRunning(1);
        }
    }

    /** Puts sequences back at the head of the queue, in order. */
    private void requeue(List<Sequence> back) {
        lock.lock();
        try {
            for (int i = back.size() - 1; i >= 0; i--) {
                queue.addFirst(back.get(i));
            }
        } finally {
            lock.unlock();
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
                    s.fail(new EngineException(EngineException.Kind.SHUTDOWN, "the server shut down"));
                } else {
                    s.finish(FinishReason.CANCELLED);
                }
            } else if (now - s.arrivalNanos > timeoutNanos) {
                removeAt(i);
                metrics.timedOut();
                s.fail(new EngineException(EngineException.Kind.TIMEOUT, "the request exceeded its timeout"));
            }
        }
    }

    private void step() throws InterruptedException {
        sessions.clear();
        stepping.clear();
        if (limits.length < running.size()) {
            limits = new int[Math.max(running.size(), limits.length * 2)];
        }
        int decoding = 0;
        int prompts = 0;
        for (int i = 0; i < running.size(); i++) {
            Sequence s = running.get(i);
            DecodeSession d = s.session;
            if (s.inLane) {
                continue;
            }
            if (d.prefilledTokens() >= d.promptLength()) {
                decoding++;
            } else {
                prompts++;
            }
        }
        // What the decodes leave of the step's budget goes to prompts, oldest first.
        int left = budget.prefillBudget(decoding, prompts);
        int prefill = 0;
        for (int i = 0; i < running.size(); i++) {
            Sequence s = running.get(i);
            DecodeSession d = s.session;
            if (s.inLane) {
                continue;
            }
            int pending = d.promptLength() - d.prefilledTokens();
            int limit = 1;
            if (pending > 0) {
                if (decoding > 0 && pending > Math.max(1, left) && lane != null && lane.idle()) {
                    // More than this step's share: the lane prefills it beside the steps, all
                    // but its last token, which a step then takes to yield the first token.
                    s.inLane = true;
                    s.laneFrom = d.prefilledTokens();
                    lane.submit(s);
                    continue;
                }
                if (left == 0) {
                    continue; // waits for the next step
                }
                limit = Math.min(pending, left);
                left -= limit;
                prefill += limit;
                if (limit < pending) {
                    metrics.prefillChunk();
                }
            }
            limits[sessions.size()] = limit;
            sessions.add(d);
            stepping.add(s);
        }
        if (sessions.isEmpty()) {
            awaitLane(); // every prompt is in the lane, or waits for the next step's share
            return;
        }
        int[] next;
        boolean trace = LOG.isTraceEnabled();
        long cpuStarted = trace ? THREADS.getCurrentThreadCpuTime() : 0;
        long started = System.nanoTime();
        try {
            next = model.step(sessions, java.util.Arrays.copyOf(limits, sessions.size()));
        } catch (RuntimeException e) {
            LOG.error("model instance {} failed a decoding step of {} sequences", index, running.size(), e);
            for (int i = running.size() - 1; i >= 0; i--) {
                Sequence s = running.get(i);
                removeAt(i);
                s.fail(new EngineException(
                        EngineException.Kind.MODEL_ERROR, "the model failed while decoding: " + e.getMessage(), e));
            }
            return;
        }
        long now = System.nanoTime();
        if (budget.isSlow(now - started) && LOG.isDebugEnabled()) {
            LOG.debug(
                    "instance {}: a step took {} ms ({} decoding, {} prompt tokens; a decode step takes {} ms)",
                    index,
                    (now - started) / 1_000_000,
                    decoding,
                    prefill,
                    (long) budget.decodeNanos() / 1_000_000);
        }
        if (trace) {
            LOG.trace(
                    "step {} ms ({} ms on the CPU): {} decoding, {} prompt tokens ({} ms since the last step ended,"
                            + " {} ms of it delivering that step's tokens; estimates: decode step {} ms, prompt"
                            + " token {} ms)",
                    (now - started) / 1e6,
                    (THREADS.getCurrentThreadCpuTime() - cpuStarted) / 1e6,
                    decoding,
                    prefill,
                    lastStepEnd == 0 ? 0 : (started - lastStepEnd) / 1e6,
                    lastDeliveryNanos / 1e6,
                    budget.decodeNanos() / 1e6,
                    budget.prefillNanosPerToken() / 1e6);
        }
        budget.measure(now - started, decoding, prefill);
        int n = stepping.size();
        int produced = 0;
        for (int i = n - 1; i >= 0; i--) {
            Sequence s = stepping.get(i);
            if (next[i] < 0) {
                continue; // still prefilling
            }
            produced++;
            if (s.generated == 0) {
                metrics.timeToFirstToken().observeNanos(now - s.arrivalNanos);
            } else {
                metrics.interTokenLatency().observeNanos(now - s.lastTokenNanos);
            }
            s.lastTokenNanos = now;
            FinishReason finish;
            try {
                finish = s.accept(
                        next[i], s.listener.wantsLogprobs() ? s.session.lastLogprob() : Double.NaN, contextLength);
            } catch (RuntimeException e) {
                LOG.warn("a sequence listener failed; cancelling the sequence", e);
                s.cancelRequested = true;
                continue;
            }
            if (finish != null) {
                removeAt(running.indexOf(s));
                metrics.requestLatency().observeNanos(now - s.arrivalNanos);
                s.finish(finish);
            }
        }
        metrics.batchSize().observe(n);
        metrics.addGeneratedTokens(produced);
        lastStepEnd = now;
        lastDeliveryNanos = System.nanoTime() - now;
    }

    /**
     * Waits, when nothing can be stepped, until the lane finishes its prompt, a request arrives or
     * is cancelled, or the engine stops (at most a few milliseconds: the loop then looks again).
     */
    private void awaitLane() throws InterruptedException {
        lock.lock();
        try {
            if (lane != null && !lane.hasFinished() && queue.isEmpty() && !stopping) {
                work.awaitNanos(5_000_000L);
            }
        } finally {
            lock.unlock();
        }
    }

    /** How long delivering the last step's tokens to their listeners took, for the step log. */
    private long lastDeliveryNanos;

    /** When the last step's model call returned ({@link System#nanoTime()}), for the step log. */
    private long lastStepEnd;

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
            s.fail(new EngineException(EngineException.Kind.SHUTDOWN, "the server shut down"));
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
