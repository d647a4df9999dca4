package dev.kiln.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.Document;
import dev.kiln.core.KilnEnvironmentException;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.data.Corpus;
import dev.kiln.data.PipelineReport;
import dev.kiln.data.Recipe;
import dev.kiln.data.sink.Sinks;
import dev.kiln.eval.EvalSummary;
import dev.kiln.eval.Evaluator;
import dev.kiln.eval.HumanEval;
import dev.kiln.eval.Problem;
import dev.kiln.eval.ProblemSet;
import dev.kiln.eval.Sample;
import dev.kiln.eval.SampleGenerator;
import dev.kiln.serve.Server;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.tokenize.corpus.CorpusTexts;
import dev.kiln.tokenize.shard.FimMode;
import dev.kiln.tokenize.shard.TokenShardWriter;
import dev.kiln.train.TrainConfig;
import dev.kiln.train.TrainResult;
import dev.kiln.train.TrainRun;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

    private final Builder b;
    private final Consumer<String> out;

    private Quickstart(Builder b) {
        this.b = b;
        this.out = b.out;
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
            StringBuilder sb = new StringBuilder();
            sb.append("Kiln quickstart summary (").append(workdir).append(")\n");
            double total = 0;
            for (StageResult s : stages) {
                total += s.seconds();
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-10s %-8s %7.1f s  %s%n",
                        s.stage(),
                        s.skipped() ? "skipped" : "ran",
                        s.seconds(),
                        s.detail().replace("\n", "\n" + " ".repeat(33))));
                if (s.report() != null) {
                    sb.append(String.format(Locale.ROOT, "  %-10s report: %s%n", "", s.report()));
                }
            }
            sb.append(String.format(Locale.ROOT, "  total %.1f s%n", total));
            return sb.toString();
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
        Path w = b.workdir.toAbsolutePath().normalize();
        Files.createDirectories(w);
        List<StageResult> stages = new ArrayList<>();
        stages.add(data(w.resolve("data")));
        stages.add(tokenizer(w.resolve("data"), w.resolve("tokenizer.json")));
        stages.add(shards(w.resolve("data"), w.resolve("tokenizer.json"), w.resolve("shards")));
        StageResult train = train(w);
        stages.add(train);
        double valLoss =
                Json.read(w.resolve("train/result.json")).path("val_loss").asDouble(Double.NaN);
        Map<String, Double> pass = new LinkedHashMap<>();
        Map<String, String> canonical = new LinkedHashMap<>();
        Path ckpt = w.resolve("train/checkpoints");
        stages.add(eval(w.resolve("eval"), ckpt, pass, canonical));
        String[] fim = new String[1];
        stages.add(serve(ckpt, fim));
        Result r = new Result(w, List.copyOf(stages), valLoss, pass, canonical, fim[0]);
        return r;
    }

    // ---------------------------------------------------------------- data

    private StageResult data(Path dir) throws IOException {
        long t0 = System.nanoTime();
        if (Manifest.exists(dir) && Files.isRegularFile(dir.resolve("report.json"))) {
            return new StageResult("data", true, secs(t0), dataDetail(dir), dir.resolve("report.html"));
        }
        List<Path> inputs = b.inputs != null ? b.inputs : defaultCorpus();
        say(
                "data: curating %d inputs with the default recipe (filters, PII, parsability, decontamination, dedup) -> %s",
                inputs.size(), dir);
        Corpus corpus = Corpus.from(inputs.toArray(new Path[0])).recipe(Recipe.defaultRecipe());
        if (b.workers > 0) {
            corpus = corpus.optWorkers(b.workers);
        }
        PipelineReport report = corpus.write(Sinks.jsonl(dir));
        say(
                "data: kept %,d of %,d documents (%.1f of %.1f MB)",
                report.keptDocuments(), report.inputDocuments(), report.keptBytes() / 1e6, report.inputBytes() / 1e6);
        report.dropped().forEach((k, v) -> say("data:   dropped %-28s %,d", k, v));
        return new StageResult("data", false, secs(t0), dataDetail(dir), dir.resolve("report.html"));
    }

    private static String dataDetail(Path dir) throws IOException {
        JsonNode r = Json.read(dir.resolve("report.json"));
        long in = r.path("input").asLong(-1);
        long kept = r.path("kept").asLong(-1);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "kept %,d of %,d documents", kept, in));
        long license = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("dropped").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("license:")) {
                license += e.getValue().asLong();
            }
        }
        sb.append(String.format(Locale.ROOT, " (%,d dropped by license)", license));
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("sources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().endsWith("src.zip")) {
                sb.append(String.format(
                        Locale.ROOT,
                        "%nJDK src.zip: %,d of %,d files kept (its GPL-2.0 WITH Classpath-exception files are"
                                + " dropped by the license filter)",
                        e.getValue().path("kept").asLong(),
                        e.getValue().path("input").asLong()));
            }
        }
        return sb.toString();
    }

    /** The curated documents, streamed from the dataset's JSONL shards. */
    private static Corpus dataset(Path dir) throws IOException {
        List<Path> parts;
        try (Stream<Path> s = Files.list(dir)) {
            parts = s.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .collect(Collectors.toList());
        }
        if (parts.isEmpty()) {
            throw new IllegalStateException("the dataset " + dir + " holds no documents: every input was dropped"
                    + " (see " + dir.resolve("report.html") + ")");
        }
        return Corpus.from(parts.toArray(new Path[0]));
    }

    // ---------------------------------------------------------------- tokenizer

    private StageResult tokenizer(Path data, Path file) throws IOException {
        long t0 = System.nanoTime();
        boolean skipped = Files.isRegularFile(file);
        if (!skipped) {
            say("tokenizer: training a %d-id byte-level BPE on %s", b.vocabSize, data);
            Corpus docs = dataset(data);
            BpeTrainer trainer = BpeTrainer.builder().setVocabSize(b.vocabSize).build();
            BpeTokenizer tok = CorpusTexts.train(docs, trainer::trainTexts);
            tok.save(file);
        }
        BpeTokenizer tok = BpeTokenizer.load(file);
        return new StageResult(
                "tokenizer",
                skipped,
                secs(t0),
                String.format(Locale.ROOT, "%,d ids, %,d merges -> %s", tok.vocabSize(), tok.mergeCount(), file),
                null);
    }

    // ---------------------------------------------------------------- shards

    private StageResult shards(Path data, Path tokenizer, Path dir) throws IOException {
        long t0 = System.nanoTime();
        boolean skipped = Manifest.exists(dir);
        if (!skipped) {
            say("shards: packing %d-token rows with 50%% FIM (PSM) -> %s", b.seqLen + 1, dir);
            List<Document> docs;
            try (Stream<Document> s = dataset(data).stream()) {
                docs = s.collect(Collectors.toList());
            }
            TokenShardWriter.builder()
                    .setTokenizer(BpeTokenizer.load(tokenizer))
                    .setOutput(dir)
                    .setSeqLen(b.seqLen)
                    .optFim(0.5, FimMode.PSM)
                    .optValFraction(0.05)
                    .optSeed(b.seed)
                    .optInputs(List.of(data.toString()))
                    .build()
                    .write(docs);
        }
        Manifest m = Manifest.read(dir, TokenShardWriter.KIND);
        return new StageResult(
                "shards",
                skipped,
                secs(t0),
                String.format(
                        Locale.ROOT,
                        "%,d train rows, %,d val rows of %d tokens",
                        m.counts().getOrDefault("train_rows", -1L),
                        m.counts().getOrDefault("val_rows", -1L),
                        b.seqLen + 1),
                null);
    }

    // ---------------------------------------------------------------- train

    private StageResult train(Path w) throws IOException {
        long t0 = System.nanoTime();
        Path dir = w.resolve("train");
        Path resultFile = dir.resolve("result.json");
        if (Files.isRegularFile(resultFile)) {
            return new StageResult("train", true, secs(t0), trainDetail(resultFile), dir.resolve("report.html"));
        }
        Files.createDirectories(dir);
        Path yaml = dir.resolve("train.yaml");
        int vocab = BpeTokenizer.load(w.resolve("tokenizer.json")).vocabSize();
        if (!Files.isRegularFile(yaml)) {
            long steps = b.maxSteps > 0 ? b.maxSteps : calibrate(w, dir, vocab);
            AtomicFiles.writeString(yaml, trainYaml(vocab, steps));
            say("train: %d steps planned (%s)", steps, yaml);
        } else {
            say("train: resuming the planned run %s", yaml);
        }
        TrainConfig config = TrainConfig.load(yaml, List.of());
        TrainResult r = TrainRun.run(config, true);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("steps", r.steps());
        json.put("resumed_from", r.resumedFrom());
        json.put("loss", r.lastLoss());
        json.put("val_loss", Double.isNaN(r.lastValLoss()) ? null : r.lastValLoss());
        double bytesPerToken = valBytesPerToken(w);
        json.put("val_bytes_per_token", bytesPerToken);
        json.put(
                "val_bits_per_byte",
                Double.isNaN(r.lastValLoss()) ? null : r.lastValLoss() / Math.log(2) / bytesPerToken);
        json.put("median_step_ms", r.medianStepMillis());
        json.put(
                "checkpoint",
                r.lastCheckpoint() == null ? null : r.lastCheckpoint().toString());
        Json.write(resultFile, json);
        return new StageResult("train", false, secs(t0), trainDetail(resultFile), dir.resolve("report.html"));
    }

    private static String trainDetail(Path resultFile) throws IOException {
        JsonNode r = Json.read(resultFile);
        return String.format(
                Locale.ROOT,
                "%d steps (resumed from %d), loss %.3f, val loss %.3f (%.3f bits/byte), %.0f ms/step",
                r.path("steps").asLong(),
                r.path("resumed_from").asLong(),
                r.path("loss").asDouble(Double.NaN),
                r.path("val_loss").asDouble(Double.NaN),
                r.path("val_bits_per_byte").asDouble(Double.NaN),
                r.path("median_step_ms").asDouble(Double.NaN));
    }

    /**
     * Text bytes per token of the validation shards (special tokens such as FIM sentinels count no
     * bytes), to turn the validation loss (nats per token) into bits per byte, which does not
     * depend on the tokenizer.
     */
    private static double valBytesPerToken(Path w) throws IOException {
        BpeTokenizer tok = BpeTokenizer.load(w.resolve("tokenizer.json"));
        long bytes = 0;
        long tokens = 0;
        try (dev.kiln.tokenize.shard.TokenDataset val =
                dev.kiln.tokenize.shard.TokenDataset.open(w.resolve("shards"), "val", tok)) {
            int[] row = new int[val.rowLength()];
            for (long i = 0; i < val.size(); i++) {
                val.read(i, row);
                for (int j = 1; j < row.length; j++) { // the loss predicts tokens 1..T of each row
                    tokens++;
                    if (!tok.isSpecial(row[j])) {
                        bytes += tok.tokenBytes(row[j]).length;
                    }
                }
            }
        }
        return tokens == 0 ? Double.NaN : (double) bytes / tokens;
    }

    private String trainYaml(int vocab, long steps) {
        return String.join(
                "\n",
                "# Written by the Kiln quickstart; `llm train --config " + "train.yaml` reruns (and resumes) it.",
                "model: {arch: llama, vocab_size: " + vocab + ", context_length: " + b.seqLen + ", d_model: "
                        + b.dModel + ", heads: " + heads() + ", kv_heads: " + Math.max(1, heads() / 2) + ", layers: "
                        + b.layers + "}",
                "data: {shards: ../shards, tokenizer: ../tokenizer.json, batch_size: " + b.batchSize + "}",
                "optimizer: {lr: 4.0e-3, weight_decay: 0.1, grad_clip: 1.0}",
                "scheduler: {warmup_steps: " + Math.max(1, Math.min(100, steps / 10)) + ", min_lr: 4.0e-4}",
                "max_steps: " + steps,
                "eval_interval: " + Math.max(1, steps / 4),
                "eval_batches: 8",
                "save_interval: " + Math.max(1, steps / 4),
                "keep_last: 2",
                "save_folder: checkpoints",
                "seed: " + b.seed,
                "threads: {intra_op: " + Math.max(1, b.threads) + ", inter_op: 1}",
                "metrics: {sinks: 'jsonl,html', log_interval: 50}",
                "");
    }

    /** Query heads of 32 dimensions each (the width of Llama-family heads at this scale). */
    private int heads() {
        return Math.max(1, b.dModel / 32);
    }

    /**
     * Steps that fit the time budget: times ten steps of the same model in a scratch folder and
     * takes the median of the last five (the first steps pay for JIT compilation and allocator
     * warm-up, and would plan too few steps).
     */
    private long calibrate(Path w, Path dir, int vocab) throws IOException {
        Path scratch = dir.resolve("calibration");
        AtomicFiles.deleteRecursively(scratch);
        Files.createDirectories(scratch);
        Path yaml = scratch.resolve("train.yaml");
        AtomicFiles.writeString(
                yaml,
                trainYaml(vocab, CALIBRATION_STEPS)
                        .replace("../shards", w.resolve("shards").toString())
                        .replace(
                                "../tokenizer.json", w.resolve("tokenizer.json").toString())
                        .replace("'jsonl,html', log_interval: 50", "'jsonl', log_interval: 1"));
        long t0 = System.nanoTime();
        TrainResult r = TrainRun.run(TrainConfig.load(yaml, List.of("eval_interval=0")), false);
        double ms = Math.max(1, settledStepMillis(scratch.resolve("metrics.jsonl"), r.medianStepMillis()));
        AtomicFiles.deleteRecursively(scratch);
        // the calibration counts against the budget; validation passes and checkpoints cost about
        // 10% on top of the steps
        double leftMs = b.trainMinutes * 60_000 - (System.nanoTime() - t0) / 1e6;
        long steps = (long) (leftMs * 0.9 / ms);
        say("train: %.0f ms per step measured; %.1f minutes of training", ms, b.trainMinutes);
        return Math.max(20, steps);
    }

    private static final int CALIBRATION_STEPS = 10;

    /** Median step time of the calibration's last five steps, or {@code fallback} without metrics. */
    private static double settledStepMillis(Path metrics, double fallback) throws IOException {
        if (!Files.isRegularFile(metrics)) {
            return fallback;
        }
        List<Double> ms = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = Json.mapper().readTree(line);
            if (n.has("step_ms") && n.path("step").asLong() > CALIBRATION_STEPS / 2) {
                ms.add(n.path("step_ms").asDouble());
            }
        }
        if (ms.isEmpty()) {
            return fallback;
        }
        Collections.sort(ms);
        return ms.get(ms.size() / 2);
    }

    // ---------------------------------------------------------------- eval

    private StageResult eval(Path dir, Path ckpt, Map<String, Double> pass, Map<String, String> canonical)
            throws IOException {
        long t0 = System.nanoTime();
        boolean skipped = true;
        StringBuilder detail = new StringBuilder();
        LanguageModel model = null;
        try {
            for (String lang : List.of("java", "python")) {
                ProblemSet set = lang.equals("java") ? HumanEval.java() : HumanEval.python();
                if (b.evalLimit > 0) {
                    set = set.limit(b.evalLimit);
                }
                Path out = dir.resolve(lang);
                if (!Files.isRegularFile(out.resolve("summary.json"))) {
                    skipped = false;
                    if (model == null) {
                        model = LanguageModels.open(ckpt.toString(), Map.of("threads", String.valueOf(b.threads)));
                    }
                    say("eval: generating %d %s completions (greedy, %d tokens max)", set.size(), lang, b.maxTokens);
                    List<Sample> samples = SampleGenerator.builder()
                            .setModel(model)
                            .setProblems(set)
                            .optMaxTokens(b.maxTokens)
                            .optBatchSize(16)
                            .build()
                            .generate(out.resolve("samples.jsonl"));
                    EvalSummary done = Evaluator.builder()
                            .setProblems(set)
                            .optKs(List.of(1))
                            .build()
                            .evaluate(samples, out);
                    // The train stage's run page lists the result beside the checkpoint.
                    dev.kiln.train.runs.Runs.recordEval(ckpt.toString(), out, "humaneval", done.toJson());
                }
                EvalSummary s = EvalSummary.read(out.resolve("summary.json"));
                pass.put(lang, s.passAt1());
                Path canon = dir.resolve("canonical-" + lang);
                if (!Files.isRegularFile(canon.resolve("summary.json"))) {
                    skipped = false;
                    say("eval: self-check, the %d canonical %s solutions through the same harness", set.size(), lang);
                    List<Sample> samples = new ArrayList<>();
                    for (Problem p : set.problems()) {
                        samples.add(Sample.of(p.taskId(), p.canonicalSolution()));
                    }
                    Evaluator.builder()
                            .setProblems(set)
                            .optKs(List.of(1))
                            .build()
                            .evaluate(samples, canon);
                }
                EvalSummary c = EvalSummary.read(canon.resolve("summary.json"));
                long ok = Math.round(c.passAt1() * c.problems());
                canonical.put(lang, ok + "/" + c.problems());
                detail.append(String.format(
                        Locale.ROOT,
                        "%s%-6s pass@1 %.3f over %d problems %s; canonical self-check %d/%d %s",
                        detail.length() == 0 ? "" : "\n",
                        lang,
                        s.passAt1(),
                        s.problems(),
                        kinds(s),
                        ok,
                        c.problems(),
                        kinds(c)));
            }
        } finally {
            if (model != null) {
                model.close();
            }
        }
        detail.append("\npython report: ").append(dir.resolve("python/report.html"));
        return new StageResult("eval", skipped, secs(t0), detail.toString(), dir.resolve("java/report.html"));
    }

    /** The outcome counts that are not zero, e.g. {@code (compile error 150, failed 14)}. */
    private static String kinds(EvalSummary s) {
        String k = s.outcomes().entrySet().stream()
                .filter(e -> e.getValue() != null && e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return "(" + k + ")";
    }

    // ---------------------------------------------------------------- serve

    /** The prompt and suffix of the served fill-in-the-middle request. */
    static final String FIM_PREFIX = "public static int max(int a, int b) {\n    ";

    static final String FIM_SUFFIX = "\n}\n";

    private StageResult serve(Path ckpt, String[] completion) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        try (Server server = Server.builder()
                .setModelLoader(
                        () -> LanguageModels.open(ckpt.toString(), Map.of("threads", String.valueOf(b.threads))))
                .optHost("127.0.0.1")
                .optPort(0)
                .build()
                .start()) {
            server.awaitReady(Duration.ofMinutes(5));
            ObjectNode body = Json.mapper().createObjectNode();
            body.put("model", server.modelId());
            body.put("prompt", FIM_PREFIX);
            body.put("suffix", FIM_SUFFIX);
            body.put("max_tokens", 32);
            body.put("temperature", 0);
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create(server.url() + "/v1/completions");
            HttpResponse<String> resp = http.send(
                    HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(Json.toLine(body), StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (resp.statusCode() != 200) {
                throw new IOException("POST " + uri + " answered " + resp.statusCode() + ": " + resp.body());
            }
            completion[0] =
                    Json.parse(resp.body()).path("choices").path(0).path("text").asText();
            say("serve: POST %s (FIM) -> 200", uri);
            say("serve: ---- prefix + [middle] + suffix ----");
            say("%s[%s]%s", FIM_PREFIX, completion[0], FIM_SUFFIX.stripTrailing());
            String detail = "FIM over HTTP on " + server.url() + ": " + Json.toLine(completion[0]);
            return new StageResult("serve", false, secs(t0), detail, null);
        }
    }

    private void say(String format, Object... args) {
        if (out != null) {
            out.accept(String.format(Locale.ROOT, format, args));
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
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
            Builder c = new Builder();
            c.workdir = workdir;
            c.trainMinutes = trainMinutes;
            c.inputs = inputs == null ? null : List.copyOf(inputs);
            c.vocabSize = vocabSize;
            c.seqLen = seqLen;
            c.dModel = dModel;
            c.layers = layers;
            c.batchSize = batchSize;
            c.maxSteps = maxSteps;
            c.evalLimit = evalLimit;
            c.maxTokens = maxTokens;
            c.workers = workers;
            c.threads = threads;
            c.seed = seed;
            c.out = out;
            return new Quickstart(c);
        }
    }
}
