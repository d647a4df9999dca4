package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.tokenizer.Tokenizer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerApiTest {

    static Server server;
    static URI base;
    static LanguageModel model;

    @BeforeAll
    static void start() throws Exception {
        model = TestModels.ngram();
        server = Server.builder()
                .setModel(model)
                .optPort(0)
                .optMaxBatchSize(8)
                .build()
                .start()
                .awaitReady(Duration.ofSeconds(30));
        base = server.url();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthReadyAndModels() throws Exception {
        assertThat(server.port()).isPositive();
        assertThat(Http.get(base, "/health").status()).isEqualTo(200);
        Http.Response ready = Http.get(base, "/ready");
        assertThat(ready.status()).isEqualTo(200);
        JsonNode models = Http.get(base, "/v1/models").json();
        assertThat(models.get("object").asText()).isEqualTo("list");
        assertThat(models.get("data").get(0).get("id").asText()).isEqualTo(model.id());
        assertThat(models.get("data").get(0).get("max_model_len").asInt()).isEqualTo(2048);
    }

    @Test
    void completionHasOpenAiShapeAndUsage() throws Exception {
        String prompt = "    public static Builder builder() {\n";
        Http.Response r = Http.post(
                base,
                "/v1/completions",
                "{\"model\":\"" + model.id() + "\",\"prompt\":" + quote(prompt)
                        + ",\"max_tokens\":24,\"temperature\":0}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("id").asText()).startsWith("cmpl-");
        assertThat(j.get("object").asText()).isEqualTo("text_completion");
        assertThat(j.get("model").asText()).isEqualTo(model.id());
        JsonNode c = j.get("choices").get(0);
        assertThat(c.get("index").asInt()).isZero();
        assertThat(c.get("finish_reason").asText()).isIn("stop", "length");
        assertThat(c.get("logprobs").isNull()).isTrue();
        int promptTokens = model.tokenizer().encode(prompt).length;
        assertThat(j.get("usage").get("prompt_tokens").asInt()).isEqualTo(promptTokens);
        int completion = j.get("usage").get("completion_tokens").asInt();
        assertThat(completion).isBetween(1, 24);
        assertThat(j.get("usage").get("total_tokens").asInt()).isEqualTo(promptTokens + completion);
        // Greedy decoding equals the model's own generation loop.
        String expected = model.generate(dev.kiln.core.model.GenerationRequest.builder()
                        .setPrompt(prompt)
                        .optMaxTokens(24)
                        .optTemperature(0)
                        .build())
                .collect()
                .text();
        assertThat(c.get("text").asText()).isEqualTo(expected);
    }

    @Test
    void streamingConcatenatesToTheSameTextAndEndsWithDone() throws Exception {
        String body = "{\"prompt\":\"import java.util.\",\"max_tokens\":40,\"temperature\":0.8,\"seed\":11";
        Http.Response whole = Http.post(base, "/v1/completions", body + "}");
        Http.Response stream = Http.post(
                base, "/v1/completions", body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        assertThat(stream.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> events = stream.events();
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (JsonNode e : events) {
            assertThat(e.get("object").asText()).isEqualTo("text_completion");
            if (e.get("choices").isEmpty()) {
                assertThat(e.get("usage").get("completion_tokens").asInt())
                        .isEqualTo(whole.json()
                                .get("usage")
                                .get("completion_tokens")
                                .asInt());
                continue;
            }
            JsonNode c = e.get("choices").get(0);
            text.append(c.get("text").asText());
            if (!c.get("finish_reason").isNull()) {
                finish = c.get("finish_reason").asText();
            }
        }
        JsonNode w = whole.json().get("choices").get(0);
        assertThat(text.toString()).isEqualTo(w.get("text").asText());
        assertThat(finish).isEqualTo(w.get("finish_reason").asText());
    }

    @Test
    void stopStringsEndTheCompletionAndAreNotEmitted() throws Exception {
        // Find what greedy decoding produces, then stop in its middle, across token boundaries.
        String prompt = "    @Override\n    public ";
        String free = Http.post(
                        base,
                        "/v1/completions",
                        "{\"prompt\":" + quote(prompt) + ",\"max_tokens\":40,\"temperature\":0,\"ignore_eos\":true}")
                .json()
                .get("choices")
                .get(0)
                .get("text")
                .asText();
        assertThat(free.length()).isGreaterThan(8);
        String stop = free.substring(4, 7); // three byte tokens
        for (String stream : List.of("false", "true")) {
            Http.Response r = Http.post(
                    base,
                    "/v1/completions",
                    "{\"prompt\":" + quote(prompt)
                            + ",\"max_tokens\":40,\"temperature\":0,\"stop\":[" + quote(stop) + "],\"stream\":" + stream
                            + "}");
            String text;
            String finish;
            if (stream.equals("true")) {
                StringBuilder sb = new StringBuilder();
                finish = null;
                for (JsonNode e : r.events()) {
                    JsonNode c = e.get("choices").get(0);
                    sb.append(c.get("text").asText());
                    if (!c.get("finish_reason").isNull()) {
                        finish = c.get("finish_reason").asText();
                    }
                }
                text = sb.toString();
            } else {
                text = r.json().get("choices").get(0).get("text").asText();
                finish = r.json().get("choices").get(0).get("finish_reason").asText();
            }
            assertThat(text).isEqualTo(free.substring(0, free.indexOf(stop)));
            assertThat(finish).isEqualTo("stop");
        }
    }

    @Test
    void fimSuffixUsesTheModelsTemplate() throws Exception {
        Tokenizer tok = model.tokenizer();
        String prefix = "    public int add(int a, int b) {\n        return ";
        String suffix = ";\n    }\n";
        JsonNode j = Http.post(
                        base,
                        "/v1/completions",
                        "{\"prompt\":" + quote(prefix) + ",\"suffix\":" + quote(suffix)
                                + ",\"max_tokens\":8,\"temperature\":0}")
                .json();
        int expectedPrompt = model.fimTemplate().orElseThrow().build(tok, prefix, suffix).length;
        assertThat(j.get("usage").get("prompt_tokens").asInt()).isEqualTo(expectedPrompt);
        assertThat(expectedPrompt).isEqualTo(tok.encode(prefix).length + tok.encode(suffix).length + 3);
    }

    @Test
    void fimModeIsConfigurablePerModel() throws Exception {
        String prefix = "int x = ";
        String suffix = ";\n";
        try (Server spm = Server.builder()
                .setModel(model)
                .optPort(0)
                .optFimMode(dev.kiln.core.tokenizer.FimTemplate.Mode.SPM)
                .build()
                .start()
                .awaitReady(Duration.ofSeconds(30))) {
            for (Server s : List.of(server, spm)) {
                dev.kiln.core.tokenizer.FimTemplate t = model.fimTemplate().orElseThrow();
                if (s == spm) {
                    t = t.withMode(dev.kiln.core.tokenizer.FimTemplate.Mode.SPM);
                }
                String expected = model.generate(dev.kiln.core.model.GenerationRequest.builder()
                                .setPromptIds(t.build(model.tokenizer(), prefix, suffix))
                                .optMaxTokens(10)
                                .optTemperature(0)
                                .build())
                        .collect()
                        .text();
                JsonNode j = Http.post(
                                s.url(),
                                "/v1/completions",
                                "{\"prompt\":" + quote(prefix) + ",\"suffix\":" + quote(suffix)
                                        + ",\"max_tokens\":10,\"temperature\":0}")
                        .json();
                assertThat(j.get("choices").get(0).get("text").asText()).isEqualTo(expected);
            }
        }
    }

    @Test
    void promptArraysTimesNGiveIndexedChoicesAndEcho() throws Exception {
        JsonNode j = Http.post(
                        base,
                        "/v1/completions",
                        "{\"prompt\":[\"int x = \",\"String s = \"],\"n\":2,\"max_tokens\":5,\"echo\":true,"
                                + "\"logprobs\":1,\"seed\":3}")
                .json();
        JsonNode choices = j.get("choices");
        assertThat(choices).hasSize(4);
        for (int i = 0; i < 4; i++) {
            JsonNode c = choices.get(i);
            assertThat(c.get("index").asInt()).isEqualTo(i);
            assertThat(c.get("text").asText()).startsWith(i < 2 ? "int x = " : "String s = ");
            JsonNode lp = c.get("logprobs");
            assertThat(lp.get("tokens").size())
                    .isEqualTo(lp.get("token_logprobs").size());
            for (JsonNode v : lp.get("token_logprobs")) {
                assertThat(v.asDouble()).isLessThanOrEqualTo(0.0);
            }
        }
        assertThat(j.get("usage").get("prompt_tokens").asInt()).isEqualTo(2 * (8 + 11));
    }

    @Test
    void echoWithLogprobsScoresThePromptLikeEvalHarnessesExpect() throws Exception {
        String prompt = "    public static void main(String[] args) {";
        JsonNode j = Http.post(
                        base,
                        "/v1/completions",
                        "{\"prompt\":" + quote(prompt) + ",\"max_tokens\":0,\"echo\":true,\"logprobs\":1}")
                .json();
        JsonNode c = j.get("choices").get(0);
        assertThat(c.get("text").asText()).isEqualTo(prompt);
        assertThat(c.get("finish_reason").asText()).isEqualTo("length");
        JsonNode lp = c.get("logprobs");
        int[] ids = model.tokenizer().encode(prompt);
        double[] expected = model.score(ids);
        assertThat(lp.get("tokens")).hasSize(ids.length);
        assertThat(lp.get("token_logprobs").get(0).isNull()).isTrue();
        for (int i = 1; i < ids.length; i++) {
            assertThat(lp.get("token_logprobs").get(i).asDouble()).isCloseTo(expected[i - 1], within(1e-9));
        }
        assertThat(lp.get("text_offset").get(ids.length - 1).asInt()).isEqualTo(prompt.length() - 1);
        assertThat(j.get("usage").get("prompt_tokens").asInt()).isEqualTo(ids.length);
        assertThat(j.get("usage").get("completion_tokens").asInt()).isZero();
    }

    @Test
    void errorsUseOpenAiShapeAndStatus() throws Exception {
        Http.Response unknownModel = Http.post(base, "/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"x\"}");
        assertThat(unknownModel.status()).isEqualTo(404);
        assertThat(unknownModel.json().get("error").get("code").asText()).isEqualTo("model_not_found");

        Http.Response badJson = Http.post(base, "/v1/completions", "{\"prompt\": ");
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.json().get("error").get("type").asText()).isEqualTo("invalid_request_error");

        Http.Response wrongType = Http.post(base, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":\"many\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("error").get("param").asText()).isEqualTo("max_tokens");

        Http.Response tooLong = Http.post(base, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2048}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("error").get("message").asText()).contains("maximum context length is 2048");

        Http.Response huge = Http.post(base, "/v1/completions", "{\"prompt\":\"" + "a".repeat(1_100_000) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.json().get("error").get("code").asText()).isEqualTo("request_too_large");

        Http.Response notFound = Http.get(base, "/v1/nothing");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.json().get("error").get("message").asText()).isNotBlank();
    }

    @Test
    void metricsExposePrometheusText() throws Exception {
        Http.post(base, "/v1/completions", "{\"prompt\":\"class \",\"max_tokens\":4,\"stream\":true}");
        Http.post(base, "/v1/completions", "{\"prompt\":1}");
        Http.Response m = Http.get(base, "/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        String t = m.body();
        assertThat(t).contains("# TYPE kiln_http_requests_total counter");
        assertThat(t).containsPattern("kiln_http_requests_total\\{route=\"/v1/completions\",status=\"200\"} [1-9]");
        assertThat(t).containsPattern("kiln_http_requests_total\\{route=\"/v1/completions\",status=\"400\"} [1-9]");
        assertThat(t).containsPattern("kiln_time_to_first_token_seconds_count [1-9]");
        assertThat(t).containsPattern("kiln_inter_token_latency_seconds_count [1-9]");
        assertThat(t).containsPattern("kiln_queue_time_seconds_count [1-9]");
        assertThat(t).containsPattern("kiln_generation_tokens_total [1-9]");
        assertThat(t).contains("kiln_running_sequences ", "kiln_queued_sequences ", "kiln_cancelled_sequences_total ");
    }

    @Test
    void tokenDeliveryCountsEveryStreamedChunkAndNothingElse() throws Exception {
        long before = deliveries();
        Http.Response r = Http.post(
                base,
                "/v1/completions",
                "{\"prompt\":\"class \",\"max_tokens\":12,\"stream\":true,\"ignore_eos\":true}");
        assertThat(r.status()).isEqualTo(200);
        int textChunks = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode choice =
                        Json.mapper().readTree(line.substring(6)).get("choices").get(0);
                if (!choice.get("text").asText().isEmpty()) {
                    textChunks++;
                }
            }
        }
        assertThat(textChunks).isPositive();
        long afterStream = deliveries();
        assertThat(afterStream - before).isEqualTo(textChunks);

        Http.Response whole = Http.post(base, "/v1/completions", "{\"prompt\":\"class \",\"max_tokens\":6}");
        assertThat(whole.status()).isEqualTo(200);
        assertThat(deliveries())
                .as("a non-streaming answer has no per-token delivery")
                .isEqualTo(afterStream);
        assertThat(Http.get(base, "/metrics").body())
                .contains(
                        "# TYPE kiln_token_delivery_seconds histogram",
                        "kiln_token_delivery_seconds_bucket{le=\"0.0001\"} ");
    }

    /**
     * The exposition as the Prometheus project's own Python client parses it (Debian's
     * python3-prometheus-client, installed by .ci/setup.d/prometheus-client.sh): every family,
     * its type, and the delivery histogram's bounds written as plain decimals.
     */
    @Test
    void metricsParseWithThePrometheusReferenceParser(@TempDir Path dir) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(python)
                        && new ProcessBuilder(python.toString(), "-c", "import prometheus_client.parser")
                                        .start()
                                        .waitFor()
                                == 0,
                "Debian's /usr/bin/python3 with python3-prometheus-client is needed"
                        + " (.ci/setup.d/prometheus-client.sh installs it)");
        assertThat(Http.post(
                                base,
                                "/v1/completions",
                                "{\"prompt\":\"class \",\"max_tokens\":4,\"stream\":true,\"ignore_eos\":true}")
                        .status())
                .isEqualTo(200);
        String exposition = Http.get(base, "/metrics").body();
        Path text = Files.writeString(dir.resolve("metrics.txt"), exposition);
        String script = String.join(
                "\n",
                "import json, sys",
                "from prometheus_client.parser import text_string_to_metric_families",
                "out = {}",
                "for f in text_string_to_metric_families(open(sys.argv[1]).read()):",
                "    out[f.name] = {'type': f.type, 'samples': [[s.name, s.labels, s.value] for s in f.samples]}",
                "print(json.dumps(out))");
        Process p = new ProcessBuilder(python.toString(), "-c", script, text.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String json = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor())
                .as("the reference parser accepted the exposition")
                .isZero();
        JsonNode families = Json.mapper().readTree(json);
        // Every family the exposition declares came through the parser.
        Matcher declared = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(exposition);
        int count = 0;
        while (declared.find()) {
            count++;
            String name = declared.group(1).replaceAll("_total$", "");
            assertThat(families.has(name)).as("family %s", name).isTrue();
            assertThat(families.get(name).get("type").asText()).isEqualTo(declared.group(2));
        }
        assertThat(count).isGreaterThan(10);
        List<String> bounds = new java.util.ArrayList<>();
        long buckets = 0;
        for (JsonNode sample : families.get("kiln_token_delivery_seconds").get("samples")) {
            if (sample.get(0).asText().equals("kiln_token_delivery_seconds_bucket")) {
                bounds.add(sample.get(1).get("le").asText());
                buckets = sample.get(2).asLong();
            }
        }
        assertThat(bounds)
                .containsExactly(
                        "0.0001", "0.00025", "0.0005", "0.001", "0.002", "0.004", "0.008", "0.016", "0.032", "0.064",
                        "0.128", "0.256", "0.512", "1", "+Inf");
        assertThat(buckets).as("the +Inf bucket holds every delivery").isEqualTo(deliveries());
    }

    private static long deliveries() throws Exception {
        Matcher m = Pattern.compile("(?m)^kiln_token_delivery_seconds_count (\\d+)$")
                .matcher(Http.get(base, "/metrics").body());
        assertThat(m.find()).as("kiln_token_delivery_seconds_count in /metrics").isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void apiKeysGuardTheApiButNotTheProbes(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "# team keys\nsecret-1\n\nsecret-2\n");
        try (Server s = Server.builder()
                .setModel(model)
                .optPort(0)
                .optApiKeys(ApiKeys.read(keys))
                .build()
                .start()
                .awaitReady(Duration.ofSeconds(30))) {
            URI u = s.url();
            String body = "{\"prompt\":\"x\",\"max_tokens\":2}";
            Http.Response none = Http.post(u, "/v1/completions", body);
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.json().get("error").get("code").asText()).isEqualTo("invalid_api_key");
            assertThat(none.headers().firstValue("www-authenticate")).contains("Bearer");
            assertThat(Http.post(u, "/v1/completions", body, "Authorization", "Bearer wrong")
                            .status())
                    .isEqualTo(401);
            assertThat(Http.post(u, "/v1/completions", body, "Authorization", "Bearer secret-2")
                            .status())
                    .isEqualTo(200);
            assertThat(Http.get(u, "/health").status()).isEqualTo(200);
            assertThat(Http.get(u, "/ready").status()).isEqualTo(200);
        }
    }

    @Test
    void readyIs503UntilTheModelIsLoaded() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (Server s = Server.builder()
                .setModelLoader(() -> {
                    release.await();
                    return TestModels.paced(TestModels.ngram(), 0); // the server closes what it loaded
                })
                .optPort(0)
                .build()
                .start()) {
            URI u = s.url();
            assertThat(Http.get(u, "/health").status()).isEqualTo(200);
            assertThat(Http.get(u, "/ready").status()).isEqualTo(503);
            Http.Response early = Http.post(u, "/v1/completions", "{\"prompt\":\"x\"}");
            assertThat(early.status()).isEqualTo(503);
            assertThat(early.headers().firstValue("retry-after")).isPresent();
            release.countDown();
            s.awaitReady(Duration.ofSeconds(30));
            assertThat(Http.get(u, "/ready").status()).isEqualTo(200);
            assertThat(Http.post(u, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}")
                            .status())
                    .isEqualTo(200);
        }
    }

    static String quote(String s) {
        return dev.kiln.core.io.Json.toLine(s);
    }
}
