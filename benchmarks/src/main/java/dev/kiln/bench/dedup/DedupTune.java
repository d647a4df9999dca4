package dev.kiln.bench.dedup;

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
public final class DedupTune {

    private DedupTune() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
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
        for (int a = 1; a < args.length; a++) {
            NearDedup.Builder b = NearDedup.builder();
            String[] parts = args[a].split(":");
            if (!parts[0].equals("default")) {
                b.optVerify(NearDedup.Verify.parse(parts[0]));
            }
            if (parts.length > 1 && parts[1].startsWith("w")) {
                b.optFalsePositiveWeight(Double.parseDouble(parts[1].substring(1)));
            } else if (parts.length > 1) {
                String[] br = parts[1].split("x");
                b.optBands(Integer.parseInt(br[0]), Integer.parseInt(br[1]));
            }
            NearDedup near = b.build();
            long t0 = System.nanoTime();
            DuplicateSet found = near.find(docs, work);
            double secs = (System.nanoTime() - t0) / 1e9;
            Set<String> removed = new HashSet<>();
            found.duplicates().forEach(d -> removed.add(d.id()));
            System.out.printf(
                    Locale.ROOT,
                    "%-20s %s  %.2f s  %s%n",
                    args[a],
                    near.lsh(),
                    secs,
                    DedupQuality.score(truth, removed));
        }
        Files.deleteIfExists(work);
    }
}
