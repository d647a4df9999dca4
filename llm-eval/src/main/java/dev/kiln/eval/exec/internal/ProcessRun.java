package dev.kiln.eval.exec.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one child process: scrubbed environment, given bytes on stdin (then EOF), stdout and
 * stderr drained on their own threads with a cap, a wall-clock timeout that kills the whole
 * process tree (and, for untrusted commands, everything they started), and a scan of stdout for a
 * nonce. Every child process of llm-eval's executors and sandbox probes runs through here.
 */
public final class ProcessRun {

    private ProcessRun() {}

    /**
     * @param exitCode the process's exit status (-1 when killed for the timeout)
     * @param timedOut whether the timeout fired
     * @param nonceSeen whether the nonce appeared on stdout
     * @param stdout the first {@code cap} bytes of stdout
     * @param stderr the first {@code cap} bytes of stderr
     * @param stderrTail the last bytes of stderr
     */
    public record Result(
            int exitCode, boolean timedOut, boolean nonceSeen, String stdout, String stderr, String stderrTail) {}

    /**
     * Runs {@code cmd}.
     *
     * @param cwd working directory, or null for the current one
     * @param env the complete environment (nothing is inherited)
     * @param stdin bytes written to standard input before it is closed, or null for none
     * @param nonce bytes to look for on stdout, or null
     * @param cap bytes of each output stream kept
     */
    public static Result run(
            List<String> cmd, Path cwd, Map<String, String> env, byte[] stdin, Duration timeout, byte[] nonce, int cap)
            throws IOException {
        return run(cmd, cwd, env, stdin, timeout, nonce, cap, false);
    }

    /**
     * As {@link #run(List, Path, Map, byte[], Duration, byte[], int)}, for a command that may leave
     * processes behind. With {@code killAll} the child gets one more environment variable, {@code
     * KILN_RUN} (a random tag of this run, inherited by whatever it starts), and when the run ends
     * -- exited or timed out -- its process group, its descendants and every process carrying the
     * tag are killed, so children that started a session of their own or were orphaned by a double
     * fork go too. Only a process that dropped its environment on purpose escapes the tag (PID
     * namespaces, as in {@code Sandbox.Isolation.FULL}, leave none).
     *
     * <p>The command must be a process group leader (e.g. started through {@code setsid}).
     */
    public static Result run(
            List<String> cmd,
            Path cwd,
            Map<String, String> env,
            byte[] stdin,
            Duration timeout,
            byte[] nonce,
            int cap,
            boolean killAll)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(env);
        Tag tag = null;
        if (killAll) {
            String t = newTag();
            pb.environment().put(TAG_VARIABLE, t);
            tag = new Tag((TAG_VARIABLE + "=" + t).getBytes(StandardCharsets.US_ASCII), Proc.forks());
        }
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.redirectInput(
                stdin == null
                        ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                        : ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        Drain out = new Drain(p.getInputStream(), cap, nonce);
        Drain err = new Drain(p.getErrorStream(), cap, null);
        Thread tOut = Thread.ofPlatform().daemon().name("kiln-drain-out").start(out);
        Thread tErr = Thread.ofPlatform().daemon().name("kiln-drain-err").start(err);
        if (stdin != null) {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // the child exited before reading: its exit status tells
            }
        }
        boolean done;
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            killTree(p, tag);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + cmd.get(0), e);
        }
        if (!done || killAll) {
            killTree(p, tag);
        }
        try {
            // Output of grandchildren that escaped the tree could keep the pipes open: bounded wait.
            tOut.join(10_000);
            tErr.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.close();
        err.close();
        int exit = done ? p.exitValue() : -1;
        return new Result(exit, !done, out.nonceSeen(), out.head(), err.head(), err.tail());
    }

    private static final String TAG_VARIABLE = "KILN_RUN";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static String newTag() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Kills {@code p} and what it started: its descendants (listed before anything is killed, while
     * the tree is intact), its process group and, with a {@code tag}, every process whose
     * environment holds it.
     */
    private static void killTree(Process p, Tag tag) {
        // Deepest first is not needed: in a PID namespace killing its first process kills the rest.
        List<ProcessHandle> tree = p.descendants().toList();
        if (tag != null) {
            try {
                new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                // fall through to the descendants
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        if (tag != null) {
            killTagged(tag, p.pid());
        }
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A run's tag: the {@code NAME=value} bytes in its processes' environment, and the machine's
     * fork count when it started (-1 when unknown).
     */
    private record Tag(byte[] entry, long forksAtStart) {}

    /**
     * Kills every process whose environment holds the tag, scanning until none is left (a process
     * may fork while the scan runs) or for a bounded number of rounds. Only processes created
     * since the run's first one ({@code firstPid}) can hold it, and Linux hands out pids in
     * increasing order (wrapping at pid_max): when few processes were created since, only the pids
     * from {@code firstPid} to the last one handed out are looked at, else all of /proc.
     */
    private static void killTagged(Tag tag, long firstPid) {
        if (!Files.isDirectory(Proc.ROOT)) {
            return;
        }
        long self = ProcessHandle.current().pid();
        for (int round = 0; round < 100; round++) {
            List<Long> tagged = new ArrayList<>();
            boolean unsure = false;
            for (long pid : Proc.createdSince(firstPid, tag.forksAtStart())) {
                if (pid != self) {
                    Boolean holds = Proc.environmentHolds(pid, tag.entry());
                    if (holds == null) {
                        unsure = true;
                    } else if (holds) {
                        tagged.add(pid);
                    }
                }
            }
            if (tagged.isEmpty()) {
                if (!unsure) {
                    return;
                }
                // A process in the middle of execve shows an empty environment for a moment (the
                // new image's is not set up yet): look again shortly rather than let it go.
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            for (long pid : tagged) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** What Linux's /proc tells about processes; every read answers -1 or empty when it cannot. */
    static final class Proc {
        static final Path ROOT = Path.of("/proc");
        private static final long PID_MAX = readLong(ROOT.resolve("sys/kernel/pid_max"));
        /** Above this many pids to look at, listing /proc is cheaper. */
        private static final int MAX_RANGE = 4096;

        /** Processes and threads created on the machine since boot (/proc/stat), or -1. */
        static long forks() {
            try {
                for (String line : Files.readAllLines(ROOT.resolve("stat"), StandardCharsets.US_ASCII)) {
                    if (line.startsWith("processes ")) {
                        return Long.parseLong(line.substring(10).strip());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or an unexpected format: the callers fall back
            }
            return -1;
        }

        /**
         * The pids that may belong to processes created since {@code firstPid} was: a range of
         * pids when at most {@value #MAX_RANGE} were handed out since and the allocator cannot
         * have wrapped past {@code firstPid}, else every pid in /proc.
         */
        static List<Long> createdSince(long firstPid, long forksAtStart) {
            long forks = forks();
            long[] load = loadavg();
            long threads = load[0];
            long last = load[1];
            if (forksAtStart >= 0 && forks >= forksAtStart && last > 0 && PID_MAX > 0 && threads >= 0) {
                long created = forks - forksAtStart;
                // To wrap past firstPid the allocator would step over every pid: those handed out
                // since plus those in use.
                if (created <= MAX_RANGE && created + threads < PID_MAX) {
                    List<Long> pids = range(firstPid, last, PID_MAX);
                    if (pids != null) {
                        return pids;
                    }
                }
            }
            return all();
        }

        /**
         * The pids from {@code first} to {@code last} as the allocator hands them out (up to
         * {@code pidMax - 1}, then from 1 again), or null when they are more than {@value
         * #MAX_RANGE}.
         */
        static List<Long> range(long first, long last, long pidMax) {
            // Pids run from 1 to pidMax - 1: a circle of pidMax - 1 values.
            long span = Math.floorMod(last - first, pidMax - 1);
            if (span > MAX_RANGE) {
                return null;
            }
            List<Long> pids = new ArrayList<>((int) span + 1);
            for (long i = 0; i <= span; i++) {
                long pid = first + i;
                pids.add(pid >= pidMax ? pid - (pidMax - 1) : pid);
            }
            return pids;
        }

        private static List<Long> all() {
            List<Long> pids = new ArrayList<>();
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ROOT)) {
                for (Path dir : dirs) {
                    String name = dir.getFileName().toString();
                    if (!name.isEmpty() && name.length() < 19 && name.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        pids.add(Long.parseLong(name));
                    }
                }
            } catch (IOException | DirectoryIteratorException e) {
                // nothing to scan
            }
            return pids;
        }

        /**
         * From /proc/loadavg ("... running/total lastpid"): the threads alive and the last pid
         * handed out, each -1 when unknown. (Read here rather than sys/kernel/ns_last_pid, which
         * some containers do not keep.)
         */
        private static long[] loadavg() {
            try {
                String[] f = Files.readString(ROOT.resolve("loadavg"), StandardCharsets.US_ASCII)
                        .strip()
                        .split(" ");
                return new long[] {Long.parseLong(f[3].substring(f[3].indexOf('/') + 1)), Long.parseLong(f[4])};
            } catch (IOException | RuntimeException e) {
                return new long[] {-1, -1};
            }
        }

        /** A number in a sysctl file, read in one call: those files answer nothing at an offset. */
        private static long readLong(Path file) {
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[64];
                int n = in.read(buf);
                return Long.parseLong(new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII).strip());
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /**
         * Whether {@code entry} is one of the NUL-separated NAME=value strings of the environment of
         * {@code pid}; null when that cannot be told yet (a live process showing an empty
         * environment, as one does for a moment inside execve).
         */
        static Boolean environmentHolds(long pid, byte[] entry) {
            byte[] env;
            try {
                env = Files.readAllBytes(ROOT.resolve(Long.toString(pid)).resolve("environ"));
            } catch (IOException | SecurityException e) {
                return false; // gone, or not ours to read (then not ours to have started either)
            }
            if (env.length == 0) {
                return isLiveUserProcess(pid) ? null : false;
            }
            for (int start = 0; start < env.length; ) {
                int end = start;
                while (end < env.length && env[end] != 0) {
                    end++;
                }
                if (end - start == entry.length && Arrays.equals(env, start, end, entry, 0, entry.length)) {
                    return true;
                }
                start = end + 1;
            }
            return false;
        }

        /** Linux's PF_KTHREAD in /proc/PID/stat's flags. */
        private static final long KERNEL_THREAD = 0x00200000L;

        /**
         * Whether {@code pid} is a process that can have an environment: neither a kernel thread
         * nor a zombie (both show an empty one for good).
         */
        private static boolean isLiveUserProcess(long pid) {
            try {
                String stat =
                        Files.readString(ROOT.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
                // "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": comm may hold spaces and parentheses
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                char state = f[0].charAt(0);
                long flags = Long.parseLong(f[6]);
                return state != 'Z' && state != 'X' && (flags & KERNEL_THREAD) == 0;
            } catch (IOException | RuntimeException e) {
                return false; // gone
            }
        }
    }

    /** Deletes a file or directory tree; missing is fine; never follows links. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                // e.g. a directory without permissions: make it accessible and retry once
                file.toFile().setReadable(true);
                file.toFile().setExecutable(true);
                file.toFile().setWritable(true);
                if (Files.isDirectory(file)) {
                    deleteTree(file);
                } else {
                    Files.deleteIfExists(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Reads a stream to its end, keeping a capped head, a small tail, and matching a nonce. */
    static final class Drain implements Runnable {
        private static final int TAIL = 4096;
        private final InputStream in;
        private final int cap;
        private final ByteArrayOutputStream head = new ByteArrayOutputStream();
        private final byte[] tail = new byte[TAIL];
        private long total;
        private final byte[] nonce;
        private final int[] failure;
        private int matched;
        private volatile boolean seen;

        Drain(InputStream in, int cap, byte[] nonce) {
            this.in = in;
            this.cap = cap;
            this.nonce = nonce;
            this.failure = nonce == null ? null : failureTable(nonce);
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (this) {
                        int keep = (int) Math.min(n, Math.max(0, cap - head.size()));
                        head.write(buf, 0, keep);
                        for (int i = 0; i < n; i++) {
                            tail[(int) ((total + i) % TAIL)] = buf[i];
                        }
                        total += n;
                        if (nonce != null && !seen) {
                            scan(buf, n);
                        }
                    }
                }
            } catch (IOException e) {
                // closed: the process is gone
            }
        }

        private void scan(byte[] buf, int n) {
            for (int i = 0; i < n && !seen; i++) {
                byte b = buf[i];
                while (matched > 0 && nonce[matched] != b) {
                    matched = failure[matched - 1];
                }
                if (nonce[matched] == b) {
                    matched++;
                }
                if (matched == nonce.length) {
                    seen = true;
                }
            }
        }

        private static int[] failureTable(byte[] p) {
            int[] f = new int[p.length];
            int k = 0;
            for (int i = 1; i < p.length; i++) {
                while (k > 0 && p[k] != p[i]) {
                    k = f[k - 1];
                }
                if (p[k] == p[i]) {
                    k++;
                }
                f[i] = k;
            }
            return f;
        }

        boolean nonceSeen() {
            return seen;
        }

        synchronized String head() {
            return head.toString(StandardCharsets.UTF_8);
        }

        synchronized String tail() {
            int len = (int) Math.min(total, TAIL);
            byte[] out = new byte[len];
            long start = total - len;
            for (int i = 0; i < len; i++) {
                out[i] = tail[(int) ((start + i) % TAIL)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }

        void close() {
            try {
                in.close();
            } catch (IOException e) {
                // ignore
            }
        }
    }
}
