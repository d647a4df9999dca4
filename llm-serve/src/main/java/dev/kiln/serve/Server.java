package dev.kiln.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.FimTemplate;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.serve.engine.Engine;
import dev.kiln.serve.internal.ApiError;
import dev.kiln.serve.internal.CompletionParams;
import dev.kiln.serve.internal.Completions;
import dev.kiln.serve.internal.DisconnectWatch;
import dev.kiln.serve.internal.Errors;
import dev.kiln.serve.internal.FeedbackLog;
import dev.kiln.serve.metrics.ServeMetrics;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * stays sequential. Jetty reports a client that went away as an {@link IOException} on the next
 * write (the server also writes an SSE comment every second while a request waits in the queue),
 * which is how an abandoned stream is cancelled and its KV cache freed at the next decoding step.
 * A non-streaming request writes nothing until it is done, so its connection is watched instead:
 * the socket's readiness is registered with Jetty's selector, and end of stream cancels the
 * request (see {@code internal.DisconnectWatch}).
 * Javalin is a thin, actively maintained layer over Jetty 12 (a servlet container that is itself
 * maintained and widely deployed), with no annotation scanning or reflection-heavy startup.
 *
 * <p>Access logs (SLF4J logger {@code dev.kiln.serve.access}) record method, route, status,
 * duration and client address, never prompt or completion text.
 */
public final class Server implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Server.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.kiln.serve.access");
    private static final Set<String> ROUTES = Set.of(
            "/",
            "/v1/completions",
            "/v1/chat/completions",
            "/v1/models",
            "/v1/feedback",
            "/health",
            "/ready",
            "/metrics");

    /** nginx's status for a client that closed the connection before the response. */
    private static final int CLIENT_CLOSED_REQUEST = 499;

    private final Builder cfg;
    private final ServeMetrics metrics = new ServeMetrics();
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final FeedbackLog feedback;
    private final byte[][] apiKeys;
    private Javalin app;
    private volatile Engine engine;
    private volatile LanguageModel model;
    private volatile String modelId;
    private volatile FimTemplate fim;
    private volatile Throwable loadError;
    private volatile boolean accepting = true;
    private volatile boolean stopped;
    private final List<LanguageModel> owned = new ArrayList<>();

    private Server(Builder b) {
        this.cfg = b;
        this.feedback = b.feedbackFile == null ? null : new FeedbackLog(b.feedbackFile);
        this.apiKeys =
                b.apiKeys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts listening, then loads the model instances in the background ({@code /ready} answers
     * 503 until they are loaded).
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public Server start() {
        if (app != null) {
            throw new IllegalStateException("the server was already started");
        }
        app = Javalin.create(c -> {
            c.jetty.host = cfg.host;
            c.jetty.port = cfg.port;
            c.concurrency.useVirtualThreads = true;
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.maxRequestSize = cfg.maxBodyBytes;
            c.http.compressionStrategy = CompressionStrategy.NONE;
            c.requestLogger.http(this::logRequest);
            c.routes.before(this::authorize);
            c.routes.get("/health", ctx -> json(ctx, 200, Map.of("status", "ok")));
            c.routes.get("/ready", this::ready);
            c.routes.get("/metrics", ctx -> {
                ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
                ctx.result(metrics.exposition());
            });
            c.routes.get("/v1/models", this::models);
            c.routes.post("/v1/completions", this::completions);
            c.routes.post("/v1/chat/completions", this::chatCompletions);
            c.routes.post("/v1/feedback", this::feedback);
            c.routes.get("/", this::playground);
            c.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
            c.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, fromJavalin(e)));
            c.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, new ApiError(500, "server_error", null, null, "internal server error"));
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "cannot listen on " + cfg.host + ":" + cfg.port + " (" + rootMessage(e)
                            + "); is another server using the port?",
                    e);
        }
        Thread.ofPlatform().name("kiln-model-loader").daemon(true).start(this::load);
        return this;
    }

    private void load() {
        try {
            List<LanguageModel> models = new ArrayList<>();
            if (cfg.model != null) {
                for (int i = 0; i < cfg.instances; i++) {
                    models.add(cfg.model);
                }
            } else {
                for (int i = 0; i < cfg.instances; i++) {
                    LanguageModel m = cfg.loader.call();
                    if (m == null) {
                        throw new IllegalStateException("the model loader returned null");
                    }
                    synchronized (owned) {
                        owned.add(m);
                    }
                    models.add(m);
                }
            }
            LanguageModel first = models.get(0);
            FimTemplate t = cfg.fimTemplate != null
                    ? cfg.fimTemplate
                    : first.fimTemplate().orElse(null);
            if (t != null && cfg.fimMode != null) {
                t = t.withMode(cfg.fimMode);
            }
            this.fim = t;
            this.modelId = cfg.modelId != null ? cfg.modelId : first.id();
            this.engine = cfg.engine.setModels(models).optMetrics(metrics).build();
            this.model = first;
            LOG.info(
                    "model '{}' ready: {} instance(s), context {} tokens, FIM {}",
                    modelId,
                    models.size(),
                    first.contextLength(),
                    fim == null ? "off" : fim.mode());
        } catch (Throwable t) {
            loadError = t;
            LOG.error("loading the model failed: {}", rootMessage(t));
            LOG.debug("model loading failure", t);
        } finally {
            loaded.countDown();
        }
    }

    /** The port the server listens on (the actual one when started with port 0). */
    public int port() {
        requireStarted();
        return app.port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8000}. */
    public URI url() {
        String h = cfg.host.contains(":") ? "[" + cfg.host + "]" : cfg.host;
        if (h.equals("0.0.0.0") || h.equals("[::]")) {
            h = "127.0.0.1";
        }
        return URI.create("http://" + h + ":" + port());
    }

    /** Whether the model is loaded and the server accepts completions. */
    public boolean isReady() {
        return engine != null && accepting;
    }

    /**
     * Waits until the model is loaded.
     *
     * @throws IllegalStateException if loading failed or did not finish in time
     */
    public Server awaitReady(Duration timeout) throws InterruptedException {
        if (!loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the model did not load within " + timeout);
        }
        if (loadError != null) {
            throw new IllegalStateException("loading the model failed: " + rootMessage(loadError), loadError);
        }
        return this;
    }

    /** The id listed by {@code /v1/models} (null until loaded). */
    public String modelId() {
        return modelId;
    }

    public ServeMetrics metrics() {
        return metrics;
    }

    /** The engine (null until the model is loaded). */
    public Engine engine() {
        return engine;
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
    public boolean shutdown(Duration deadline) {
        if (stopped) {
            return true;
        }
        accepting = false;
        long end = System.nanoTime() + deadline.toNanos();
        boolean drained = true;
        Engine e = engine;
        if (e != null) {
            drained = e.shutdown(deadline);
        }
        // Let the handlers write their last bytes.
        while (inFlight.get() > 0 && System.nanoTime() < end + TimeUnit.SECONDS.toNanos(1)) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (app != null) {
            app.stop();
        }
        synchronized (owned) {
            for (LanguageModel m : owned) {
                try {
                    m.close();
                } catch (RuntimeException ex) {
                    LOG.warn("closing model '{}' failed", m.id(), ex);
                }
            }
            owned.clear();
        }
        stopped = true;
        LOG.info("server stopped ({})", drained ? "drained" : "cancelled what was left at the deadline");
        return drained;
    }

    /** {@link #shutdown} with the builder's shutdown deadline. */
    @Override
    public void close() {
        shutdown(cfg.shutdownDeadline);
    }

    // ---- routes ----

    private void authorize(Context ctx) {
        if (apiKeys.length == 0 || !ctx.path().startsWith("/v1/")) {
            return;
        }
        String h = ctx.header("Authorization");
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] given = h.substring(7).strip().getBytes(StandardCharsets.UTF_8);
            boolean ok = false;
            for (byte[] k : apiKeys) {
                ok |= MessageDigest.isEqual(k, given);
            }
            if (ok) {
                return;
            }
        }
        ctx.header("WWW-Authenticate", "Bearer");
        throw new ApiError(
                401,
                "invalid_request_error",
                null,
                "invalid_api_key",
                h == null ? "an API key is required: send 'Authorization: Bearer <key>'" : "the API key is not valid");
    }

    private void ready(Context ctx) {
        if (isReady()) {
            json(ctx, 200, Map.of("status", "ready", "model", modelId));
        } else {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", !accepting ? "shutting_down" : loadError != null ? "failed" : "loading");
            if (loadError != null) {
                m.put("error", rootMessage(loadError));
            }
            json(ctx, 503, m);
        }
    }

    private void requireReady(Context ctx) {
        if (!accepting) {
            ctx.header("Retry-After", "5");
            throw new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
        }
        if (engine == null) {
            ctx.header("Retry-After", "5");
            throw new ApiError(
                    503,
                    "server_error",
                    null,
                    "not_ready",
                    loadError != null
                            ? "the model failed to load: " + rootMessage(loadError)
                            : "the model is still loading; retry when GET /ready answers 200");
        }
    }

    private void models(Context ctx) {
        requireReady(ctx);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", modelId);
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "kiln");
        m.put("max_model_len", model.contextLength());
        m.put("fim", fim != null);
        json(ctx, 200, Map.of("object", "list", "data", List.of(m)));
    }

    private void completions(Context ctx) throws Exception {
        requireReady(ctx);
        JsonNode body = readJson(ctx);
        CompletionParams p = CompletionParams.parse(body, model, modelId, fim, cfg.maxChoices);
        serve(ctx, p, new Completions(engine, model, modelId, p));
    }

    /**
     * {@code POST /v1/chat/completions}: the messages are laid out by the model's chat template
     * (rendered with Jinjava), then generated like a completion and answered in the chat shape.
     */
    private void chatCompletions(Context ctx) throws Exception {
        requireReady(ctx);
        JsonNode body = readJson(ctx);
        if (!body.isObject()) {
            throw ApiError.badRequest(null, "the request body must be a JSON object");
        }
        dev.kiln.core.model.ChatTemplate template = model.chatTemplate()
                .orElseThrow(() -> ApiError.badRequest(
                        "messages",
                        "model '" + modelId
                                + "' has no chat template (no chat_template in its tokenizer_config.json), so it cannot chat;"
                                + " use /v1/completions"));
        for (String field : List.of("prompt", "suffix", "echo")) {
            if (body.hasNonNull(field)) {
                throw ApiError.badRequest(field, "'" + field + "' is not supported by /v1/chat/completions");
            }
        }
        if (body.path("logprobs").asBoolean(false)) {
            throw ApiError.badRequest("logprobs", "'logprobs' is not supported by /v1/chat/completions");
        }
        String prompt = dev.kiln.serve.internal.ChatPrompt.render(
                template, dev.kiln.serve.internal.ChatPrompt.messages(body.get("messages")));
        com.fasterxml.jackson.databind.node.ObjectNode completion =
                ((com.fasterxml.jackson.databind.node.ObjectNode) body).deepCopy();
        completion.remove("messages");
        completion.remove("logprobs");
        completion.put("prompt", prompt);
        JsonNode mct = completion.remove("max_completion_tokens");
        if (mct != null && !mct.isNull()) {
            completion.set("max_tokens", mct);
        }
        if (!completion.hasNonNull("max_tokens")) {
            // As vLLM: without a limit, the answer may fill the rest of the context.
            int used = model.tokenizer().encode(prompt).length;
            completion.put("max_tokens", Math.max(1, model.contextLength() - used));
        }
        CompletionParams p = CompletionParams.parse(completion, model, modelId, fim, cfg.maxChoices);
        serve(ctx, p, new Completions(engine, model, modelId, p).asChat());
    }

    private void serve(Context ctx, CompletionParams p, Completions c) throws Exception {
        inFlight.incrementAndGet();
        try {
            try {
                c.submit();
            } catch (ApiError e) {
                if (e.status() == 429 || e.status() == 503) {
                    ctx.header("Retry-After", "1");
                }
                throw e;
            }
            ResponseSink sink = new ResponseSink(ctx.res());
            try {
                if (p.stream) {
                    c.stream(sink);
                } else if (!awaitWatched(ctx, c)) {
                    return; // the client went away; its sequences were cancelled
                } else {
                    c.respond(sink);
                }
                sink.close(); // completes the response now, so a draining shutdown never cuts it
            } finally {
                c.cancel(); // no-op when everything finished; frees slots when the client left
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Waits for a non-streaming completion while watching its connection: a client that closes it
     * cancels the generation at the next decoding step (counted as cancelled sequences, answered
     * 499 in the access log and request metrics, as nginx does).
     *
     * @return false when the client went away
     */
    private static boolean awaitWatched(Context ctx, Completions c) throws InterruptedException {
        boolean delivered;
        boolean pipelined;
        try (DisconnectWatch watch = DisconnectWatch.start(ctx.req(), c::clientGone)) {
            delivered = c.await();
            watch.close();
            pipelined = watch.pipelined();
        }
        if (!delivered) {
            ctx.status(CLIENT_CLOSED_REQUEST);
            ctx.header("Connection", "close");
        } else if (pipelined) {
            ctx.header("Connection", "close");
        }
        return delivered;
    }

    private void feedback(Context ctx) throws IOException {
        if (feedback == null) {
            throw new ApiError(
                    404,
                    "invalid_request_error",
                    null,
                    "feedback_disabled",
                    "feedback is not enabled on this server (start it with a feedback file)");
        }
        JsonNode body = readJson(ctx);
        feedback.append(body, modelId);
        json(ctx, 200, Map.of("status", "ok"));
    }

    private void playground(Context ctx) throws IOException {
        try (InputStream in = Server.class.getResourceAsStream("playground.html")) {
            if (in == null) {
                throw new IllegalStateException("playground.html is missing from the llm-serve jar");
            }
            ctx.contentType("text/html; charset=utf-8");
            ctx.result(in.readAllBytes());
        }
    }

    // ---- helpers ----

    private JsonNode readJson(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        InputStream in = ctx.req().getInputStream();
        if (declared > cfg.maxBodyBytes) {
            drain(in, declared);
            throw tooLarge();
        }
        byte[] bytes = in.readNBytes(cfg.maxBodyBytes + 1);
        if (bytes.length > cfg.maxBodyBytes) {
            drain(in, Long.MAX_VALUE);
            throw tooLarge();
        }
        if (bytes.length == 0) {
            throw ApiError.badRequest(null, "the request body is empty; send a JSON object");
        }
        try {
            return Json.mapper().readTree(bytes);
        } catch (JacksonException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.length() > 200) {
                msg = msg.substring(0, 200) + "...";
            }
            throw ApiError.badRequest(null, "the request body is not valid JSON: " + msg);
        }
    }

    /**
     * Reads and drops a too-large body (up to 16x the limit), so that the client, still sending,
     * receives the 413 instead of a reset connection.
     */
    private void drain(InputStream in, long declared) {
        long budget = Math.min(declared, 16L * cfg.maxBodyBytes);
        try {
            while (budget > 0) {
                long n = in.skip(budget);
                if (n <= 0) {
                    if (in.read() < 0) {
                        break;
                    }
                    n = 1;
                }
                budget -= n;
            }
        } catch (IOException e) {
            // The client gave up; the 413 goes nowhere.
        }
    }

    private ApiError tooLarge() {
        return new ApiError(
                413,
                "invalid_request_error",
                null,
                "request_too_large",
                "the request body is larger than " + cfg.maxBodyBytes + " bytes");
    }

    private static ApiError fromJavalin(HttpResponseException e) {
        int s = e.getStatus();
        String type = s >= 500 ? "server_error" : "invalid_request_error";
        String code = s == 404 ? "not_found" : s == 413 ? "request_too_large" : null;
        return new ApiError(s, type, null, code, e.getMessage());
    }

    private static void error(Context ctx, ApiError e) {
        ctx.status(e.status());
        ctx.contentType("application/json");
        ctx.result(Errors.json(e));
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(Json.toLine(body));
    }

    private void logRequest(Context ctx, Float ms) {
        String route = ROUTES.contains(ctx.path()) ? ctx.path() : "other";
        metrics.request(route, ctx.statusCode());
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info(
                    "{} {} {} {} ms {}",
                    ctx.method(),
                    route,
                    ctx.statusCode(),
                    String.format(java.util.Locale.ROOT, "%.1f", ms),
                    ctx.ip());
        }
    }

    private void requireStarted() {
        if (app == null) {
            throw new IllegalStateException("the server is not started; call start() first");
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage();
        return m == null ? r.getClass().getSimpleName() : m;
    }

    /** Writes straight to the servlet response (no buffering of the whole body). */
    private static final class ResponseSink implements Completions.Sink {
        private final HttpServletResponse res;
        private OutputStream out;

        ResponseSink(HttpServletResponse res) {
            this.res = res;
        }

        @Override
        public void begin(int status, String contentType) {
            res.setStatus(status);
            res.setContentType(contentType);
            if (contentType.startsWith("text/event-stream")) {
                res.setHeader("Cache-Control", "no-cache");
                res.setHeader("X-Accel-Buffering", "no");
            }
        }

        @Override
        public OutputStream body() throws IOException {
            if (out == null) {
                out = res.getOutputStream();
            }
            return out;
        }

        @Override
        public void flush() throws IOException {
            body().flush();
        }

        void close() {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    // The client went away; nothing left to deliver.
                }
            }
        }
    }

    /** Server settings. */
    public static final class Builder {
        LanguageModel model;
        Callable<? extends LanguageModel> loader;
        String modelId;
        FimTemplate fimTemplate;
        FimTemplate.Mode fimMode;
        String host = "127.0.0.1";
        int port = 8000;
        int instances = 1;
        /** The batching knobs, validated by the engine's own setters. */
        final Engine.Builder engine = Engine.builder().optRequestTimeout(Duration.ofMinutes(10));

        int maxBodyBytes = 1 << 20;
        int maxChoices = 16;
        Set<String> apiKeys = Set.of();
        Path feedbackFile;
        Duration shutdownDeadline = Duration.ofSeconds(30);

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
            engine.optMaxBatchSize(n);
            return this;
        }

        /** Sequences allowed to wait; beyond it requests get 429 (default 1024). */
        public Builder optMaxQueueSize(int n) {
            engine.optMaxQueueSize(n);
            return this;
        }

        /** How long an idle instance waits to fill a batch (default 0). */
        public Builder optMaxQueueDelay(Duration d) {
            engine.optMaxQueueDelay(d);
            return this;
        }

        /** Per-request timeout, queue plus generation (default 10 minutes; null = none). */
        public Builder optRequestTimeout(Duration d) {
            engine.optRequestTimeout(d);
            return this;
        }

        /** Tokens per step: decodes plus chunks of prompts being prefilled (default 512). */
        public Builder optPrefillChunk(int tokens) {
            engine.optPrefillChunk(tokens);
            return this;
        }

        /** A prefilling step's time as a multiple of a decode-only step (default 2; 0 = off). */
        public Builder optPrefillSlowdown(double factor) {
            engine.optPrefillSlowdown(factor);
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
