package dev.kiln.bench;

import dev.kiln.core.Document;
import dev.kiln.data.Verdict;
import dev.kiln.data.decontam.Decontaminator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * How many files of the JDK's src.zip the default {@code decontaminate} stage drops (the bar: at
 * most 0.01%), and its throughput per CPU-second.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.kiln.bench.DecontaminationCheck
 * </pre>
 */
@Command(
        name = "DecontaminationCheck",
        mixinStandardHelpOptions = true,
        description = "Files of the JDK's src.zip that the default decontaminate stage drops (bar: at most"
                + " 0.01%), and its throughput per CPU-second.")
public final class DecontaminationCheck implements Callable<Integer> {

    private DecontaminationCheck() {}

    public static void main(String[] args) {
        BenchCli.run(new DecontaminationCheck(), args);
    }

    @Override
    public Integer call() {
        Decontaminator d = Decontaminator.defaults();
        List<Document> docs = JdkCorpus.load(".java", Long.MAX_VALUE);
        long bytes = 0;
        int dropped = 0;
        long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        for (Document doc : docs) {
            bytes += doc.content().length();
            Verdict v = d.test(doc);
            if (!v.keep()) {
                dropped++;
                System.out.println("dropped " + doc.path() + " (" + v.reason() + ")");
            }
        }
        double sec = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%d of %d .java files of src.zip dropped (%.4f%%, bar 0.01%%); %d-gram index of"
                        + " %d hashes; %.1f MB/s per core%n",
                dropped,
                docs.size(),
                100.0 * dropped / docs.size(),
                d.n(),
                d.indexedNgrams(),
                bytes / 1e6 / sec);
        return 0;
    }
}
