package dev.kiln.bench.dedup;

import dev.kiln.core.Document;
import dev.kiln.data.DuplicateSet;
import dev.kiln.data.dedup.NearDedup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The timed end-to-end run: reads a corpus directory written by {@link DedupQuality} lazily, runs
 * {@link NearDedup} with default settings (or {@code --verify exact}), and writes the removed ids.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.dedup.DedupRunner CORPUS_DIR removed.txt [--verify exact]
 * </pre>
 */
public final class DedupRunner {

    private DedupRunner() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Path out = Path.of(args[1]);
        NearDedup.Builder b = NearDedup.builder();
        for (int i = 2; i < args.length; i += 2) {
            switch (args[i]) {
                case "--verify" -> b.optVerify(NearDedup.Verify.parse(args[i + 1]));
                case "--threads" -> b.optThreads(Integer.parseInt(args[i + 1]));
                case "--bands" -> {
                    String[] br = args[i + 1].split("x");
                    b.optBands(Integer.parseInt(br[0]), Integer.parseInt(br[1]));
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> ids = Files.readAllLines(dir.resolve("ids.txt"), StandardCharsets.UTF_8);
        Iterable<Document> docs = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < ids.size();
            }

            @Override
            public Document next() {
                try {
                    String content = Files.readString(dir.resolve("docs").resolve(String.format("%06d.txt", i)));
                    return Document.of(ids.get(i++), content);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        Path work = Files.createTempDirectory("dedup-runner");
        try {
            DuplicateSet dups = b.build().find(docs, work);
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
    }
}
