package dev.kiln.cli;

import dev.kiln.data.Corpus;
import dev.kiln.data.DedupStage;
import dev.kiln.data.PipelineReport;
import dev.kiln.data.Recipe;
import dev.kiln.data.Stage;
import dev.kiln.data.Stages;
import dev.kiln.data.dedup.ExactDedup;
import dev.kiln.data.sink.Sink;
import dev.kiln.data.sink.Sinks;
import dev.kiln.data.source.ReadOptions;
import dev.kiln.data.spark.SparkDedupStage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code llm data run}: sources → stages → a dataset directory (shards, manifest, report, card).
 *
 * <pre>
 * llm data run --input repos/ --input the-stack.jsonl.zst --output out/ --stages license,optout
 * llm data run --input repos/ --output out/ --engine spark --spark-master spark://10.0.0.5:7077
 * </pre>
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Read sources (directories, archives, JSONL, Maven sources jars, npm tarballs), run the stages of a recipe"
                    + " and write a dataset: part-NNNNN shards, manifest.json, report.json, report.html, README.md.",
            "Without --recipe or --stages, the default recipe runs."
        })
final class DataRunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--input",
            required = true,
            arity = "1..*",
            paramLabel = "PATH",
            description =
                    "Directories, archives (.zip .jar .tar[.gz|.bz2|.xz] .tgz) or JSONL files (.jsonl[.gz|.zst|.xz]).")
    List<Path> inputs;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The dataset directory (replaced).")
    Path output;

    @Option(names = "--recipe", paramLabel = "FILE.yaml", description = "A YAML recipe (stages: [...]).")
    Path recipe;

    @Option(
            names = "--stages",
            split = ",",
            paramLabel = "NAME",
            description = "Registered stage names in order, replacing the recipe ('none' for a pass-through).")
    List<String> stages;

    @Option(
            names = "--format",
            defaultValue = "jsonl",
            description = "jsonl, jsonl.gz, jsonl.zst or parquet (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--workers", description = "Worker threads (default: all cores). Output does not depend on it.")
    Integer workers;

    @Option(names = "--write-dropped", description = "Also write dropped documents, with drop_reason, to DIR/dropped/.")
    boolean writeDropped;

    @Option(
            names = "--shard-bytes",
            paramLabel = "N",
            description = "Uncompressed bytes of rows per shard (default: 268435456).")
    Long shardBytes;

    @Option(
            names = "--max-file-bytes",
            paramLabel = "N",
            description = "Skip files larger than this (default: 1048576, as The Stack).")
    Long maxFileBytes;

    @Option(names = "--list-stages", description = "List the registered stages and exit.")
    boolean listStages;

    @Option(
            names = "--engine",
            defaultValue = "local",
            description = "Engine of the dedup stages (near-dedup, exact-dedup): local or spark (default:"
                    + " ${DEFAULT-VALUE}). Per-document stages run locally.")
    String engine;

    @Option(
            names = "--spark-master",
            paramLabel = "URL",
            description = "With --engine spark: local[*], local[N], spark://HOST:PORT, yarn or k8s://HOST:PORT"
                    + " (default: local[*]). Kiln's jars are shipped to the executors.")
    String sparkMaster;

    /** {@code stage} on the named engine; a Spark master without {@code --engine spark} is a mistake. */
    static DedupStage onEngine(DedupStage stage, String engine, String sparkMaster) {
        switch (engine.toLowerCase(Locale.ROOT)) {
            case "local":
                if (sparkMaster != null) {
                    throw new IllegalArgumentException("--spark-master " + sparkMaster + " needs --engine spark");
                }
                return stage;
            case "spark":
                SparkClassPath.require();
                SparkDedupStage.Builder b = SparkDedupStage.builder().setStage(stage);
                if (sparkMaster != null) { // else -Dspark.master, else local[*]
                    b.optMaster(sparkMaster);
                }
                return b.build();
            default:
                throw new IllegalArgumentException("unknown engine '" + engine + "'; use local or spark");
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (listStages) {
            Stages.providers().forEach((n, p) -> out.printf("%-20s %s%n", n, p.description()));
            out.flush();
            return 0;
        }
        if (recipe != null && stages != null) {
            throw new IllegalArgumentException("give either --recipe or --stages, not both");
        }
        Recipe r;
        if (recipe != null) {
            r = Recipe.load(recipe);
        } else if (stages != null) {
            List<String> names = new ArrayList<>();
            for (String s : stages) {
                if (!s.isBlank() && !s.strip().equals("none")) {
                    names.add(s.strip());
                }
            }
            r = Recipe.ofStages("cli", names);
        } else {
            r = Recipe.defaultRecipe();
        }
        List<Stage> recipeStages = new ArrayList<>();
        for (Stage s : r.stages()) { // unknown stage names fail here, before any work
            recipeStages.add(s instanceof DedupStage d ? onEngine(d, engine, sparkMaster) : s);
        }
        if (!engine.equalsIgnoreCase("local") && recipeStages.stream().noneMatch(s -> s instanceof DedupStage)) {
            throw new IllegalArgumentException(
                    "--engine " + engine + " runs the dedup stages, and the recipe '" + r.name() + "' has none");
        }
        onEngine(ExactDedup.builder().build(), engine, sparkMaster); // checks --engine and --spark-master
        Sink sink = Sinks.of(output, format.toLowerCase(Locale.ROOT)).optWriteDropped(writeDropped);
        if (shardBytes != null) {
            sink = sink.optShardBytes(shardBytes);
        }
        Corpus corpus = engine.equalsIgnoreCase("local")
                ? Corpus.from(inputs.toArray(new Path[0])).recipe(r)
                : Corpus.from(inputs.toArray(new Path[0])).stages(recipeStages);
        if (workers != null) {
            corpus = corpus.optWorkers(workers);
        }
        if (maxFileBytes != null) {
            corpus = corpus.optReadOptions(
                    ReadOptions.builder().optMaxFileBytes(maxFileBytes).build());
        }
        PipelineReport report = corpus.write(sink);
        out.printf(
                "kept %,d of %,d documents (%,d dropped, %,d errors) -> %s%n",
                report.keptDocuments(), report.inputDocuments(), report.droppedTotal(), report.errorsTotal(), output);
        report.dropped().forEach((k, v) -> out.printf("  dropped %-32s %,d%n", k, v));
        report.errors().forEach((k, v) -> out.printf("  error   %-32s %,d%n", k, v));
        report.whyEmpty().ifPresent(out::println);
        out.printf("report: %s%n", output.resolve("report.html"));
        out.flush();
        return 0;
    }
}
