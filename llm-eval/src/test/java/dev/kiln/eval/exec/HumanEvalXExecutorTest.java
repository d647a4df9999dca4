package dev.kiln.eval.exec;

import static dev.kiln.eval.exec.internal.StrayProcesses.running;
import static dev.kiln.eval.exec.internal.StrayProcesses.uniqueSleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.eval.EvalLanguage;
import dev.kiln.eval.HumanEval;
import dev.kiln.eval.Problem;
import dev.kiln.eval.ProblemSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HumanEval-X in C++, Go, JavaScript and Rust through the real toolchains (installed in CI by
 * {@code .ci/setup.d/humaneval-x.sh}; a missing one fails the test): canonical solutions of a
 * representative subset pass (the full 164 run in {@code HumanEvalXCanonicalTest}), and three
 * kinds of wrong completion fail: a wrong value, an exception or panic, and a loop that never ends
 * (timed out, with nothing it started left running).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HumanEvalXExecutorTest {

    /** Spread over the set; 91 imports regex (Rust) and 162 is MD5 (openssl in C++, md5 in Rust). */
    static final List<Integer> SUBSET = List.of(0, 13, 27, 53, 91, 120, 162);

    /** Problem 13 is greatest_common_divisor: it returns an integer in every language. */
    static final int GCD = 13;

    private final Map<EvalLanguage, SampleExecutor> executors = new java.util.EnumMap<>(EvalLanguage.class);

    @BeforeAll
    void start() {
        for (EvalLanguage l : List.of(EvalLanguage.CPP, EvalLanguage.GO, EvalLanguage.JAVASCRIPT, EvalLanguage.RUST)) {
            executors.put(l, executor(l, Duration.ofSeconds(5)));
        }
    }

    @AfterAll
    void stop() {
        executors.values().forEach(SampleExecutor::close);
    }

    static SampleExecutor executor(EvalLanguage l, Duration timeout) {
        switch (l) {
            case CPP:
                return CppExecutor.builder().optWorkers(2).optTimeout(timeout).build();
            case GO:
                return GoExecutor.builder().optWorkers(2).optTimeout(timeout).build();
            case JAVASCRIPT:
                return JavaScriptExecutor.builder()
                        .optWorkers(2)
                        .optTimeout(timeout)
                        .build();
            default:
                return RustExecutor.builder().optWorkers(2).optTimeout(timeout).build();
        }
    }

    static String id(EvalLanguage l, int n) {
        String prefix = switch (l) {
            case CPP -> "CPP";
            case GO -> "Go";
            case JAVASCRIPT -> "JavaScript";
            default -> "Rust";
        };
        return prefix + "/" + n;
    }

    @ParameterizedTest
    @EnumSource(names = {"CPP", "GO", "JAVASCRIPT", "RUST"})
    void canonicalSolutionsOfASubsetPass(EvalLanguage l) {
        ProblemSet set = HumanEval.of(l);
        assertThat(set.size()).isEqualTo(164);
        List<String> programs = new ArrayList<>();
        for (int n : SUBSET) {
            Problem p = set.get(id(l, n));
            programs.add(p.program(p.canonicalSolution()));
        }
        List<ExecOutcome> out = executors.get(l).executeAll(programs);
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).result()).as(id(l, SUBSET.get(i))).isEqualTo("passed");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPP", "GO", "JAVASCRIPT", "RUST"})
    void aWrongValueFails(EvalLanguage l) {
        String wrong = switch (l) {
            case CPP, RUST -> "    return 12345;\n}\n";
            case GO -> "    return 12345\n}\n";
            default -> "  return 12345;\n}\n";
        };
        ExecOutcome o = run(l, wrong);
        assertThat(o.status()).as(o.result()).isEqualTo(ExecOutcome.Status.FAILED);
        String expected = switch (l) {
            case CPP -> "Assertion";
            case GO -> "Not equal";
            case JAVASCRIPT -> "AssertionError: Assertion failed";
            default -> "assertion";
        };
        assertThat(o.detail()).contains(expected);
    }

    @ParameterizedTest
    @EnumSource(names = {"CPP", "GO", "JAVASCRIPT", "RUST"})
    void anExceptionOrPanicFails(EvalLanguage l) {
        String boom = switch (l) {
            case CPP -> "    std::vector<int> v;\n    return v.at(3);\n}\n";
            case GO -> "    panic(\"kiln-boom\")\n}\n";
            case JAVASCRIPT -> "  throw new RangeError('kiln-boom');\n}\n";
            default -> "    panic!(\"kiln-boom\");\n}\n";
        };
        ExecOutcome o = run(l, boom);
        assertThat(o.status()).as(o.result()).isEqualTo(ExecOutcome.Status.FAILED);
        assertThat(o.detail()).contains(l == EvalLanguage.CPP ? "uncaught exception" : "kiln-boom");
    }

    @ParameterizedTest
    @EnumSource(names = {"CPP", "GO", "JAVASCRIPT", "RUST"})
    void aLoopThatNeverEndsTimesOutAndLeavesNothingRunning(EvalLanguage l) throws Exception {
        String tag = uniqueSleep();
        String loop = switch (l) {
            case CPP ->
                "    system(\"/bin/sleep " + tag + " &\");\n    volatile long x = 0;\n"
                        + "    while (true) { x++; }\n}\n";
            case GO -> "    for {\n    }\n}\n";
            case JAVASCRIPT ->
                "  require('child_process').spawn('/bin/sleep', ['" + tag
                        + "'], {detached: true, stdio: 'ignore'});\n  while (true) {}\n}\n";
            default ->
                "    std::process::Command::new(\"/bin/sleep\").arg(\"" + tag
                        + "\").spawn().unwrap();\n    loop {}\n}\n";
        };
        long start = System.nanoTime();
        try (SampleExecutor ex = executor(l, Duration.ofSeconds(2))) {
            ExecOutcome o = ex.execute(program(l, loop));
            assertThat(o.result()).isEqualTo("timed out");
        }
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(90);
        assertThat(running(tag)).isEmpty();
        assertThat(running(l == EvalLanguage.GO ? "/prog.test -test.paniconexit0" : "/prog").stream()
                        .filter(s -> s.contains("kiln-"))
                        .toList())
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(names = {"CPP", "JAVASCRIPT"})
    void anEarlyExitWithStatusZeroFails(EvalLanguage l) {
        String exit = l == EvalLanguage.CPP ? "    exit(0);\n}\n" : "  process.exit(0);\n}\n";
        ExecOutcome o = run(l, exit);
        assertThat(o.status()).as(o.result()).isEqualTo(ExecOutcome.Status.FAILED);
    }

    @ParameterizedTest
    @EnumSource(names = {"CPP", "GO", "RUST"})
    void codeThatDoesNotCompileIsACompileError(EvalLanguage l) {
        ExecOutcome o = run(l, "    this is not code\n}\n");
        assertThat(o.status()).as(o.result()).isEqualTo(ExecOutcome.Status.COMPILE_ERROR);
        // the compiler's first message: "error..." (g++, rustc) or "file:line:col: ..." (go)
        assertThat(o.detail()).containsPattern("error|main_test\\.go:\\d+:\\d+: ");
    }

    private ExecOutcome run(EvalLanguage l, String completion) {
        return executors.get(l).execute(program(l, completion));
    }

    private static String program(EvalLanguage l, String completion) {
        return HumanEval.of(l).get(id(l, GCD)).program(completion);
    }
}
