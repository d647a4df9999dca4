package dev.kiln.cli;

import dev.kiln.core.model.LanguageModels;
import dev.kiln.core.tokenizer.FimTemplate;
import dev.kiln.serve.ApiKeys;
import dev.kiln.serve.Server;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code llm serve}: an OpenAI-compatible completion server over a model directory, with
 * continuous batching, metrics and a playground page. Stops gracefully on SIGTERM / Ctrl-C.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description =
                "Serve a model over an OpenAI-compatible HTTP API (POST /v1/completions, /metrics, playground at /).")
final class ServeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint directory (or URL).")
    String model;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 to accept remote clients).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8000",
            description = "Port (default ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @CommandLine.Mixin
    DeviceOption device;

    @Option(names = "--instances", defaultValue = "1", description = "Model instances (default ${DEFAULT-VALUE}).")
    int instances;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Compute threads of a local model on the CPU (libtorch intra-op; default: the machine's "
                    + "cores minus one, at least 1, so that the threads streaming tokens keep a core: a compute "
                    + "thread that loses its core stalls the whole step).")
    Integer threads;

    @Option(
            names = "--prefill-chunk",
            defaultValue = "512",
            paramLabel = "TOKENS",
            description = "Tokens per decoding step: one per running sequence, the rest in chunks of prompts being "
                    + "prefilled, so a long prompt never stalls running streams for more than one chunk "
                    + "(default ${DEFAULT-VALUE}).")
    int prefillChunk;

    @Option(
            names = "--prefill-slowdown",
            defaultValue = "2",
            paramLabel = "FACTOR",
            description = "While sequences decode, each prompt being prefilled adds at most FACTOR - 1 decode-only "
                    + "steps to a step (sized from measured step times: one prompt makes the step at most FACTOR "
                    + "times a decode-only step); 0 = off, prompts take the whole --prefill-chunk budget (default "
                    + "${DEFAULT-VALUE}).")
    double prefillSlowdown;

    @Option(
            names = "--prefill-lane",
            description = "Prefill a prompt too long for one step's share on a thread of its own, beside the"
                    + " decoding steps, at the OS's idle priority (for a machine whose --threads leave a core"
                    + " free; the prompt's chunks then stay out of the steps the running streams wait on).")
    boolean prefillLane;

    @Option(
            names = "--kv-cache-tokens",
            paramLabel = "N",
            description = "KV cache size per instance in token positions (default: a quarter of the machine's "
                    + "memory, at most 64 full contexts). Requests are admitted while prompt + max_tokens fit.")
    Integer kvCacheTokens;

    @Option(
            names = "--kv-cache-mib",
            paramLabel = "MIB",
            description = "KV cache size per instance in MiB (instead of --kv-cache-tokens).")
    Long kvCacheMib;

    @Option(
            names = "--no-prefix-cache",
            description = "Do not reuse the KV cache of earlier requests that share a prompt prefix.")
    boolean noPrefixCache;

    @Option(
            names = "--no-packed-weights",
            description = "Keep the ordinary matrix products instead of packing the weights for MKL's kernels"
                    + " (packing costs about the weights' size in memory; KILN_PACKED_WEIGHTS=off does the same).")
    boolean noPackedWeights;

    @Option(
            names = "--helper-threads",
            paramLabel = "N",
            description = "Threads that share the packed matrix products of batched steps with the compute thread,"
                    + " at the OS's idle priority, so they use only a core nothing else wants (default: 1 when"
                    + " one instance's --threads leave a core free, else 0).")
    Integer helperThreads;

    @Option(names = "--max-batch", defaultValue = "32", description = "Sequences per decoding step and instance.")
    int maxBatch;

    @Option(names = "--max-queue", defaultValue = "1024", description = "Waiting sequences before 429.")
    int maxQueue;

    @Option(
            names = "--max-queue-delay-ms",
            defaultValue = "0",
            description = "How long an idle instance waits to fill a batch (default ${DEFAULT-VALUE}).")
    long maxQueueDelayMs;

    @Option(
            names = "--request-timeout-s",
            defaultValue = "600",
            description = "Fail a request older than this, queued or running (default ${DEFAULT-VALUE}).")
    long requestTimeoutS;

    @Option(names = "--api-key-file", paramLabel = "FILE", description = "API keys, one per line (Bearer auth).")
    Path apiKeyFile;

    @Option(names = "--feedback-file", paramLabel = "FILE", description = "JSONL file for playground ratings.")
    Path feedbackFile;

    @Option(
            names = "--fim-mode",
            paramLabel = "PSM|SPM",
            description = "Fill-in-the-middle prompt layout (default: the model's own).")
    FimTemplate.Mode fimMode;

    @Option(
            names = "--drain-seconds",
            defaultValue = "30",
            description = "On shutdown, let requests finish this long (default ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Override
    public Integer call() throws Exception {
        if (!model.contains("://") && !Files.exists(Path.of(model))) {
            throw new NoSuchFileException(model, null, "the model directory does not exist");
        }
        Set<String> keys = apiKeyFile == null ? Set.of() : ApiKeys.read(apiKeyFile);
        Server.Builder builder = Server.builder();
        if (fimMode != null) {
            builder.optFimMode(fimMode);
        }
        java.util.Map<String, String> options = new java.util.HashMap<>();
        if (kvCacheTokens != null) {
            options.put("kv_cache_tokens", kvCacheTokens.toString());
        }
        if (kvCacheMib != null) {
            options.put("kv_cache_bytes", Long.toString(kvCacheMib << 20));
        }
        if (noPrefixCache) {
            options.put("prefix_cache", "false");
        }
        if (noPackedWeights) {
            options.put("packed_weights", "false");
        }
        if (threads != null && threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int computeThreads = threads != null ? threads : Math.max(1, cores - 1);
        options.put("threads", Integer.toString(computeThreads));
        if (helperThreads != null && (helperThreads < 0 || helperThreads > 64)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--helper-threads must be in [0, 64], got " + helperThreads);
        }
        int helpers = helperThreads != null ? helperThreads : instances == 1 && computeThreads < cores ? 1 : 0;
        options.put("helper_threads", Integer.toString(helpers));
        Server server = builder.setModelLoader(() -> LanguageModels.open(model, device.options(options)))
                .optPrefillChunk(prefillChunk)
                .optPrefillSlowdown(prefillSlowdown)
                .optPrefillLane(prefillLane)
                .optHost(host)
                .optPort(port)
                .optInstances(instances)
                .optMaxBatchSize(maxBatch)
                .optMaxQueueSize(maxQueue)
                .optMaxQueueDelay(Duration.ofMillis(maxQueueDelayMs))
                .optRequestTimeout(Duration.ofSeconds(requestTimeoutS))
                .optApiKeys(keys)
                .optFeedbackFile(feedbackFile)
                .optShutdownDeadline(Duration.ofSeconds(drainSeconds))
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "kiln-serve-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        if (prefillLane && computeThreads * instances >= cores) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("note: --prefill-lane with --threads " + computeThreads + " x " + instances
                    + " instance(s) on " + cores + " cores leaves no core free: the lane's prompts are"
                    + " computed only when the cores are otherwise idle");
            err.flush();
        }
        out.println("listening on " + server.url() + " (port " + server.port() + "), loading " + model + " (--threads "
                + computeThreads + ", --helper-threads " + helpers + ") ...");
        out.flush();
        try {
            server.awaitReady(Duration.ofHours(1));
        } catch (IllegalStateException e) {
            server.shutdown(Duration.ZERO);
            throw e;
        }
        out.println("ready: model '" + server.modelId() + "' at " + server.url() + "/v1 ("
                + (keys.isEmpty() ? "no API key" : keys.size() + " API key(s)") + ")");
        out.flush();
        server.join();
        return 0;
    }
}
