package dev.kiln.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.core.model.TokenStream;
import dev.kiln.serve.Server;
import dev.kiln.tokenize.RepoSources;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Load generator for {@code llm-serve} on a real model (a Kiln checkpoint directory, e.g. the one
 * {@link ServeModel} writes): starts the server over it and drives it with the JDK's HttpClient
 * from virtual threads. Three scenarios:
 *
 * <ul>
 *   <li>{@code load}: clients at concurrency 1, 4, 16, 64, each streaming one completion after
 *       another; throughput (generated tokens/s), time to first token and inter-token latency
 *       p50/p99. The bare model's own loop ({@code LanguageModel.generate}, no HTTP, no batching)
 *       is timed alongside as the single-stream baseline. With {@code --load-rounds N} the levels'
 *       windows run N times, the order reversed every other round, and each level's ratio to the
 *       first is taken within a round and reported as the median over rounds.
 *   <li>{@code typing}: 20 editor sessions, each sending 40 growing prefixes of a real Java file
 *       (one file per session) with the rest of the file as FIM suffix, as a completion plugin does
 *       on keystrokes; TTFT with the prefix cache and without (two servers, same traffic).
 *   <li>{@code long-prompt}: 8 streams decoding when a long prompt arrives; the streams' worst
 *       inter-token gap against their median gap, with chunked prefill and with whole-prompt
 *       prefill.
 * </ul>
 *
 * <pre>
 * benchmarks/compare/serve-load.sh --model target/serve-model --seconds 10
 * </pre>
 */
public final class ServeLoad {

    private ServeLoad() {}

    /** PyTorch intra-op threads ({@code --threads}); by default as {@code kiln serve}: cores − 1, at least 1. */
    static String threadsOption =
            Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));

    /**
     * Helper threads for the packed products ({@code --helper-threads}); by default as {@code llm
     * serve}: 1 when the compute threads leave a core free, else 0.
     */
    static String helpersOption;

    /** Whether the servers prefill long prompts on a lane ({@code --prefill-lane on|off}, default off). */
    static boolean laneOption;

    /** The model options both the server and the bare loop use: threads and helper threads. */
    static Map<String, String> modelOptions() {
        int cores = Runtime.getRuntime().availableProcessors();
        String helpers = helpersOption != null ? helpersOption : Integer.parseInt(threadsOption) < cores ? "1" : "0";
        return Map.of("threads", threadsOption, "helper_threads", helpers);
    }

    /** A whole number in [min, 64] for {@code option}, or a one-line error naming it. */
    private static int count(String option, String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
        }
        if (n < min || n > 64) {
            throw new IllegalArgumentException(option + " must be in [" + min + ", 64], got " + n);
        }
        return n;
    }

    /** The command line, for {@code --help} and after an unknown option. */
    static final String USAGE = "ServeLoad --model DIR [--scenarios load,typing,long-prompt] [--concurrency 1,4,16,64]"
            + " [--seconds 10] [--load-rounds 3] [--max-tokens 64] [--max-batch 64] [--prefill-chunk 512]"
            + " [--long-prompt-chunk 64] [--long-prompt-warmups 3] [--prefill-slowdown 2]"
            + " [--long-prompt-policies time,lane,fixed,whole,none] [--gaps-out FILE] [--threads N]"
            + " [--helper-threads N] [--prefill-lane on|off]  (see benchmarks/compare/serve-load.sh)";

    /** The first failure of a run, for the report. */
    static volatile String firstFailure;

    public static void main(String[] args) throws Exception {
        List<Integer> levels = List.of(1, 4, 16, 64);
        double seconds = 10;
        int maxTokens = 64;
        int loadRounds = 3;
        int maxBatch = 64;
        int chunk = 512;
        int longChunk = 64;
        int longWarmups = 3;
        double slowdown = 2.0;
        String model = null;
        List<String> scenarios = List.of("load", "typing", "long-prompt");
        List<String> policies = List.of("time", "fixed", "whole");
        java.nio.file.Path gapsOut = null;
        for (int i = 0; i < args.length; i++) {
            try {
                switch (args[i]) {
                    case "--help", "-h" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    case "--model" -> model = args[++i];
                    case "--concurrency" -> {
                        levels = Arrays.stream(args[++i].split(","))
                                .map(String::strip)
                                .map(Integer::parseInt)
                                .toList();
                        for (int c : levels) {
                            if (c < 1) {
                                throw new IllegalArgumentException(
                                        "--concurrency: each level must be at least 1, got " + c);
                            }
                        }
                    }
                    case "--seconds" -> {
                        seconds = Double.parseDouble(args[++i]);
                        if (!(seconds > 0) || Double.isInfinite(seconds)) {
                            throw new IllegalArgumentException("--seconds must be a positive number, got " + args[i]);
                        }
                    }
                    case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                    case "--load-rounds" -> loadRounds = count("--load-rounds", args[++i], 1);
                    case "--max-batch" -> maxBatch = Integer.parseInt(args[++i]);
                    case "--prefill-chunk" -> chunk = Integer.parseInt(args[++i]);
                    case "--long-prompt-chunk" -> longChunk = Integer.parseInt(args[++i]);
                    case "--long-prompt-warmups" -> {
                        longWarmups = Integer.parseInt(args[++i]);
                        if (longWarmups < 0) {
                            throw new IllegalArgumentException(
                                    "--long-prompt-warmups must be >= 0, got " + longWarmups);
                        }
                    }
                    case "--prefill-slowdown" -> {
                        slowdown = Double.parseDouble(args[++i]);
                        Server.builder().optPrefillSlowdown(slowdown); // rejects a bad factor here, quoting it
                    }
                    case "--scenarios" -> scenarios = List.of(args[++i].split(","));
                    case "--threads" -> threadsOption = Integer.toString(count("--threads", args[++i], 1));
                    case "--helper-threads" ->
                        helpersOption = Integer.toString(count("--helper-threads", args[++i], 0));
                    case "--prefill-lane" -> {
                        String v = args[++i];
                        if (!v.equals("on") && !v.equals("off")) {
                            throw new IllegalArgumentException("--prefill-lane must be on or off, got '" + v + "'");
                        }
                        laneOption = v.equals("on");
                    }
                    case "--long-prompt-policies" -> {
                        policies = List.of(args[++i].split(","));
                        for (String p : policies) {
                            if (!List.of("time", "lane", "fixed", "whole", "none")
                                    .contains(p)) {
                                throw new IllegalArgumentException("--long-prompt-policies: unknown policy '" + p
                                        + "' (time, lane, fixed, whole, none)");
                            }
                        }
                    }
                    case "--gaps-out" -> gapsOut = java.nio.file.Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: " + USAGE);
                }
            } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
                // one line and exit 2, as the other benchmarks' command lines (BenchCli)
                String option = args[Math.min(i, args.length - 1)];
                System.err.println("ServeLoad: "
                        + (e instanceof ArrayIndexOutOfBoundsException
                                ? "a value is missing after " + option
                                : e instanceof NumberFormatException
                                        ? "not a number after " + args[i - 1] + ": '" + option + "'"
                                        : e.getMessage()));
                System.exit(2);
            }
        }
        if (model == null) {
            System.err.println(
                    "ServeLoad: --model DIR is required (a Kiln checkpoint; see ServeModel); usage: " + USAGE);
            System.exit(2);
        }
        if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(model, "config.json"))) {
            System.err.println("ServeLoad: --model " + model + " is not a Kiln checkpoint (no config.json in it)");
            System.exit(2);
        }
        String dir = model;
        System.out.printf(
                Locale.ROOT,
                "model: %s, max batch %d, prefill chunk %d, %d cores, Java %s%n",
                dir,
                maxBatch,
                chunk,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        if (scenarios.contains("load")) {
            load(dir, levels, seconds, loadRounds, maxTokens, maxBatch, chunk);
        }
        if (scenarios.contains("typing")) {
            ServeScenarios.typing(http, dir, maxBatch, chunk, slowdown);
        }
        if (scenarios.contains("long-prompt")) {
            ServeScenarios.longPrompt(dir, maxBatch, chunk, slowdown, longChunk, policies, gapsOut, longWarmups);
        }
    }

    static Server start(String dir, int maxBatch, int chunk, Map<String, String> options) throws Exception {
        return start(dir, maxBatch, chunk, 2.0, options);
    }

    static Server start(String dir, int maxBatch, int chunk, double slowdown, Map<String, String> options)
            throws Exception {
        return start(dir, maxBatch, chunk, slowdown, options, laneOption);
    }

    static Server start(String dir, int maxBatch, int chunk, double slowdown, Map<String, String> options, boolean lane)
            throws Exception {
        Map<String, String> opts = new java.util.HashMap<>(options);
        opts.putAll(modelOptions());
        return Server.builder()
                .setModelLoader(() -> LanguageModels.open(dir, opts))
                .optPort(0)
                .optMaxBatchSize(maxBatch)
                .optMaxQueueSize(4096)
                .optPrefillChunk(chunk)
                .optPrefillSlowdown(slowdown)
                .optPrefillLane(lane)
                .build()
                .start()
                .awaitReady(Duration.ofMinutes(5));
    }

    static void load(
            String dir, List<Integer> levels, double seconds, int rounds, int maxTokens, int maxBatch, int chunk)
            throws Exception {
        List<String> prompts = prompts();
        try (Server server = start(dir, maxBatch, chunk, Map.of());
                LanguageModel bareModel = LanguageModels.open(dir, modelOptions())) {
            URI url = server.url().resolve("/v1/completions");
            // Warm up both paths (JIT), then alternate the bare loop and one client (shared machine).
            bareLoop(bareModel, prompts, maxTokens, 1);
            run(url, prompts, maxTokens, 4, 2);
            double bareSum = 0;
            double serverSum = 0;
            int bareRounds = 2;
            double slice = Math.max(2, Math.min(seconds, 8) / bareRounds);
            for (int round = 0; round < bareRounds; round++) {
                bareSum += bareLoop(bareModel, prompts, maxTokens, slice);
                serverSum += run(url, prompts, maxTokens, 1, slice).tokensPerSecond;
            }
            double bare = bareSum / bareRounds;
            System.out.printf(
                    Locale.ROOT,
                    "%nload: bare generation loop (no server, no batching): %.0f tokens/s; one streaming client through"
                            + " the server, alternating with it: %.0f tokens/s = %.2fx%n",
                    bare,
                    serverSum / bareRounds,
                    serverSum / bareSum);
            System.out.println((rounds > 1 ? "round  " : "")
                    + "concurrency  requests  tokens/s   x c=1  TTFT p50 ms  TTFT p99 ms  ITL p50 ms  ITL p99 ms");
            double[][] throughput = new double[rounds][levels.size()];
            for (int round = 0; round < rounds; round++) {
                Result[] results = new Result[levels.size()];
                for (int index : order(levels.size(), round)) {
                    results[index] = run(url, prompts, maxTokens, levels.get(index), seconds);
                    throughput[round][index] = results[index].tokensPerSecond;
                }
                for (int index = 0; index < levels.size(); index++) {
                    Result r = results[index];
                    System.out.printf(
                            Locale.ROOT,
                            (rounds > 1 ? String.format(Locale.ROOT, "%5d  ", round + 1) : "")
                                    + "%11d  %8d  %8.0f  %6.2f  %11.1f  %11.1f  %10.1f  %10.1f%n",
                            levels.get(index),
                            r.requests,
                            r.tokensPerSecond,
                            r.tokensPerSecond / results[0].tokensPerSecond,
                            r.ttftP50,
                            r.ttftP99,
                            r.itlP50,
                            r.itlP99);
                }
            }
            if (rounds > 1) {
                double[][] ratios = ratios(throughput);
                for (int index = 1; index < levels.size(); index++) {
                    StringBuilder line = new StringBuilder();
                    for (double[] round : ratios) {
                        line.append(line.isEmpty() ? "" : ", ")
                                .append(String.format(Locale.ROOT, "%.2f", round[index]));
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "c=%d / c=%d, each round's windows side by side: %s; median %.2fx%n",
                            levels.get(index),
                            levels.get(0),
                            line,
                            median(ratios, index));
                }
            }
        }
    }

    /**
     * The order in which round {@code round} runs the levels' windows: as given in even rounds,
     * reversed in odd ones (A B, B A, ...), so that a drift of the shared host over the run falls on
     * both sides of a ratio alike rather than always on the later window.
     */
    static int[] order(int levels, int round) {
        int[] order = new int[levels];
        for (int i = 0; i < levels; i++) {
            order[i] = round % 2 == 0 ? i : levels - 1 - i;
        }
        return order;
    }

    /** Each round's throughputs divided by that round's first level (the windows measured side by side). */
    static double[][] ratios(double[][] throughput) {
        double[][] ratios = new double[throughput.length][];
        for (int round = 0; round < throughput.length; round++) {
            ratios[round] = new double[throughput[round].length];
            for (int index = 0; index < throughput[round].length; index++) {
                ratios[round][index] = throughput[round][index] / throughput[round][0];
            }
        }
        return ratios;
    }

    /** The median over rounds of column {@code index} (the mean of the middle two for an even count). */
    static double median(double[][] rows, int index) {
        double[] column =
                Arrays.stream(rows).mapToDouble(row -> row[index]).sorted().toArray();
        int n = column.length;
        return n % 2 == 1 ? column[n / 2] : (column[n / 2 - 1] + column[n / 2]) / 2;
    }

    record Result(int requests, double tokensPerSecond, double ttftP50, double ttftP99, double itlP50, double itlP99) {}

    /**
     * {@code clients} closed-loop streaming clients for {@code seconds}. Each client is a platform
     * thread with its own kept-alive connection ({@link SseClient}), so that the load generator,
     * on the same two cores as the server, takes as little of them as it can.
     */
    static Result run(URI url, List<String> prompts, int maxTokens, int clients, double seconds)
            throws InterruptedException {
        ConcurrentLinkedQueue<double[]> samples = new ConcurrentLinkedQueue<>(); // {ttft ms, latency ms}
        ConcurrentLinkedQueue<Double> gaps = new ConcurrentLinkedQueue<>();
        AtomicLong tokens = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads[c] = Thread.ofPlatform().name("serve-load-client-" + c).start(() -> {
                try (SseClient connection = new SseClient(url)) {
                    int i = 0;
                    while (System.nanoTime() < end) {
                        String prompt = prompts.get((client * 7919 + i) % prompts.size());
                        String body = "{\"prompt\":" + Json.toLine(prompt) + ",\"max_tokens\":" + maxTokens
                                + ",\"temperature\":0.8,\"seed\":" + (client * 1000L + i)
                                + ",\"ignore_eos\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
                        i++;
                        try {
                            one(connection, body, samples, tokens, gaps);
                        } catch (IOException | RuntimeException e) {
                            failures.incrementAndGet();
                            firstFailure = e.toString();
                            connection.close();
                        }
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        if (failures.get() > 0) {
            System.out.println("  (" + failures.get() + " requests failed, e.g. " + firstFailure + ")");
        }
        double[] ttft = samples.stream().mapToDouble(s -> s[0]).sorted().toArray();
        double[] itl = gaps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Result(
                ttft.length, tokens.get() / wall, pct(ttft, 0.50), pct(ttft, 0.99), pct(itl, 0.50), pct(itl, 0.99));
    }

    /** One streaming request through the JDK's HttpClient (the other scenarios); records as {@link Tally}. */
    static void one(
            HttpClient http,
            URI url,
            String body,
            ConcurrentLinkedQueue<double[]> samples,
            AtomicLong tokens,
            ConcurrentLinkedQueue<Double> gaps)
            throws IOException, InterruptedException {
        Tally tally = new Tally(gaps);
        HttpResponse<Stream<String>> r = http.send(
                HttpRequest.newBuilder(url)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            String text;
            try (Stream<String> b = r.body()) {
                text = String.join(" ", b.toList());
            }
            throw new IOException("HTTP " + r.statusCode() + ": " + text);
        }
        try (Stream<String> lines = r.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                tally.line(line);
            }
        }
        tally.done(samples, tokens);
    }

    /** One streaming request on a kept-alive connection; records as {@link Tally}. */
    static void one(
            SseClient connection,
            String body,
            ConcurrentLinkedQueue<double[]> samples,
            AtomicLong tokens,
            ConcurrentLinkedQueue<Double> gaps)
            throws IOException {
        Tally tally = new Tally(gaps);
        StringBuilder error = new StringBuilder();
        int status = connection.post(body, line -> {
            if (error.isEmpty() && tally.first < 0 && !line.startsWith("data: ") && !line.isEmpty()) {
                error.append(line);
            }
            tally.line(line);
        });
        if (status != 200) {
            throw new IOException("HTTP " + status + ": " + error);
        }
        tally.done(samples, tokens);
    }

    /**
     * What one streamed response measured: the time to its first text chunk, the gaps between
     * text chunks (ms), and the completion tokens its {@code usage} chunk reports.
     */
    static final class Tally {
        private final ConcurrentLinkedQueue<Double> gaps;
        private final long t0 = System.nanoTime();
        long first = -1;
        private long last;
        private int completion;

        Tally(ConcurrentLinkedQueue<Double> gaps) {
            this.gaps = gaps;
        }

        void line(String line) throws IOException {
            if (!line.startsWith("data: {")) {
                return;
            }
            if (line.contains("\"text\":\"")) {
                long now = System.nanoTime();
                if (first < 0) {
                    first = now;
                } else if (gaps != null) {
                    gaps.add((now - last) / 1e6);
                }
                last = now;
            }
            if (line.contains("\"usage\"")) {
                JsonNode u = Json.mapper().readTree(line.substring(6)).get("usage");
                if (u != null && !u.isNull()) { // not generated text that merely contains "usage"
                    completion = u.get("completion_tokens").asInt();
                }
            }
        }

        /** Records {ttft, latency} ms and the generated tokens. */
        void done(ConcurrentLinkedQueue<double[]> samples, AtomicLong tokens) {
            long done = System.nanoTime();
            tokens.addAndGet(completion);
            samples.add(new double[] {((first < 0 ? done : first) - t0) / 1e6, (done - t0) / 1e6});
        }
    }

    /** The model's own loop: one request at a time through {@code generate}, no server. */
    static double bareLoop(LanguageModel model, List<String> prompts, int maxTokens, double seconds) {
        long tokens = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int i = 0;
        while (System.nanoTime() < end) {
            GenerationRequest req = GenerationRequest.builder()
                    .setPrompt(prompts.get(i % prompts.size()))
                    .optMaxTokens(maxTokens)
                    .optTemperature(0.8)
                    .optSeed(i)
                    .optStopAtEndOfText(false)
                    .build();
            i++;
            try (TokenStream s = model.generate(req)) {
                while (s.hasNext()) {
                    s.next();
                    tokens++;
                }
            }
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    /** The body of {@code GET uri}; an {@link IOException} naming the URI for any status but 200. */
    static String fetch(HttpClient http, URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + r.statusCode());
        }
        return r.body();
    }

    /** The value of an unlabelled metric in a Prometheus exposition. */
    static long metric(String exposition, String name) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Long.parseLong(line.substring(name.length() + 1).strip());
            }
        }
        throw new IllegalStateException("no metric " + name);
    }

    static double pct(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static List<String> sources() throws IOException {
        return sources("llm-core");
    }

    /** The Java sources of one module of the repository. */
    static List<String> sources(String module) throws IOException {
        return RepoSources.texts(RepoSources.javaFiles(module));
    }

    /** Code-completion style prompts: the first lines of methods from the training sources. */
    static List<String> prompts() {
        return List.of(
                "    public static Builder builder() {\n",
                "    @Override\n    public String toString() {\n",
                "        for (int i = 0; i < n; i++) {\n",
                "    public int[] encode(CharSequence text) {\n",
                "        if (value == null) {\n            throw new IllegalArgumentException(",
                "import java.util.",
                "    private static long mix(long h, int token) {\n",
                "        StringBuilder sb = new StringBuilder();\n");
    }
}
