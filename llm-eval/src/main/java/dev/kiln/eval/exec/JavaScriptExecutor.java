package dev.kiln.eval.exec;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.KilnEnvironmentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs JavaScript test programs (HumanEval-X JavaScript) with {@code node}, each in its own
 * sandboxed process.
 *
 * <p>The HumanEval-X tests check with {@code console.assert}, which in Node prints "Assertion
 * failed" and carries on (the reference harness fails a sample on any output instead). Kiln's
 * runner makes {@code console.assert} throw an {@code AssertionError}, loads the program as {@code
 * node test.js} would (a CommonJS module), and prints the run's nonce (from stdin) only after it
 * returned: a wrong value, an exception or {@code process.exit(0)} fail; output alone does not.
 *
 * <p>Modules: {@code require} finds packages installed globally ({@code /usr/local/lib/node_modules},
 * {@code /usr/lib/node_modules}) or in {@link Builder#optModulePaths}; JavaScript/162 needs {@code
 * js-md5} (the reference environment's 0.7.3: {@code npm install -g js-md5@0.7.3}).
 *
 * <p>Timeout {@link #DEFAULT_TIMEOUT} (5 s, Node's start included); limits: CPU time, a 512 MiB
 * V8 heap, 64 MiB file size, 64 processes (FULL).
 *
 * <pre>{@code
 * try (JavaScriptExecutor js = JavaScriptExecutor.builder().build()) {
 *     ExecOutcome o = js.execute("console.assert(1 + 1 === 3)");   // failed: AssertionError: Assertion failed
 * }
 * }</pre>
 */
public final class JavaScriptExecutor extends AbstractExecutor {

    /** Per-sample budget, Node's start included. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Path node;
    private final Duration timeout;
    private final Path runner;
    private final String modulePath;

    private JavaScriptExecutor(Builder b, Path node) {
        super(b, "kiln-js-");
        this.node = node;
        this.timeout = b.timeout;
        this.modulePath =
                String.join(":", b.modulePaths.stream().map(Path::toString).toList());
        try (InputStream in = JavaScriptExecutor.class.getResourceAsStream("/dev/kiln/eval/exec/kiln_node_runner.js")) {
            if (in == null) {
                throw new IllegalStateException("the Node runner is missing from llm-eval's jar");
            }
            this.runner = workRoot.resolve("kiln_node_runner.js");
            Files.write(runner, in.readAllBytes());
            runner.toFile().setReadable(true, false);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot write the Node runner: " + e.getMessage(), e);
        }
    }

    /** A builder; {@code node} is found on {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The interpreter in use. */
    public Path node() {
        return node;
    }

    /** The per-sample run budget. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    ExecOutcome run(String program, Path dir, int uid, long startNanos) throws IOException {
        Path test = dir.resolve("test.js");
        Files.writeString(test, program, StandardCharsets.UTF_8);
        test.toFile().setReadable(true, false);
        Map<String, String> env = baseEnv(dir);
        env.put("NODE_OPTIONS", "");
        if (!modulePath.isEmpty()) {
            env.put("NODE_PATH", modulePath);
        }
        env.put("NODE_DISABLE_COLORS", "1");
        long cpu = Math.max(2, timeout.toSeconds() + 1);
        List<String> cmd = sandbox.wrap(
                List.of(node.toString(), "--max-old-space-size=512", runner.toString(), visibleDir(dir) + "/test.js"),
                dir,
                uid,
                new Sandbox.Limits(cpu, 0, 64L << 20, 64));
        return runSample(cmd, dir, env, timeout, startNanos);
    }

    /** Builder; values are checked when set. */
    public static final class Builder extends AbstractExecutor.Builder<Builder> {
        private Path node;
        private List<Path> modulePaths = java.util.stream.Stream.of(
                        Path.of("/usr/local/lib/node_modules"), Path.of("/usr/lib/node_modules"))
                .filter(Files::isDirectory)
                .toList();

        private Builder() {
            super(DEFAULT_TIMEOUT);
        }

        /**
         * Directories {@code require} searches ({@code NODE_PATH}; default the global {@code
         * node_modules} directories that exist).
         */
        public Builder optModulePaths(List<Path> dirs) {
            requireArgument(dirs != null, "module paths must not be null");
            for (Path d : dirs) {
                requireArgument(d != null && Files.isDirectory(d), "module path '%s' is not a directory", d);
            }
            this.modulePaths = List.copyOf(dirs);
            return this;
        }

        /** The interpreter (default: {@code node} in /usr/bin, /usr/local/bin or on $PATH). */
        public Builder optNode(Path node) {
            requireArgument(node != null && Files.isExecutable(node), "node '%s' is not an executable file", node);
            this.node = node;
            return this;
        }

        /** @throws KilnEnvironmentException when there is no node */
        public JavaScriptExecutor build() {
            Path n = node != null
                    ? node
                    : findTool(
                            "node",
                            List.of("/usr/bin", "/usr/local/bin"),
                            "install Node.js (Debian: apt-get install nodejs)");
            return new JavaScriptExecutor(this, n);
        }
    }
}
