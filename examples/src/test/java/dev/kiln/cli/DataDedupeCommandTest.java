package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataDedupeCommandTest {

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        CommandLine cl = Llm.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static String program(SplittableRandom rnd, int lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            sb.append("    int v").append(rnd.nextInt(100_000)).append(" = f").append(rnd.nextInt(100_000));
            sb.append("(a").append(rnd.nextInt(1000)).append(");\n");
        }
        return sb.toString();
    }

    private Path input() throws IOException {
        SplittableRandom rnd = new SplittableRandom(1);
        String a = program(rnd, 80);
        String b = program(rnd, 80);
        String c = program(rnd, 80);
        List<String> lines = new ArrayList<>();
        Object[][] rows = {
            {"a", a, 3},
            {"b", b, 1},
            {"a-exact", a, 9},
            {"a-near", a + "    extra(1);\n", 5},
            {"c", c, 0},
            {"b-near", b.substring(b.indexOf('\n') + 1), 2}
        };
        for (Object[] r : rows) {
            lines.add(JSON.writeValueAsString(
                    Map.of("id", r[0], "content", r[1], "path", r[0] + ".java", "stars", r[2])));
        }
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, lines);
        return in;
    }

    private static List<JsonNode> rows(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (!l.isBlank()) {
                out.add(JSON.readTree(l));
            }
        }
        return out;
    }

    private static List<String> keptIds(Path dir) throws IOException {
        List<String> ids = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) {
                rows(p).forEach(n -> ids.add(n.get("id").asText()));
            }
        }
        return ids;
    }

    @Test
    void exactThenNearWritesADatasetWithTheSameIds() throws IOException {
        Path out = tmp.resolve("out");
        Result r = run("data", "dedupe", "--input", input().toString(), "--output", out.toString(), "--exact");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("kept 3 of 6 documents");
        assertThat(keptIds(out)).containsExactly("a", "b", "c");
        List<JsonNode> dups = rows(out.resolve("duplicates.jsonl"));
        assertThat(dups).extracting(n -> n.get("id").asText()).containsExactlyInAnyOrder("a-exact", "a-near", "b-near");
        assertThat(dups)
                .allSatisfy(n -> assertThat(n.get("similarity").asDouble()).isGreaterThanOrEqualTo(0.7));
        assertThat(dups)
                .filteredOn(n -> n.get("id").asText().equals("a-exact"))
                .singleElement()
                .satisfies(n -> {
                    assertThat(n.get("stage").asText()).isEqualTo("exact-dedup");
                    assertThat(n.get("duplicate_of").asText()).isEqualTo("a");
                });
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertThat(report.at("/histograms/near-dedup:cluster_size/2").asLong())
                .isEqualTo(2); // {a, a-near}, {b, b-near}
        assertThat(report.at("/histograms/exact-dedup:cluster_size/2").asLong()).isEqualTo(1);
        assertThat(out.resolve("manifest.json")).exists();
    }

    @Test
    void keepLargestAndBadOptions() throws IOException {
        Path in = input();
        Path out = tmp.resolve("out2");
        Result r = run(
                "data",
                "dedupe",
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--keep",
                "largest:stars",
                "--bands",
                "32",
                "--rows",
                "8",
                "--verify",
                "exact");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(keptIds(out)).containsExactly("a-exact", "c", "b-near");

        Result bad = run("data", "dedupe", "--input", in.toString(), "--output", out.toString(), "--bands", "8");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("--bands and --rows");
        Result badThreshold =
                run("data", "dedupe", "--input", in.toString(), "--output", out.toString(), "--threshold", "1.2");
        assertThat(badThreshold.code()).isNotZero();
        assertThat(badThreshold.err()).contains("threshold").contains("1.2");
        Result engine =
                run("data", "dedupe", "--input", in.toString(), "--output", out.toString(), "--engine", "flink");
        assertThat(engine.err()).contains("unknown engine 'flink'");
    }
}
