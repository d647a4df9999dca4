package dev.kiln.eval.exec;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.eval.exec.internal.Checks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The builders of the executors that compile each sample first (Java, C++, Go, Rust): the
 * compile budget, and the one check for a tool given by path.
 */
abstract class CompilingBuilder<B extends CompilingBuilder<B>> extends AbstractExecutor.Builder<B> {
    /** The per-sample compile budget. */
    Duration compileTimeout;

    CompilingBuilder(Duration defaultTimeout, Duration defaultCompileTimeout) {
        super(defaultTimeout);
        this.compileTimeout = defaultCompileTimeout;
    }

    /**
     * Per-sample compile budget (default: the executor's {@code DEFAULT_COMPILE_TIMEOUT}, 30 s
     * for Java and C++, 60 s for Go and Rust); a Java compile worker that exceeds it is restarted.
     */
    public B optCompileTimeout(Duration timeout) {
        this.compileTimeout = Checks.positive(timeout, "compile timeout");
        return self();
    }

    /** {@code tool} itself; an {@link IllegalArgumentException} naming {@code what} unless it is an executable file. */
    static Path executable(Path tool, String what) {
        requireArgument(tool != null && Files.isExecutable(tool), "%s '%s' is not an executable file", what, tool);
        return tool;
    }
}
