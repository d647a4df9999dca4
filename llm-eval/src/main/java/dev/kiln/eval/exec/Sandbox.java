package dev.kiln.eval.exec;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.eval.exec.internal.ProcessRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How samples are isolated from the host, probed once per JVM with {@link #detect()}.
 *
 * <p>Every sample runs in its own OS process in a fresh temporary directory. On top of that:
 *
 * <ul>
 *   <li>{@link Isolation#FULL} (Linux, running as root with util-linux {@code unshare}, {@code
 *       setpriv}, {@code prlimit}): new mount, network and PID namespaces; the sample's directory
 *       is bind-mounted over {@code /tmp} (so files written to {@code /tmp} vanish with it); the
 *       process runs as an unprivileged uid of its own per worker slot (from {@code 61000} up, each
 *       reserved with a lock file so executors in different JVMs never share one) with {@code
 *       no_new_privs}, so it cannot write outside {@code /tmp} except into
 *       world-writable directories ({@code /var/tmp}, {@code /dev/shm}, {@code /run/lock}), which
 *       are swept of that uid's files after the run; resource limits on CPU time, address space,
 *       file size and process count (per uid, so a fork bomb stops at the limit); no network
 *       (only a down loopback). When the sample's first process ends the kernel kills every other
 *       process of its PID namespace, so nothing is left behind.
 *   <li>{@link Isolation#NAMESPACES} (no root needed: unprivileged user namespaces): {@code unshare
 *       -r -n -p -f --mount-proc}: a user namespace (the sample is "root" only inside it, with the
 *       rights of the executor's user outside), no network, a PID namespace (when the sample's first
 *       process ends the kernel kills everything it started) and a private {@code /proc};
 *       {@code prlimit} for CPU time, memory and file size. Files the executor's user may write are
 *       not protected, and the process count is not limited (RLIMIT_NPROC counts all processes of
 *       the user).
 *   <li>{@link Isolation#LIMITS}: {@code prlimit} only (no namespaces available): network and file
 *       system NOT isolated.
 *   <li>{@link Isolation#NONE}: a plain child process with a timeout (no {@code prlimit}).
 * </ul>
 *
 * <p>Below FULL the sample runs in a session of its own and carries a random per-run tag in its
 * environment ({@code KILN_RUN}); after the run -- finished or timed out -- its process group,
 * its descendants and every process whose environment holds the tag are killed, so children in
 * other sessions or orphaned by a double fork go too. Only a process started with a scrubbed
 * environment on purpose can escape that; FULL's PID namespace leaves nothing to escape.
 *
 * <p>The environment is always scrubbed to a fixed minimal set and standard input is empty.
 *
 * <p>The strongest level available is the default; {@link #select} applies a policy: a level
 * below the minimum (by default {@link Isolation#NAMESPACES}) is refused with a message saying
 * what is missing and how to allow a weaker one, never used silently.
 *
 * <pre>{@code
 * Sandbox sb = Sandbox.select(null, Sandbox.Isolation.NAMESPACES);   // strongest, at least namespaces
 * System.out.println(sb.isolation().id() + ": " + sb.description());
 * }</pre>
 */
public final class Sandbox {

    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    /** Default first uid of the per-slot sandbox users in {@link Isolation#FULL}. */
    public static final int DEFAULT_UID_BASE = 61000;

    /** Levels of isolation, strongest first. */
    public enum Isolation {
        /** A sandbox user per slot (root needed) with namespaces, {@code no_new_privs} and per-uid limits. */
        FULL,
        /**
         * Unprivileged user, PID and network namespaces with {@code prlimit}; the user's own files are not protected.
         */
        NAMESPACES,
        /** {@code prlimit} only: network and file system are NOT isolated. */
        LIMITS,
        /** A plain child process with a timeout: only for trusted code. */
        NONE;

        /** Lower-case name, as in {@code --isolation} and {@code summary.json}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether this level is at least as strong as {@code other}. */
        public boolean atLeast(Isolation other) {
            return ordinal() <= other.ordinal();
        }

        /**
         * Parses {@code full}, {@code namespaces}, {@code limits} or {@code none} (any case).
         *
         * @throws IllegalArgumentException for anything else
         */
        public static Isolation parse(String name) {
            String n = name == null ? "" : name.trim().toUpperCase(java.util.Locale.ROOT);
            for (Isolation i : values()) {
                if (i.name().equals(n)) {
                    return i;
                }
            }
            throw new IllegalArgumentException(
                    "unknown isolation level '" + name + "'; use full, namespaces, limits or none");
        }
    }

    /** World-writable directories that are swept of a slot uid's files after each run. */
    private static final List<Path> SHARED_WRITABLE =
            List.of(Path.of("/var/tmp"), Path.of("/dev/shm"), Path.of("/run/lock"));

    private static volatile Sandbox detected;

    private final Isolation isolation;
    private final int uidBase;
    /** Why the stronger levels are not available (from the probe; empty for {@link #of}). */
    private final List<String> missing;

    private Sandbox(Isolation isolation, int uidBase, List<String> missing) {
        this.isolation = isolation;
        this.uidBase = uidBase;
        this.missing = List.copyOf(missing);
    }

    /** The strongest isolation this machine allows (probed once, then cached). */
    public static Sandbox detect() {
        Sandbox s = detected;
        if (s == null) {
            synchronized (Sandbox.class) {
                s = detected;
                if (s == null) {
                    List<String> missing = new ArrayList<>();
                    s = new Sandbox(probe(missing), DEFAULT_UID_BASE, missing);
                    LOG.info("sandbox: {} ({})", s.isolation, s.description());
                    detected = s;
                }
            }
        }
        return s;
    }

    /**
     * A sandbox at a given level, e.g. {@link Isolation#NONE} to debug. Levels above what {@link
     * #detect()} found fail at run time.
     */
    public static Sandbox of(Isolation isolation) {
        requireArgument(isolation != null, "isolation must not be null");
        return new Sandbox(isolation, DEFAULT_UID_BASE, List.of());
    }

    /**
     * The isolation policy: {@code requested} (null for the strongest available), refused when it
     * is stronger than this machine offers or weaker than {@code minimum}.
     *
     * @throws KilnEnvironmentException saying what is missing and how to allow a weaker level
     */
    public static Sandbox select(Isolation requested, Isolation minimum) {
        requireArgument(minimum != null, "minimum isolation must not be null");
        Sandbox available = detect();
        Isolation level = requested == null ? available.isolation : requested;
        if (!available.isolation.atLeast(level)) {
            throw new dev.kiln.core.KilnEnvironmentException(
                    "isolation '" + level.id() + "' is not available here (the strongest is '"
                            + available.isolation.id() + "': " + available.whyNotStronger() + ")",
                    "run as root for 'full', or ask for --isolation " + available.isolation.id());
        }
        requireAtLeast(level, minimum);
        return level == available.isolation ? available : of(level);
    }

    /**
     * Refuses {@code level} below {@code minimum}.
     *
     * @throws KilnEnvironmentException saying what is missing and how to allow a weaker level
     */
    public static void requireAtLeast(Isolation level, Isolation minimum) {
        if (!level.atLeast(minimum)) {
            Sandbox available = detect();
            String why = level == available.isolation
                    ? "the strongest available here, because " + available.whyNotStronger()
                    : "as requested; '" + available.isolation.id() + "' is available";
            throw new dev.kiln.core.KilnEnvironmentException(
                    "refusing to run model-written code with isolation '" + level.id() + "' (" + why
                            + "), below the minimum '" + minimum.id() + "'",
                    "run as root (full) or enable unprivileged user namespaces (namespaces:"
                            + " sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1), or"
                            + " accept the weaker level with --min-isolation " + level.id()
                            + " (API: optMinIsolation(Isolation." + level.name() + "))");
        }
    }

    /** Why levels stronger than this one are unavailable, as probed ({@code "-"} when unknown). */
    public String whyNotStronger() {
        return missing.isEmpty() ? "-" : String.join("; ", missing);
    }

    /** The same level with another first uid for the per-slot users (FULL only). */
    public Sandbox withUidBase(int uidBase) {
        requireArgument(
                uidBase >= 1000 && uidBase <= 4_000_000, "uid base must be in [1000, 4000000], got %s", uidBase);
        return new Sandbox(isolation, uidBase, missing);
    }

    /** How strongly this sandbox isolates a sample. */
    public Isolation isolation() {
        return isolation;
    }

    /** One line saying what is and is not isolated. */
    public String description() {
        switch (isolation) {
            case FULL:
                return "mount+net+pid namespaces, private /tmp, per-slot uid from " + uidBase
                        + ", no_new_privs, prlimit cpu/as/fsize/nproc";
            case NAMESPACES:
                return "user+net+pid+mount namespaces (no network, nothing left running), prlimit cpu/as/fsize;"
                        + " process count not limited, files of the executor's user not protected";
            case LIMITS:
                return "prlimit cpu/as/fsize only; network and file system NOT isolated (no unshare)";
            default:
                return "NOT isolated: plain child process with a timeout";
        }
    }

    /** Whether a sample writes to its own directory as {@code /tmp} (FULL) or at its real path. */
    boolean privateTmp() {
        return isolation == Isolation.FULL;
    }

    /**
     * Reserves {@code count} sandbox uids for one executor: the first uids from the base whose lock
     * file ({@code /var/tmp/kiln-sandbox-uids/<uid>.lock}, or under java.io.tmpdir) this JVM can
     * lock, so that executors in other JVMs on the machine never share a uid (and its process
     * count, and the sweep of its files). Empty array below FULL isolation.
     */
    UidLease leaseUids(int count) throws IOException {
        if (isolation != Isolation.FULL) {
            return new UidLease(new int[count], List.of());
        }
        Path dir = (Files.isDirectory(Path.of("/var/tmp"))
                        ? Path.of("/var/tmp")
                        : Path.of(System.getProperty("java.io.tmpdir")))
                .resolve("kiln-sandbox-uids");
        Files.createDirectories(dir);
        int[] uids = new int[count];
        List<java.nio.channels.FileChannel> held = new ArrayList<>();
        int next = uidBase;
        for (int i = 0; i < count; i++) {
            while (true) {
                if (next > uidBase + 100_000) {
                    for (java.nio.channels.FileChannel c : held) {
                        c.close();
                    }
                    throw new IOException("no free sandbox uid from " + uidBase);
                }
                int uid = next++;
                java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                        dir.resolve(uid + ".lock"),
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (java.nio.channels.OverlappingFileLockException e) {
                    lock = null; // another executor of this JVM holds it
                }
                if (lock != null) {
                    held.add(ch);
                    uids[i] = uid;
                    break;
                }
                ch.close();
            }
        }
        return new UidLease(uids, held);
    }

    /** Uids reserved by one executor; closing releases them. */
    record UidLease(int[] uids, List<java.nio.channels.FileChannel> locks) implements AutoCloseable {
        @Override
        public void close() {
            for (java.nio.channels.FileChannel c : locks) {
                try {
                    c.close();
                } catch (IOException e) {
                    // released anyway when the JVM exits
                }
            }
        }
    }

    /** Resource limits of one run. */
    record Limits(long cpuSeconds, long addressSpaceBytes, long fileSizeBytes, int processes) {}

    /**
     * The command that runs {@code cmd} in {@code sampleDir} as sandbox user {@code uid}. In FULL
     * mode {@code cmd} sees {@code sampleDir} as {@code /tmp} and starts there.
     */
    List<String> wrap(List<String> cmd, Path sampleDir, int uid, Limits limits) {
        List<String> out = new ArrayList<>();
        switch (isolation) {
            case FULL:
                out.addAll(List.of(
                        "unshare",
                        "--mount",
                        "--net",
                        "--pid",
                        "--fork",
                        "--",
                        "/bin/sh",
                        "-c",
                        "mount --bind \"$1\" /tmp && cd /tmp && shift && exec \"$@\"",
                        "kiln-sandbox",
                        sampleDir.toString()));
                out.addAll(prlimit(limits, limits.processes() > 0));
                out.addAll(List.of(
                        "setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--no-new-privs", "--"));
                break;
            case NAMESPACES:
                out.addAll(List.of("setsid", "unshare", "-r", "-n", "-p", "-f", "--mount-proc", "--"));
                out.addAll(prlimit(limits, false));
                break;
            case LIMITS:
                out.add("setsid");
                out.addAll(prlimit(limits, false));
                break;
            default:
                out.add("setsid");
                break;
        }
        out.addAll(cmd);
        return out;
    }

    /**
     * Like {@link #wrap} for the Python wrapper, which in FULL isolation bind-mounts, sets the
     * limits and drops privileges itself ({@code --sandbox DIR UID CPU AS FSIZE NPROC}), saving
     * the {@code sh}, {@code mount}, {@code prlimit} and {@code setpriv} processes.
     */
    List<String> wrapSelfSandboxing(List<String> interpreterAndWrapper, Path sampleDir, int uid, Limits limits) {
        if (isolation != Isolation.FULL) {
            return wrap(interpreterAndWrapper, sampleDir, uid, limits);
        }
        List<String> out = new ArrayList<>(List.of("unshare", "--mount", "--net", "--pid", "--fork", "--"));
        out.addAll(interpreterAndWrapper);
        out.addAll(List.of(
                "--sandbox",
                sampleDir.toString(),
                Integer.toString(uid),
                Long.toString(limits.cpuSeconds()),
                Long.toString(limits.addressSpaceBytes()),
                Long.toString(limits.fileSizeBytes()),
                Integer.toString(limits.processes())));
        return out;
    }

    private static List<String> prlimit(Limits l, boolean nproc) {
        List<String> out = new ArrayList<>();
        out.add("prlimit");
        out.add("--cpu=" + l.cpuSeconds());
        if (l.addressSpaceBytes() > 0) {
            out.add("--as=" + l.addressSpaceBytes());
        }
        out.add("--fsize=" + l.fileSizeBytes());
        out.add("--core=0");
        if (nproc) {
            out.add("--nproc=" + l.processes());
        }
        out.add("--");
        return out;
    }

    /** Removes what {@code uid} left in world-writable directories (FULL only). */
    void sweep(int uid) {
        if (isolation != Isolation.FULL) {
            return;
        }
        for (Path dir : SHARED_WRITABLE) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : (Iterable<Path>) entries::iterator) {
                    try {
                        Object owner = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                        if (owner instanceof Integer i && i == uid) {
                            ProcessRun.deleteTree(p);
                        }
                    } catch (IOException | UnsupportedOperationException e) {
                        // vanished or unreadable: nothing of ours
                    }
                }
            } catch (IOException e) {
                LOG.debug("cannot sweep {}: {}", dir, e.toString());
            }
        }
    }

    private static Isolation probe(List<String> missing) {
        if (!System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .contains("linux")) {
            missing.add("not Linux (" + System.getProperty("os.name") + ")");
            return Isolation.NONE;
        }
        boolean prlimit = works(List.of("prlimit", "--cpu=5", "--", "/bin/true"), missing);
        boolean root = "root".equals(System.getProperty("user.name")) || isUidZero();
        if (!root) {
            missing.add("'full' needs root (per-slot uids)");
        }
        if (root && prlimit) {
            try {
                Path dir = Files.createTempDirectory("kiln-sandbox-probe");
                try {
                    Files.setPosixFilePermissions(
                            dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
                    Sandbox full = new Sandbox(Isolation.FULL, DEFAULT_UID_BASE, List.of());
                    List<String> cmd = full.wrap(
                            List.of("/bin/sh", "-c", "touch /tmp/probe"), dir, 65534, new Limits(5, 0, 1 << 20, 0));
                    if (works(cmd, missing) && Files.exists(dir.resolve("probe"))) {
                        return Isolation.FULL;
                    }
                    LOG.warn("running as root but the namespace sandbox does not work here (see debug log); "
                            + "falling back to weaker isolation");
                } finally {
                    ProcessRun.deleteTree(dir);
                }
            } catch (IOException e) {
                missing.add("'full' probe failed: " + e.getMessage());
            }
        }
        if (prlimit && works(List.of("unshare", "-r", "-n", "-p", "-f", "--mount-proc", "--", "/bin/true"), missing)) {
            return Isolation.NAMESPACES;
        }
        return prlimit ? Isolation.LIMITS : Isolation.NONE;
    }

    private static boolean isUidZero() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean works(List<String> cmd, List<String> missing) {
        try {
            ProcessRun.Result r = ProcessRun.run(
                    cmd,
                    null,
                    Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                    null,
                    Duration.ofSeconds(10),
                    null,
                    1024);
            if (r.exitCode() != 0 || r.timedOut()) {
                LOG.debug("sandbox probe {} -> exit {}: {}", cmd, r.exitCode(), r.stderr());
                String err = r.stderr().strip();
                int nl = err.indexOf('\n');
                missing.add("'" + cmd.get(0) + (cmd.size() > 1 ? " " + cmd.get(1) : "") + "' failed"
                        + (r.timedOut()
                                ? " (timed out)"
                                : ": "
                                        + (err.isEmpty()
                                                ? "exit " + r.exitCode()
                                                : nl < 0 ? err : err.substring(0, nl))));
                return false;
            }
            return true;
        } catch (IOException e) {
            LOG.debug("sandbox probe {} failed: {}", cmd, e.toString());
            missing.add("'" + cmd.get(0) + "' cannot run: " + e.getMessage());
            return false;
        }
    }
}
