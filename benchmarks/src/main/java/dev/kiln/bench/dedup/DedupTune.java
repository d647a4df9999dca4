package dev.kiln.bench.dedup;

import dev.kiln.bench.BenchCli;
import dev.kiln.core.Document;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.dedup.NearDedup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Scores several near-dedup settings on one corpus directory written by {@link DedupQuality}, in
 * one JVM (for tuning; timings after the first setting are warm). A setting is {@code default},
 * or {@code VERIFY[:BANDSxROWS | :wFPWEIGHT]} with VERIFY {@code auto}, {@code exact} or {@code
 * estimate}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.dedup.DedupTune /tmp/neardup-jdk default estimate:36x7 exact:25x10
 * </pre>
 */
@Command(
        name = "DedupTune",
        mixinStandardHelpOptions = true,
        description = "Scores near-dedup settings on one corpus directory written by DedupQuality, in one JVM.")
public final class DedupTune implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CORPUS_DIR", description = "a directory written by DedupQuality")
    Path dir;

    @Parameters(
            index = "1..*",
            arity = "1..*",
            paramLabel = "SETTING",
            description = "default, or VERIFY[:BANDSxROWS | :wFPWEIGHT] with VERIFY auto, exact or estimate")
    List<String> settings;

    private DedupTune() {}

    public static void main(String[] args) {
        BenchCli.run(new DedupTune(), args);
    }

    /** One setting as the builder it stands for; a malformed one is an IllegalArgumentException quoting it. */
    static NearDedup.Builder setting(String s) {
        NearDedup.Builder b = NearDedup.builder();
        String[] parts = s.split(":", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("a setting is VERIFY[:BANDSxROWS | :wFPWEIGHT], got '" + s + "'");
        }
        if (!parts[0].equals("default")) {
            b.optVerify(NearDedup.Verify.parse(parts[0]));
        }
        if (parts.length > 1 && parts[1].startsWith("w")) {
            try {
                b.optFalsePositiveWeight(Double.parseDouble(parts[1].substring(1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the weight of '" + s + "' is not a number");
            }
        } else if (parts.length > 1) {
            Bands br = Bands.parse(parts[1]);
            b.optBands(br.bands(), br.rows());
        }
        return b;
    }

    @Override
    public Integer call() throws Exception {
        List<NearDedup.Builder> builders =
                settings.stream().map(DedupTune::setting).toList();
        List<String> ids = Files.readAllLines(dir.resolve("ids.txt"), StandardCharsets.UTF_8);
        List<Document> docs = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < ids.size(); i++) {
            String content = Files.readString(dir.resolve("docs").resolve(String.format("%06d.txt", i)));
            bytes += content.length();
            docs.add(Document.of(ids.get(i), content));
        }
        Set<String> truth = new HashSet<>(Files.readAllLines(dir.resolve("truth.txt")));
        System.out.printf(
                Locale.ROOT, "%s: %d docs, %.1f MB, %d true duplicates%n", dir, docs.size(), bytes / 1e6, truth.size());
        Path work = Files.createTempDirectory("dedup-tune");
        for (int a = 0; a < settings.size(); a++) {
            NearDedup near = builders.get(a).build();
            long t0 = System.nanoTime();
            DuplicateSet found = near.find(docs, work);
            double secs = (System.nanoTime() - t0) / 1e9;
            Set<String> removed = new HashSet<>();
            found.duplicates().forEach(d -> removed.add(d.id()));
            System.out.printf(
                    Locale.ROOT,
                    "%-20s %s  %.2f s  %s%n",
                    settings.get(a),
                    near.lsh(),
                    secs,
                    DedupQuality.score(truth, removed));
        }
        Files.deleteIfExists(work);
        return 0;
    }
}
