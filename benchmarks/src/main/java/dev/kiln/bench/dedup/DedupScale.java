package dev.kiln.bench.dedup;

import dev.kiln.bench.BenchCli;
import dev.kiln.core.Document;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.dedup.NearDedup;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Near dedup of many small generated documents in a small heap: signatures and band keys spill to
 * disk. Every 10th document is a near copy (one token changed) of an earlier one, so about 10% are
 * duplicates. Documents are generated on the fly, never held.
 *
 * <pre>
 * java -Xmx256m -cp benchmarks/target/benchmarks.jar dev.kiln.bench.dedup.DedupScale [--docs 1000000]
 * </pre>
 */
@Command(
        name = "DedupScale",
        mixinStandardHelpOptions = true,
        description = "Near dedup of many small generated documents (10%% near copies) in a small heap.")
public final class DedupScale implements Callable<Integer> {

    @Option(
            names = "--docs",
            defaultValue = "1000000",
            description = "documents to generate (default: ${DEFAULT-VALUE})")
    int n;

    @Spec
    CommandSpec spec;

    private DedupScale() {}

    static String content(long seed, int edit) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(600);
        int lines = 8 + r.nextInt(8);
        for (int l = 0; l < lines; l++) {
            sb.append("    int v").append(r.nextInt(100_000)).append(" = f").append(r.nextInt(100_000));
            sb.append("(a")
                    .append(r.nextInt(1000))
                    .append(", b")
                    .append(r.nextInt(1000))
                    .append(");\n");
        }
        if (edit >= 0) {
            sb.append("    edited").append(edit).append("();\n");
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        BenchCli.run(new DedupScale(), args);
    }

    @Override
    public Integer call() throws IOException {
        if (n < 1) {
            throw BenchCli.bad(spec, "--docs must be >= 1, got %d", n);
        }
        Iterable<Document> docs = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public Document next() {
                int d = i++;
                String c = d % 10 == 9 ? content(d / 2, d) : content(d, -1);
                return Document.of("doc-" + d, c);
            }
        };
        Path work = Files.createTempDirectory("dedup-scale");
        long t0 = System.nanoTime();
        DuplicateSet dups = NearDedup.builder().build().find(docs, work);
        double secs = (System.nanoTime() - t0) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%d docs in %.1f s (%.0f docs/s), %d duplicates, max heap %d MB, peak heap pools %d MB%n",
                n,
                secs,
                n / secs,
                dups.duplicates().size(),
                Runtime.getRuntime().maxMemory() >> 20,
                peak >> 20);
        try (var s = Files.list(work)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(work);
        return 0;
    }
}
