package dev.kiln.eval.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.eval.HumanEval;
import dev.kiln.eval.Problem;
import dev.kiln.eval.ProblemSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JavaExecutorTest {

    private static JavaExecutor java;

    @BeforeAll
    static void start() {
        java = JavaExecutor.builder().optTimeout(Duration.ofSeconds(6)).build();
    }

    @AfterAll
    static void stop() {
        java.close();
    }

    @Test
    void canonicalSolutionsPassAll164() {
        ProblemSet set = HumanEval.java();
        assertThat(set.size()).isEqualTo(164);
        List<String> programs = new ArrayList<>();
        for (Problem p : set.problems()) {
            programs.add(p.program(p.canonicalSolution()));
        }
        long t0 = System.nanoTime();
        List<ExecOutcome> outcomes = java.executeAll(programs);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (!outcomes.get(i).passed()) {
                failures.add(set.problems().get(i).taskId() + " -> "
                        + outcomes.get(i).result());
            }
        }
        System.out.println("164 Java canonical samples: " + ms + " ms, CDS " + java.usesClassDataSharing());
        assertThat(failures).isEmpty();
    }

    @Test
    void hostileAndWrongSamplesAreJudged() {
        Problem p = HumanEval.java().get("Java/0");
        String wrong = "        return false;\n    }\n}";
        String exit = "        System.exit(0);\n        return false;\n    }\n}";
        String halt = "        Runtime.getRuntime().halt(0);\n        return false;\n    }\n}";
        String loop = "        while (true) {}\n    }\n}";
        String broken = "        return nope;\n    }\n}";
        String threads =
                "        for (int i = 0; i < 100000; i++) { try { new Thread(() -> { try { Thread.sleep(60000); } "
                        + "catch (InterruptedException e) {} }).start(); } catch (Throwable t) { } }\n"
                        + "        return false;\n    }\n}";
        String writer = "        try { java.nio.file.Files.writeString(java.nio.file.Path.of(\"" + marker()
                + "\"), \"x\"); } catch (Exception e) { }\n"
                + "        for (int i = 0; i < numbers.size(); i++) for (int j = i + 1; j < numbers.size(); j++)"
                + " if (Math.abs(numbers.get(i) - numbers.get(j)) < threshold) return true;\n"
                + "        return false;\n    }\n}";
        List<ExecOutcome> o = java.executeAll(List.of(
                p.program(wrong),
                p.program(exit),
                p.program(halt),
                p.program(loop),
                p.program(broken),
                p.program(threads),
                p.program(writer),
                MULTIPL_E_STYLE.replace("RESULT", "2"),
                MULTIPL_E_STYLE.replace("RESULT", "3")));
        assertThat(PythonExecutorTest.leftovers(java)).isEmpty();
        assertThat(o.get(0).result()).startsWith("failed: ").contains("AssertionError");
        assertThat(o.get(1).result()).isEqualTo("failed: exited before the tests finished");
        assertThat(o.get(2).passed()).isFalse();
        assertThat(o.get(3).result()).isEqualTo("timed out");
        assertThat(o.get(4).result()).isEqualTo("compile error");
        assertThat(o.get(4).detail()).contains("nope");
        assertThat(o.get(5).passed()).isFalse();
        assertThat(o.get(6).result()).isEqualTo("passed");
        assertThat(Path.of(marker())).doesNotExist();
        assertThat(o.get(7).result())
                .as("MultiPL-E layout, main in class Problem")
                .isEqualTo("passed");
        assertThat(o.get(8).result()).as("assert runs under -ea").startsWith("failed: java.lang.AssertionError");
    }

    /** MultiPL-E's Java layout: one non-public class Problem whose main asserts. */
    private static final String MULTIPL_E_STYLE = "import java.util.*;\n"
            + "class Problem {\n"
            + "    public static long add(long a, long b) {\n"
            + "        return a + b;\n"
            + "    }\n"
            + "    public static void main(String[] args) {\n"
            + "    assert(add((1l), (1l)) == (RESULT));\n"
            + "    }\n"
            + "}\n";

    private static String marker() {
        return System.getProperty("java.io.tmpdir") + "/kiln-java-hostile-marker";
    }

    @Test
    void mainClassIsFoundForBothLayouts() {
        assertThat(JavaExecutor.mainClass(
                        "class Solution {}\npublic class Main {\n public static void main(String[] a) {}\n}"))
                .isEqualTo("Main");
        assertThat(JavaExecutor.mainClass("import java.util.*;\nclass Problem {\n static int f() { return 1; }\n"
                        + " public static void main(String[] args) { assert f() == 1; }\n}"))
                .isEqualTo("Problem");
    }
}
