package dev.kiln.serve;

import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.tokenizer.FimTemplate;
import dev.kiln.serve.engine.Engine;
import dev.kiln.serve.metrics.ServeMetrics;
import dev.kiln.serve.openai.OpenAiHttp;
import dev.kiln.serve.openai.ServingState;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible completion server over a {@link LanguageModel}, with continuous batching
 * ({@link Engine}), cancellation of abandoned requests, fill-in-the-middle, Prometheus metrics and a
 * small playground page.
 *
 * <pre>{@code
 * try (Server server = Server.builder()
 *         .setModel(model)
 *         .optHost("127.0.0.1").optPort(0)         // 0 = any free port
 *         .optMaxBatchSize(32).optMaxQueueSize(256)
 *         .build().start()) {
 *     server.awaitReady(Duration.ofMinutes(1));
 *     System.out.println("listening on " + server.url());
 *     server.join();
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code POST /v1/completions}, {@code POST /v1/chat/completions} (models with a
 * chat template), {@code GET /v1/models}, {@code POST /v1/feedback},
 * {@code GET /health} (live), {@code GET /ready} (503 until the model is loaded and while
 * shutting down), {@code GET /metrics}, {@code GET /} (playground). Errors use OpenAI's JSON
 * shape: 400 bad input, 401 missing/wrong API key, 404 unknown model, 413 body too large, 429
 * queue full (with {@code Retry-After}), 503 not ready.
 *
 * <p><b>Why Javalin 7 on Jetty 12, with virtual threads.</b> Streaming completions are Server-Sent
 * Events written from a blocking handler: with virtual threads each open stream costs a few KB
 * instead of a platform thread, so thousands of idle editor connections are cheap and the code
 * stays sequential. Jetty reports a client that went away as an {@link java.io.IOException} on the next
 * write (the server also writes an SSE comment every second while a request waits in the queue),
 * which is how an abandoned stream is cancelled and its KV cache freed at the next decoding step.
 * A non-streaming request writes nothing until it is done, so its connection is watched instead:
 * the socket's readiness is registered with Jetty's selector, and end of stream cancels the
 * request (see {@code openai.DisconnectWatch}).
 * Javalin is a thin, actively maintained layer over Jetty 12 (a servlet container that is itself
 * maintained and widely deployed), with no annotation scanning or reflection-heavy startup.
 *
 * <p>Structure: this class is the lifecycle (start, readiness, graceful shutdown) and holds the
 * settings, copied from the builder at {@link Builder#build()}; a package-private loader brings the
 * model up and builds its {@link Engine}; the OpenAI HTTP layer ({@code dev.kiln.serve.openai})
 * wires one handler per API area.
 *
 * <p>Access logs (SLF4J logger {@code dev.kiln.serve.access}) record method, route, status,
 * duration and client address, never prompt or completion text.
 */
public final class Server implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Server.class);

    private final OpenAiHttp.Settings http;
    private final ModelLoader loader;
    private final Duration shutdownDeadline;
    private final ServeMetrics metrics = new ServeMetrics();
    private final ServingState state = new ServingState();
    private volatile OpenAiHttp front;
    private volatile boolean stopped;

    private Server(Builder b) {
        this.http = new OpenAiHttp.Settings(b.host, b.port, b.maxBodyBytes, b.maxChoices, b.apiKeys, b.feedbackFile);
        this.loader = new ModelLoader(
                b.model,
                b.loader,
                b.instances,
                b.modelId,
                b.fimTemplate,
                b.fimMode,
                new ModelLoader.EngineSettings(
                        b.maxBatchSize,
                        b.maxQueueSize,
                        b.maxQueueDelay,
                        b.requestTimeout,
                        b.prefillChunk,
                        b.prefillSlowdown,
                        b.prefillLane));
        this.shutdownDeadline = b.shutdownDeadline;
    }

    /** A new builder; {@link Builder#setModel} or {@link Builder#setModelLoader} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts listening, then loads the model instances in the background ({@code /ready} answers
     * 503 until they are loaded).
     *
     * @return this server
     * @throws IllegalStateException if the server was started before or the address cannot be bound
     */
    public synchronized Server start() {
        if (front != null) {
            throw new IllegalStateException("the server was already started");
        }
        front = OpenAiHttp.start(http, state, metrics);
        loader.startLoading(state, metrics);
        return this;
    }

    /** The port the server listens on (the actual one when started with port 0). */
    public int port() {
        return requireStarted().port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8000}. */
    public URI url() {
        String h = http.host().contains(":") ? "[" + http.host() + "]" : http.host();
        if (h.equals("0.0.0.0") || h.equals("[::]")) {
            h = "127.0.0.1";
        }
        return URI.create("http://" + h + ":" + port());
    }

    /** Whether the model is loaded and the server accepts completions. */
    public boolean isReady() {
        return state.isReady();
    }

    /**
     * Waits until the model is loaded.
     *
     * @return this server
     * @throws IllegalStateException if loading failed or did not finish in time
     */
    public Server awaitReady(Duration timeout) throws InterruptedException {
        if (!loader.awaitSettled(timeout)) {
            throw new IllegalStateException("the model did not load within " + timeout);
        }
        if (state.loadError() != null) {
            throw new IllegalStateException("loading the model failed: " + state.loadErrorMessage(), state.loadError());
        }
        return this;
    }

    /** The id listed by {@code /v1/models} (null until loaded). */
    public String modelId() {
        ServingState.Loaded l = state.loaded();
        return l == null ? null : l.modelId();
    }

    /** The server's metrics, as {@code GET /metrics} exposes them. */
    public ServeMetrics metrics() {
        return metrics;
    }

    /** The engine (null until the model is loaded). */
    public Engine engine() {
        ServingState.Loaded l = state.loaded();
        return l == null ? null : l.engine();
    }

    /** Blocks until the server is shut down. */
    public void join() throws InterruptedException {
        while (!stopped) {
            Thread.sleep(200);
        }
    }

    /**
     * Graceful shutdown: stops accepting completions ({@code /ready} turns 503), lets queued and
     * running sequences finish until {@code deadline}, cancels the rest, stops the HTTP server and
     * closes the models it loaded.
     *
     * @return true when every request finished before the deadline
     */
    public synchronized boolean shutdown(Duration deadline) {
        if (stopped) {
            return true;
        }
        state.stopAccepting();
        long end = System.nanoTime() + deadline.toNanos();
        boolean drained = true;
        Engine e = engine();
        if (e != null) {
            drained = e.shutdown(deadline);
        }
        OpenAiHttp f = front;
        if (f != null) {
            f.awaitIdle(end); // lets the handlers write their last bytes
            f.stop();
        }
        loader.closeOwned();
        stopped = true;
        LOG.info("server stopped ({})", drained ? "drained" : "cancelled what was left at the deadline");
        return drained;
    }

    /** {@link #shutdown} with the builder's shutdown deadline. */
    @Override
    public void close() {
        shutdown(shutdownDeadline);
    }

    private OpenAiHttp requireStarted() {
        OpenAiHttp f = front;
        if (f == null) {
            throw new IllegalStateException("the server is not started; call start() first");
        }
        return f;
    }

    /** Server settings. */
    public static final class Builder {
        private LanguageModel model;
        private Callable<? extends LanguageModel> loader;
        private String modelId;
        private FimTemplate fimTemplate;
        private FimTemplate.Mode fimMode;
        private String host = "127.0.0.1";
        private int port = 8000;
        private int instances = 1;
        // The batching knobs, validated by the engine's own setters; null keeps the engine's default.
        private Integer maxBatchSize;
        private Integer maxQueueSize;
        private Duration maxQueueDelay;
        private Duration requestTimeout = Duration.ofMinutes(10);
        private Integer prefillChunk;
        private Double prefillSlowdown;
        private boolean prefillLane;

        private int maxBodyBytes = 1 << 20;
        private int maxChoices = 16;
        private Set<String> apiKeys = Set.of();
        private Path feedbackFile;
        private Duration shutdownDeadline = Duration.ofSeconds(30);

        private Builder() {}

        /**
         * The model to serve (it must be thread-safe when {@link #optInstances} is above 1). The
         * caller keeps ownership: the server does not close it.
         */
        public Builder setModel(LanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
            this.loader = null;
            return this;
        }

        /**
         * Loads the model in the background after {@link #start}, once per instance (e.g. {@code
         * () -> LanguageModels.open(dir)}); the server closes what it loaded.
         */
        public Builder setModelLoader(Callable<? extends LanguageModel> loader) {
            if (loader == null) {
                throw new IllegalArgumentException("model loader must not be null");
            }
            this.loader = loader;
            this.model = null;
            return this;
        }

        /** The id in {@code /v1/models} and responses (default: the model's {@code id()}). */
        public Builder optModelId(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("model id must not be blank, got '" + id + "'");
            }
            this.modelId = id;
            return this;
        }

        /** The FIM layout used for {@code suffix} (default: the model's own template). */
        public Builder optFimTemplate(FimTemplate template) {
            this.fimTemplate = template;
            return this;
        }

        /**
         * Lays FIM prompts out in {@code mode} (PSM or SPM) with the model's own FIM tokens, for a
         * model trained with the other layout than its tokenizer's default.
         */
        public Builder optFimMode(FimTemplate.Mode mode) {
            if (mode == null) {
                throw new IllegalArgumentException("FIM mode must not be null");
            }
            this.fimMode = mode;
            return this;
        }

        /** Address to bind (default 127.0.0.1: local only; use 0.0.0.0 in a container). */
        public Builder optHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank, got '" + host + "'");
            }
            this.host = host;
            return this;
        }

        /** Port (default 8000); 0 picks a free one, see {@link Server#port()}. */
        public Builder optPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Model replicas, each loaded by the {@linkplain #setModelLoader loader} and decoded by its
         * own scheduler thread, with least-loaded routing (default 1). A model given with {@link
         * #setModel} is one instance.
         */
        public Builder optInstances(int n) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("instances must be in [1, 64], got " + n);
            }
            this.instances = n;
            return this;
        }

        /** Sequences decoded together per instance (default 32). */
        public Builder optMaxBatchSize(int n) {
            Engine.builder().optMaxBatchSize(n);
            this.maxBatchSize = n;
            return this;
        }

        /** Sequences allowed to wait; beyond it requests get 429 (default 1024). */
        public Builder optMaxQueueSize(int n) {
            Engine.builder().optMaxQueueSize(n);
            this.maxQueueSize = n;
            return this;
        }

        /** How long an idle instance waits to fill a batch (default 0). */
        public Builder optMaxQueueDelay(Duration d) {
            Engine.builder().optMaxQueueDelay(d);
            this.maxQueueDelay = d;
            return this;
        }

        /** Per-request timeout, queue plus generation (default 10 minutes; null = none). */
        public Builder optRequestTimeout(Duration d) {
            Engine.builder().optRequestTimeout(d);
            this.requestTimeout = d;
            return this;
        }

        /** Tokens per step: decodes plus chunks of prompts being prefilled (default 512). */
        public Builder optPrefillChunk(int tokens) {
            Engine.builder().optPrefillChunk(tokens);
            this.prefillChunk = tokens;
            return this;
        }

        /**
         * A prefilling step's time as a multiple of a decode-only step, per waiting prompt (default 2:
         * each prompt adds one decode step's time; 0 = off).
         */
        public Builder optPrefillSlowdown(double factor) {
            Engine.builder().optPrefillSlowdown(factor); // rejects a bad value here, quoting it
            this.prefillSlowdown = factor;
            return this;
        }

        /**
         * Whether each instance prefills long prompts on a lane beside its decoding steps (default
         * false; see {@link Engine.Builder#optPrefillLane}): for a machine whose compute threads
         * leave a core free.
         */
        public Builder optPrefillLane(boolean on) {
            this.prefillLane = on;
            return this;
        }

        /** Largest accepted request body (default 1 MiB); larger bodies get 413. */
        public Builder optMaxBodyBytes(int n) {
            if (n < 1024) {
                throw new IllegalArgumentException("max body size must be >= 1024 bytes, got " + n);
            }
            this.maxBodyBytes = n;
            return this;
        }

        /** Most completions one request may ask for (prompts x n, default 16). */
        public Builder optMaxChoices(int n) {
            if (n < 1 || n > 1024) {
                throw new IllegalArgumentException("max choices must be in [1, 1024], got " + n);
            }
            this.maxChoices = n;
            return this;
        }

        /** API keys; when non-empty, {@code /v1/*} requires {@code Authorization: Bearer <key>}. */
        public Builder optApiKeys(Collection<String> keys) {
            if (keys == null) {
                throw new IllegalArgumentException("API keys must not be null (use an empty set for none)");
            }
            for (String k : keys) {
                if (k == null || k.isBlank()) {
                    throw new IllegalArgumentException("API keys must not be blank");
                }
            }
            this.apiKeys = Set.copyOf(keys);
            return this;
        }

        /** Enables {@code POST /v1/feedback}, appending ratings to this JSONL file. */
        public Builder optFeedbackFile(Path file) {
            this.feedbackFile = file;
            return this;
        }

        /** How long {@link Server#close()} lets requests finish (default 30 s). */
        public Builder optShutdownDeadline(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("shutdown deadline must be >= 0, got " + d);
            }
            this.shutdownDeadline = d;
            return this;
        }

        /**
         * The server, with these settings copied: changing this builder afterwards does not change
         * it.
         *
         * @throws IllegalArgumentException if no model is set, or {@code instances > 1} with a
         *     model object instead of a loader
         */
        public Server build() {
            if (model == null && loader == null) {
                throw new IllegalArgumentException("setModel(...) or setModelLoader(...) is required");
            }
            if (model != null && instances > 1) {
                throw new IllegalArgumentException(
                        "instances = " + instances
                                + " needs setModelLoader(...) so that each instance is its own replica; setModel(...) serves one");
            }
            return new Server(this);
        }
    }
}
