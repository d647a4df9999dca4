package dev.kiln.bench.dedup;

import dev.kiln.bench.BenchCli;
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

    private DedupRunner() {}

    public static void main(String[] args) {
        BenchCli.run(new DedupRunner(), args);
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
        return 0;
    }
}
