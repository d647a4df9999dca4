package dev.kiln.core.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.DecodeSession;
import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.GeneratedToken;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.model.TokenStream;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LanguageModel} served by an OpenAI-compatible {@code /v1/completions} endpoint (Kiln's
 * own server, vLLM, TGI, llama.cpp's server ...). Opened through {@link
 * dev.kiln.core.model.LanguageModels#open} with an {@code http(s)://} URL.
 *
 * <pre>{@code
 * try (LanguageModel m = LanguageModels.open("http://127.0.0.1:8080/v1", Map.of("model", "tiny"))) {
 *     String text = m.generate(GenerationRequest.builder().setPrompt("def add(a, b):\n")
 *             .optMaxTokens(64).optStop(List.of("\ndef")).build()).collect().text();
 * }
 * }</pre>
 *
 * <p>Only {@link #generate} is available ({@link #supportsStepDecoding()} is false): each call is
 * one non-streaming request; the whole completion arrives as one {@link GeneratedToken} (id -1).
 * Stop strings are sent to the server and also applied to the returned text. Connection errors,
 * HTTP 408/429 and 5xx are retried with exponential backoff and jitter ({@code max_retries}
 * times, default 4, starting at {@code retry_base_ms}, default 500 ms); then, or on another
 * error status, {@code generate} throws an {@link UncheckedIOException} naming the endpoint and
 * the last problem.
 *
 * <p>{@link #tokenizer()} is a byte-level stand-in (the server's tokenizer is not known here):
 * good for rough lengths only. Options: {@code model} (default: the first id of {@code
 * /v1/models}, else {@code default}), {@code api_key} (default {@code $OPENAI_API_KEY}), {@code
 * context_length} (default 2048), {@code timeout_s} (per request, default 300), {@code
 * max_retries}, {@code retry_base_ms}.
 */
public final class OpenAiCompletionsModel implements LanguageModel {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiCompletionsModel.class);

    /** Stop sequences an OpenAI-compatible server accepts per request. */
    static final int MAX_SERVER_STOPS = 4;

    private final URI base;
    private final String model;
    private final String apiKey;
    private final int contextLength;
    private final Duration timeout;
    private final int maxRetries;
    private final long retryBaseMillis;
    private final HttpClient http;
    private final Tokenizer tokenizer = ByteTokenizer.withCodeSpecials();

    OpenAiCompletionsModel(
            URI base,
            String model,
            String apiKey,
            int contextLength,
            Duration timeout,
            int maxRetries,
            long retryBaseMillis) {
        this.base = base;
        this.apiKey = apiKey;
        this.contextLength = contextLength;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.retryBaseMillis = retryBaseMillis;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.model = model != null ? model : discoverModel();
    }

    /** The API base, e.g. {@code http://127.0.0.1:8080/v1}. */
    public URI baseUri() {
        return base;
    }

    private String discoverModel() {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(resolve("models"))
                    .timeout(Duration.ofSeconds(10))
                    .GET();
            auth(b);
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() == 200) {
                JsonNode data = Json.parse(r.body()).path("data");
                if (data.isArray() && data.size() > 0 && data.get(0).path("id").isTextual()) {
                    return data.get(0).path("id").asText();
                }
            }
            LOG.warn("{}: /models answered HTTP {}; using model name 'default'", base, r.statusCode());
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: cannot list models ({}); using model name 'default'", base, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "default";
    }

    private URI resolve(String path) {
        String s = base.toString();
        return URI.create(s + (s.endsWith("/") ? "" : "/") + path);
    }

    private void auth(HttpRequest.Builder b) {
        if (apiKey != null && !apiKey.isEmpty()) {
            b.header("Authorization", "Bearer " + apiKey);
        }
    }

    @Override
    public String id() {
        return model;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public Optional<dev.kiln.core.tokenizer.FimTemplate> fimTemplate() {
        // The server lays out FIM prompts itself (the "suffix" field).
        return Optional.empty();
    }

    @Override
    public boolean supportsStepDecoding() {
        return false;
    }

    @Override
    public DecodeSession open(int[] promptIds, SamplingParams sampling) {
        throw new UnsupportedOperationException(
                "model '" + model + "' at " + base + " is remote: use generate(), not step-level decoding");
    }

    @Override
    public int[] step(List<? extends DecodeSession> sessions) {
        throw new UnsupportedOperationException(
                "model '" + model + "' at " + base + " is remote: use generate(), not step-level decoding");
    }

    @Override
    public TokenStream generate(GenerationRequest request) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("model", model);
        if (request.prompt() != null) {
            body.put("prompt", request.prompt());
        } else {
            ArrayNode ids = body.putArray("prompt");
            for (int id : request.promptIds()) {
                ids.add(id);
            }
        }
        if (request.suffix() != null) {
            body.put("suffix", request.suffix());
        }
        body.put("max_tokens", request.maxTokens());
        SamplingParams sp = request.sampling();
        body.put("temperature", sp.temperature());
        body.put("top_p", sp.topP());
        if (sp.topK() > 0) {
            body.put("top_k", sp.topK());
        }
        body.put("seed", sp.seed());
        body.put("n", 1);
        if (!request.stop().isEmpty()) {
            // The OpenAI API (and Kiln's server, vLLM ...) take at most 4 stop sequences: send the
            // first 4; every stop string is applied to the returned text below.
            ArrayNode stop = body.putArray("stop");
            request.stop().stream().limit(MAX_SERVER_STOPS).forEach(stop::add);
        }
        JsonNode reply = post(Json.toLine(body));
        JsonNode choice = reply.path("choices").path(0);
        if (!choice.path("text").isTextual()) {
            throw new UncheckedIOException(new IOException(
                    base + " returned a completion without choices[0].text: " + abbreviate(reply.toString())));
        }
        String text = choice.path("text").asText();
        FinishReason finish =
                "length".equals(choice.path("finish_reason").asText()) ? FinishReason.LENGTH : FinishReason.STOP;
        int cut = -1;
        for (String s : request.stop()) {
            int i = text.indexOf(s);
            if (i >= 0 && (cut < 0 || i < cut)) {
                cut = i;
            }
        }
        if (cut >= 0) {
            text = text.substring(0, cut);
            finish = FinishReason.STOP;
        }
        int promptTokens = reply.path("usage").path("prompt_tokens").asInt(0);
        return new OneShotStream(text, finish, promptTokens);
    }

    private JsonNode post(String json) {
        String last = "no attempt";
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            if (attempt > 0) {
                long delay = retryBaseMillis << Math.min(attempt - 1, 10);
                delay += ThreadLocalRandom.current().nextLong(Math.max(1, delay / 4));
                LOG.warn("{}: {}; retry {}/{} in {} ms", base, last, attempt, maxRetries, delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new IOException("interrupted while retrying " + base, e));
                }
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(resolve("completions"))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
            auth(b);
            HttpResponse<String> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                last = "connection failed ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while calling " + base, e));
            }
            int status = r.statusCode();
            if (status == 200) {
                try {
                    return Json.parse(r.body());
                } catch (RuntimeException e) {
                    throw new UncheckedIOException(
                            new IOException(base + " returned invalid JSON: " + abbreviate(r.body())));
                }
            }
            last = "HTTP " + status + ": " + abbreviate(errorMessage(r.body()));
            if (status != 408 && status != 429 && status < 500) {
                throw new UncheckedIOException(
                        new IOException("OpenAI-compatible endpoint " + base + " rejected the request: " + last));
            }
        }
        throw new UncheckedIOException(new IOException("OpenAI-compatible endpoint " + base + " failed after "
                + (maxRetries + 1) + " attempts: " + last + "; is the server running?"));
    }

    private static String errorMessage(String body) {
        try {
            JsonNode n = Json.parse(body);
            JsonNode m = n.path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
        } catch (RuntimeException e) {
            // not JSON
        }
        return body;
    }

    private static String abbreviate(String s) {
        String t = s == null ? "" : s.replace('\n', ' ');
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    @Override
    public void close() {
        // HttpClient has no close() on Java 17; its threads are daemons.
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "OpenAiCompletionsModel[%s, model=%s]", base, model);
    }

    /** The whole completion as one token. */
    private static final class OneShotStream implements TokenStream {
        private final String text;
        private final FinishReason finish;
        private final int promptTokens;
        private boolean consumed;
        private boolean cancelled;

        OneShotStream(String text, FinishReason finish, int promptTokens) {
            this.text = text;
            this.finish = finish;
            this.promptTokens = promptTokens;
        }

        @Override
        public boolean hasNext() {
            return !consumed && !cancelled;
        }

        @Override
        public GeneratedToken next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the generation has ended");
            }
            consumed = true;
            return new GeneratedToken(-1, text, 0);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public Optional<FinishReason> finishReason() {
            if (cancelled && !consumed) {
                return Optional.of(FinishReason.CANCELLED);
            }
            return consumed ? Optional.of(finish) : Optional.empty();
        }

        @Override
        public int promptTokens() {
            return promptTokens;
        }

        @Override
        public void close() {
            if (!consumed) {
                cancelled = true;
            }
        }
    }
}
