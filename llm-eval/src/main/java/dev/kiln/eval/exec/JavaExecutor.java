package dev.kiln.eval.exec;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.KilnEnvironmentException;
import dev.kiln.eval.exec.internal.JavaCompileServer;
import dev.kiln.eval.exec.internal.JavaSampleRunner;
import dev.kiln.eval.exec.internal.ProcessRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Java test programs: compiled by long-lived {@code javax.tools} compile workers (separate
 * JVMs kept warm; one whose compile hangs past the compile timeout is killed and restarted), then
 * run with {@code java -ea} in a fresh, small child JVM per sample inside the {@link Sandbox}.
 *
 * <p>The child JVM starts from an AppCDS archive of the runner created once per executor, with
 * {@code -Xmx256m}, the serial GC and C1 only, so a run costs a JVM start (~0.1 s) rather than
 * {@code java Main.java}'s in-process compile. The sample passes only if {@code main} returned
 * and the run's nonce (read from stdin by the runner, never in a file, argv or the environment)
 * was printed after it; {@code System.exit(0)} fails.
 *
 * <p>Budget (documented defaults): {@link #DEFAULT_COMPILE_TIMEOUT} (30 s) per compile and
 * {@link #DEFAULT_TIMEOUT} (10 s) per run, JVM start included; CPU time 2x the run budget
 * (JIT and GC threads); 256 MiB heap; 64 MiB file size; 256 processes/threads (FULL isolation).
 *
 * <pre>{@code
 * try (JavaExecutor java = JavaExecutor.builder().optWorkers(2).build()) {
 *     Problem p = HumanEval.java().get("Java/0");
 *     System.out.println(java.execute(p.program(p.canonicalSolution())).result());   // passed
 * }
 * }</pre>
 */
public final class JavaExecutor extends AbstractExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(JavaExecutor.class);

    /** Run budget per sample, including its JVM start. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Compile budget per sample. */
    public static final Duration DEFAULT_COMPILE_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern PUBLIC_CLASS =
            Pattern.compile("(?m)^\\s*public\\s+(?:final\\s+|abstract\\s+)*(?:class|interface|enum|record)\\s+(\\w+)");
    private static final Pattern CLASS = Pattern.compile("\\b(?:class|interface|enum|record)\\s+(\\w+)");
    private static final Pattern MAIN = Pattern.compile("\\bstatic\\s+void\\s+main\\s*\\(");

    private final Path java;
    private final Duration timeout;
    private final Duration compileTimeout;
    private final Path runnerDir;
    private final Path archive;
    private final BlockingQueue<CompileWorker> compilers;
    private final List<CompileWorker> allCompilers = new ArrayList<>();

    private JavaExecutor(Builder b, Path java) {
        super(b, "kiln-java-");
        this.java = java;
        this.timeout = b.timeout;
        this.compileTimeout = b.compileTimeout;
        try {
            // A jar, not a directory: class-data sharing only archives classes from jars.
            this.runnerDir = workRoot.resolve("runner.jar");
            String res = JavaSampleRunner.class.getName().replace('.', '/');
            try (java.util.jar.JarOutputStream jar =
                    new java.util.jar.JarOutputStream(Files.newOutputStream(runnerDir))) {
                for (String cls : List.of(res + ".class", res + "$Warmup.class")) {
                    try (InputStream in = JavaSampleRunner.class.getResourceAsStream("/" + cls)) {
                        if (in == null) {
                            throw new IllegalStateException("class file " + cls + " is missing from llm-eval's jar");
                        }
                        jar.putNextEntry(new java.util.jar.JarEntry(cls));
                        jar.write(in.readAllBytes());
                        jar.closeEntry();
                    }
                }
            }
            runnerDir.toFile().setReadable(true, false);
            this.archive = createArchive();
            String cp = classPathOf(JavaCompileServer.class);
            this.compilers = new ArrayBlockingQueue<>(b.compileWorkers);
            for (int i = 0; i < b.compileWorkers; i++) {
                CompileWorker w = new CompileWorker(java, cp);
                allCompilers.add(w);
                compilers.add(w);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the Java executor: " + e.getMessage(), e);
        }
    }

    /** A builder; the running JDK compiles the samples. */
    public static Builder builder() {
        return new Builder();
    }

    /** The per-sample run budget. */
    public Duration timeout() {
        return timeout;
    }

    /** Whether the runner's class-data-sharing archive could be created. */
    public boolean usesClassDataSharing() {
        return archive != null;
    }

    private Path createArchive() throws IOException {
        Path jsa = workRoot.resolve("runner.jsa");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-XX:ArchiveClassesAtExit=" + jsa));
        cmd.addAll(jvmFlags(null));
        cmd.add("--kiln-warmup");
        ProcessRun.Result r = ProcessRun.run(
                cmd, workRoot, Map.of("PATH", "/usr/bin:/bin"), null, Duration.ofSeconds(60), null, 8192);
        if (r.exitCode() != 0 || !Files.exists(jsa)) {
            LOG.warn(
                    "no class-data-sharing archive for the Java runner (exit {}): {}",
                    r.exitCode(),
                    r.stderr().strip());
            return null;
        }
        jsa.toFile().setReadable(true, false);
        return jsa;
    }

    /** Flags of the child JVM up to and including the runner's main class. */
    private List<String> jvmFlags(String sampleClassPath) {
        List<String> f = new ArrayList<>(List.of(
                "-ea",
                "-Xmx256m",
                "-Xss8m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:CICompilerCount=1",
                "-XX:ReservedCodeCacheSize=32m",
                "-XX:CompressedClassSpaceSize=64m",
                "-XX:MaxMetaspaceSize=128m",
                "-XX:-UsePerfData",
                "-XX:+DisableAttachMechanism",
                "-Xshare:auto"));
        if (archive != null && sampleClassPath != null) {
            f.add("-XX:SharedArchiveFile=" + archive);
        }
        f.add("-cp");
        f.add(sampleClassPath == null ? runnerDir.toString() : runnerDir + ":" + sampleClassPath);
        f.add(JavaSampleRunner.class.getName());
        return f;
    }

    @Override
    ExecOutcome run(String program, Path dir, int uid, long startNanos) throws IOException {
        String mainClass = mainClass(program);
        Matcher pub = PUBLIC_CLASS.matcher(program);
        String fileName = (pub.find() ? pub.group(1) : mainClass) + ".java";
        Path src = dir.resolve(fileName);
        Files.writeString(src, program, StandardCharsets.UTF_8);
        CompileWorker.Result compiled;
        CompileWorker worker;
        try {
            worker = compilers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a compile worker", e);
        }
        try {
            compiled = worker.compile(dir, fileName, compileTimeout);
        } finally {
            compilers.add(worker);
        }
        long compiledAt = System.nanoTime();
        if (compiled.timedOut()) {
            return new ExecOutcome(ExecOutcome.Status.TIMED_OUT, "compile", millisSince(startNanos));
        }
        if (compiled.error() != null) {
            return new ExecOutcome(ExecOutcome.Status.COMPILE_ERROR, compiled.error(), millisSince(startNanos));
        }
        openUp(dir);
        List<String> jvm = new ArrayList<>();
        jvm.add(java.toString());
        jvm.addAll(jvmFlags(visibleDir(dir)));
        jvm.add(mainClass);
        long cpu = Math.max(2, timeout.toSeconds() * 2);
        List<String> cmd = sandbox.wrap(jvm, dir, uid, new Sandbox.Limits(cpu, 0, 64L << 20, 256));
        ExecOutcome o = runSample(cmd, dir, baseEnv(dir), timeout, startNanos);
        LOG.debug(
                "java sample: compile {} ms, run {} ms",
                (compiledAt - startNanos) / 1_000_000,
                millisSince(compiledAt));
        return o;
    }

    /** The class whose body holds {@code static void main(}: the last class declared before it. */
    static String mainClass(String program) {
        Matcher main = MAIN.matcher(program);
        int at = main.find() ? main.start() : program.length();
        Matcher cls = CLASS.matcher(program);
        String name = null;
        while (cls.find() && cls.start() < at) {
            name = cls.group(1);
        }
        return name == null ? "Main" : name;
    }

    private static String classPathOf(Class<?> c) throws IOException {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot locate llm-eval's classes for the compile worker", e);
        }
    }

    @Override
    public void close() {
        for (CompileWorker w : allCompilers) {
            w.close();
        }
        super.close();
    }

    /** Finds {@code java} of the running JDK and checks that it has a compiler. */
    static Path findJava() {
        Path home = Path.of(System.getProperty("java.home"));
        Path java = home.resolve("bin/java");
        if (javax.tools.ToolProvider.getSystemJavaCompiler() == null || !Files.isExecutable(java)) {
            throw new KilnEnvironmentException(
                    "no Java compiler: Kiln runs on a JRE at " + home + " (javax.tools has no system compiler)",
                    "run Kiln with a full JDK 25 (e.g. 'apt-get install temurin-25-jdk' or set JAVA_HOME to a JDK)");
        }
        return java;
    }

    /** Builder; values are checked when set. */
    public static final class Builder extends CompilingBuilder<Builder> {
        private int compileWorkers = -1;

        private Builder() {
            super(DEFAULT_TIMEOUT, DEFAULT_COMPILE_TIMEOUT);
        }

        /** Warm compile JVMs (default: min(workers, 2)). */
        public Builder optCompileWorkers(int n) {
            requireArgument(n >= 1 && n <= 64, "compile workers must be in [1, 64], got %s", n);
            this.compileWorkers = n;
            return this;
        }

        /** @throws KilnEnvironmentException when the running Java has no compiler */
        public JavaExecutor build() {
            Path java = findJava();
            if (compileWorkers < 0) {
                compileWorkers = Math.min(workers(), 2);
            }
            return new JavaExecutor(this, java);
        }
    }
}
