package dev.kiln.cli;

import dev.kiln.data.Corpus;
import dev.kiln.data.DedupStage;
import dev.kiln.data.PipelineReport;
import dev.kiln.data.dedup.ExactDedup;
import dev.kiln.data.dedup.KeepPolicy;
import dev.kiln.data.dedup.NearDedup;
import dev.kiln.data.sink.Sinks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code llm data dedupe}: exact and near deduplication of JSONL datasets into a dataset directory
 * (the layout of {@code llm data run}: part shards with the same ids, duplicates.jsonl, report,
 * manifest).
 *
 * <pre>
 * llm data dedupe --input data/part-00000.jsonl --output dedup/ --threshold 0.7 --exact
 * llm data dedupe --input data/part-00000.jsonl --output dedup/ --engine spark --spark-master spark://10.0.0.5:7077
 * </pre>
 */
@Command(
        name = "dedupe",
        mixinStandardHelpOptions = true,
        description = "Remove near duplicates (MinHash LSH, verified) and optionally exact duplicates from JSONL"
                + " datasets; writes part-NNNNN shards, duplicates.jsonl, report.json and manifest.json.")
final class DataDedupeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--input",
            required = true,
            arity = "1..*",
            paramLabel = "FILE.jsonl",
            description = "JSONL inputs.")
    List<Path> inputs;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The dataset directory (replaced).")
    Path output;

    @Option(names = "--threshold", defaultValue = "0.7", description = "Jaccard threshold (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--ngram", defaultValue = "5", description = "Words per shingle (default: ${DEFAULT-VALUE}).")
    int ngram;

    @Option(
            names = "--permutations",
            defaultValue = "256",
            description = "MinHash permutations (default: ${DEFAULT-VALUE}).")
    int permutations;

    @Option(names = "--bands", description = "LSH bands (with --rows; default: optimal for the threshold).")
    Integer bands;

    @Option(names = "--rows", description = "Rows per LSH band (with --bands).")
    Integer rows;

    @Option(
            names = "--verify",
            defaultValue = "auto",
            description = "How candidates are verified: auto (exact Jaccard where the MinHash estimate is not"
                    + " decisive), exact, or estimate (default: ${DEFAULT-VALUE}).")
    String verify;

    @Option(
            names = "--keep",
            defaultValue = "first",
            description =
                    "Kept document of a cluster: first, longest or largest:<metadata key> (default: ${DEFAULT-VALUE}).")
    String keep;

    @Option(names = "--exact", description = "Run exact dedup first.")
    boolean exact;

    @Option(names = "--engine", defaultValue = "local", description = "local or spark (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(
            names = "--spark-master",
            paramLabel = "URL",
            description = "With --engine spark: local[*], local[N], spark://HOST:PORT, yarn or k8s://HOST:PORT"
                    + " (default: local[*]). Kiln's jars are shipped to the executors.")
    String sparkMaster;

    @Override
    public Integer call() throws Exception {
        NearDedup.Builder b = NearDedup.builder()
                .optThreshold(threshold)
                .optNgram(ngram)
                .optPermutations(permutations)
                .optVerify(NearDedup.Verify.parse(verify))
                .optKeep(KeepPolicy.parse(keep));
        if ((bands == null) != (rows == null)) {
            throw new IllegalArgumentException("give both --bands and --rows, or neither");
        }
        if (bands != null) {
            b.optBands(bands, rows);
        }
        Corpus corpus = Corpus.from(inputs.toArray(new Path[0]));
        if (exact) {
            corpus = corpus.dedupe(onEngine(ExactDedup.builder().build()));
        }
        corpus = corpus.dedupe(onEngine(b.build()));
        PipelineReport report = corpus.write(Sinks.of(output, "jsonl"));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "kept %,d of %,d documents (%,d removed) -> %s%n",
                report.keptDocuments(), report.inputDocuments(), report.droppedTotal(), output);
        report.dropped().forEach((k, v) -> out.printf("  dropped %-32s %,d%n", k, v));
        report.errors().forEach((k, v) -> out.printf("  error   %-32s %,d%n", k, v));
        report.whyEmpty().ifPresent(out::println);
        out.flush();
        return 0;
    }

    private DedupStage onEngine(DedupStage stage) {
        return DataRunCommand.onEngine(stage, engine, sparkMaster);
    }
}
