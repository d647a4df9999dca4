package dev.kiln.eval.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.eval.EvalLanguage;
import dev.kiln.eval.HumanEval;
import dev.kiln.eval.Problem;
import dev.kiln.eval.ProblemSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * All 164 canonical solutions of HumanEval-X in C++, Go, JavaScript and Rust run through the real
 * toolchains at the default number of workers (the cores), and the wall time of each language's
 * run is printed. All pass except those the dataset itself breaks, each checked here:
 *
 * <ul>
 *   <li>JavaScript/112 and /155: the canonical solutions fail their own {@code console.assert}s
 *       ("Assertion failed" in plain {@code node} too, which the reference harness counts as a
 *       failure);
 *   <li>Go/95: the canonical solution depends on Go's random map order (passes about three runs in
 *       four under plain {@code go test}); either verdict is accepted;
 *   <li>Rust/50: its test calls rand 0.4's {@code gen_range(lo, hi)}; with Debian's rand 0.8 it
 *       does not compile (the reference pins rand 0.4).
 * </ul>
 */
class HumanEvalXCanonicalTest {

    /** The canonical solutions that fail, and how. */
    static final Map<String, String> BROKEN_IN_DATASET = Map.of(
            "JavaScript/112", "failed: AssertionError: Assertion failed",
            "JavaScript/155", "failed: AssertionError: Assertion failed",
            "Rust/50", "compile error");

    /** Order-dependent canonical solutions: either verdict. */
    static final java.util.Set<String> FLAKY_IN_DATASET = java.util.Set.of("Go/95");

    @ParameterizedTest
    @EnumSource(names = {"CPP", "GO", "JAVASCRIPT", "RUST"})
    void all164CanonicalSolutionsPass(EvalLanguage l) {
        ProblemSet set = HumanEval.of(l);
        List<String> programs = new ArrayList<>();
        for (Problem p : set.problems()) {
            programs.add(p.program(p.canonicalSolution()));
        }
        long start = System.nanoTime();
        List<ExecOutcome> out;
        try (SampleExecutor ex = HumanEvalXExecutorTest.executor(l, Duration.ofSeconds(10))) {
            long ready = System.nanoTime();
            out = ex.executeAll(programs);
            System.out.printf(
                    "HumanEval-X %s: 164 canonical samples in %.1f s on %d workers (executor start %.1f s)%n",
                    l.id(), (System.nanoTime() - ready) / 1e9, ex.workers(), (ready - start) / 1e9);
        }
        Map<String, String> failed = new TreeMap<>();
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < out.size(); i++) {
            String id = set.problems().get(i).taskId();
            if (!out.get(i).passed() && !FLAKY_IN_DATASET.contains(id)) {
                failed.put(id, out.get(i).result());
            }
            if (BROKEN_IN_DATASET.containsKey(id)) {
                expected.put(id, BROKEN_IN_DATASET.get(id));
            }
        }
        assertThat(failed).isEqualTo(expected);
    }
}
