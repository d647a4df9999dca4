package dev.kiln.eval.exec;

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
        if (program == null) {
            throw new IllegalArgumentException("program must not be null");
        }
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
    abstract static class Builder<B extends Builder<B>> {
        private Sandbox sandbox;
        private int workers = Runtime.getRuntime().availableProcessors();
        private Path workDir;
        /** The per-sample budget; what it covers is in each executor's class documentation. */
        Duration timeout;

        Builder(Duration defaultTimeout) {
            this.timeout = defaultTimeout;
        }

        /** Parallel samples (default: the number of cores). */
        public B optWorkers(int workers) {
            this.workers = Checks.workers(workers);
            return self();
        }

        /**
         * Per-sample time budget (default: the executor's {@code DEFAULT_TIMEOUT}, 3 s for the
         * Python program as human-eval, 10 s for a Java run with its JVM start).
         */
        public B optTimeout(Duration timeout) {
            this.timeout = Checks.positive(timeout, "timeout");
            return self();
        }

        /** Isolation (default {@link Sandbox#detect()}). */
        public B optSandbox(Sandbox sandbox) {
            this.sandbox = Checks.notNull(sandbox, "sandbox");
            return self();
        }

        /** Where per-sample directories are created (default: a temporary directory). */
        public B optWorkDir(Path dir) {
            this.workDir = Checks.notNull(dir, "work directory");
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
        private B self() {
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
