package dev.kiln.serve.metrics;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The server's metrics, exposed at {@code GET /metrics} in the Prometheus text exposition format
 * (version 0.0.4). Counters and histograms are lock-free ({@link LongAdder}s), so recording on the
 * scheduler's hot path costs a few atomic adds and allocates nothing.
 *
 * <pre>{@code
 * ServeMetrics m = new ServeMetrics();
 * m.timeToFirstToken().observeNanos(12_000_000);
 * String text = m.exposition();   // "# TYPE kiln_time_to_first_token_seconds histogram ..."
 * }</pre>
 *
 * <p>Metric names (all prefixed {@code kiln_}): {@code http_requests_total{route,status}}, {@code
 * queue_time_seconds}, {@code time_to_first_token_seconds}, {@code inter_token_latency_seconds},
 * {@code request_latency_seconds}, {@code prompt_tokens_total}, {@code generation_tokens_total},
 * {@code running_sequences}, {@code queued_sequences}, {@code batch_size} (sequences per decoding
 * step), {@code token_delivery_seconds} (a streamed token's step to its flushed chunk), {@code
 * cancelled_sequences_total}, {@code rejected_sequences_total}, {@code
 * timed_out_sequences_total}, {@code prefix_cache_hit_tokens_total}, {@code prefill_chunks_total},
 * {@code prefill_lane_tokens_total},
 * {@code kv_cache_blocks{state="used|cached|free"}} and {@code kv_cache_blocks_total} (models
 * with a bounded KV cache).
 */
public final class ServeMetrics {

    private static final double[] LATENCY_BUCKETS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
    };
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    /** Finer at the short end than {@link #LATENCY_BUCKETS}: a delivery is normally well under a step. */
    private static final double[] DELIVERY_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1
    };

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Histogram queueTime =
            new Histogram("kiln_queue_time_seconds", "Time sequences waited in the queue.", LATENCY_BUCKETS);
    private final Histogram ttft = new Histogram(
            "kiln_time_to_first_token_seconds", "Time from arrival to the first generated token.", LATENCY_BUCKETS);
    private final Histogram itl = new Histogram(
            "kiln_inter_token_latency_seconds", "Time between consecutive tokens of a sequence.", LATENCY_BUCKETS);
    private final Histogram latency = new Histogram(
            "kiln_request_latency_seconds", "Time from arrival to the last token of a sequence.", LATENCY_BUCKETS);
    private final Histogram batchSize =
            new Histogram("kiln_batch_size", "Sequences advanced by one decoding step.", BATCH_BUCKETS);
    private final Histogram tokenDelivery = new Histogram(
            "kiln_token_delivery_seconds",
            "Time from the decoding step handing a streamed token over to its chunk being flushed to the client.",
            DELIVERY_BUCKETS);
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final LongAdder prefixHitTokens = new LongAdder();
    private final LongAdder prefillChunks = new LongAdder();
    private final LongAdder prefillLaneTokens = new LongAdder();
    private volatile LongSupplier instances = () -> 0;
    private volatile Supplier<long[]> kvBlocks = () -> null;

    /** Metrics with every counter at zero and no gauges reported yet. */
    public ServeMetrics() {}

    /** Counts one finished HTTP request. */
    public void request(String route, int status) {
        requests.computeIfAbsent(route + "\u0000" + status, k -> new LongAdder())
                .increment();
    }

    /** Requests seen so far with this route and status. */
    public long requests(String route, int status) {
        LongAdder a = requests.get(route + "\u0000" + status);
        return a == null ? 0 : a.sum();
    }

    /**
     * Time from the decoding step handing a streamed token over (on the scheduler's thread) to the
     * server flushing its SSE chunk to the client's connection: the server's share of the gap a
     * client sees between tokens, beside {@link #interTokenLatency()} (the engine's share). Large
     * values with a steady inter-token latency mean the request threads waited for a CPU.
     */
    public Histogram tokenDelivery() {
        return tokenDelivery;
    }

    /** Time sequences waited in the queue before their first step. */
    public Histogram queueTime() {
        return queueTime;
    }

    /** Time from a sequence's arrival to its first generated token. */
    public Histogram timeToFirstToken() {
        return ttft;
    }

    /** Time between consecutive tokens of a sequence. */
    public Histogram interTokenLatency() {
        return itl;
    }

    /** Time from a sequence's arrival to its last token. */
    public Histogram requestLatency() {
        return latency;
    }

    /** Sequences advanced by each decoding step. */
    public Histogram batchSize() {
        return batchSize;
    }

    /** Counts {@code n} prompt tokens admitted. */
    public void addPromptTokens(long n) {
        promptTokens.add(n);
    }

    /** Counts {@code n} generated tokens. */
    public void addGeneratedTokens(long n) {
        generatedTokens.add(n);
    }

    /** Tokens generated so far. */
    public long generatedTokens() {
        return generatedTokens.sum();
    }

    /** Counts one sequence removed because its client went away or cancelled it. */
    public void cancelled() {
        cancelled.increment();
    }

    /** Sequences removed because their client went away or cancelled them. */
    public long cancelledCount() {
        return cancelled.sum();
    }

    /** Counts one sequence rejected because the queue was full. */
    public void rejected() {
        rejected.increment();
    }

    /** Sequences rejected so far because the queue was full. */
    public long rejectedCount() {
        return rejected.sum();
    }

    /** Counts one sequence that exceeded the request timeout. */
    public void timedOut() {
        timedOut.increment();
    }

    /** Adds {@code delta} to the running-sequences gauge. */
    public void addRunning(long delta) {
        running.addAndGet(delta);
    }

    /** Sequences in the running batches now. */
    public long running() {
        return running.get();
    }

    /** Adds {@code delta} to the queued-sequences gauge. */
    public void addQueued(long delta) {
        queued.addAndGet(delta);
    }

    /** Sequences waiting in the queues now. */
    public long queued() {
        return queued.get();
    }

    /** Counts prompt tokens whose keys and values came from the prefix cache. */
    public void addPrefixHitTokens(long n) {
        prefixHitTokens.add(n);
    }

    /** Prompt tokens whose keys and values came from the prefix cache so far. */
    public long prefixHitTokens() {
        return prefixHitTokens.sum();
    }

    /** Counts prompt tokens the prefill lane computed beside the steps. */
    public void addPrefillLaneTokens(long n) {
        prefillLaneTokens.add(n);
    }

    /** Prompt tokens the prefill lane has computed beside the steps so far. */
    public long prefillLaneTokens() {
        return prefillLaneTokens.sum();
    }

    /** Counts one partial prompt chunk processed in a step (chunked prefill). */
    public void prefillChunk() {
        prefillChunks.increment();
    }

    /**
     * Reports the KV cache pool, read at scrape time: {@code {used, cached, free, total}} blocks
     * summed over instances, or null when the model has no bounded cache.
     */
    public void kvBlocksGauge(Supplier<long[]> supplier) {
        this.kvBlocks = supplier;
    }

    /** The KV blocks {@code {used, cached, free, total}} now, or null without a bounded cache. */
    public long[] kvBlocks() {
        return kvBlocks.get();
    }

    /** Reports the number of loaded model instances (a gauge read at scrape time). */
    public void instancesGauge(LongSupplier supplier) {
        this.instances = supplier;
    }

    /** The Prometheus text exposition of every metric. */
    public String exposition() {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("# HELP kiln_http_requests_total HTTP requests by route and status.\n");
        sb.append("# TYPE kiln_http_requests_total counter\n");
        requests.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] k = e.getKey().split("\u0000", 2);
            sb.append("kiln_http_requests_total{route=\"")
                    .append(escape(k[0]))
                    .append("\",status=\"")
                    .append(k[1])
                    .append("\"} ")
                    .append(e.getValue().sum())
                    .append('\n');
        });
        queueTime.appendTo(sb);
        ttft.appendTo(sb);
        itl.appendTo(sb);
        latency.appendTo(sb);
        batchSize.appendTo(sb);
        tokenDelivery.appendTo(sb);
        counter(sb, "kiln_prompt_tokens_total", "Prompt tokens admitted.", promptTokens.sum());
        counter(sb, "kiln_generation_tokens_total", "Tokens generated.", generatedTokens.sum());
        counter(
                sb,
                "kiln_cancelled_sequences_total",
                "Sequences removed because the client went away or cancelled.",
                cancelled.sum());
        counter(sb, "kiln_rejected_sequences_total", "Sequences rejected because the queue was full.", rejected.sum());
        counter(sb, "kiln_timed_out_sequences_total", "Sequences that exceeded the request timeout.", timedOut.sum());
        gauge(sb, "kiln_running_sequences", "Sequences in the running batches.", running.get());
        gauge(sb, "kiln_queued_sequences", "Sequences waiting in the queues.", queued.get());
        gauge(sb, "kiln_model_instances", "Loaded model instances.", instances.getAsLong());
        counter(
                sb,
                "kiln_prefix_cache_hit_tokens_total",
                "Prompt tokens whose keys and values were reused from the prefix cache.",
                prefixHitTokens.sum());
        counter(
                sb,
                "kiln_prefill_chunks_total",
                "Partial prompt chunks processed (chunked prefill).",
                prefillChunks.sum());
        counter(
                sb,
                "kiln_prefill_lane_tokens_total",
                "Prompt tokens computed by the prefill lane beside the decoding steps.",
                prefillLaneTokens.sum());
        long[] kv = kvBlocks.get();
        if (kv != null) {
            sb.append(
                    "# HELP kiln_kv_cache_blocks KV cache blocks by state (used by sequences, cached prefixes, free).\n");
            sb.append("# TYPE kiln_kv_cache_blocks gauge\n");
            String[] states = {"used", "cached", "free"};
            for (int i = 0; i < 3; i++) {
                sb.append("kiln_kv_cache_blocks{state=\"")
                        .append(states[i])
                        .append("\"} ")
                        .append(kv[i])
                        .append('\n');
            }
            gauge(sb, "kiln_kv_cache_blocks_total", "KV cache blocks in the pool.", kv[3]);
        }
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        scalar(sb, name, help, "counter", value);
    }

    private static void gauge(StringBuilder sb, String name, String help, long value) {
        scalar(sb, name, help, "gauge", value);
    }

    private static void scalar(StringBuilder sb, String name, String help, String type, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A Prometheus histogram with fixed upper bounds (cumulative on exposition). */
    public static final class Histogram {
        private final String name;
        private final String help;
        private final double[] bounds;
        private final LongAdder[] counts;
        private final LongAdder count = new LongAdder();
        private final DoubleAdder sum = new DoubleAdder();

        Histogram(String name, String help, double[] bounds) {
            this.name = name;
            this.help = help;
            this.bounds = bounds.clone();
            this.counts = new LongAdder[bounds.length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        /** Records a duration. */
        public void observeNanos(long nanos) {
            observe(nanos / 1e9);
        }

        /** Records a value. */
        public void observe(double v) {
            count.increment();
            sum.add(v);
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    counts[i].increment();
                    return;
                }
            }
        }

        /** Values recorded so far. */
        public long count() {
            return count.sum();
        }

        /** The sum of the values recorded so far. */
        public double sum() {
            return sum.sum();
        }

        void appendTo(StringBuilder sb) {
            sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
            sb.append("# TYPE ").append(name).append(" histogram\n");
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts[i].sum();
                sb.append(name)
                        .append("_bucket{le=\"")
                        .append(format(bounds[i]))
                        .append("\"} ")
                        .append(cumulative)
                        .append('\n');
            }
            long n = count.sum();
            sb.append(name).append("_bucket{le=\"+Inf\"} ").append(n).append('\n');
            sb.append(name).append("_sum ").append(format(sum.sum())).append('\n');
            sb.append(name).append("_count ").append(n).append('\n');
        }

        /** A number as Prometheus clients write it: {@code 0.0005}, not {@code 5.0E-4}. */
        private static String format(double d) {
            if (!Double.isFinite(d)) {
                return Double.isNaN(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf";
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString((long) d);
            }
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
    }
}
