package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.model.NgramLanguageModel;
import dev.kiln.core.tokenizer.ByteTokenizer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StreamingAndShutdownTest {

    @Test
    void streamedDeltasNeverSplitAMultiByteCharacter() throws Exception {
        String text = "// größe: 日本語のコメント ✓ → λx.x 🚀 done\n";
        NgramLanguageModel m =
                NgramLanguageModel.train(ByteTokenizer.withCodeSpecials(), List.of(text.repeat(3)), 8, 512);
        try (Server server =
                Server.builder().setModel(m).optPort(0).build().start().awaitReady(Duration.ofSeconds(30))) {
            Http.Response r = Http.post(
                    server.url(),
                    "/v1/completions",
                    "{\"prompt\":\"// gr\",\"max_tokens\":60,\"temperature\":0,\"stream\":true,"
                            + "\"stream_options\":{\"include_usage\":true}}");
            StringBuilder all = new StringBuilder();
            int deltas = 0;
            int tokens = 0;
            for (JsonNode e : r.events()) {
                if (e.get("choices").isEmpty()) {
                    tokens = e.get("usage").get("completion_tokens").asInt();
                    continue;
                }
                String d = e.get("choices").get(0).get("text").asText();
                assertThat(d).doesNotContain("\uFFFD");
                if (!d.isEmpty()) {
                    assertThat(Character.isHighSurrogate(d.charAt(d.length() - 1)))
                            .as("delta ends in half a surrogate pair: %s", d)
                            .isFalse();
                    deltas++;
                }
                all.append(d);
            }
            assertThat(all.toString()).startsWith("öße: 日本語のコメント ✓ → λx.x 🚀");
            // Multi-byte characters arrive as several byte tokens but one delta.
            assertThat(deltas).isLessThan(tokens);
        }
    }

    @Test
    void shutdownStopsReadinessAndLetsRunningRequestsFinish() throws Exception {
        Server server = Server.builder()
                .setModel(TestModels.paced(TestModels.ngram(), 2_000_000))
                .optPort(0)
                .build()
                .start()
                .awaitReady(Duration.ofSeconds(30));
        URI base = server.url();
        CompletableFuture<Http.Response> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return Http.post(
                        base, "/v1/completions", "{\"prompt\":\"public \",\"max_tokens\":500,\"ignore_eos\":true}");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // Generous bounds: on a loaded machine the first request of a JVM can take many seconds.
        long end = System.nanoTime() + 60_000_000_000L;
        while (server.metrics().running() == 0 && System.nanoTime() < end) {
            Thread.sleep(2);
        }
        assertThat(server.metrics().running()).as("the request is running").isPositive();
        CompletableFuture<Boolean> drained =
                CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(20)));
        end = System.nanoTime() + 10_000_000_000L;
        while (server.isReady() && System.nanoTime() < end) {
            Thread.sleep(2);
        }
        assertThat(server.isReady()).isFalse();
        assertThat(inFlight).as("the running request is drained, not cut").isNotDone();
        Http.Response r = inFlight.get();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("usage").get("completion_tokens").asInt()).isEqualTo(500);
        assertThat(drained.get()).isTrue();
    }
}
