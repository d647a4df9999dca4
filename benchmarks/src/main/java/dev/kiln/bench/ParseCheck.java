package dev.kiln.bench;

import dev.kiln.core.Document;
import dev.kiln.data.parse.ParsableFilter;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the {@code parsable} stage over every .java file of the JDK's src.zip: how many files it
 * drops (the bar: none), how many JavaParser alone rejects (rescued by javac), and its throughput
 * per CPU-second.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.ParseCheck [--every 1]
 * </pre>
 */
@Command(
        name = "ParseCheck",
        mixinStandardHelpOptions = true,
        description = "The parsable stage over every .java file of the JDK's src.zip: files dropped,"
                + " JavaParser's rejections rescued by javac, throughput per CPU-second.")
public final class ParseCheck implements Callable<Integer> {

    @Option(
            names = "--every",
            defaultValue = "1",
            description = "check every k-th file only (default: ${DEFAULT-VALUE})")
    int every;

    @Spec
    CommandSpec spec;

    private ParseCheck() {}

    public static void main(String[] args) {
        BenchCli.run(new ParseCheck(), args);
    }

    @Override
    public Integer call() {
        if (every < 1) {
            throw BenchCli.bad(spec, "--every must be >= 1, got %d", every);
        }
        List<Document> all = JdkCorpus.load(".java", Long.MAX_VALUE);
        List<Document> docs = new java.util.ArrayList<>();
        for (int i = 0; i < all.size(); i += every) {
            docs.add(all.get(i));
        }
        ParsableFilter javaParserOnly = ParsableFilter.of("JAVA_25", false, 2_000_000);
        var mx = ManagementFactory.getThreadMXBean();
        long bytes = 0;
        int dropped = 0;
        int rejected = 0;
        long cpu0 = mx.getCurrentThreadCpuTime();
        for (Document d : docs) {
            bytes += d.content().length();
            // the same work as ParsableFilter.create(): JavaParser, then javac for what it rejects
            if (!javaParserOnly.test(d).keep()) {
                rejected++;
                String error = ParsableFilter.javacError(d.path(), d.content());
                if (error == null) {
                    System.out.println("JavaParser rejects, javac accepts: " + d.path());
                } else {
                    dropped++;
                    System.out.println("dropped " + d.path() + ": " + error);
                }
            }
        }
        double sec = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%d of %d .java files dropped; JavaParser alone rejects %d; %.0f files/s, %.1f MB/s per core%n",
                dropped,
                docs.size(),
                rejected,
                docs.size() / sec,
                bytes / 1e6 / sec);
        return 0;
    }
}
