package dev.kiln.data.decontam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.Document;
import dev.kiln.core.io.Json;
import dev.kiln.data.DocumentFilter;
import dev.kiln.data.Stages;
import dev.kiln.data.Verdict;
import dev.kiln.data.testing.JdkSources;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecontaminatorTest {

    static Decontaminator defaults;
    static List<JsonNode> python;
    static List<JsonNode> java;

    @BeforeAll
    static void load() throws Exception {
        defaults = Decontaminator.defaults();
        // The copies the product bundles (identical to ../shared/data/humaneval): no checkout layout needed.
        python = rows("HumanEval.jsonl.gz");
        java = rows("humaneval_java.jsonl.gz");
    }

    static List<JsonNode> rows(String resource) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Decontaminator.class.getResourceAsStream(resource)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(Json.parse(line));
            }
        }
        return out;
    }

    @Test
    void bundledSetsAreComplete() {
        assertThat(EvalSet.humanEval().texts()).hasSize(164);
        assertThat(EvalSet.humanEvalJava().texts()).hasSize(164);
        assertThat(defaults.indexedNgrams()).isGreaterThan(10_000);
    }

    @Test
    void everyHumanEvalPromptIsCaughtEvenReformatted() {
        for (JsonNode row : python) {
            String prompt = row.get("prompt").asText();
            // reformat: tabs for indentation, CRLF, single quotes for docstrings
            String reformatted =
                    prompt.replace("    ", "\t").replace("\n", "\r\n").replace("\"\"\"", "'''");
            String file = "import os\n\n# copied from somewhere\n" + reformatted + "    pass\n\nprint('done')\n";
            Verdict v = defaults.test(Document.fromSource("t", "solutions/p.py", file));
            assertThat(v).as(row.get("task_id").asText()).isEqualTo(Verdict.drop("humaneval"));
        }
    }

    @Test
    void javaPromptsAndLongSolutionsInRealFilesAreCaught() {
        List<Document> hosts = JdkSources.sample(".java", 200, 20);
        int i = 0;
        int solutions = 0;
        for (JsonNode row : java) {
            String host = hosts.get(i++ % hosts.size()).content();
            String withPrompt = host + "\n" + row.get("prompt").asText() + "        return null;\n    }\n}\n";
            assertThat(defaults.test(Document.of("p" + i, withPrompt)).keep())
                    .as(row.get("task_id").asText())
                    .isFalse();
            String solution = row.get("canonical_solution").asText();
            if (solution.split("\\W+").length >= 30) {
                String withSolution = host + "\nclass Copied {\n    Object f(Object x) {\n" + solution + "\n";
                assertThat(defaults.test(Document.of("s" + i, withSolution)).keep())
                        .as("solution of " + row.get("task_id").asText())
                        .isFalse();
                solutions++;
            }
        }
        assertThat(solutions).isGreaterThan(50);
    }

    @Test
    void shortCanonicalSolutionsDoNotDropRealCode() {
        String code = "def add(x: int, y: int):\n    \"\"\"Add two numbers x and y\"\"\"\n    return x + y\n";
        assertThat(defaults.test(Document.fromSource("t", "calc.py", code)).keep())
                .isTrue();
        String java = "class Calc {\n  int add(int x, int y) {\n    return x + y;\n  }\n}\n";
        assertThat(defaults.test(Document.fromSource("t", "Calc.java", java)).keep())
                .isTrue();
    }

    @Test
    void noJdkFileOfASampleIsDropped() {
        List<Document> docs = JdkSources.sample(".java", 7, 3000);
        assertThat(docs).hasSizeGreaterThan(2000);
        List<String> dropped = new ArrayList<>();
        for (Document d : docs) {
            if (!defaults.test(d).keep()) {
                dropped.add(d.path());
            }
        }
        // the bar is 0.01% of src.zip; on a sample of this size that is no file at all
        assertThat(dropped).isEmpty();
    }

    @Test
    void userEvalSetsFromJsonl(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mine.jsonl");
        String problem = "Write a function that returns the longest palindromic substring of the given string,"
                + " scanning every centre and expanding outwards while both ends match";
        Files.writeString(f, Json.toLine(Map.of("prompt", problem, "canonical_solution", "return s")) + "\n");
        DocumentFilter d = (DocumentFilter)
                Stages.create("decontaminate", Map.of("humaneval", false, "eval-sets", List.of(f.toString())));
        assertThat(d.test(Document.of("a", "# task: " + problem.toUpperCase() + "\n")))
                .isEqualTo(Verdict.drop("mine"));
        assertThat(d.test(Document.of("b", "def palindrome(s): return s == s[::-1]"))
                        .keep())
                .isTrue();
        assertThatThrownBy(() -> Stages.create("decontaminate", Map.of("humaneval", false)))
                .hasMessageContaining("nothing to check");
        assertThatThrownBy(() -> Stages.create("decontaminate", Map.of("ngram", 13)))
                .hasMessageContaining("valid options");
    }

    @Test
    void serializable() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(defaults);
        }
        Decontaminator copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Decontaminator) in.readObject();
        }
        Document d = Document.of("x", python.get(5).get("prompt").asText());
        assertThat(copy.test(d)).isEqualTo(defaults.test(d)).isEqualTo(Verdict.drop("humaneval"));
    }
}
