package dev.kiln.eval.exec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The options every executor's builder has, so that code choosing an executor by language can set
 * them alike.
 *
 * <pre>{@code
 * ExecutorOptions<?> b = RustExecutor.builder();
 * b.optWorkers(2).optTimeout(Duration.ofSeconds(5));
 * }</pre>
 *
 * @param <B> the builder's own type
 */
public interface ExecutorOptions<B extends ExecutorOptions<B>> {

    /** Parallel samples (default: the number of cores). */
    B optWorkers(int workers);

    /** Per-sample time budget (default: the executor's {@code DEFAULT_TIMEOUT}). */
    B optTimeout(Duration timeout);

    /** Isolation (default {@link Sandbox#detect()}: the strongest available). */
    B optSandbox(Sandbox sandbox);

    /**
     * The weakest isolation the executor accepts (default {@link Sandbox.Isolation#NAMESPACES}):
     * building one with a weaker sandbox fails with a message saying what is missing.
     */
    B optMinIsolation(Sandbox.Isolation minimum);

    /** Where per-sample directories are created (default: a temporary directory). */
    B optWorkDir(Path dir);
}
