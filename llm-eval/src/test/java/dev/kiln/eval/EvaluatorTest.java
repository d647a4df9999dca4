package dev.kiln.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.NgramLanguageModel;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.eval.exec.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {

    @TempDir
    Path tmp;

    @Test
    void writesResultsSummaryAndReportInInputOrder() throws Exception {
        ProblemSet set = HumanEval.python().limit(4);
        List<Sample> samples = new ArrayList<>();
        for (Problem p : set.problems()) {
            samples.add(Sample.of(p.taskId(), p.canonicalSolution()));
            samples.add(Sample.of(p.taskId(), "    return None\n"));
        }
        EvalSummary s = Evaluator.builder()
                .setProblems(set)
                .optWorkers(2)
                .optKs(List.of(1, 2, 10))
                .build()
                .evaluate(samples, tmp);
        assertThat(s.passAtK()).containsOnlyKeys("pass@1", "pass@2");
        assertThat(s.passAt1()).isEqualTo(0.5);
        assertThat(s.passAtK().get("pass@2")).isEqualTo(1.0);
        assertThat(s.n()).isEqualTo(2);
        assertThat(s.problems()).isEqualTo(4);
        List<String> lines = Files.readAllLines(tmp.resolve("results.jsonl"));
        assertThat(lines).hasSize(8);
        for (int i = 0; i < 8; i++) {
            JsonNode row = Json.parse(lines.get(i));
            assertThat(row.get("task_id").asText()).isEqualTo(samples.get(i).taskId());
            assertThat(row.get("completion").asText()).isEqualTo(samples.get(i).completion());
            assertThat(row.get("passed").asBoolean()).isEqualTo(i % 2 == 0);
            assertThat(row.get("result").asText()).startsWith(i % 2 == 0 ? "passed" : "failed: ");
        }
        JsonNode summary = Json.read(tmp.resolve("summary.json"));
        assertThat(summary.get("pass@1").asDouble()).isEqualTo(0.5);
        assertThat(summary.get("language").asText()).isEqualTo("python");
        assertThat(summary.get("problems").asInt()).isEqualTo(4);
        String html = Files.readString(tmp.resolve("report.html"));
        assertThat(html).contains("HumanEval/3").contains("Failures by kind").doesNotContain("<script");
        assertThat(tmp.resolve("manifest.json")).exists();
    }

    private static Problem python(String id, String prompt, String test, String entry) {
        return new Problem(
                id, prompt, null, test, entry, TaskFormat.HUMAN_EVAL_STOPS, TaskFormat.HUMAN_EVAL, EvalLanguage.PYTHON);
    }

    @Test
    void generatesWithAnNgramModelStopsAtHumanEvalStopsAndResumes() throws Exception {
        ProblemSet set = new ProblemSet(
                "toy",
                List.of(
                        python("toy/0", "def one():\n", "def check(c):\n    assert c() == 1\n", "one"),
                        python("toy/1", "def two():\n", "def check(c):\n    assert c() == 2\n", "two")));
        List<String> corpus = List.of(
                "def one():\n    return 1\n\ndef helper():\n    pass\n", "def two():\n  return 2\n\nprint(two())\n");
        try (LanguageModel model = NgramLanguageModel.train(ByteTokenizer.withCodeSpecials(), corpus, 16, 512)) {
            Path file = tmp.resolve("samples.jsonl");
            SampleGenerator.Builder gen = SampleGenerator.builder()
                    .setModel(model)
                    .setProblems(set)
                    .optSamplesPerProblem(3)
                    .optMaxTokens(100)
                    .optBatchSize(4);
            // An earlier, interrupted run produced one sample of the first problem.
            Samples.append(file, Sample.of("toy/0", "    return 0\n"));
            List<Sample> all = gen.build().generate(file);
            assertThat(all).hasSize(6);
            assertThat(all.get(0).completion()).isEqualTo("    return 0\n");
            assertThat(all.stream().skip(1).map(Sample::completion))
                    .containsExactly(
                            "    return 1\n", "    return 1\n", "  return 2\n", "  return 2\n", "  return 2\n");
            // Running again generates nothing more.
            assertThat(gen.build().generate(file)).hasSize(6);
            EvalSummary summary = Evaluator.builder()
                    .setProblems(set)
                    .optKs(List.of(1, 3))
                    .build()
                    .evaluate(all, tmp.resolve("eval"));
            assertThat(summary.outcomes().get("passed")).isEqualTo(5);
            assertThat(summary.passAt1()).isCloseTo((2.0 / 3 + 1) / 2, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void javaGenerationStopsWhenMethodAndClassAreClosed() throws Exception {
        String prompt = "class Solution {\n    /** Returns {@code 1}. */\n    public int one() {\n";
        Problem p = new Problem(
                "Java/toy",
                prompt,
                null,
                "public class Main {}\n",
                null,
                List.of(),
                TaskFormat.HUMAN_EVAL_X,
                EvalLanguage.JAVA);
        String corpus = prompt + "  String s = \"}\";\n  return 1;\n }\n}\npublic class Main {}\n";
        try (LanguageModel model =
                NgramLanguageModel.train(ByteTokenizer.withCodeSpecials(), List.of(corpus), 16, 1024)) {
            List<Sample> all = SampleGenerator.builder()
                    .setModel(model)
                    .setProblems(new ProblemSet("toy", List.of(p)))
                    .optMaxTokens(300)
                    .build()
                    .generate(tmp.resolve("java-samples.jsonl"));
            assertThat(all.get(0).completion()).isEqualTo("  String s = \"}\";\n  return 1;\n }\n}");
        }
    }

    @Test
    void everyProblemNeedsSamplesUnlessPartialIsAllowedAndThenCoverageIsRecorded() throws Exception {
        ProblemSet set = HumanEval.python().limit(4);
        List<Sample> samples = new ArrayList<>();
        for (Problem p : set.problems().subList(0, 3)) {
            samples.add(Sample.of(p.taskId(), p.canonicalSolution()));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Evaluator.builder().setProblems(set).build().evaluate(samples, tmp.resolve("refused")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("1 of 4 problems of ")
                .hasMessageContaining("have no samples (HumanEval/3)")
                .hasMessageContaining("--allow-partial");
        assertThat(tmp.resolve("refused")).doesNotExist();
        EvalSummary s = Evaluator.builder()
                .setProblems(set)
                .optAllowPartial(true)
                .build()
                .evaluate(samples, tmp.resolve("partial"));
        assertThat(s.partial()).isTrue();
        assertThat(s.passAt1()).isEqualTo(1.0);
        JsonNode summary = Json.read(tmp.resolve("partial/summary.json"));
        assertThat(summary.get("partial").asBoolean()).isTrue();
        assertThat(summary.get("coverage").asDouble()).isEqualTo(0.75);
        assertThat(summary.get("problems_in_set").asInt()).isEqualTo(4);
        assertThat(summary.get("isolation").asText())
                .isEqualTo(Sandbox.detect().isolation().id());
        assertThat(Files.readString(tmp.resolve("partial/report.html")))
                .contains("Partial run")
                .contains("Isolation: <b>" + Sandbox.detect().isolation().id());
    }

    @Test
    void aPromptLongerThanTheContextIsReportedNotCut() throws Exception {
        ProblemSet set = new ProblemSet(
                "toy",
                List.of(
                        python("toy/0", "def one():\n", "def check(c):\n    assert c() == 1\n", "one"),
                        python(
                                "toy/1",
                                "# " + "a long comment ".repeat(10) + "\ndef two():\n",
                                "def check(c):\n    assert c() == 2\n",
                                "two")));
        try (LanguageModel model = NgramLanguageModel.train(
                ByteTokenizer.withCodeSpecials(), List.of("def one():\n    return 1\n"), 8, 64)) {
            SampleGenerator gen = SampleGenerator.builder()
                    .setModel(model)
                    .setProblems(set)
                    .optMaxTokens(20)
                    .build();
            List<Sample> all = gen.generate(tmp.resolve("samples.jsonl"));
            assertThat(gen.promptTooLong()).containsExactly("toy/1");
            assertThat(all.get(1).completion()).isEmpty();
            assertThat(all.get(1).row().get("error").asText())
                    .startsWith("prompt too long: ")
                    .endsWith("the model's context is 64 tokens");
            EvalSummary s = Evaluator.builder().setProblems(set).build().evaluate(all, tmp.resolve("eval"));
            assertThat(s.promptTooLong()).containsExactly("toy/1");
            assertThat(Json.read(tmp.resolve("eval/summary.json"))
                            .get("prompt_too_long")
                            .get(0)
                            .asText())
                    .isEqualTo("toy/1");
            assertThat(Json.parse(Files.readAllLines(tmp.resolve("eval/results.jsonl"))
                                    .get(1))
                            .get("result")
                            .asText())
                    .startsWith("failed: not generated: prompt too long");
        }
    }
}
