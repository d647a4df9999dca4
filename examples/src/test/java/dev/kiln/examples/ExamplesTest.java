package dev.kiln.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs each example's {@code main} on small real inputs, in the order a user would: curate,
 * tokenizer, model, serve, evaluate over HTTP. Later examples use the earlier ones' outputs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExamplesTest {

    @TempDir
    static Path tmp;

    /** Real source code: llm-core's own sources (Apache-2.0 in this repository). */
    static final Path SOURCES = Path.of("..", "llm-core", "src", "main", "java");

    static String run(Class<?> example, String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            example.getMethod("main", String[].class).invoke(null, (Object) args);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        old.print(out);
        return out;
    }

    static Path slf4jSources() throws Exception {
        try (Stream<Path> s = Files.walk(Quickstart.corpusDir())) {
            return s.filter(p -> p.getFileName().toString().startsWith("slf4j-api-")
                            && p.getFileName().toString().endsWith("-sources.jar"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    @Order(1)
    void curateCorpusKeepsTheMitLibraryAndDropsAGplFile() throws Exception {
        Path gpl = Files.createDirectories(tmp.resolve("gpl"));
        Files.writeString(
                gpl.resolve("Gpl.java"),
                "/*\n * This program is free software; you can redistribute it and/or modify it under the terms"
                        + " of the GNU General Public License version 2 only, as published by the Free Software"
                        + " Foundation.\n */\npublic class Gpl { int x() { return 1; } }\n");
        Path out = tmp.resolve("curated");
        String stdout = run(CurateCorpus.class, out.toString(), slf4jSources().toString(), gpl.toString());

        assertThat(Manifest.exists(out)).isTrue();
        assertThat(out.resolve("report.html")).isRegularFile();
        JsonNode report = Json.read(out.resolve("report.json"));
        assertThat(report.path("kept").asLong()).isGreaterThan(50);
        assertThat(report.path("dropped").path("license:not-allowed").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(stdout).contains("kept ").contains("report: ");
        String kept;
        try (Stream<Path> s = Files.list(out)) {
            List<Path> parts = s.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .collect(Collectors.toList());
            StringBuilder sb = new StringBuilder();
            for (Path p : parts) {
                sb.append(Files.readString(p));
            }
            kept = sb.toString();
        }
        assertThat(kept).contains("org/slf4j/Logger.java").doesNotContain("Gpl.java");
    }

    @Test
    @Order(2)
    void trainTokenizerRoundTrips() throws Exception {
        Path tok = tmp.resolve("tokenizer.json");
        String stdout = run(TrainTokenizer.class, tok.toString(), "600", SOURCES.toString());
        assertThat(tok).isRegularFile();
        assertThat(stdout).contains("round trip ok");
    }

    @Test
    @Order(3)
    void trainModelTrainsCheckpointsAndCompletes() throws Exception {
        Path run = tmp.resolve("run");
        String stdout = run(
                TrainModel.class, tmp.resolve("tokenizer.json").toString(), run.toString(), "6", SOURCES.toString());
        assertThat(run.resolve("checkpoints/latest")).isRegularFile();
        assertThat(run.resolve("shards/manifest.json")).isRegularFile();
        assertThat(stdout).contains("trained 6 steps (resumed from 0)").contains("completion: ");
    }

    @Test
    @Order(4)
    void serveModelAnswersACompletion() throws Exception {
        String stdout = run(ServeModel.class, tmp.resolve("run/checkpoints").toString(), "0", "--once");
        assertThat(stdout)
                .contains("serving '")
                .contains("POST /v1/completions -> 200")
                .contains("\"text\"");
    }

    @Test
    @Order(5)
    void evaluateHumanEvalAgainstAnOpenAiCompatibleServer() throws Exception {
        // Any OpenAI-compatible server will do: here Kiln's, over a real count-based model of Python code
        // (HumanEval prompts need a longer context than the toy GPT above has).
        List<String> python = List.of(
                "def add(a, b):\n    return a + b\n",
                "def is_even(n):\n    return n % 2 == 0\n",
                "def total(numbers):\n    result = 0\n    for x in numbers:\n        result += x\n    return result\n");
        dev.kiln.core.model.LanguageModel ngram = dev.kiln.core.model.NgramLanguageModel.train(
                dev.kiln.core.tokenizer.ByteTokenizer.withCodeSpecials(), python, 6, 2048);
        try (dev.kiln.serve.Server server = dev.kiln.serve.Server.builder()
                .setModel(ngram)
                .optHost("127.0.0.1")
                .optPort(0)
                .build()
                .start()) {
            server.awaitReady(java.time.Duration.ofMinutes(2));
            Path out = tmp.resolve("eval");
            String stdout = run(EvaluateHumanEval.class, server.url() + "/v1", "python", out.toString(), "", "3");
            JsonNode summary = Json.read(out.resolve("summary.json"));
            assertThat(summary.path("problems").asInt()).isEqualTo(3);
            assertThat(summary.path("language").asText()).isEqualTo("python");
            assertThat(out.resolve("report.html")).isRegularFile();
            assertThat(stdout).contains("pass@1");
        }
    }
}
