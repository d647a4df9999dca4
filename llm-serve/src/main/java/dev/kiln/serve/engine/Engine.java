package dev.kiln.serve.engine;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.serve.metrics.ServeMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Continuous batching over one or more instances of a {@link LanguageModel}.
 *
 * <p>Each instance has a scheduler thread that loops: drop cancelled and timed-out sequences
 * (closing their {@link dev.kiln.core.model.DecodeSession}s, which frees their KV cache), admit
 * queued sequences into the running batch up to {@code maxBatchSize}, advance every running
 * sequence by one token with a single {@link LanguageModel#step}, deliver the tokens, and retire
 * finished sequences. Sequences therefore join and leave the batch between steps instead of
 * waiting for the whole batch to finish (Orca's iteration-level scheduling, as in vLLM). New
 * sequences go to the least-loaded instance (fewest queued + running).
 *
 * <p>Admission also asks the model's KV cache ({@link LanguageModel#open(int[],
 * dev.kiln.core.model.SamplingParams, int)} reserves prompt plus {@code max_tokens} positions): a
 * sequence that does not fit now waits at the head of its queue until running ones finish (bounded
 * by the request timeout and the queue size, beyond which {@link #submit} answers {@link
 * EngineException.Kind#QUEUE_FULL}); one that could never fit fails with {@link
 * EngineException.Kind#BAD_REQUEST}. Each step's tokens are bounded by {@code prefillChunk}
 * and, while sequences decode, by a time budget (each waiting prompt adds at most {@code
 * prefillSlowdown − 1} decode-only steps; chunked prefill, see {@code Scheduler}).
 *
 * <p>The knobs follow Triton's dynamic batcher: {@code maxBatchSize}, {@code maxQueueSize} (sequences waiting beyond
 * the free batch slots; more make {@link #submit} throw {@link EngineException.Kind#QUEUE_FULL}), {@code maxQueueDelay} (how
 * long an idle instance waits for more sequences before starting a batch) and {@code
 * requestTimeout} (a sequence older than that is failed with {@link EngineException.Kind#TIMEOUT}).
 *
 * <pre>{@code
 * try (Engine engine = Engine.builder().setModels(List.of(model)).optMaxBatchSize(32).build()) {
 *     SequenceHandle h = engine.submit(new SequenceRequest(ids, SamplingParams.GREEDY, 64, List.of(), true),
 *             listener);
 *     // h.cancel() when the client goes away
 * }
 * }</pre>
 */
public final class Engine implements AutoCloseable {

    private final List<Scheduler> schedulers;
    private final ServeMetrics metrics;
    private final int maxQueueSize;
    private final int maxBatchSize;
    private final AtomicInteger queued = new AtomicInteger();
    private volatile boolean closed;

    private Engine(Builder b) {
        this.metrics = b.metrics == null ? new ServeMetrics() : b.metrics;
        this.maxQueueSize = b.maxQueueSize;
        this.maxBatchSize = b.maxBatchSize;
        List<Scheduler> s = new ArrayList<>();
        for (int i = 0; i < b.models.size(); i++) {
            s.add(new Scheduler(i, b.models.get(i), this, metrics, b));
        }
        this.schedulers = List.copyOf(s);
        metrics.instancesGauge(schedulers::size);
        if (b.models.stream().anyMatch(m -> m.kvCache().isPresent())) {
            List<LanguageModel> distinct = b.models.stream().distinct().toList();
            metrics.kvBlocksGauge(() -> {
                long[] out = new long[4];
                for (LanguageModel m : distinct) {
                    m.kvCache().ifPresent(kv -> {
                        int used = kv.usedBlocks();
                        int cached = kv.cachedBlocks();
                        out[0] += used;
                        out[1] += cached;
                        out[2] += kv.totalBlocks() - used - cached;
                        out[3] += kv.totalBlocks();
                    });
                }
                return out;
            });
        }
        schedulers.forEach(Scheduler::start);
    }

    /** A builder; {@code setModels(...)} is required, everything else has a default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The metrics this engine records into. */
    public ServeMetrics metrics() {
        return metrics;
    }

    /** The model instances, in routing order. */
    public List<LanguageModel> models() {
        return schedulers.stream().map(Scheduler::model).toList();
    }

    /** Sequences submitted but not yet admitted to a batch, over all instances. */
    public int queued() {
        return queued.get();
    }

    /** Queued plus running sequences of each instance. */
    public int[] loads() {
        int[] out = new int[schedulers.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = schedulers.get(i).load();
        }
        return out;
    }

    /**
     * Queues a sequence on the least-loaded instance.
     *
     * @throws EngineException {@link EngineException.Kind#QUEUE_FULL} when {@code maxQueueSize}
     *     sequences are already waiting, {@link EngineException.Kind#SHUTDOWN} after {@link #close}
     */
    public SequenceHandle submit(SequenceRequest request, SequenceListener listener) {
        if (closed) {
            throw new EngineException(EngineException.Kind.SHUTDOWN, "the server is shutting down");
        }
        // Waiting sequences = load beyond the free batch slots of every instance.
        long load = 0;
        for (Scheduler s : schedulers) {
            load += s.load();
        }
        if (load + 1 > (long) maxBatchSize * schedulers.size() + maxQueueSize) {
            metrics.rejected();
            throw new EngineException(
                    EngineException.Kind.QUEUE_FULL,
                    "the queue is full (" + maxQueueSize + " sequences waiting); retry later");
        }
        Scheduler best = schedulers.get(0);
        int bestLoad = best.load();
        for (int i = 1; i < schedulers.size(); i++) {
            int l = schedulers.get(i).load();
            if (l < bestLoad) {
                best = schedulers.get(i);
                bestLoad = l;
            }
        }
        queued.incrementAndGet();
        try {
            return best.enqueue(request, listener);
        } catch (RuntimeException e) {
            queued.decrementAndGet();
            throw e;
        }
    }

    void releaseQueueSlot() {
        queued.decrementAndGet();
    }

    /**
     * Stops accepting sequences, lets queued and running ones finish until {@code deadline}, then
     * cancels what is left and stops the scheduler threads.
     *
     * @return true when everything finished before the deadline
     */
    public boolean shutdown(Duration deadline) {
        closed = true;
        long end = System.nanoTime() + deadline.toNanos();
        boolean drained = true;
        for (Scheduler s : schedulers) {
            s.stop(false);
        }
        try {
            for (Scheduler s : schedulers) {
                drained &= s.awaitIdle(end);
            }
            for (Scheduler s : schedulers) {
                s.stop(true);
            }
            for (Scheduler s : schedulers) {
                s.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (Scheduler s : schedulers) {
                s.stop(true);
            }
            return false;
        }
        return drained;
    }

    /** Whether {@link #shutdown} or {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Cancels everything at once (a zero-deadline {@link #shutdown}); does not close the models. */
    @Override
    public void close() {
        if (!closed) {
            shutdown(Duration.ZERO);
        }
    }

    /** Engine settings; see the class comment for what each knob does. */
    public static final class Builder {
        List<LanguageModel> models;
        ServeMetrics metrics;
        int maxBatchSize = 32;
        int maxQueueSize = 1024;
        Duration maxQueueDelay = Duration.ZERO;
        Duration requestTimeout;
        int prefillChunk = 512;
        double prefillSlowdown = 2.0;
        boolean prefillLane;

        private Builder() {}

        /**
         * While sequences are decoding, how long a step that also prefills a prompt chunk may take,
         * as a multiple of a decode-only step (default 2.0; measured as the server runs, so the
         * chunk size follows the model's and the machine's real speed); with several prompts
         * waiting, each adds {@code factor − 1} decode-only steps. The prefill share is
         * sized from the measured cost per prompt token, within {@link #optPrefillChunk}. {@code 0}
         * turns this off: prompts then take the whole token budget of {@code prefillChunk}.
         */
        public Builder optPrefillSlowdown(double factor) {
            if (!(factor == 0 || (factor > 1 && factor <= 100))) {
                throw new IllegalArgumentException("prefill slowdown must be 0 (off) or in (1, 100], got " + factor);
            }
            this.prefillSlowdown = factor;
            return this;
        }

        /**
         * Tokens one step processes at most (default 512): one per decoding sequence, the rest in
         * chunks of prompts still being prefilled. Smaller keeps inter-token latency steady while
         * long prompts arrive; larger prefills faster.
         */
        public Builder optPrefillChunk(int tokens) {
            if (tokens < 1 || tokens > 1 << 20) {
                throw new IllegalArgumentException("prefill chunk must be in [1, 1048576] tokens, got " + tokens);
            }
            this.prefillChunk = tokens;
            return this;
        }

        /**
         * Whether each instance prefills long prompts on a lane of its own (default false): a
         * thread beside the scheduler's that computes a prompt too long for one step's share in
         * chunks of {@link #optPrefillChunk} tokens while the running sequences keep stepping,
         * instead of inside their steps. Worth it where a core is left free by the model's compute
         * threads; the lane's thread comes from {@link LanguageModel#prefillThreads()} (Kiln's GPT
         * models: Linux's idle priority, so it takes only a core nothing else wants). Models without
         * {@link LanguageModel#supportsConcurrentPrefill()} ignore it.
         */
        public Builder optPrefillLane(boolean on) {
            this.prefillLane = on;
            return this;
        }

        /**
         * One entry per instance: separate model replicas, each decoded by its own scheduler
         * thread (the same model object twice would serialise on its lock, so it is rejected).
         */
        public Builder setModels(List<? extends LanguageModel> models) {
            if (models == null || models.isEmpty()) {
                throw new IllegalArgumentException("at least one model instance is needed, got " + models);
            }
            for (int i = 0; i < models.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (models.get(i) == models.get(j)) {
                        throw new IllegalArgumentException("model instances " + j + " and " + i
                                + " are the same object; instances must be separate replicas (load one per instance)");
                    }
                }
            }
            for (LanguageModel m : models) {
                if (m == null) {
                    throw new IllegalArgumentException("model instances must not be null, got " + models);
                }
                if (!m.supportsStepDecoding()) {
                    throw new IllegalArgumentException(
                            "model '" + m.id() + "' has no step-level decoding (open/step), so it cannot be batched");
                }
            }
            this.models = List.copyOf(models);
            return this;
        }

        /** Where the engine reports queue, batch and KV-cache figures (default: a private instance). */
        public Builder optMetrics(ServeMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** Sequences decoded together per instance (default 32). */
        public Builder optMaxBatchSize(int n) {
            if (n < 1 || n > 4096) {
                throw new IllegalArgumentException("max batch size must be in [1, 4096], got " + n);
            }
            this.maxBatchSize = n;
            return this;
        }

        /** Sequences allowed to wait over all instances; more are rejected (default 1024). */
        public Builder optMaxQueueSize(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("max queue size must be >= 0, got " + n);
            }
            this.maxQueueSize = n;
            return this;
        }

        /** How long an idle instance waits to fill a batch before starting (default 0). */
        public Builder optMaxQueueDelay(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("max queue delay must be >= 0, got " + d);
            }
            this.maxQueueDelay = d;
            return this;
        }

        /** A sequence older than this (queued or running) is failed; null (default) = no limit. */
        public Builder optRequestTimeout(Duration d) {
            if (d != null && (d.isNegative() || d.isZero())) {
                throw new IllegalArgumentException("request timeout must be > 0, got " + d);
            }
            this.requestTimeout = d;
            return this;
        }

        /**
         * The engine, with its settings copied; it starts one scheduler thread per model instance.
         *
         * @throws IllegalArgumentException if no models were set
         */
        public Engine build() {
            if (models == null) {
                throw new IllegalArgumentException("setModels(...) is required");
            }
            return new Engine(this);
        }
    }
}
