package dev.kiln.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.CorruptArtifactException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProblemsAndMetricsTest {

    @TempDir
    Path tmp;

    @Test
    void bundledSetsHave164ProblemsEach() {
        ProblemSet py = HumanEval.python();
        ProblemSet java = HumanEval.java();
        assertThat(py.size()).isEqualTo(164);
        assertThat(java.size()).isEqualTo(164);
        assertThat(py.language()).isEqualTo(EvalLanguage.PYTHON);
        assertThat(java.language()).isEqualTo(EvalLanguage.JAVA);
        Problem p = py.get("HumanEval/0");
        assertThat(p.entryPoint()).isEqualTo("has_close_elements");
        assertThat(p.program("X")).isEqualTo(p.prompt() + "X\n" + p.test() + "\ncheck(has_close_elements)");
        Problem j = java.get("Java/0");
        assertThat(j.format()).isEqualTo(TaskFormat.HUMAN_EVAL_X);
        assertThat(j.program("X")).isEqualTo(j.prompt() + "X\n" + j.test());
        assertThatThrownBy(() -> py.get("HumanEval/999")).hasMessageContaining("HumanEval/999");
    }

    @Test
    void readsMultiplEAndReportsBadLines() throws IOException {
        Path f = tmp.resolve("multipl-e.jsonl");
        Files.writeString(
                f,
                "{\"name\":\"HumanEval_0_x\",\"language\":\"java\",\"prompt\":\"class Problem {\\n\","
                        + "\"tests\":\"}\\n\",\"stop_tokens\":[\"\\n    }\\n\"]}\n");
        ProblemSet set = HumanEval.fromFile(f);
        Problem p = set.get("HumanEval_0_x");
        assertThat(p.format()).isEqualTo(TaskFormat.MULTIPL_E);
        assertThat(p.language()).isEqualTo(EvalLanguage.JAVA);
        assertThat(p.stopTokens()).containsExactly("\n    }\n");
        assertThat(p.program("C")).isEqualTo("class Problem {\nC}\n");

        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(
                bad, "{\"task_id\":\"HumanEval/0\",\"prompt\":\"p\",\"test\":\"t\",\"entry_point\":\"f\"}\n{oops\n");
        assertThatThrownBy(() -> HumanEval.fromFile(bad))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("line 2");
    }

    @Test
    void malformedSamplesAreReportedWithLineNumbers() throws IOException {
        Path f = tmp.resolve("samples.jsonl");
        Files.writeString(
                f,
                "{\"task_id\":\"HumanEval/0\",\"completion\":\"x\"}\n"
                        + "not json\n"
                        + "\n"
                        + "{\"task_id\":\"HumanEval/1\"}\n"
                        + "{\"task_id\":3,\"completion\":\"x\"}\n");
        assertThatThrownBy(() -> Samples.read(f))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("3 malformed")
                .hasMessageContaining("line 2: not valid JSON")
                .hasMessageContaining("line 4: missing or non-string 'completion'")
                .hasMessageContaining("line 5: missing or non-string 'task_id'");
    }

    @Test
    void unknownTaskIdsAreRejected() {
        Evaluator ev = Evaluator.builder().setProblems(HumanEval.python()).build();
        assertThatThrownBy(() -> ev.validate(List.of(Sample.of("HumanEval/0", "x"), Sample.of("Java/3", "y"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Java/3'");
    }

    @Test
    void passAtKMatchesExactBinomials() {
        for (int[] nck : new int[][] {{200, 13, 10}, {10, 3, 1}, {10, 0, 5}, {5, 5, 5}, {100, 99, 2}, {20, 7, 20}}) {
            int n = nck[0];
            int c = nck[1];
            int k = nck[2];
            double exact = n - c < k
                    ? 1.0
                    : 1.0
                            - new java.math.BigDecimal(binom(n - c, k))
                                    .divide(new java.math.BigDecimal(binom(n, k)), java.math.MathContext.DECIMAL128)
                                    .doubleValue();
            assertThat(PassAtK.estimate(n, c, k))
                    .as("n=%d c=%d k=%d", n, c, k)
                    .isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-12));
        }
        assertThat(PassAtK.estimate(10, 3, 1)).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-12));
        assertThatThrownBy(() -> PassAtK.estimate(5, 1, 6)).isInstanceOf(IllegalArgumentException.class);
    }

    private static BigInteger binom(int n, int k) {
        BigInteger r = BigInteger.ONE;
        for (int i = 0; i < k; i++) {
            r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return r;
    }

    @Test
    void bracesOfEveryCanonicalJavaSolutionCloseAtItsEnd() {
        for (Problem p : HumanEval.java().problems()) {
            BraceTracker t = new BraceTracker();
            t.feed(p.prompt());
            assertThat(t.depth()).as(p.taskId()).isEqualTo(2);
            int end = t.feedUntilClosed(p.canonicalSolution());
            assertThat(end).as(p.taskId()).isPositive();
            assertThat(p.canonicalSolution().substring(end).strip())
                    .as(p.taskId())
                    .isEmpty();
        }
        BraceTracker t = new BraceTracker();
        t.feed("class A {\n void f() {\n");
        assertThat(t.feedUntilClosed(
                        "  String s = \"}}\"; char c = '}'; // }\n /* } */ String b = \"\"\"\n}\"\"\";\n }\n}\nextra"))
                .isGreaterThan(0);
    }

    @Test
    void regressionGateFailsOnlyOnADropAboveTheMargin() throws IOException {
        Path base = tmp.resolve("summary.json");
        Files.writeString(base, "{\"pass@1\": 0.50, \"n\": 1, \"problems\": 164, \"language\": \"python\"}");
        EvalSummary same = new EvalSummary(java.util.Map.of("pass@1", 0.48), 1, 164, "python", 164, null);
        EvalSummary worse = new EvalSummary(java.util.Map.of("pass@1", 0.4799), 1, 164, "python", 164, null);
        assertThat(RegressionGate.check(same, base, 0.02).passed()).isTrue();
        RegressionGate.Verdict v = RegressionGate.check(worse, base, 0.02);
        assertThat(v.passed()).isFalse();
        assertThat(v.message()).contains("REGRESSION");
        Files.writeString(base, "[1,2]");
        assertThatThrownBy(() -> RegressionGate.check(same, base, 0.02)).isInstanceOf(CorruptArtifactException.class);
    }
}
