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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs Python test programs with {@code python3}, each in its own sandboxed process (see {@link
 * Sandbox}).
 *
 * <p>A small wrapper runs the program with {@code exec} under a module name other than {@code
 * "__main__"} (as human-eval does), with human-eval's "reliability guard" (destructive {@code os}
 * / {@code shutil} / {@code subprocess} functions set to {@code None}), standard input at end of
 * file, and the working directory and {@code $TMPDIR} in the sample's own temporary directory.
 * The sample passes only if the process exits 0 and a random per-run nonce, handed to the wrapper
 * on standard input (not in the program file, argv or the environment) and printed by it only
 * after the program returned, arrived. {@code os._exit(0)}, {@code raise SystemExit(0)} or a
 * crash therefore fail. (A program that deliberately searches the wrapper's stack frames for the
 * nonce could forge a pass: the nonce guards against accidental early exits, the sandbox is the
 * security boundary.)
 *
 * <p>Timeout: {@link #DEFAULT_TIMEOUT} (3 s, as human-eval) for the program, enforced like
 * human-eval's {@code time_limit} (SIGALRM raises inside the program, interpreter start-up not
 * counted); the process as a whole is killed one second later if it is still running (e.g. it
 * swallowed the exception). Limits: CPU time (timeout + 1 s), address space
 * (2 GiB by default), file size (64 MiB), 64 processes (FULL isolation).
 *
 * <pre>{@code
 * try (PythonExecutor py = PythonExecutor.builder().optTimeout(Duration.ofSeconds(3)).build()) {
 *     ExecOutcome o = py.execute("def f():\n    return 1\nassert f() == 1\n");
 *     System.out.println(o.result());   // passed
 * }
 * }</pre>
 */
public final class PythonExecutor extends AbstractExecutor {

    /** human-eval's default per-sample timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    private static final Duration STARTUP_GRACE = Duration.ofSeconds(1);

    private final Path python;
    private final Duration timeout;
    private final long memoryBytes;
    private final Path wrapper;

    private PythonExecutor(Builder b, Path python) {
        super(b, "kiln-py-");
        this.python = python;
        this.timeout = b.timeout;
        this.memoryBytes = b.memoryBytes;
        try (InputStream in = PythonExecutor.class.getResourceAsStream("/dev/kiln/eval/exec/kiln_python_wrapper.py")) {
            if (in == null) {
                throw new IllegalStateException("the Python wrapper resource is missing from llm-eval's jar");
            }
            this.wrapper = workRoot.resolve("kiln_wrapper.py");
            Files.write(wrapper, in.readAllBytes());
            wrapper.toFile().setReadable(true, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Python wrapper: " + e.getMessage(), e);
        }
    }

    /** A builder; {@code python3} is found on {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The interpreter in use. */
    public Path python() {
        return python;
    }

    /** The per-sample run budget. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    ExecOutcome run(String program, Path dir, int uid, long startNanos) throws IOException {
        Path prog = dir.resolve("prog.py");
        Files.writeString(prog, program, StandardCharsets.UTF_8);
        prog.toFile().setReadable(true, false);
        Map<String, String> env = baseEnv(dir);
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        env.put("PYTHONIOENCODING", "utf-8");
        long cpu = Math.max(1, (timeout.toMillis() + 999) / 1000) + 1;
        List<String> cmd = sandbox.wrapSelfSandboxing(
                List.of(
                        python.toString(),
                        "-I",
                        wrapper.toString(),
                        "--timeout",
                        String.format(java.util.Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0)),
                dir,
                uid,
                new Sandbox.Limits(cpu, memoryBytes, 64L << 20, 64));
        return runSample(cmd, dir, env, timeout.plus(STARTUP_GRACE), startNanos);
    }

    /** Finds a {@code python3} that sandbox users can execute. */
    static Path findPython(Sandbox sandbox) {
        List<Path> candidates =
                new ArrayList<>(List.of(Path.of("/usr/bin/python3"), Path.of("/usr/local/bin/python3")));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, "python3"));
                }
            }
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                if (sandbox.privateTmp() && !worldReachable(c)) {
                    continue;
                }
                return c;
            }
        }
        throw new KilnEnvironmentException(
                "python3 was not found (looked in /usr/bin, /usr/local/bin and $PATH"
                        + (sandbox.privateTmp() ? ", for an interpreter other users may run" : "") + ")",
                "install Python 3 (e.g. 'apt-get install python3') or pass PythonExecutor.builder().optPython(path)");
    }

    /** Whether every directory up to {@code p} is searchable by others (sandbox users). */
    private static boolean worldReachable(Path p) {
        try {
            Path real = p.toRealPath();
            for (Path d = real.getParent(); d != null; d = d.getParent()) {
                if (!Files.getPosixFilePermissions(d)
                        .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return Files.getPosixFilePermissions(real)
                    .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Builder; values are checked when set. */
    public static final class Builder extends AbstractExecutor.Builder<Builder> {
        private long memoryBytes = 2L << 30;
        private Path python;

        private Builder() {
            super(DEFAULT_TIMEOUT);
        }

        /** Address-space limit per sample (default 2 GiB; 0 = none). */
        public Builder optMemoryBytes(long bytes) {
            requireArgument(
                    bytes == 0 || bytes >= (64L << 20), "memory limit must be 0 (none) or >= 64 MiB, got %s", bytes);
            this.memoryBytes = bytes;
            return this;
        }

        /** The interpreter (default: /usr/bin/python3, /usr/local/bin/python3, or python3 on $PATH). */
        public Builder optPython(Path python) {
            requireArgument(
                    python != null && Files.isExecutable(python),
                    "python interpreter '%s' is not an executable file",
                    python);
            this.python = python;
            return this;
        }

        /** @throws KilnEnvironmentException when no python3 is found */
        public PythonExecutor build() {
            Path py = python != null ? python : findPython(sandbox());
            return new PythonExecutor(this, py);
        }
    }
}
