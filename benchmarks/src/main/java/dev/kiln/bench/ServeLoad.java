package dev.kiln.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.ByteTokenizer;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.NgramLanguageModel;
import dev.kiln.core.model.TokenStream;
import dev.kiln.serve.Server;
import dev.kiln.serve.engine.PacedLanguageModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Load generator for {@code llm-serve}: starts a server over a small model, then drives it with the
 * JDK's HttpClient from virtual threads at several concurrencies (each client streams one
 * completion after another) and reports throughput (generated tokens/s), p50/p99 time to first
 * token and p50/p99 request latency. It also times the bare model's own generation loop ({@code
 * LanguageModel.generate}, no HTTP, no batching) as the single-stream baseline.
 *
 * <p>The model is Kiln's n-gram model trained on llm-core's sources, wrapped so that every
 * decoding step costs at least {@code --step-us} microseconds whatever the batch size: the cost
 * profile of a small transformer on an accelerator, where a decoding step is bound by reading the
 * weights once and extra sequences in the batch are nearly free. (With {@code --step-us 0} the raw
 * n-gram is used, whose cost is per sequence, so batching cannot raise throughput on CPU.)
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.ServeLoad \
 *      --concurrency 1,4,16,64 --seconds 10 --max-tokens 64 --step-us 2000
 * </pre>
 */
public final class ServeLoad {

    private ServeLoad() {}

    public static void main(String[] args) throws Exception {
        List<Integer> levels = List.of(1, 4, 16, 64);
        double seconds = 10;
        int maxTokens = 64;
        long stepMicros = 2000;
        int maxBatch = 64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--concurrency" ->
                    levels = Arrays.stream(args[++i].split(","))
                            .map(String::strip)
                            .map(Integer::parseInt)
                            .toList();
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--step-us" -> stepMicros = Long.parseLong(args[++i]);
                case "--max-batch" -> maxBatch = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + " (--concurrency 1,4,16,64 --seconds S --max-tokens N --step-us US --max-batch N)");
            }
        }
        NgramLanguageModel ngram = NgramLanguageModel.train(ByteTokenizer.withCodeSpecials(), sources(), 6, 2048);
        LanguageModel model =
                stepMicros > 0 ? PacedLanguageModel.of(ngram, Duration.ofNanos(stepMicros * 1000)) : ngram;
        List<String> prompts = prompts();

        System.out.printf(
                Locale.ROOT,
                "model: %s, step >= %d us, max_tokens %d, max batch %d, %d cores, Java %s%n",
                ngram.id(),
                stepMicros,
                maxTokens,
                maxBatch,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));

        try (Server server = Server.builder()
                .setModel(model)
                .optPort(0)
                .optMaxBatchSize(maxBatch)
                .optMaxQueueSize(4096)
                .build()
                .start()
                .awaitReady(Duration.ofMinutes(1))) {
            URI url = server.url().resolve("/v1/completions");
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .build();
            // Warm up both paths (JIT), then time the bare loop right before the server runs.
            bareLoop(model, prompts, maxTokens, 1);
            run(http, url, prompts, maxTokens, 4, 2);
            run(http, url, prompts, maxTokens, 1, 1);
            // The machine may be shared: alternate short runs of the bare loop and of one client so
            // that both see the same background load.
            double bareSum = 0;
            double serverSum = 0;
            int rounds = 3;
            double slice = Math.max(1, Math.min(seconds, 9) / rounds);
            for (int round = 0; round < rounds; round++) {
                bareSum += bareLoop(model, prompts, maxTokens, slice);
                serverSum += run(http, url, prompts, maxTokens, 1, slice).tokensPerSecond;
            }
            double bare = bareSum / rounds;
            System.out.printf(
                    Locale.ROOT,
                    "bare generation loop (no server, no batching): %.0f tokens/s; one streaming client through the"
                            + " server, alternating with it: %.0f tokens/s = %.2fx%n%n",
                    bare,
                    serverSum / rounds,
                    serverSum / bareSum);
            System.out.println(
                    "concurrency  requests  tokens/s   x c=1  TTFT p50 ms  TTFT p99 ms  latency p50 ms  latency p99 ms");
            double base = 0;
            for (int c : levels) {
                Result r = run(http, url, prompts, maxTokens, c, seconds);
                if (c == levels.get(0)) {
                    base = r.tokensPerSecond;
                }
                System.out.printf(
                        Locale.ROOT,
                        "%11d  %8d  %8.0f  %6.2f  %11.1f  %11.1f  %14.1f  %14.1f%n",
                        c,
                        r.requests,
                        r.tokensPerSecond,
                        r.tokensPerSecond / base,
                        r.ttftP50,
                        r.ttftP99,
                        r.latencyP50,
                        r.latencyP99);
                if (c == 1) {
                    System.out.printf(
                            Locale.ROOT,
                            "             c=1 reaches %.2fx the bare generation loop%n",
                            r.tokensPerSecond / bare);
                }
            }
        }
    }

    record Result(
            int requests,
            double tokensPerSecond,
            double ttftP50,
            double ttftP99,
            double latencyP50,
            double latencyP99) {}

    static Result run(HttpClient http, URI url, List<String> prompts, int maxTokens, int clients, double seconds)
            throws InterruptedException {
        ConcurrentLinkedQueue<double[]> samples = new ConcurrentLinkedQueue<>(); // {ttft ms, latency ms}
        AtomicLong tokens = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                pool.submit(() -> {
                    int i = 0;
                    while (System.nanoTime() < end) {
                        String prompt = prompts.get((client * 7919 + i) % prompts.size());
                        String body = "{\"prompt\":" + Json.toLine(prompt) + ",\"max_tokens\":" + maxTokens
                                + ",\"temperature\":0.8,\"seed\":" + (client * 1000L + i)
                                + ",\"ignore_eos\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
                        i++;
                        try {
                            one(http, url, body, samples, tokens);
                        } catch (IOException | RuntimeException e) {
                            failures.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        if (failures.get() > 0) {
            System.out.println("  (" + failures.get() + " requests failed)");
        }
        double[] ttft = samples.stream().mapToDouble(s -> s[0]).sorted().toArray();
        double[] lat = samples.stream().mapToDouble(s -> s[1]).sorted().toArray();
        return new Result(
                ttft.length, tokens.get() / wall, pct(ttft, 0.50), pct(ttft, 0.99), pct(lat, 0.50), pct(lat, 0.99));
    }

    static void one(HttpClient http, URI url, String body, ConcurrentLinkedQueue<double[]> samples, AtomicLong tokens)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<Stream<String>> r = http.send(
                HttpRequest.newBuilder(url)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            r.body().close();
            throw new IOException("HTTP " + r.statusCode());
        }
        long first = -1;
        int completion = 0;
        try (Stream<String> lines = r.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.startsWith("data: {")) {
                    continue;
                }
                if (first < 0 && line.contains("\"text\":\"") && !line.contains("\"text\":\"\"")) {
                    first = System.nanoTime();
                }
                if (line.contains("\"usage\"")) {
                    JsonNode u = Json.mapper().readTree(line.substring(6)).get("usage");
                    completion = u.get("completion_tokens").asInt();
                }
            }
        }
        long done = System.nanoTime();
        tokens.addAndGet(completion);
        samples.add(new double[] {((first < 0 ? done : first) - t0) / 1e6, (done - t0) / 1e6});
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

    static double pct(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static List<String> sources() throws IOException {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (root != null && !Files.isDirectory(root.resolve("llm-core/src/main/java"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new IllegalStateException("run from inside the Kiln repository (llm-core's sources train the model)");
        }
        try (Stream<Path> s = Files.walk(root.resolve("llm-core/src/main/java"))) {
            return s.filter(p -> p.toString().endsWith(".java"))
                    .sorted()
                    .map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
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
