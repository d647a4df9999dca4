package dev.kiln.serve.openai;

import dev.kiln.core.io.Json;
import dev.kiln.serve.metrics.ServeMetrics;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible HTTP front of {@link dev.kiln.serve.Server}: binds Javalin (Jetty 12 with
 * virtual threads), wires each route to the handler of its API area, maps every failure to
 * OpenAI's error shape and writes the access log. Internal to llm-serve: start a server with
 * {@code Server.builder()}; this class may change.
 *
 * <pre>{@code
 * OpenAiHttp http = OpenAiHttp.start(settings, state, metrics);
 * int port = http.port();
 * http.stop();
 * }</pre>
 */
public final class OpenAiHttp {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiHttp.class);
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

    /**
     * The HTTP settings, validated by {@code Server.Builder}.
     *
     * @param host the address to bind
     * @param port the port to bind, 0 for any free one
     * @param maxBodyBytes the largest accepted request body
     * @param maxChoices the most completions one request may ask for (prompts times {@code n})
     * @param apiKeys the accepted API keys; empty for none required
     * @param feedbackFile the JSONL file of {@code POST /v1/feedback}, or null to disable it
     */
    public record Settings(
            String host, int port, int maxBodyBytes, int maxChoices, Set<String> apiKeys, Path feedbackFile) {
        /** Copies the key set, so that the settings stay as they were given. */
        public Settings {
            apiKeys = Set.copyOf(apiKeys);
        }
    }

    private final Javalin app;
    private final AtomicInteger inFlight;
    private final StreamWaker waker;

    private OpenAiHttp(Javalin app, AtomicInteger inFlight, StreamWaker waker) {
        this.app = app;
        this.inFlight = inFlight;
        this.waker = waker;
    }

    /**
     * Binds {@code settings.host():settings.port()} and serves {@code state}.
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public static OpenAiHttp start(Settings settings, ServingState state, ServeMetrics metrics) {
        AtomicInteger inFlight = new AtomicInteger();
        StreamWaker waker = new StreamWaker();
        RequestBody body = new RequestBody(settings.maxBodyBytes());
        CompletionsHandler completions =
                new CompletionsHandler(state, body, new Responder(inFlight, waker), settings.maxChoices());
        ApiKeyCheck keys = new ApiKeyCheck(settings.apiKeys());
        HealthHandler health = new HealthHandler(state);
        Javalin app = Javalin.create(c -> {
            c.jetty.host = settings.host();
            c.jetty.port = settings.port();
            c.concurrency.useVirtualThreads = true;
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.maxRequestSize = settings.maxBodyBytes();
            c.http.compressionStrategy = CompressionStrategy.NONE;
            c.requestLogger.http((ctx, ms) -> logRequest(metrics, ctx, ms));
            c.routes.before(keys::check);
            c.routes.get("/health", health::live);
            c.routes.get("/ready", health::ready);
            c.routes.get("/metrics", new MetricsHandler(metrics));
            c.routes.get("/v1/models", new ModelsHandler(state));
            c.routes.post("/v1/completions", completions);
            c.routes.post("/v1/chat/completions", new ChatHandler(state, body, completions));
            c.routes.post("/v1/feedback", new FeedbackHandler(settings.feedbackFile(), state, body));
            c.routes.get("/", new PlaygroundHandler());
            c.routes.exception(ApiError.class, (e, ctx) -> e.writeTo(ctx));
            c.routes.exception(
                    HttpResponseException.class,
                    (e, ctx) ->
                            ApiError.fromStatus(e.getStatus(), e.getMessage()).writeTo(ctx));
            c.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
                ApiError.internalError(null, "internal server error").writeTo(ctx);
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            waker.close();
            throw new IllegalStateException(
                    "cannot listen on " + settings.host() + ":" + settings.port() + " (" + ServingState.rootMessage(e)
                            + "); is another server using the port?",
                    e);
        }
        return new OpenAiHttp(app, inFlight, waker);
    }

    /** The port listened on (the actual one when bound to port 0). */
    public int port() {
        return app.port();
    }

    /**
     * Waits until no completion handler is writing any more, or until {@code deadlineNanos} (a
     * {@link System#nanoTime()} value) plus one second, so that drained requests get their last
     * bytes out before {@link #stop()}.
     */
    public void awaitIdle(long deadlineNanos) {
        long end = deadlineNanos + TimeUnit.SECONDS.toNanos(1);
        while (inFlight.get() > 0 && System.nanoTime() - end < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops listening and closes every connection. */
    public void stop() {
        app.stop();
        waker.close();
    }

    /** Answers {@code body} as JSON with {@code status}. */
    static void json(Context ctx, int status, Object body) {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(Json.toLine(body));
    }

    /** Counts the request by route and status, and logs it without prompt or completion text. */
    private static void logRequest(ServeMetrics metrics, Context ctx, Float ms) {
        String route = ROUTES.contains(ctx.path()) ? ctx.path() : "other";
        metrics.request(route, ctx.statusCode());
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info(
                    "{} {} {} {} ms {}",
                    ctx.method(),
                    route,
                    ctx.statusCode(),
                    String.format(Locale.ROOT, "%.1f", ms),
                    ctx.ip());
        }
    }
}
