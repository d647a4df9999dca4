package dev.kiln.examples;

import dev.kiln.core.KilnEnvironmentException;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The whole chain on one machine, offline: curate a corpus of real permissively licensed code,
 * train a BPE tokenizer, write token shards with fill-in-the-middle, train a small GPT, evaluate it
 * on HumanEval-X Java and HumanEval Python (with the canonical solutions as a self-check of the
 * harness), then serve it and complete a Java snippet over HTTP. What {@code llm quickstart} runs.
 *
 * <pre>{@code
 * Quickstart.Result r = Quickstart.builder()
 *         .optWorkdir(Path.of("kiln-quickstart"))
 *         .optTrainMinutes(3)
 *         .build()
 *         .run();
 * System.out.println(r.summary());
 * }</pre>
 *
 * <p><b>Layout</b> of the work directory: {@code data/} (dataset: JSONL shards, manifest.json,
 * report.html), {@code tokenizer.json}, {@code shards/} (Arrow token shards + manifest.json),
 * {@code train/} (train.yaml, checkpoints/, metrics.jsonl, report.html, result.json), {@code
 * eval/<java|python>/} and {@code eval/canonical-<java|python>/} (results, summary.json,
 * report.html).
 *
 * <p><b>Resuming.</b> A stage is skipped when its artifact is complete (the dataset's and the
 * shards' manifest.json, tokenizer.json, the training's result.json, an evaluation's summary.json);
 * an interrupted training resumes from its newest checkpoint, with the step budget chosen by its
 * first run. Delete a stage's directory to redo it (and the stages after it).
 *
 * <p><b>Default corpus.</b> The sources jars (with their POMs, which declare the licenses) that the
 * {@code examples} build copies to {@code examples/target/corpus/}, plus the running JDK's {@code
 * lib/src.zip}, which is GPL-2.0 with the Classpath exception and is therefore dropped by the
 * permissive license filter, except the few files under permissive licenses that the JDK bundles.
 */
public final class Quickstart {

    private final Settings s;

    private Quickstart(Settings s) {
        this.s = s;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What one quickstart run did. */
    public record StageResult(String stage, boolean skipped, double seconds, String detail, Path report) {}

    /**
     * The outcome of {@link #run()}.
     *
     * @param workdir the work directory
     * @param stages each stage in order, with its wall time, its headline and its HTML report
     * @param valLoss the final validation loss of the model (NaN when never evaluated)
     * @param passAt1 pass@1 per language ({@code java}, {@code python})
     * @param canonicalPassed canonical solutions passed per language (self-check of the harness)
     * @param fimCompletion the middle the served model wrote for the FIM request
     */
    public record Result(
            Path workdir,
            List<StageResult> stages,
            double valLoss,
            Map<String, Double> passAt1,
            Map<String, String> canonicalPassed,
            String fimCompletion) {

        /** A printable summary: one line per stage with its time and report. */
        public String summary() {
            return QuickstartSummary.format(this);
        }
    }

    /**
     * The default corpus: the sources jars under {@code examples/target/corpus/} (found next to
     * the jar or classes directory holding this class) and the JDK's {@code src.zip} when present.
     *
     * @throws KilnEnvironmentException when the corpus directory was not built
     */
    public static List<Path> defaultCorpus() throws IOException {
        Path dir = corpusDir();
        List<Path> jars;
        try (Stream<Path> s = Files.walk(dir)) {
            jars = s.filter(p -> p.getFileName().toString().endsWith("-sources.jar"))
                    .sorted()
                    .collect(Collectors.toList());
        }
        if (jars.isEmpty()) {
            throw new KilnEnvironmentException(
                    "no sources jars under " + dir,
                    "build the examples module: ./mvnw -pl examples -am package -DskipTests");
        }
        List<Path> all = new ArrayList<>(jars);
        Path srcZip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        if (Files.isRegularFile(srcZip)) {
            all.add(srcZip);
        }
        return all;
    }

    /** {@code examples/target/corpus}, located from this class's jar or classes directory. */
    public static Path corpusDir() {
        Path here;
        try {
            here = Path.of(Quickstart.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new KilnEnvironmentException(
                    "cannot locate the Kiln examples jar (" + e.getMessage() + ")", "pass the inputs explicitly");
        }
        Path dir = here.toAbsolutePath().getParent().resolve("corpus");
        if (!Files.isDirectory(dir)) {
            throw new KilnEnvironmentException(
                    "the quickstart corpus " + dir + " is missing",
                    "build it with ./mvnw -pl examples -am package -DskipTests (./llm does)");
        }
        return dir;
    }

    /**
     * Runs every stage that is not complete yet.
     *
     * @throws IOException when an input cannot be read or an artifact cannot be written
     */
    public Result run() throws IOException, InterruptedException {
        Path w = s.workdir().toAbsolutePath().normalize();
        Files.createDirectories(w);
        CorpusStages corpus = new CorpusStages(s);
        List<StageResult> stages = new ArrayList<>();
        stages.add(corpus.data(w.resolve("data")));
        stages.add(corpus.tokenizer(w.resolve("data"), w.resolve("tokenizer.json")));
        stages.add(corpus.shards(w.resolve("data"), w.resolve("tokenizer.json"), w.resolve("shards")));
        stages.add(new TrainStage(s).train(w));
        double valLoss =
                Json.read(w.resolve("train/result.json")).path("val_loss").asDouble(Double.NaN);
        Map<String, Double> pass = new LinkedHashMap<>();
        Map<String, String> canonical = new LinkedHashMap<>();
        Path ckpt = w.resolve("train/checkpoints");
        stages.add(new EvalStage(s).eval(w.resolve("eval"), ckpt, pass, canonical));
        String[] fim = new String[1];
        stages.add(new ServeStage(s).serve(ckpt, fim));
        Result r = new Result(w, List.copyOf(stages), valLoss, pass, canonical, fim[0]);
        return r;
    }

    /** The prompt and suffix of the served fill-in-the-middle request. */
    static final String FIM_PREFIX = "public static int max(int a, int b) {\n    ";

    static final String FIM_SUFFIX = "\n}\n";

    /** The settings this quickstart was built with (a copy: the builder may change after build()). */
    Settings settings() {
        return s;
    }

    /** Settings of a quickstart run; the defaults fit about ten minutes on two cores. */
    public static final class Builder {
        private Path workdir = Path.of("kiln-quickstart");
        private double trainMinutes = 5;
        private List<Path> inputs;
        private int vocabSize = 8192;
        private int seqLen = 256;
        private int dModel = 128;
        private int layers = 2;
        private int batchSize = 8;
        private long maxSteps;
        private int evalLimit;
        private int maxTokens = 128;
        private int workers;
        private int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        private long seed = 42;
        private Consumer<String> out;

        private Builder() {}

        /** Where every artifact goes (default {@code kiln-quickstart}); reruns resume there. */
        public Builder optWorkdir(Path dir) {
            if (dir == null) {
                throw new IllegalArgumentException("workdir must not be null");
            }
            this.workdir = dir;
            return this;
        }

        /**
         * Time budget of the training stage in minutes (default 5), including the few steps timed
         * once to choose the step count.
         */
        public Builder optTrainMinutes(double minutes) {
            if (!(minutes > 0) || minutes > 24 * 60) {
                throw new IllegalArgumentException("training minutes must be in (0, 1440], got " + minutes);
            }
            this.trainMinutes = minutes;
            return this;
        }

        /** Inputs instead of {@link #defaultCorpus()}: directories, archives, sources jars, JSONL. */
        public Builder optInputs(List<Path> inputs) {
            if (inputs == null || inputs.isEmpty()) {
                throw new IllegalArgumentException("inputs must not be empty, got " + inputs);
            }
            this.inputs = List.copyOf(inputs);
            return this;
        }

        /** Tokenizer vocabulary size (default 8192). */
        public Builder optVocabSize(int n) {
            if (n < 300) {
                throw new IllegalArgumentException("vocabulary size must be at least 300, got " + n);
            }
            this.vocabSize = n;
            return this;
        }

        /** Model context length = tokens per training row (default 256). */
        public Builder optSeqLen(int n) {
            if (n < 16) {
                throw new IllegalArgumentException("sequence length must be at least 16, got " + n);
            }
            this.seqLen = n;
            return this;
        }

        /** Model width (default 128, a multiple of 32) and depth (default 2: measured to learn most in five minutes on two cores). */
        public Builder optModelSize(int dModel, int layers) {
            if (dModel < 32 || dModel % 32 != 0 || layers < 1) {
                throw new IllegalArgumentException(
                        "model size needs d_model a multiple of 32 and layers >= 1, got " + dModel + ", " + layers);
            }
            this.dModel = dModel;
            this.layers = layers;
            return this;
        }

        /** Sequences per training step (default 8). */
        public Builder optBatchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        /** A fixed number of training steps instead of the time budget (tests). */
        public Builder optMaxSteps(long steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("max steps must be >= 1, got " + steps);
            }
            this.maxSteps = steps;
            return this;
        }

        /** Only the first N problems of each benchmark (default: all 164). */
        public Builder optEvalLimit(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("eval limit must be >= 1, got " + n);
            }
            this.evalLimit = n;
            return this;
        }

        /** Maximum tokens per HumanEval completion (default 128). */
        public Builder optMaxTokens(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max tokens must be >= 1, got " + n);
            }
            this.maxTokens = n;
            return this;
        }

        /** Data pipeline workers (default: all cores). */
        public Builder optWorkers(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("workers must be >= 1, got " + n);
            }
            this.workers = n;
            return this;
        }

        /**
         * libtorch intra-op threads for training and evaluation (default: 2, or 1 on a one-core
         * machine). Two threads train about 1.5-1.8x faster than one on two cores; a resumed run stays
         * bit-identical because the thread count is written into {@code train.yaml} with the rest
         * of the run.
         */
        public Builder optThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + n);
            }
            this.threads = n;
            return this;
        }

        /** Seed of shuffling, FIM and model initialisation (default 42). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Receives progress lines, e.g. {@code System.out::println} (default: none). */
        public Builder optOutput(Consumer<String> out) {
            this.out = out;
            return this;
        }

        /** Builds a quickstart with a copy of these settings (changing the builder later does not change it). */
        public Quickstart build() {
            return new Quickstart(new Settings(
                    workdir,
                    trainMinutes,
                    inputs == null ? null : List.copyOf(inputs),
                    vocabSize,
                    seqLen,
                    dModel,
                    layers,
                    batchSize,
                    maxSteps,
                    evalLimit,
                    maxTokens,
                    workers,
                    threads,
                    seed,
                    out));
        }
    }
}
