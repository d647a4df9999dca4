package dev.kiln.bench;

import dev.kiln.core.io.Json;
import dev.kiln.serve.Server;
import dev.kiln.tokenize.RepoSources;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** The typing-replay and long-prompt scenarios of {@link ServeLoad}. */
final class ServeScenarios {

    static final int SESSIONS = 20;
    static final int KEYSTROKES = 40;

    private ServeScenarios() {}

    /** Real Java files of this repository (not llm-core's, on which the tokenizer was trained). */
    static List<String> javaFiles(int n) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : RepoSources.javaFiles("llm-serve", "llm-eval", "llm-train", "llm-data")) {
            String text = Files.readString(p);
            if (text.length() >= 6000 && out.size() < n) {
                out.add(text);
            }
        }
        if (out.size() < n) {
            throw new IllegalStateException("found only " + out.size() + " Java files of >= 6000 chars");
        }
        return out;
    }

    /**
     * 20 sessions at once, each sending 40 growing prefixes of its file (cursor from char 1,500,
     * ~25 chars per keystroke burst) with the next 600 chars as FIM suffix, max_tokens 8; TTFT with
     * and without the prefix cache, under the prompt time budget {@code slowdown} (0: off).
     */
    static void typing(HttpClient http, String dir, int maxBatch, int chunk, double slowdown) throws Exception {
        List<String> files = javaFiles(SESSIONS);
        System.out.printf(
                Locale.ROOT,
                "%ntyping replay: %d sessions x %d growing prefixes (FIM suffix), max_tokens 8%n",
                SESSIONS,
                KEYSTROKES);
        System.out.println("prefix cache  requests  TTFT p50 ms  TTFT p99 ms  hit tokens  prompt tokens");
        double[] p50 = new double[2];
        for (int mode = 0; mode < 2; mode++) {
            boolean on = mode == 0;
            Map<String, String> options = on ? Map.of() : Map.of("prefix_cache", "false");
            try (Server server = ServeLoad.start(dir, maxBatch, chunk, slowdown, options)) {
                URI url = server.url().resolve("/v1/completions");
                ServeLoad.Result warm = replay(http, url, files.subList(0, 2), 3); // JIT
                ServeLoad.Result r = replay(http, url, files, KEYSTROKES);
                p50[mode] = r.ttftP50();
                String metrics = ServeLoad.fetch(http, server.url().resolve("/metrics"));
                System.out.printf(
                        Locale.ROOT,
                        "%12s  %8d  %11.1f  %11.1f  %10d  %13d%n",
                        on ? "on" : "off",
                        r.requests(),
                        r.ttftP50(),
                        r.ttftP99(),
                        ServeLoad.metric(metrics, "kiln_prefix_cache_hit_tokens_total"),
                        ServeLoad.metric(metrics, "kiln_prompt_tokens_total"));
                if (warm.requests() == 0) {
                    throw new IllegalStateException("warm-up failed");
                }
            }
        }
        System.out.printf(Locale.ROOT, "TTFT p50 with prefix reuse = %.2fx without%n", p50[0] / p50[1]);
    }

    private static ServeLoad.Result replay(HttpClient http, URI url, List<String> files, int keystrokes)
            throws Exception {
        ConcurrentLinkedQueue<double[]> samples = new ConcurrentLinkedQueue<>();
        AtomicLong tokens = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (String file : files) {
                all.add(pool.submit(() -> {
                    for (int k = 0; k < keystrokes; k++) {
                        int cursor = 1500 + 25 * k;
                        String body = "{\"prompt\":" + Json.toLine(file.substring(0, cursor)) + ",\"suffix\":"
                                + Json.toLine(file.substring(cursor, Math.min(file.length(), cursor + 600)))
                                + ",\"max_tokens\":8,\"temperature\":0,\"stream\":true,"
                                + "\"stream_options\":{\"include_usage\":true}}";
                        try {
                            ServeLoad.one(http, url, body, samples, tokens, null);
                        } catch (IOException | RuntimeException e) {
                            failures.incrementAndGet();
                            ServeLoad.firstFailure = e.toString();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        if (failures.get() > 0) {
            System.out.println("  (" + failures.get() + " requests failed, e.g. " + ServeLoad.firstFailure + ")");
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double[] ttft = samples.stream().mapToDouble(s -> s[0]).sorted().toArray();
        return new ServeLoad.Result(
                ttft.length, tokens.get() / wall, ServeLoad.pct(ttft, 0.5), ServeLoad.pct(ttft, 0.99), 0, 0);
    }

    /**
     * 8 streams decode (max_tokens 480); once they all run, one prompt of ~1,800 tokens arrives.
     * Reports the streams' median and worst gap between tokens while all 8 decode (see {@link
     * StreamGaps}) under prefill policies ({@code policies}: {@code time}, {@code lane}, {@code
     * fixed}, {@code whole}): the time budget ({@code slowdown} times a decode step, at most {@code
     * chunk} tokens), the time budget with the prefill lane (the prompt computed beside the steps in
     * {@code chunk}-token chunks), a fixed chunk of {@code fixedChunk} tokens per step, and the whole
     * prompt in one step; {@code none} is the control: the time budget's server, the same 8 streams and no
     * long prompt, so its worst ÷ median gap is what the machine and the delivery path give without
     * any prefill (the floor under the others). Policies run in the order given, each on its own
     * server. With {@code gapsOut}, every token's arrival is written there as CSV (policy, stream,
     * token, epoch ms) with the long prompt's request and answer as stream -1, to line up with the
     * scheduler's step log. Each policy's server first runs the whole scenario {@code warmups} times
     * unmeasured (their worst ÷ median gap is printed as "cold"): the streams' first seconds are
     * otherwise spent while the JIT compiles the server's and the streams' paths on the same two
     * cores (hundreds of compilations fall in a 3.5 s window), which a server that has been up a
     * while does not pay. After one warm-up round C2 still took 0.7–0.8 s of CPU in the measured
     * round's window on the 4.9 M model (its compiler thread holds the second core in 4 ms time
     * slices while the streams' tokens wait for it); after four, 0.05–0.15 s. The JIT's compile time
     * during the measured round is printed with the worst gap.
     */
    static void longPrompt(
            String dir,
            int maxBatch,
            int chunk,
            double slowdown,
            int fixedChunk,
            List<String> policies,
            Path gapsOut,
            int warmups)
            throws Exception {
        System.out.printf(Locale.ROOT, "%nlong prompt (~1,800 tokens) arriving while 8 streams decode%n");
        System.out.println(
                "prefill per step              long-prompt TTFT ms  stream gap p50 ms  worst gap ms  worst/median");
        StringBuilder sb = new StringBuilder();
        for (String f : javaFiles(SESSIONS)) {
            sb.append(f);
        }
        String longText = sb.substring(0, 5600);
        List<String> keys = List.of("time", "lane", "fixed", "whole", "none");
        String[] names = {
            String.format(Locale.ROOT, "time: %.1fx decode, <= %d", slowdown, chunk),
            String.format(Locale.ROOT, "lane: %d-token chunks", chunk),
            fixedChunk + " tokens",
            "whole prompt",
            "none (control: no prompt)"
        };
        int[] chunks = {chunk, chunk, fixedChunk, 2048, chunk};
        double[] slowdowns = {slowdown, slowdown, 0, 0, slowdown};
        // nanoTime -> epoch ms, to line the arrivals up with the step log's wall-clock times.
        double epochOffsetMs = System.currentTimeMillis() - System.nanoTime() / 1e6;
        StringBuilder csv = new StringBuilder("policy,stream,token,epoch_ms\n");
        for (String policy : policies) {
            int k = keys.indexOf(policy);
            String prompt = policy.equals("none") ? null : longText;
            try (Server server = ServeLoad.start(
                    dir,
                    maxBatch,
                    chunks[k],
                    slowdowns[k],
                    Map.of("prefix_cache", "false"),
                    policy.equals("lane") || ServeLoad.laneOption)) {
                URI url = server.url().resolve("/v1/completions");
                ServeLoad.run(url, ServeLoad.prompts(), 16, 8, 2); // JIT
                List<String> cold = new ArrayList<>();
                for (int w = 0; w < warmups; w++) {
                    Round warm = round(url, prompt);
                    // with the long prompt's TTFT, to tell a process whose prefill is slow from its start from one
                    // slowed later
                    double ratio = StreamGaps.of(warm.arrivals()).ratio();
                    cold.add(
                            prompt == null
                                    ? String.format(Locale.ROOT, "%.1fx", ratio)
                                    : String.format(
                                            Locale.ROOT,
                                            "%.1fx (TTFT %.0f ms)",
                                            ratio,
                                            (warm.longTimes()[1] - warm.longTimes()[0]) / 1e6));
                }
                // null without a JIT (-Xint); some JVMs do not time their compilations
                var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
                boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
                long jitBefore = timed ? jit.getTotalCompilationTime() : 0;
                // The server's own account of the round: how long its threads took to flush each
                // token after the step handed it over, and the engine's inter-token latency.
                ServedHistogram deliveryBefore = ServedHistogram.read(url, "kiln_token_delivery_seconds");
                ServedHistogram itlBefore = ServedHistogram.read(url, "kiln_inter_token_latency_seconds");
                Round measured = round(url, prompt);
                ServedHistogram delivery =
                        ServedHistogram.read(url, "kiln_token_delivery_seconds").minus(deliveryBefore);
                ServedHistogram itl = ServedHistogram.read(url, "kiln_inter_token_latency_seconds")
                        .minus(itlBefore);
                String jitMs = timed ? (jit.getTotalCompilationTime() - jitBefore) + " ms" : "an unknown time";
                List<List<Long>> arrivals = measured.arrivals();
                long[] longTimes = measured.longTimes();
                StreamGaps g = StreamGaps.of(arrivals);
                // The window must hold the whole prefill, or its steps stall no one that is counted.
                if (prompt != null && (longTimes[0] < g.windowStartNanos() || longTimes[1] > g.windowEndNanos())) {
                    System.out.println("  (the long prompt fell outside the window where all 8 streams decode)");
                }
                // Where the worst gap ended, relative to the long prompt's request and response (the
                // control: to the moment the prompt would have been sent).
                String where = prompt == null
                        ? String.format(
                                Locale.ROOT,
                                "%.1f ms after the moment a long prompt would have been sent",
                                (g.worstEndNanos() - longTimes[0]) / 1e6)
                        : String.format(
                                Locale.ROOT,
                                "%.1f ms after the long prompt was sent, %.1f ms after its answer",
                                (g.worstEndNanos() - longTimes[0]) / 1e6,
                                (g.worstEndNanos() - longTimes[1]) / 1e6);
                System.err.printf(
                        Locale.ROOT,
                        "  (%s: %d gaps while all 8 decode; worst gap (stream %d) ended %s; the JIT compiled for"
                                + " %s during the round; cold (warm-up rounds): %s; server side, whole round:"
                                + " step-to-flush delivery of %d tokens p50 / p99 / max <= %s / %s / %s ms,"
                                + " engine inter-token latency p99 / max <= %s / %s ms)%n",
                        names[k],
                        g.count(),
                        g.worstStream(),
                        where,
                        jitMs,
                        cold.isEmpty() ? "none" : String.join(", ", cold),
                        delivery.count(),
                        ServedHistogram.ms(delivery.quantileBound(0.5)),
                        ServedHistogram.ms(delivery.quantileBound(0.99)),
                        ServedHistogram.ms(delivery.maxBound()),
                        ServedHistogram.ms(itl.quantileBound(0.99)),
                        ServedHistogram.ms(itl.maxBound()));
                System.out.printf(
                        Locale.ROOT,
                        "%-28s  %19s  %17.1f  %12.1f  %12.1f%n",
                        names[k],
                        prompt == null ? "-" : String.format(Locale.ROOT, "%.1f", (longTimes[1] - longTimes[0]) / 1e6),
                        g.median(),
                        g.worst(),
                        g.ratio());
                for (int s = 0; s < arrivals.size(); s++) {
                    List<Long> times = arrivals.get(s);
                    for (int i = 0; i < times.size(); i++) {
                        csv.append(String.format(
                                Locale.ROOT, "%s,%d,%d,%.3f%n", policy, s, i, epochOffsetMs + times.get(i) / 1e6));
                    }
                }
                for (int i = 0; i < 2; i++) {
                    csv.append(String.format(
                            Locale.ROOT, "%s,-1,%d,%.3f%n", policy, i, epochOffsetMs + longTimes[i] / 1e6));
                }
            }
        }
        if (gapsOut != null) {
            Files.writeString(gapsOut, csv);
        }
    }

    /** One round's arrivals (per stream, nanoTime) and the long prompt's request and answer times. */
    private record Round(List<List<Long>> arrivals, long[] longTimes) {}

    /**
     * 8 streams of 480 tokens; 1.5 s later the long prompt (one token asked for; none when {@code
     * longText} is null: both times are then the moment it would have been sent); waits for all.
     */
    private static Round round(URI url, String longText) throws Exception {
        List<List<Long>> arrivals = new ArrayList<>();
        long[] longTimes = new long[2];
        // Each stream is read by its own platform thread on its own connection (SseClient),
        // as in the load scenario: the JDK's HttpClient (one selector thread handing every
        // event to an executor) takes a share of the two cores the server runs on, and its
        // hand-offs land in the gaps this scenario measures.
        List<Thread> streams = new ArrayList<>();
        List<Throwable> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int s = 0; s < 8; s++) {
            List<Long> times = new ArrayList<>();
            arrivals.add(times);
            String body = "{\"prompt\":" + Json.toLine(ServeLoad.prompts().get(s)) + ",\"max_tokens\":480,"
                    + "\"ignore_eos\":true,\"temperature\":0.8,\"seed\":" + s + ",\"stream\":true}";
            streams.add(Thread.ofPlatform()
                    .daemon()
                    .name("long-prompt-stream-" + s)
                    .start(() -> {
                        try {
                            stream(url, body, times);
                        } catch (IOException | RuntimeException e) {
                            failed.add(e);
                        }
                    }));
        }
        Thread.sleep(1500);
        if (longText == null) {
            longTimes[0] = longTimes[1] = System.nanoTime();
        } else {
            try (SseClient client = new SseClient(url)) {
                longTimes[0] = System.nanoTime();
                String body = "{\"prompt\":" + Json.toLine(longText) + ",\"max_tokens\":1}";
                StringBuilder answer = new StringBuilder();
                int status = client.post(body, answer::append);
                longTimes[1] = System.nanoTime();
                if (status != 200) {
                    throw new IllegalStateException("long prompt: HTTP " + status + " " + answer);
                }
            }
        }
        for (Thread t : streams) {
            t.join();
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("a decoding stream failed: " + failed.getFirst(), failed.getFirst());
        }
        return new Round(arrivals, longTimes);
    }

    /** One streamed request; the arrival time of each text chunk goes to {@code times}. */
    private static void stream(URI url, String body, List<Long> times) throws IOException {
        try (SseClient client = new SseClient(url)) {
            StringBuilder error = new StringBuilder();
            int status = client.post(body, line -> {
                if (line.startsWith("data: {") && line.contains("\"text\":\"")) {
                    times.add(System.nanoTime());
                } else if (times.isEmpty() && !line.isEmpty() && !line.startsWith("data: ")) {
                    error.append(line);
                }
            });
            if (status != 200) {
                throw new IOException("HTTP " + status + ": " + error);
            }
        }
    }
}
