package dev.kiln.core.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.FinishReason;
import dev.kiln.core.model.Generation;
import dev.kiln.core.model.GenerationRequest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiCompletionsModelTest {

    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/v1/models",
                ex -> reply(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"tiny-code\",\"object\":\"model\"}]}"));
        server.createContext("/v1/completions", ex -> {
            JsonNode req = Json.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(req);
            if (failuresLeft.getAndDecrement() > 0) {
                reply(ex, 503, "{\"error\":{\"message\":\"overloaded\"}}");
                return;
            }
            if (!"tiny-code".equals(req.path("model").asText())) {
                reply(ex, 404, "{\"error\":{\"message\":\"no such model\"}}");
                return;
            }
            // Echo a completion that runs past the stop string, as a server ignoring "stop" would.
            String text = "    return a + b\n\ndef other():\n    pass\n";
            reply(
                    ex,
                    200,
                    "{\"id\":\"c1\",\"object\":\"text_completion\",\"model\":\"tiny-code\",\"choices\":[{\"index\":0,"
                            + "\"text\":" + Json.toLine(text)
                            + ",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,"
                            + "\"completion_tokens\":9,\"total_tokens\":16}}");
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Test
    void generatesThroughTheServiceLoaderProvider() throws IOException {
        try (LanguageModel m = LanguageModels.open(url(), Map.of("retry_base_ms", "1"))) {
            assertThat(m).isInstanceOf(OpenAiCompletionsModel.class);
            assertThat(m.id()).isEqualTo("tiny-code");
            assertThat(m.supportsStepDecoding()).isFalse();
            Generation g = m.generate(GenerationRequest.builder()
                            .setPrompt("def add(a, b):\n")
                            .optMaxTokens(32)
                            .optTemperature(0.2)
                            .optTopP(0.9)
                            .optSeed(5)
                            .optStop(List.of("\ndef"))
                            .build())
                    .collect();
            assertThat(g.text()).isEqualTo("    return a + b\n");
            assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(g.promptTokens()).isEqualTo(7);
            JsonNode sent = requests.get(0);
            assertThat(sent.path("prompt").asText()).isEqualTo("def add(a, b):\n");
            assertThat(sent.path("max_tokens").asInt()).isEqualTo(32);
            assertThat(sent.path("temperature").asDouble()).isEqualTo(0.2);
            assertThat(sent.path("top_p").asDouble()).isEqualTo(0.9);
            assertThat(sent.path("seed").asLong()).isEqualTo(5);
            assertThat(sent.path("stop").get(0).asText()).isEqualTo("\ndef");
            assertThatThrownBy(() -> m.open(new int[] {1}, dev.kiln.core.model.SamplingParams.GREEDY))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void sendsAtMostFourStopsAndAppliesTheRestToTheText() throws IOException {
        try (LanguageModel m = LanguageModels.open(url(), Map.of("retry_base_ms", "1"))) {
            Generation g = m.generate(GenerationRequest.builder()
                            .setPrompt("def add(a, b):\n")
                            .optMaxTokens(32)
                            .optStop(List.of("\nclass", "\nif", "\nprint", "\n#", "\ndef"))
                            .build())
                    .collect();
            assertThat(requests.get(0).path("stop")).hasSize(4);
            assertThat(g.text()).isEqualTo("    return a + b\n"); // cut at the fifth stop, "\ndef"
            assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @Test
    void retriesServerErrorsWithBackoff() throws IOException {
        failuresLeft.set(2);
        try (LanguageModel m = LanguageModels.open(url(), Map.of("retry_base_ms", "5", "max_retries", "3"))) {
            String text = m.generate(GenerationRequest.builder().setPrompt("x").build())
                    .collect()
                    .text();
            assertThat(text).startsWith("    return");
            assertThat(requests).hasSize(3);
        }
    }

    @Test
    void givesUpWithAClearErrorWhenTheEndpointIsDown() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (LanguageModel m = LanguageModels.open(
                "http://127.0.0.1:" + port, Map.of("model", "m", "retry_base_ms", "1", "max_retries", "2"))) {
            assertThatThrownBy(() -> m.generate(
                            GenerationRequest.builder().setPrompt("x").build()))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("127.0.0.1:" + port + "/v1")
                    .hasMessageContaining("after 3 attempts")
                    .hasMessageContaining("connection failed");
        }
    }

    @Test
    void clientErrorsAreNotRetried() throws IOException {
        try (LanguageModel m = LanguageModels.open(url(), Map.of("model", "other", "retry_base_ms", "1"))) {
            assertThatThrownBy(() -> m.generate(
                            GenerationRequest.builder().setPrompt("x").build()))
                    .hasMessageContaining("HTTP 404: no such model");
            assertThat(requests).hasSize(1);
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> new OpenAiCompletionsProvider().open(url(), Map.of("max_retries", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_retries");
    }
}
