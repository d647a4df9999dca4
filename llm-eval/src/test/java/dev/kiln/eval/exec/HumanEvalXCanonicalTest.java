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
 * All 164 canonical solutions of HumanEval-X in C++, Go, JavaScript and Rust pass through the real
 * toolchains, at the default number of workers (the cores), and the wall time of each language's
 * run is printed (measured numbers are in site/eval.md).
 */
class HumanEvalXCanonicalTest {

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
        for (int i = 0; i < out.size(); i++) {
            if (!out.get(i).passed()) {
                failed.put(set.problems().get(i).taskId(), out.get(i).result());
            }
        }
        assertThat(failed).isEmpty();
    }
}
