package dev.kiln.eval;

import dev.kiln.eval.exec.CppExecutor;
import dev.kiln.eval.exec.GoExecutor;
import dev.kiln.eval.exec.JavaExecutor;
import dev.kiln.eval.exec.JavaScriptExecutor;
import dev.kiln.eval.exec.PythonExecutor;
import dev.kiln.eval.exec.RustExecutor;
import dev.kiln.eval.exec.SampleExecutor;
import dev.kiln.eval.exec.Sandbox;
import java.time.Duration;

/** The executor of each language, built with an evaluation's options. */
final class Executors {

    private Executors() {}

    /**
     * @param timeout per-sample run budget, or null for the executor's default
     * @param sandbox the sandbox, or null for the strongest available
     */
    static SampleExecutor forLanguage(
            EvalLanguage language, int workers, Duration timeout, Sandbox sandbox, Sandbox.Isolation minIsolation) {
        switch (language) {
            case JAVA:
                return configure(JavaExecutor.builder(), workers, timeout, sandbox, minIsolation)
                        .build();
            case CPP:
                return configure(CppExecutor.builder(), workers, timeout, sandbox, minIsolation)
                        .build();
            case GO:
                return configure(GoExecutor.builder(), workers, timeout, sandbox, minIsolation)
                        .build();
            case JAVASCRIPT:
                return configure(JavaScriptExecutor.builder(), workers, timeout, sandbox, minIsolation)
                        .build();
            case RUST:
                return configure(RustExecutor.builder(), workers, timeout, sandbox, minIsolation)
                        .build();
            default:
                return configure(PythonExecutor.builder(), workers, timeout, sandbox, minIsolation)
                        .build();
        }
    }

    private static <B extends dev.kiln.eval.exec.ExecutorOptions<B>> B configure(
            B b, int workers, Duration timeout, Sandbox sandbox, Sandbox.Isolation minIsolation) {
        b.optWorkers(workers);
        b.optMinIsolation(minIsolation);
        if (timeout != null) {
            b.optTimeout(timeout);
        }
        if (sandbox != null) {
            b.optSandbox(sandbox);
        }
        return b;
    }
}
