package dev.kiln.eval.exec;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.KilnEnvironmentException;
import dev.kiln.eval.exec.internal.ProcessRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs Rust test programs (HumanEval-X Rust: a {@code #[cfg(test)]} module with one {@code
 * #[test]}): each compiled by one {@code rustc --edition 2021 --test -C opt-level=0} (the reference
 * harness runs {@code cargo test} in a debug profile) into a test binary that runs in the {@link
 * Sandbox} with one test thread.
 *
 * <p>Every program imports the crates {@code rand}, {@code regex} and {@code md5}; they are built
 * once per compiler into a cache ({@code ~/.cache/kiln/rust-crates}) from a local registry (see
 * {@link Builder#optCrateRegistry}) and linked with {@code --extern}. The reference pins {@code
 * rand = "0.4"}; Debian's registry has 0.8, whose {@code gen_range} takes a range: Rust/50's test
 * calls the 0.4 form {@code gen_range(lo, hi)} and does not compile with 0.8. For exact agreement,
 * point {@link Builder#optCrateRegistry} at a directory source holding rand 0.4 (e.g. {@code cargo
 * vendor} of the reference's Cargo.toml).
 *
 * <p>A sample passes when the binary exits 0 and printed {@code test result: ok.}, as {@code
 * cargo test} in the reference (Rust/32's test is commented out in the dataset: zero tests run,
 * and it passes there too). Timeouts: compile {@link #DEFAULT_COMPILE_TIMEOUT} (60 s), run {@link #DEFAULT_TIMEOUT}
 * (5 s). Limits of the run: CPU time, 2 GiB of address space, 64 MiB file size, 64 processes
 * (FULL).
 *
 * <pre>{@code
 * try (RustExecutor rust = RustExecutor.builder().build()) {
 *     ExecOutcome o = rust.execute(HumanEval.of(EvalLanguage.RUST).get("Rust/0").program(completion));
 * }
 * }</pre>
 */
public final class RustExecutor extends AbstractExecutor {

    /** Per-sample run budget (compile not included). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Per-sample compile budget. */
    public static final Duration DEFAULT_COMPILE_TIMEOUT = Duration.ofSeconds(60);

    private static final byte[] PASSED = "test result: ok.".getBytes(StandardCharsets.US_ASCII);

    private final Path rustc;
    private final Duration timeout;
    private final Duration compileTimeout;
    private final List<String> crateFlags;
    private final Map<String, String> env;

    private RustExecutor(Builder b, Path rustcCommand, Path cargo) {
        super(b, "kiln-rust-");
        this.timeout = b.timeout;
        this.compileTimeout = b.compileTimeout;
        try {
            Map<String, String> e = RustCrates.env(rustcCommand, cargo);
            // Call the compiler itself rather than a rustup proxy: one process less per sample.
            ProcessRun.Result sysroot = ProcessRun.run(
                    List.of(rustcCommand.toString(), "--print", "sysroot"),
                    null,
                    e,
                    null,
                    Duration.ofSeconds(60),
                    null,
                    8192);
            Path real = Path.of(sysroot.stdout().strip(), "bin", "rustc");
            this.rustc = sysroot.exitCode() == 0 && Files.isExecutable(real) ? real : rustcCommand;
            this.env = e;
            Path cacheRoot = b.cache != null ? b.cache : cacheDir("rust-crates");
            this.crateFlags = RustCrates.flags(rustc, cargo, b.registry, cacheRoot, compileTimeout.multipliedBy(10));
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the Rust executor: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A builder; {@code rustc}, {@code cargo} and the crates are found on {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The compiler in use. */
    public Path rustc() {
        return rustc;
    }

    /** The per-sample run budget. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    ExecOutcome run(String program, Path dir, int uid, long startNanos) throws IOException {
        List<String> cc = new ArrayList<>(List.of(
                rustc.toString(),
                "--edition",
                "2021",
                "--test",
                "-C",
                "opt-level=0",
                "-C",
                "debuginfo=0",
                "-A",
                "warnings"));
        cc.addAll(crateFlags);
        cc.addAll(List.of("-o", "prog", "prog.rs"));
        ExecOutcome failed = compile(program, "prog.rs", cc, dir, env, compileTimeout, startNanos);
        if (failed != null) {
            return failed;
        }
        long cpu = Math.max(2, timeout.toSeconds() + 1);
        Map<String, String> runEnv = baseEnv(dir);
        runEnv.put("RUST_TEST_THREADS", "1");
        runEnv.put("RUST_BACKTRACE", "0");
        return runMarked(
                sandbox.wrap(
                        List.of(visibleDir(dir) + "/prog", "--test-threads=1"),
                        dir,
                        uid,
                        new Sandbox.Limits(cpu, 2L << 30, 64L << 20, 64)),
                dir,
                runEnv,
                timeout,
                startNanos,
                PASSED);
    }

    /** Builder; values are checked when set. */
    public static final class Builder extends CompilingBuilder<Builder> {
        private Path rustc;
        private Path cargo;
        private Path registry = RustCrates.DEBIAN_REGISTRY;
        private Path cache;

        private Builder() {
            super(DEFAULT_TIMEOUT, DEFAULT_COMPILE_TIMEOUT);
        }

        /** The compiler (default: {@code rustc} in ~/.cargo/bin, /usr/local/bin, /usr/bin or on $PATH). */
        public Builder optRustc(Path rustc) {
            this.rustc = executable(rustc, "rustc");
            return this;
        }

        /** {@code cargo}, used once to build the crates (default: next to rustc, else on $PATH). */
        public Builder optCargo(Path cargo) {
            this.cargo = executable(cargo, "cargo");
            return this;
        }

        /**
         * A cargo directory source holding rand, regex and md5 and their dependencies (default
         * Debian's {@code /usr/share/cargo/registry}).
         */
        public Builder optCrateRegistry(Path dir) {
            requireArgument(dir != null && Files.isDirectory(dir), "crate registry '%s' is not a directory", dir);
            this.registry = dir;
            return this;
        }

        /** Where the built crates are kept between runs (default {@code ~/.cache/kiln/rust-crates}). */
        public Builder optCrateCache(Path dir) {
            this.cache = dev.kiln.eval.exec.internal.Checks.notNull(dir, "crate cache");
            return this;
        }

        /** @throws KilnEnvironmentException when there is no rustc or cargo, or no crate registry */
        public RustExecutor build() {
            List<String> dirs = List.of("~/.cargo/bin", "/usr/local/bin", "/usr/bin");
            String install = "install Rust (Debian: apt-get install rustc cargo librust-rand-dev librust-regex-dev"
                    + " librust-md5-dev)";
            Path r = rustc != null ? rustc : findTool("rustc", dirs, install);
            Path c = cargo;
            if (c == null) {
                Path next = r.resolveSibling("cargo");
                c = Files.isExecutable(next) ? next : findTool("cargo", dirs, install);
            }
            return new RustExecutor(this, r, c);
        }
    }
}
