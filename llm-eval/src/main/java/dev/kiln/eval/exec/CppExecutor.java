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
import java.util.List;
import java.util.Map;

/**
 * Runs C++ test programs (HumanEval-X C++): each compiled with {@code g++ -std=c++11} (as the
 * reference harness) into its own binary, which runs in the {@link Sandbox}.
 *
 * <p>Compile cost: the headers the reference harness adds to every program ({@code stdlib.h,
 * algorithm, math.h, stdio.h, vector, string, climits, cstring, iostream}) are precompiled once per
 * executor and force-included ({@code -include}); including them again is a no-op, so the program
 * means the same. The same forced header renames the program's {@code main} to {@code
 * kiln_sample_main}, and a small precompiled entry point calls it: the run's nonce (on stdin) is
 * printed only after it returned, so {@code exit(0)} in a completion fails, and an uncaught
 * exception is reported by its {@code what()}. Programs that include {@code <openssl/...>} (CPP/162,
 * MD5) are linked with {@code -lcrypto}, as the reference does for that problem.
 *
 * <p>Timeouts: compile {@link #DEFAULT_COMPILE_TIMEOUT} (30 s), run {@link #DEFAULT_TIMEOUT} (5 s).
 * Limits of the run: CPU time, 2 GiB of address space, 64 MiB file size, 64 processes (FULL).
 *
 * <pre>{@code
 * try (CppExecutor cpp = CppExecutor.builder().optWorkers(2).build()) {
 *     ExecOutcome o = cpp.execute(HumanEval.of(EvalLanguage.CPP).get("CPP/0").program(completion));
 * }
 * }</pre>
 */
public final class CppExecutor extends AbstractExecutor {

    /** Per-sample run budget (compile not included). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Per-sample compile budget. */
    public static final Duration DEFAULT_COMPILE_TIMEOUT = Duration.ofSeconds(30);

    /** The headers the reference harness adds (its IMPORT_HELPER["cpp"]), precompiled. */
    private static final List<String> HEADERS =
            List.of("stdlib.h", "algorithm", "math.h", "stdio.h", "vector", "string", "climits", "cstring", "iostream");

    private static final List<String> FLAGS = List.of("-std=c++11", "-O0", "-w");

    private final Path gxx;
    private final Duration timeout;
    private final Duration compileTimeout;
    private final Path header;
    private final Path entry;

    private CppExecutor(Builder b, Path gxx) {
        super(b, "kiln-cpp-");
        this.gxx = gxx;
        this.timeout = b.timeout;
        this.compileTimeout = b.compileTimeout;
        try {
            Path shared = Files.createDirectory(workRoot.resolve("shared"));
            this.header = shared.resolve("kiln_cpp_pch.h");
            StringBuilder h = new StringBuilder("// Kiln: the reference harness's headers, precompiled\n");
            for (String name : HEADERS) {
                h.append("#include<").append(name).append(">\n");
            }
            h.append("#define main kiln_sample_main\n");
            Files.writeString(header, h.toString(), StandardCharsets.UTF_8);
            List<String> pch = new ArrayList<>(List.of(gxx.toString()));
            pch.addAll(FLAGS);
            pch.addAll(List.of("-x", "c++-header", header.toString(), "-o", header + ".gch"));
            ProcessRun.Result r = build(pch, shared, env(), compileTimeout.multipliedBy(2));
            if (r.exitCode() != 0) {
                throw new IOException(
                        "cannot precompile the C++ headers: " + r.stderr().strip());
            }
            Path main = shared.resolve("kiln_cpp_main.cpp");
            try (InputStream in = CppExecutor.class.getResourceAsStream("/dev/kiln/eval/exec/kiln_cpp_main.cpp")) {
                if (in == null) {
                    throw new IllegalStateException("the C++ entry point is missing from llm-eval's jar");
                }
                Files.write(main, in.readAllBytes());
            }
            this.entry = shared.resolve("kiln_cpp_main.o");
            List<String> cc = new ArrayList<>(List.of(gxx.toString()));
            cc.addAll(FLAGS);
            cc.addAll(List.of("-c", main.toString(), "-o", entry.toString()));
            r = build(cc, shared, env(), compileTimeout);
            if (r.exitCode() != 0) {
                throw new IOException(
                        "cannot compile the C++ entry point: " + r.stderr().strip());
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the C++ executor: " + e.getMessage(), e);
        }
    }

    /** A builder; the compiler is found on {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The per-sample run budget. */
    public Duration timeout() {
        return timeout;
    }

    private static Map<String, String> env() {
        return Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LANG", "C.UTF-8", "LC_ALL", "C.UTF-8");
    }

    @Override
    ExecOutcome run(String program, Path dir, int uid, long startNanos) throws IOException {
        List<String> cc = new ArrayList<>(List.of(gxx.toString()));
        cc.addAll(FLAGS);
        cc.addAll(List.of("-include", header.toString(), "prog.cpp", entry.toString(), "-o", "prog"));
        if (program.contains("openssl/")) {
            cc.addAll(List.of("-lcrypto", "-lssl"));
        }
        ExecOutcome failed = compile(program, "prog.cpp", cc, dir, env(), compileTimeout, startNanos);
        if (failed != null) {
            return failed;
        }
        long cpu = Math.max(2, timeout.toSeconds() + 1);
        List<String> cmd = sandbox.wrap(
                List.of(visibleDir(dir) + "/prog"), dir, uid, new Sandbox.Limits(cpu, 2L << 30, 64L << 20, 64));
        return runSample(cmd, dir, baseEnv(dir), timeout, startNanos);
    }

    /** Builder; values are checked when set. */
    public static final class Builder extends CompilingBuilder<Builder> {
        private Path gxx;

        private Builder() {
            super(DEFAULT_TIMEOUT, DEFAULT_COMPILE_TIMEOUT);
        }

        /** The compiler (default: {@code g++} in /usr/bin, /usr/local/bin or on $PATH). */
        public Builder optCompiler(Path gxx) {
            this.gxx = executable(gxx, "C++ compiler");
            return this;
        }

        /** @throws KilnEnvironmentException when there is no g++ */
        public CppExecutor build() {
            Path c = gxx != null
                    ? gxx
                    : findTool(
                            "g++", List.of("/usr/bin", "/usr/local/bin"), "install g++ (Debian: apt-get install g++)");
            return new CppExecutor(this, c);
        }
    }
}
