package dev.kiln.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation against a real (tiny) OpenAI-compatible HTTP server that answers canonical solutions. */
class RemoteGenerationTest {

    @TempDir
    Path tmp;

    @Test
    void endpointGoingDownKeepsSamplesAndTheRunResumes() throws Exception {
        ProblemSet set = HumanEval.python().limit(5);
        Map<String, String> byPrompt = new HashMap<>();
        for (Problem p : set.problems()) {
            // The server ignores "stop", so the client must cut at "\ndef".
            byPrompt.put(p.prompt(), p.canonicalSolution() + "\ndef extra():\n    pass\n");
        }
        AtomicInteger served = new AtomicInteger();
        AtomicInteger budget = new AtomicInteger(3);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/models", ex -> reply(ex, 200, "{\"data\":[{\"id\":\"canon\"}]}"));
        server.createContext("/v1/completions", ex -> {
            JsonNode req = Json.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (budget.getAndDecrement() <= 0) {
                reply(ex, 500, "{\"error\":{\"message\":\"model crashed\"}}");
                return;
            }
            served.incrementAndGet();
            String text = byPrompt.getOrDefault(req.path("prompt").asText(), "");
            reply(ex, 200, "{\"choices\":[{\"text\":" + Json.toLine(text) + ",\"finish_reason\":\"stop\"}]}");
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            Path file = tmp.resolve("samples.jsonl");
            try (LanguageModel m = LanguageModels.open(url, Map.of("retry_base_ms", "1", "max_retries", "2"))) {
                SampleGenerator gen = SampleGenerator.builder()
                        .setModel(m)
                        .setProblems(set)
                        .optBatchSize(1)
                        .build();
                assertThatThrownBy(() -> gen.generate(file))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("failed after 3 attempts")
                        .hasMessageContaining("model crashed");
                assertThat(Samples.read(file)).hasSize(3);
                budget.set(100);
                List<Sample> all = gen.generate(file);
                assertThat(all).hasSize(5);
                assertThat(served.get()).isEqualTo(5);
                for (Sample s : all) {
                    assertThat(s.completion()).doesNotContain("extra");
                }
                EvalSummary summary =
                        Evaluator.builder().setProblems(set).build().evaluate(all, tmp.resolve("eval"));
                assertThat(summary.passAt1()).isEqualTo(1.0);
            }
        } finally {
            server.stop(0);
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }
}
