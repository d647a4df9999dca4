package dev.kiln.eval.exec;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.eval.exec.internal.Checks;
import dev.kiln.eval.exec.internal.ProcessRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slots, the work directory, per-sample directories, nonces, the run of one sample and the
 * options of the builders, shared by the executors.
 */
abstract class AbstractExecutor implements SampleExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractExecutor.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int OUTPUT_CAP = 64 * 1024;

    final Sandbox sandbox;
    final Path workRoot;
    private final int workers;
    private final BlockingQueue<Integer> slots;
    private final Sandbox.UidLease uids;
    private volatile boolean closed;
    private final Thread cleanupHook;

    AbstractExecutor(Builder<?> b, String prefix) {
        this.sandbox = b.sandbox();
        Sandbox.requireAtLeast(sandbox.isolation(), b.minIsolation);
        this.workers = b.workers;
        Path workParent = b.workDir;
        this.slots = new ArrayBlockingQueue<>(workers);
        for (int i = 0; i < workers; i++) {
            slots.add(i);
        }
        try {
            this.uids = sandbox.leaseUids(workers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve sandbox uids: " + e.getMessage(), e);
        }
        try {
            Path parent = workParent != null ? workParent : defaultWorkParent(sandbox);
            Files.createDirectories(parent);
            this.workRoot = Files.createTempDirectory(parent, prefix);
            // Sandbox users must traverse it (to reach the wrapper and their own directory) but not list it.
            Files.setPosixFilePermissions(workRoot, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            uids.close();
            throw new UncheckedIOException("cannot create the executor's work directory: " + e.getMessage(), e);
        }
        this.cleanupHook = new Thread(this::deleteWorkRoot, "kiln-executor-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Removes the work directory at JVM exit when the executor was not closed. */
    private void deleteWorkRoot() {
        try {
            ProcessRun.deleteTree(workRoot);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", workRoot, e.toString());
        }
    }

    /**
     * In FULL isolation the sample's directory is mounted over /tmp, so the shared files (wrapper,
     * runner) must live outside /tmp to stay visible: /var/tmp when it exists.
     */
    private static Path defaultWorkParent(Sandbox sandbox) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (sandbox.privateTmp() && tmp.toAbsolutePath().startsWith("/tmp") && Files.isDirectory(Path.of("/var/tmp"))) {
            return Path.of("/var/tmp");
        }
        return tmp;
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public Sandbox sandbox() {
        return sandbox;
    }

    @Override
    public final ExecOutcome execute(String program) {
        requireArgument(program != null, "program must not be null");
        if (closed) {
            throw new IllegalStateException("the executor is closed");
        }
        int slot;
        try {
            slot = slots.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a worker", e);
        }
        long start = System.nanoTime();
        Path dir = null;
        try {
            dir = Files.createTempDirectory(workRoot, "s");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            return run(program, dir, uids.uids()[slot], start);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run a sample: " + e.getMessage(), e);
        } finally {
            try {
                if (dir != null) {
                    ProcessRun.deleteTree(dir);
                }
            } catch (IOException e) {
                LOG.warn("cannot remove sample directory {}: {}", dir, e.toString());
            }
            sandbox.sweep(uids.uids()[slot]);
            slots.add(slot);
        }
    }

    /** Runs {@code program} in the fresh directory {@code dir} as sandbox user {@code uid} (FULL isolation). */
    abstract ExecOutcome run(String program, Path dir, int uid, long startNanos) throws IOException;

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * Runs the sandboxed command {@code cmd} of one sample in {@code dir} and judges it: the run's
     * fresh nonce goes to the sample's harness on stdin (then EOF), output is drained and capped at
     * {@link #OUTPUT_CAP}, and on timeout -- and below FULL isolation after every run -- all the
     * processes it started are killed.
     */
    ExecOutcome runSample(List<String> cmd, Path dir, Map<String, String> env, Duration timeout, long startNanos)
            throws IOException {
        byte[] nonce = newNonce();
        byte[] stdin = Arrays.copyOf(nonce, nonce.length + 1);
        stdin[nonce.length] = '\n';
        ProcessRun.Result r = ProcessRun.run(
                cmd, dir, env, stdin, timeout, nonce, OUTPUT_CAP, sandbox.isolation() != Sandbox.Isolation.FULL);
        return judge(r, startNanos);
    }

    /**
     * Runs the sandboxed command {@code cmd} of a compiled sample whose test framework reports
     * success itself: it passes only if it exits 0 and {@code marker} (e.g. Rust's {@code test
     * result: ok. 1 passed}) appears on stdout. Standard input is empty.
     */
    ExecOutcome runMarked(
            List<String> cmd, Path dir, Map<String, String> env, Duration timeout, long startNanos, byte[] marker)
            throws IOException {
        ProcessRun.Result r = ProcessRun.run(
                cmd, dir, env, null, timeout, marker, OUTPUT_CAP, sandbox.isolation() != Sandbox.Isolation.FULL);
        return judge(r, startNanos);
    }

    /**
     * Runs a build step (a compiler) of one sample in {@code dir}: as this process's user, in a
     * session of its own with resource limits (CPU time, 1 GiB of file size, no core dumps) and a
     * wall-clock {@code timeout}, after which it and everything it started are killed. Compilers
     * read the untrusted source but do not run it; the program they produce runs in the sandbox.
     *
     * @return the result; {@code stderr} holds the compiler's messages
     */
    ProcessRun.Result build(List<String> cmd, Path dir, Map<String, String> env, Duration timeout) throws IOException {
        List<String> full = new ArrayList<>();
        full.add("setsid");
        if (sandbox.isolation() != Sandbox.Isolation.NONE) {
            full.addAll(List.of(
                    "prlimit",
                    "--cpu=" + Math.max(2, timeout.toSeconds() + 1),
                    "--fsize=" + (1L << 30),
                    "--core=0",
                    "--"));
        }
        full.addAll(cmd);
        return ProcessRun.run(full, dir, env, null, timeout, null, OUTPUT_CAP, true);
    }

    /**
     * The compile step of the compiled languages: writes {@code program} to {@code dir/fileName},
     * runs the compiler {@code cmd} there under {@link #build}, and on success opens {@code dir} up
     * for the sandbox user.
     *
     * @return null when the program built (run it next), else the compile-failure outcome
     */
    ExecOutcome compile(
            String program,
            String fileName,
            List<String> cmd,
            Path dir,
            Map<String, String> env,
            Duration timeout,
            long startNanos)
            throws IOException {
        Files.writeString(dir.resolve(fileName), program, java.nio.charset.StandardCharsets.UTF_8);
        ProcessRun.Result built = build(cmd, dir, env, timeout);
        if (built.exitCode() != 0 || built.timedOut()) {
            return buildFailure(built, startNanos);
        }
        openUp(dir);
        return null;
    }

    /** {@code $XDG_CACHE_HOME/kiln/name}, else {@code ~/.cache/kiln/name}: build caches kept between runs. */
    static Path cacheDir(String name) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home", "/tmp"), ".cache");
        return base.resolve("kiln").resolve(name);
    }

    /** A compiler message's {@code file:line:col:} prefix. */
    private static final java.util.regex.Pattern LOCATED = java.util.regex.Pattern.compile("^[^\\s:]+:\\d+(:\\d+)?: ");

    /** The outcome of a failed build step: a compile error naming the compiler's first error line. */
    static ExecOutcome buildFailure(ProcessRun.Result r, long startNanos) {
        if (r.timedOut()) {
            return new ExecOutcome(ExecOutcome.Status.TIMED_OUT, "compile", millisSince(startNanos));
        }
        String msg = r.stderr().isBlank() ? r.stdout() : r.stderr();
        String located = null;
        String other = null;
        for (String line : msg.split("\n")) {
            String t = line.strip();
            if (t.contains("error")) {
                return new ExecOutcome(ExecOutcome.Status.COMPILE_ERROR, t, millisSince(startNanos));
            }
            if (located == null && LOCATED.matcher(t).find()) {
                located = t;
            }
            if (other == null && !t.isEmpty() && !t.startsWith("#")) {
                other = t;
            }
        }
        String first = located != null ? located : other != null ? other : "exit status " + r.exitCode();
        return new ExecOutcome(ExecOutcome.Status.COMPILE_ERROR, first, millisSince(startNanos));
    }

    /** Makes everything under {@code root} readable (and directories traversable) by sandbox users. */
    static void openUp(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                p.toFile().setReadable(true, false);
                if (Files.isDirectory(p) || Files.isExecutable(p)) {
                    p.toFile().setExecutable(true, false);
                }
            }
        }
    }

    /**
     * The first executable file named {@code name} in {@code dirs}, then on $PATH.
     *
     * @throws dev.kiln.core.KilnEnvironmentException naming what to install when there is none
     */
    static Path findTool(String name, List<String> dirs, String install) {
        List<Path> candidates = new ArrayList<>();
        for (String d : dirs) {
            candidates.add(Path.of(d.replace("~", System.getProperty("user.home", "/root")), name));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, name));
                }
            }
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                return c;
            }
        }
        throw new dev.kiln.core.KilnEnvironmentException(
                name + " was not found (looked in " + String.join(", ", dirs) + " and $PATH)", install);
    }

    /** A fresh random token: 128 bits, hex. */
    static byte[] newNonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return ("kiln-" + HexFormat.of().formatHex(b)).getBytes(StandardCharsets.US_ASCII);
    }

    /** The directory the sample sees as its working directory and $TMPDIR. */
    String visibleDir(Path dir) {
        return sandbox.privateTmp() ? "/tmp" : dir.toString();
    }

    Map<String, String> baseEnv(Path dir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", visibleDir(dir));
        env.put("TMPDIR", visibleDir(dir));
        env.put("LANG", "C.UTF-8");
        env.put("LC_ALL", "C.UTF-8");
        return env;
    }

    /** The failure line a wrapper printed on stderr, if any. */
    static String failureLine(ProcessRun.Result r) {
        String marker = "KILN-FAILED ";
        for (String s : new String[] {r.stderrTail(), r.stderr()}) {
            int i = s.lastIndexOf(marker);
            if (i >= 0) {
                int end = s.indexOf('\n', i);
                return s.substring(i + marker.length(), end < 0 ? s.length() : end)
                        .strip();
            }
        }
        return null;
    }

    /** The verdict from a finished run. */
    static ExecOutcome judge(ProcessRun.Result r, long startNanos) {
        long ms = millisSince(startNanos);
        if (r.timedOut() || r.stderrTail().contains("\nKILN-TIMED-OUT\n")) {
            return new ExecOutcome(ExecOutcome.Status.TIMED_OUT, "", ms);
        }
        if (r.exitCode() == 0 && r.nonceSeen()) {
            return ExecOutcome.passed(ms);
        }
        String line = failureLine(r);
        if (line == null) {
            line = testFrameworkLine(r.stdout());
        }
        if (line == null) {
            line = testFrameworkLine(r.stderr());
        }
        if (line == null) {
            if (r.exitCode() == 0) {
                line = "exited before the tests finished";
            } else if (r.exitCode() > 128) {
                line = "killed by signal " + (r.exitCode() - 128) + lastLine(r.stderrTail());
            } else {
                String tail = lastLine(r.stderrTail());
                line = "exit status " + r.exitCode() + tail;
            }
        }
        return ExecOutcome.failed(line.isEmpty() ? "failed" : line, ms);
    }

    /**
     * The reason a test framework printed on stdout: a Rust panic ({@code panicked at ...} and its
     * message), a testify {@code Error:} line, or a Go panic; null when there is none.
     */
    static String testFrameworkLine(String stdout) {
        int i = stdout.indexOf("panicked at");
        if (i >= 0) {
            int end = stdout.indexOf('\n', i);
            String where = stdout.substring(i, end < 0 ? stdout.length() : end).strip();
            if (end >= 0) {
                int next = stdout.indexOf('\n', end + 1);
                String msg = stdout.substring(end + 1, next < 0 ? stdout.length() : next)
                        .strip();
                if (!msg.isEmpty() && !msg.startsWith("note:")) {
                    return "panic: " + msg + " (" + where + ")";
                }
            }
            return where;
        }
        for (String marker : new String[] {"Error:", "panic:"}) {
            int j = stdout.indexOf(marker);
            if (j >= 0) {
                int end = stdout.indexOf('\n', j);
                String line =
                        stdout.substring(j, end < 0 ? stdout.length() : end).strip();
                if (marker.equals("Error:") && end >= 0) {
                    // testify: "Error: Not equal:" then "expected: ..." and "actual  : ..."
                    StringBuilder b = new StringBuilder(line);
                    String[] rest = stdout.substring(end + 1).split("\n", 4);
                    for (int k = 0; k < Math.min(3, rest.length); k++) {
                        String t = rest[k].strip();
                        if (t.startsWith("expected:") || t.startsWith("actual")) {
                            b.append(' ').append(t.replaceAll("\\s+", " "));
                        }
                    }
                    return b.toString();
                }
                return line;
            }
        }
        return null;
    }

    private static String lastLine(String s) {
        String t = s.strip();
        if (t.isEmpty()) {
            return "";
        }
        int nl = t.lastIndexOf('\n');
        return ": " + (nl < 0 ? t : t.substring(nl + 1)).strip();
    }

    /**
     * Options every executor has; {@code B} is the executor's own builder. Values are checked when
     * set.
     */
    abstract static class Builder<B extends Builder<B>> implements ExecutorOptions<B> {
        private Sandbox sandbox;
        private int workers = Runtime.getRuntime().availableProcessors();
        private Path workDir;
        private Sandbox.Isolation minIsolation = Sandbox.Isolation.NAMESPACES;
        /** The per-sample budget; what it covers is in each executor's class documentation. */
        Duration timeout;

        Builder(Duration defaultTimeout) {
            this.timeout = defaultTimeout;
        }

        /** Parallel samples (default: the number of cores). */
        @Override
        public B optWorkers(int workers) {
            this.workers = Checks.workers(workers);
            return self();
        }

        /**
         * Per-sample time budget (default: the executor's {@code DEFAULT_TIMEOUT}, 3 s for the
         * Python program as human-eval, 10 s for a Java run with its JVM start).
         */
        @Override
        public B optTimeout(Duration timeout) {
            this.timeout = Checks.positive(timeout, "timeout");
            return self();
        }

        /** Isolation (default {@link Sandbox#detect()}). */
        @Override
        public B optSandbox(Sandbox sandbox) {
            this.sandbox = Checks.notNull(sandbox, "sandbox");
            return self();
        }

        /** Where per-sample directories are created (default: a temporary directory). */
        @Override
        public B optWorkDir(Path dir) {
            this.workDir = Checks.notNull(dir, "work directory");
            return self();
        }

        @Override
        public B optMinIsolation(Sandbox.Isolation minimum) {
            this.minIsolation = Checks.notNull(minimum, "minimum isolation");
            return self();
        }

        int workers() {
            return workers;
        }

        /** The sandbox set, else the one {@link Sandbox#detect()} finds. */
        Sandbox sandbox() {
            if (sandbox == null) {
                sandbox = Sandbox.detect();
            }
            return sandbox;
        }

        @SuppressWarnings("unchecked")
        final B self() {
            return (B) this;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        uids.close();
        deleteWorkRoot();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }
}
