package dev.kiln.bench.dedup;

import dev.kiln.bench.BenchCli;
import dev.kiln.data.dedup.NearDedup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Quality and speed of near deduplication on a near-duplicate corpus built from the JDK's src.zip
 * ({@link NearDupCorpus}) against exact ground truth ({@link NearDupTruth}).
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.dedup.DedupQuality \
 *      --dir /tmp/neardup --originals 3500 --copies 3500 --seed 1 [--corpus jdk|python|npm] [--runs 3] [--verify exact]
 *      [--jvm-opts "-XX:AOTCache=kiln.aot -XX:TieredStopAtLevel=1"]
 * </pre>
 *
 * {@code --verify}, {@code --threads} and {@code --bands} go to each {@link DedupRunner} run.
 *
 * The timed part is a fresh JVM ({@link DedupRunner}) per run: wall time includes JVM start,
 * reading every file, signatures, clustering and writing the removed ids. {@code --reference CMD}
 * runs {@code CMD CORPUS_DIR OUT} (e.g. {@code compare/neardup_datasketch.py}) after each Kiln run,
 * so both see the same machine load, and prints both scores and the ratio of the median times.
 * {@code --jvm-opts} are options of the Kiln JVM (space-separated), e.g. an AOT cache.
 */
@Command(
        name = "DedupQuality",
        mixinStandardHelpOptions = true,
        description = "Near-dedup quality (precision, recall, F1 against exact truth) and end-to-end speed on a"
                + " near-duplicate corpus, optionally side by side with a reference command.")
public final class DedupQuality implements Callable<Integer> {

    @Option(
            names = "--dir",
            defaultValue = "/tmp/kiln-neardup",
            description = "the corpus directory; written first when it has no truth.txt (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--originals", defaultValue = "3500", description = "original files (default: ${DEFAULT-VALUE})")
    int originals;

    @Option(names = "--copies", defaultValue = "3500", description = "mutated copies (default: ${DEFAULT-VALUE})")
    int copies;

    @Option(names = "--seed", defaultValue = "1", description = "the corpus's seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--runs",
            defaultValue = "3",
            description = "timed runs, alternating with the reference (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--corpus", defaultValue = "jdk", description = "jdk, python or npm (default: ${DEFAULT-VALUE})")
    String kind;

    @Option(
            names = "--npm-root",
            defaultValue = "/usr/lib/node_modules",
            description = "where the npm corpus reads JavaScript (default: ${DEFAULT-VALUE})")
    Path npmRoot;

    @Option(names = "--reference", description = "a command run as CMD CORPUS_DIR OUT after each Kiln run")
    String reference;

    @Option(names = "--verify", description = "DedupRunner's --verify: auto, exact or estimate")
    String verify;

    @Option(names = "--threads", description = "DedupRunner's --threads")
    Integer threads;

    @Option(names = "--bands", converter = Bands.Converter.class, description = "DedupRunner's --bands BANDSxROWS")
    Bands bands;

    @Option(
            names = "--jvm-opts",
            description = "options of the Kiln JVM, space-separated, e.g. \"-XX:AOTCache=kiln.aot\"")
    String jvmOptions;

    @Spec
    CommandSpec spec;

    private DedupQuality() {}

    /** Precision, recall and F1 of a removed set against the truth. */
    public record Score(int truth, int removed, int correct) {
        public double precision() {
            return removed == 0 ? 1 : (double) correct / removed;
        }

        public double recall() {
            return truth == 0 ? 1 : (double) correct / truth;
        }

        public double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "truth %d, removed %d, correct %d: precision %.4f recall %.4f F1 %.4f",
                    truth,
                    removed,
                    correct,
                    precision(),
                    recall(),
                    f1());
        }
    }

    public static Score score(Set<String> truth, Set<String> removed) {
        int correct = 0;
        for (String id : removed) {
            if (truth.contains(id)) {
                correct++;
            }
        }
        return new Score(truth.size(), removed.size(), correct);
    }

    /**
     * Builds a corpus: {@code jdk} (the tuning corpus: {@code src.zip} + {@link
     * NearDupCorpus#mutate}), {@code python} (one module from every Python's stdlib, {@code
     * originals} modules) or {@code npm} ({@code /usr/lib/node_modules} or {@code npmRoot}, with
     * {@link HeldOutCorpora#blockEdits}).
     */
    public static List<NearDupCorpus.Doc> corpus(String kind, int originals, int copies, long seed, Path npmRoot)
            throws IOException {
        return switch (kind) {
            case "jdk" -> NearDupCorpus.build(NearDupCorpus.jdkSrcZip(), originals, copies, seed);
            case "python" -> HeldOutCorpora.pythonVersions(HeldOutCorpora.pythonStdlibs(), originals, seed);
            case "npm" -> HeldOutCorpora.npm(npmRoot, originals, copies, seed);
            default -> throw new IllegalArgumentException("unknown corpus '" + kind + "'; use jdk, python or npm");
        };
    }

    /** Writes the corpus and its truth under {@code dir} (unless already there). */
    public static void prepare(Path dir, List<NearDupCorpus.Doc> docs) throws IOException {
        if (Files.exists(dir.resolve("truth.txt"))) {
            return;
        }
        Files.createDirectories(dir.resolve("docs"));
        List<String> ids = new ArrayList<>();
        List<String> contents = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            ids.add(docs.get(i).id());
            contents.add(docs.get(i).content());
            Files.writeString(
                    dir.resolve("docs").resolve(String.format("%06d.txt", i)),
                    docs.get(i).content());
        }
        Files.write(dir.resolve("ids.txt"), ids, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        BitSet dup = NearDupTruth.duplicates(contents, 5, 0.7);
        List<String> truth = new ArrayList<>();
        for (int i = dup.nextSetBit(0); i >= 0; i = dup.nextSetBit(i + 1)) {
            truth.add(ids.get(i));
        }
        Files.write(dir.resolve("truth.txt"), truth, StandardCharsets.UTF_8);
        System.err.printf(
                "corpus: %d docs, %.1f MB, %d true duplicates (truth in %d ms)%n",
                docs.size(),
                contents.stream().mapToLong(String::length).sum() / 1e6,
                truth.size(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    public static void main(String[] args) {
        BenchCli.run(new DedupQuality(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (!List.of("jdk", "python", "npm").contains(kind)) {
            throw BenchCli.bad(spec, "--corpus must be jdk, python or npm, got '%s'", kind);
        }
        if (runs < 1 || originals < 1 || copies < 0) {
            throw BenchCli.bad(
                    spec,
                    "--runs and --originals must be >= 1, --copies >= 0; got %d, %d, %d",
                    runs,
                    originals,
                    copies);
        }
        if (verify != null) {
            NearDedup.Verify.parse(verify); // a bad mode stops here, not in the first timed run
        }
        List<String> extra = new ArrayList<>();
        if (verify != null) {
            extra.addAll(List.of("--verify", verify));
        }
        if (threads != null) {
            extra.addAll(List.of("--threads", threads.toString()));
        }
        if (bands != null) {
            extra.addAll(List.of("--bands", bands.toString()));
        }
        if (!Files.exists(dir.resolve("truth.txt"))) {
            prepare(dir, corpus(kind, originals, copies, seed, npmRoot));
        }
        long bytes = 0;
        try (var s = Files.list(dir.resolve("docs"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                bytes += Files.size(p);
            }
        }
        Set<String> truth = new HashSet<>(Files.readAllLines(dir.resolve("truth.txt")));
        Path removedFile = dir.resolve("removed.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> kiln = new ArrayList<>(List.of(java));
        if (jvmOptions != null) {
            for (String o : jvmOptions.strip().split("\\s+")) {
                if (!o.isEmpty()) {
                    kiln.add(o);
                }
            }
        }
        kiln.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                DedupRunner.class.getName(),
                dir.toString(),
                removedFile.toString()));
        kiln.addAll(extra);
        List<String> ref = reference == null
                ? null
                : List.of(
                        "bash",
                        "-c",
                        reference + " \"$0\" \"$1\"",
                        dir.toString(),
                        dir.resolve("removed-ref.txt").toString());
        double[] kilnSecs = new double[runs];
        double[] refSecs = new double[runs];
        double[] kilnCpu = new double[runs];
        double[] refCpu = new double[runs];
        Score kilnScore = null;
        Score refScore = null;
        for (int r = 0; r < runs; r++) {
            // side by side: the two alternate, so both see the same machine load
            double[] t = timed(kiln);
            kilnSecs[r] = t[0];
            kilnCpu[r] = t[1];
            kilnScore = score(truth, new HashSet<>(Files.readAllLines(removedFile)));
            System.out.printf(
                    Locale.ROOT,
                    "run %d: kiln %.2f s wall (incl. JVM start), %.2f s CPU, for %.1f MB = %.1f MB/s; %s%n",
                    r + 1,
                    kilnSecs[r],
                    kilnCpu[r],
                    bytes / 1e6,
                    bytes / 1e6 / kilnSecs[r],
                    kilnScore);
            if (ref != null) {
                t = timed(ref);
                refSecs[r] = t[0];
                refCpu[r] = t[1];
                refScore = score(truth, new HashSet<>(Files.readAllLines(dir.resolve("removed-ref.txt"))));
                System.out.printf(
                        Locale.ROOT,
                        "run %d: reference %.2f s wall, %.2f s CPU; %s%n",
                        r + 1,
                        refSecs[r],
                        refCpu[r],
                        refScore);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%s: %d docs, %.1f MB: kiln median %.2f s wall, %.2f s CPU; %s%n",
                dir,
                Files.readAllLines(dir.resolve("ids.txt")).size(),
                bytes / 1e6,
                median(kilnSecs),
                median(kilnCpu),
                kilnScore);
        if (ref != null) {
            System.out.printf(
                    Locale.ROOT,
                    "%s: reference median %.2f s wall, %.2f s CPU; %s; kiln/reference: wall %.3f, CPU %.3f%n",
                    dir,
                    median(refSecs),
                    median(refCpu),
                    refScore,
                    median(kilnSecs) / median(refSecs),
                    median(kilnCpu) / median(refCpu));
        }
        return 0;
    }

    /** Runs {@code cmd}; returns {wall seconds, CPU seconds of it and its children (user + system)}. */
    private static double[] timed(List<String> cmd) throws IOException, InterruptedException {
        Path times = Files.createTempFile("dedup-time", ".txt");
        List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-f", "%U %S", "-o", times.toString()));
        full.addAll(cmd);
        boolean haveTime = Files.isExecutable(Path.of("/usr/bin/time"));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(haveTime ? full : cmd).inheritIO().start();
        int rc = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException(cmd.get(0) + " ... failed with exit code " + rc);
        }
        double cpu = Double.NaN;
        if (haveTime) {
            String[] f = Files.readString(times).trim().split("\\s+");
            cpu = Double.parseDouble(f[f.length - 2]) + Double.parseDouble(f[f.length - 1]);
        }
        Files.deleteIfExists(times);
        return new double[] {wall, cpu};
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
