package dev.kiln.eval.exec;

import dev.kiln.core.KilnEnvironmentException;
import dev.kiln.eval.exec.internal.ProcessRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs Go test programs (HumanEval-X Go, {@code package main} files with a {@code TestXxx}
 * function and testify's {@code assert}): each compiled with {@code go test -c} (vet checks
 * included, as {@code go test} runs them) into a test binary that runs in the {@link Sandbox}, as
 * {@code go test} would ({@code -test.paniconexit0}, so {@code os.Exit(0)} fails).
 *
 * <p>Offline: the executor's work directory is the reference harness's module ({@code module
 * humanEval}, its {@code go.mod} and {@code go.sum}) with the vendored testify and its
 * dependencies (bundled, each with its license), built with {@code -mod=vendor}, {@code
 * GOPROXY=off}. Compile cost: a persistent build cache ({@code ~/.cache/kiln/go-build}, or {@link
 * Builder#optBuildCache}) is warmed once with the vendored packages, so a sample compiles only its
 * own file and links.
 *
 * <p>A sample passes when the binary exits 0 and printed {@code PASS}. Timeouts: compile {@link
 * #DEFAULT_COMPILE_TIMEOUT} (60 s), run {@link #DEFAULT_TIMEOUT} (5 s). Limits of the run: CPU
 * time, 64 MiB file size, 256 processes and threads (FULL).
 *
 * <pre>{@code
 * try (GoExecutor go = GoExecutor.builder().build()) {
 *     ExecOutcome o = go.execute(HumanEval.of(EvalLanguage.GO).get("Go/0").program(completion));
 * }
 * }</pre>
 */
public final class GoExecutor extends AbstractExecutor {

    /** Per-sample run budget (compile not included). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Per-sample compile budget. */
    public static final Duration DEFAULT_COMPILE_TIMEOUT = Duration.ofSeconds(60);

    private static final String RESOURCES = "/dev/kiln/eval/exec/go/";
    private static final byte[] PASS = "PASS\n".getBytes(StandardCharsets.US_ASCII);

    private final Path go;
    private final Duration timeout;
    private final Duration compileTimeout;
    private final Path cache;

    private GoExecutor(Builder b, Path go) {
        super(b, "kiln-go-");
        this.go = go;
        this.timeout = b.timeout;
        this.compileTimeout = b.compileTimeout;
        this.cache = b.cache != null ? b.cache : cacheDir("go-build");
        try {
            Files.createDirectories(cache);
            for (String name : List.of("go.mod", "go.sum", "go-vendor.tar.gz")) {
                try (InputStream in = GoExecutor.class.getResourceAsStream(RESOURCES + name)) {
                    if (in == null) {
                        throw new IllegalStateException("bundled " + name + " is missing from llm-eval's jar");
                    }
                    Files.write(workRoot.resolve(name), in.readAllBytes());
                }
            }
            ProcessRun.Result r =
                    build(List.of("tar", "xzf", "go-vendor.tar.gz"), workRoot, env(workRoot), compileTimeout);
            if (r.exitCode() != 0) {
                throw new IOException(
                        "cannot unpack the vendored Go modules: " + r.stderr().strip());
            }
            warmUp();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the Go executor: " + e.getMessage(), e);
        }
    }

    /** A builder; {@code go} is found on {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The per-sample run budget. */
    public Duration timeout() {
        return timeout;
    }

    /** Compiles the vendored packages into the build cache with a trivial test. */
    private void warmUp() throws IOException {
        Path dir = Files.createDirectory(workRoot.resolve("warmup"));
        Files.writeString(
                dir.resolve("main_test.go"),
                "package main\n\nimport (\n    \"testing\"\n    \"github.com/stretchr/testify/assert\"\n)\n\n"
                        + "func TestWarm(t *testing.T) {\n    assert.Equal(t, 1, 1)\n}\n");
        ProcessRun.Result r = build(compileCommand(), dir, env(dir), compileTimeout.multipliedBy(4));
        if (r.exitCode() != 0) {
            throw new IOException("cannot build the vendored testify: " + (r.stderr() + r.stdout()).strip());
        }
        ProcessRun.deleteTree(dir);
    }

    private List<String> compileCommand() {
        return List.of(go.toString(), "test", "-c", "-ldflags=-s -w", "-o", "prog.test", "main_test.go");
    }

    private Map<String, String> env(Path dir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", go.getParent() + ":/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("GOCACHE", cache.toString());
        env.put("GOPATH", workRoot.resolve("gopath").toString());
        env.put("GOFLAGS", "-mod=vendor");
        env.put("GOPROXY", "off");
        env.put("GOSUMDB", "off");
        env.put("GOTOOLCHAIN", "local");
        env.put("GOTELEMETRY", "off");
        env.put("CGO_ENABLED", "0");
        env.put("GO111MODULE", "on");
        env.put("LANG", "C.UTF-8");
        return env;
    }

    @Override
    ExecOutcome run(String program, Path dir, int uid, long startNanos) throws IOException {
        ExecOutcome failed =
                compile(program, "main_test.go", compileCommand(), dir, env(dir), compileTimeout, startNanos);
        if (failed != null) {
            return failed;
        }
        long cpu = Math.max(2, timeout.toSeconds() * 2);
        List<String> cmd = new ArrayList<>(List.of(
                visibleDir(dir) + "/prog.test",
                "-test.paniconexit0",
                "-test.timeout=" + (timeout.toSeconds() + 10) + "s"));
        Map<String, String> env = baseEnv(dir);
        env.put("GOTRACEBACK", "single");
        return runMarked(
                sandbox.wrap(cmd, dir, uid, new Sandbox.Limits(cpu, 0, 64L << 20, 256)),
                dir,
                env,
                timeout,
                startNanos,
                PASS);
    }

    /** Builder; values are checked when set. */
    public static final class Builder extends CompilingBuilder<Builder> {
        private Path go;
        private Path cache;

        private Builder() {
            super(DEFAULT_TIMEOUT, DEFAULT_COMPILE_TIMEOUT);
        }

        /** The {@code go} command (default: /usr/bin/go, /usr/local/go/bin/go, or on $PATH). */
        public Builder optGo(Path go) {
            this.go = executable(go, "go");
            return this;
        }

        /** The Go build cache kept between runs (default {@code ~/.cache/kiln/go-build}). */
        public Builder optBuildCache(Path dir) {
            this.cache = dev.kiln.eval.exec.internal.Checks.notNull(dir, "Go build cache");
            return this;
        }

        /** @throws KilnEnvironmentException when there is no go */
        public GoExecutor build() {
            Path g = go != null
                    ? go
                    : findTool(
                            "go",
                            List.of("/usr/bin", "/usr/local/go/bin", "/usr/lib/go/bin", "/usr/local/bin"),
                            "install Go 1.18 or newer (Debian: apt-get install golang-go)");
            return new GoExecutor(this, g);
        }
    }
}
