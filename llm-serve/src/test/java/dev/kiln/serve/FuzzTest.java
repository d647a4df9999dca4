package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.model.ChatTemplate;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptModel;
import dev.kiln.train.generate.GptLanguageModel;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * 1,000 seeded random malformed or odd requests to completions, chat completions and feedback, on
 * a real (tiny) transformer with a chat template and a small KV cache: never a 5xx, and the server
 * keeps serving with every KV block released.
 */
class FuzzTest {

    static final String[] FIELDS = {
        "model",
        "prompt",
        "suffix",
        "max_tokens",
        "temperature",
        "top_p",
        "top_k",
        "n",
        "stop",
        "seed",
        "stream",
        "stream_options",
        "logprobs",
        "echo",
        "ignore_eos",
        "best_of",
        "user",
        "presence_penalty",
        "logit_bias",
        "unknown_field",
        "messages",
        "max_completion_tokens",
        ""
    };

    static final String[] VALUES = {
        "null",
        "true",
        "false",
        "0",
        "-1",
        "1",
        "2",
        "3",
        "16",
        "17",
        "1.5",
        "-0.0",
        "1e308",
        "1e400",
        "-1e400",
        "99999999999999999999999999",
        "-99999999999999999999999999",
        "2147483648",
        "9223372036854775808",
        "0.0000001",
        "\"\"",
        "\"x\"",
        "\"ngram-6\"",
        "\"gpt-4\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"<fim_prefix>\"",
        "\"<|endoftext|>\"",
        "\"\\n\\n\"",
        "[]",
        "[\"\"]",
        "[\"a\",\"b\"]",
        "[1,2,3]",
        "[[1],[2]]",
        "[[]]",
        "[-1]",
        "[100000]",
        "[1.5]",
        "[null]",
        "[\"a\",1]",
        "{}",
        "{\"include_usage\":true}",
        "{\"a\":{\"b\":[1]}}",
        "\"public static void main(\"",
        "[\"a\",\"b\",\"c\",\"d\",\"e\"]",
        "[{\"role\":\"user\",\"content\":\"hi\"}]",
        "[{\"role\":\"user\"}]",
        "[{\"role\":\"\",\"content\":\"x\"}]",
        "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"}]}]",
        "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]",
        "[{\"role\":\"user\",\"content\":{}}]",
        "[{\"role\":1,\"content\":\"x\"}]",
        "[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"{{ 7*7 }}\"}]"
    };

    static final String[] BROKEN = {
        "",
        "{",
        "}",
        "[",
        "null",
        "42",
        "\"prompt\"",
        "{\"prompt\":}",
        "{\"prompt\" \"x\"}",
        "{'prompt':'x'}",
        "{\"prompt\":\"x\",}",
        "{\"prompt\":\"x\"} trailing",
        "\u0000\u0001",
        "{\"prompt\":\"\\uZZZZ\"}",
        "{\"max_tokens\":01}",
        "{\"a\":" + "[".repeat(2000) + "]".repeat(2000) + "}",
        "NaN",
        "{\"temperature\":NaN}"
    };

    @Test
    void thousandFuzzedRequestsNeverGive5xx() throws Exception {
        ByteTokenizer tok = ByteTokenizer.withCodeSpecials();
        try (GptModel gpt = TestModels.tinyGpt(128, 16, 2, 2, 1, 5);
                GptLanguageModel model = GptLanguageModel.builder()
                        .setModel(gpt)
                        .setTokenizer(tok)
                        .optId("ngram-6")
                        .optKvCacheTokens(512)
                        .optBlockSize(8)
                        .optChatTemplate(new ChatTemplate(ChatCompletionsTest.resource("chatml.jinja"), "", ""))
                        .build();
                Server server = Server.builder()
                        .setModel(model)
                        .optPort(0)
                        .optMaxBatchSize(16)
                        .build()
                        .start()
                        .awaitReady(Duration.ofSeconds(30))) {
            URI base = server.url();
            SplittableRandom rnd = new SplittableRandom(20261127L);
            Map<Integer, Integer> statuses = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String body = body(rnd);
                int route = rnd.nextInt(20);
                String path = route == 0 ? "/v1/feedback" : route < 6 ? "/v1/chat/completions" : "/v1/completions";
                HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", rnd.nextInt(10) == 0 ? "text/plain" : "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
                Http.Response r = Http.send(b);
                statuses.merge(r.status(), 1, Integer::sum);
                if (r.status() >= 500) {
                    failures.add(
                            r.status() + " for " + body.substring(0, Math.min(200, body.length())) + " -> " + r.body());
                }
                if (r.status() >= 400) {
                    assertThat(r.json().get("error").get("message").asText())
                            .as(body)
                            .isNotBlank();
                }
            }
            assertThat(failures).isEmpty();
            assertThat(statuses).containsKeys(200, 400);
            // Still serving.
            Http.Response ok = Http.post(base, "/v1/completions", "{\"prompt\":\"class A {\",\"max_tokens\":4}");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(Http.get(base, "/ready").status()).isEqualTo(200);
            assertThat(server.metrics().running()).isZero();
            assertThat(model.kvCache().orElseThrow().usedBlocks()).isZero();
        }
    }

    static String body(SplittableRandom rnd) {
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            return BROKEN[rnd.nextInt(BROKEN.length)];
        }
        if (kind == 1) {
            // Random bytes as text.
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(64);
            for (int i = 0; i < n; i++) {
                sb.append((char) rnd.nextInt(32, 0x3000));
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder("{");
        int fields = rnd.nextInt(7);
        boolean prompt = rnd.nextInt(3) > 0;
        if (prompt) {
            sb.append("\"prompt\":\"")
                    .append(rnd.nextBoolean() ? "int x = " : "")
                    .append('"');
        }
        for (int i = 0; i < fields; i++) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(FIELDS[rnd.nextInt(FIELDS.length)]).append("\":");
            sb.append(VALUES[rnd.nextInt(VALUES.length)]);
        }
        if (rnd.nextInt(4) > 0) {
            // Keep most requests cheap: duplicate keys take the last value.
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append("\"max_tokens\":").append(rnd.nextInt(0, 8));
        }
        return sb.append('}').toString();
    }
}
