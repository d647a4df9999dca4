package dev.kiln.bench.dedup;

import dev.kiln.bench.BenchCli;
import dev.kiln.core.Document;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.dedup.NearDedup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The timed end-to-end run: reads a corpus directory written by {@link DedupQuality} lazily, runs
 * {@link NearDedup} with default settings (or {@code --verify exact}), and writes the removed ids.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.dedup.DedupRunner CORPUS_DIR removed.txt [--verify exact]
 *      [--threads N] [--bands 25x10]
 * </pre>
 *
 * <p>This is the timed process, so its own start-up counts against Kiln: the usual forms ({@code
 * CORPUS_DIR OUT} with any of the three options, each followed by its value) are read by {@link
 * #quickParse} without picocli, whose set-up (~0.2 s of reflection, annotation proxies and a jar
 * search on the benchmarks' long class path; its Java 5 classes cannot go into an AOT cache) would
 * otherwise be a fifth of a run on the small corpora. Anything else ({@code --help}, a bad value,
 * an unknown option) goes through picocli, which prints the usage or the one-line error.
 */
@Command(
        name = "DedupRunner",
        mixinStandardHelpOptions = true,
        description = "Runs NearDedup over a corpus directory written by DedupQuality; writes the removed ids.")
public final class DedupRunner implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CORPUS_DIR", description = "a directory written by DedupQuality")
    Path dir;

    @Parameters(index = "1", paramLabel = "OUT", description = "the file of removed ids to write")
    Path out;

    @Option(names = "--verify", description = "auto, exact or estimate (default: NearDedup's)")
    String verify;

    @Option(names = "--threads", description = "worker threads (default: NearDedup's)")
    Integer threads;

    @Option(
            names = "--bands",
            converter = Bands.Converter.class,
            description = "LSH layout BANDSxROWS, e.g. 25x10 (default: NearDedup's)")
    Bands bands;

    private static final String SLF4J_PROVIDER = "slf4j.provider";

    private DedupRunner() {}

    public static void main(String[] args) {
        if (System.getProperty(SLF4J_PROVIDER) == null) {
            // the benchmarks' binding, named, so that slf4j does not look for providers in every jar
            // of the class path (a ServiceLoader scan that opens all ~130 of them: ~0.1-0.2 s)
            System.setProperty(SLF4J_PROVIDER, "org.slf4j.simple.SimpleServiceProvider");
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN"); // not its note that it did so
            }
        }
        DedupRunner quick = quickParse(args);
        if (quick == null) {
            BenchCli.run(new DedupRunner(), args);
            return;
        }
        int rc = quick.callReportingErrors();
        if (rc != 0) {
            // only on failure: System.exit looks up the JDK's System.Logger to log the exit, and
            // finding its backend is a ServiceLoader scan of every jar on the class path
            System.exit(rc);
        }
    }

    /** {@link #call}, with failures reported as {@link BenchCli} reports them: one line, exit 1 or 2. */
    private int callReportingErrors() {
        try {
            return call();
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
            String message = t instanceof NoSuchFileException nsf
                    ? "no such file: " + nsf.getFile()
                    : t instanceof IOException ? "I/O error: " + t.getMessage() : t.getMessage();
            System.err.println("DedupRunner: " + message);
            return t instanceof IllegalArgumentException ? 2 : 1;
        }
    }

    /**
     * The arguments without picocli: two positionals and {@code --verify V}, {@code --threads N},
     * {@code --bands BxR} (each value as the next argument, or after {@code =}); null for anything
     * else or a value that does not parse, so that picocli reports it.
     */
    static DedupRunner quickParse(String[] args) {
        DedupRunner r = new DedupRunner();
        List<String> positional = new ArrayList<>(2);
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("-")) {
                    positional.add(a);
                    continue;
                }
                int eq = a.indexOf('=');
                String name = eq < 0 ? a : a.substring(0, eq);
                String value;
                if (eq >= 0) {
                    value = a.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    return null;
                }
                switch (name) {
                    case "--verify" -> {
                        NearDedup.Verify.parse(value);
                        r.verify = value;
                    }
                    case "--threads" -> r.threads = Integer.parseInt(value);
                    case "--bands" -> r.bands = Bands.parse(value);
                    default -> {
                        return null;
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (positional.size() != 2 || (r.threads != null && r.threads < 0)) {
            return null;
        }
        r.dir = Path.of(positional.get(0));
        r.out = Path.of(positional.get(1));
        return r;
    }

    /**
     * {@code NNNNNN.txt}, the name {@link DedupQuality} gives document {@code i}: {@code
     * String.format("%06d.txt", i)} without a {@link java.util.Formatter} per file (its parse of the
     * pattern and its locale look-up cost more than the file's read while the JVM is cold).
     */
    static String fileName(int i) {
        String digits = Integer.toString(i);
        return digits.length() >= 6 ? digits + ".txt" : "000000".substring(digits.length()) + digits + ".txt";
    }

    @Override
    public Integer call() throws IOException {
        NearDedup.Builder b = NearDedup.builder();
        if (verify != null) {
            b.optVerify(NearDedup.Verify.parse(verify));
        }
        if (threads != null) {
            b.optThreads(threads);
        }
        if (bands != null) {
            b.optBands(bands.bands(), bands.rows());
        }
        // one read and a split on '\n' (as the reference script does), not readAllLines' line reader
        List<String> ids = List.of(
                Files.readString(dir.resolve("ids.txt"), StandardCharsets.UTF_8).split("\n"));
        Path docs = dir.resolve("docs");
        Iterable<Document> corpus = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < ids.size();
            }

            @Override
            public Document next() {
                try {
                    String content = Files.readString(docs.resolve(fileName(i)));
                    return Document.of(ids.get(i++), content);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        // not Files.createTempDirectory: its SecureRandom costs tens of milliseconds at start-up
        Path work = Files.createDirectories(Path.of(
                System.getProperty("java.io.tmpdir"),
                "dedup-runner-" + ProcessHandle.current().pid()));
        try {
            DuplicateSet dups = b.build().find(corpus, work);
            List<String> removed = new ArrayList<>();
            for (DuplicateSet.Duplicate d : dups.duplicates()) {
                removed.add(d.id());
            }
            Files.write(out, removed, StandardCharsets.UTF_8);
            var os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            System.err.printf(
                    "dedup runner: process CPU time %.2f s, uptime %.2f s%n",
                    os.getProcessCpuTime() / 1e9,
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
        } finally {
            try (var s = Files.list(work)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(work);
        }
        return 0;
    }
}
