package dev.kiln.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.KilnVersion;
import dev.kiln.core.Provenance;
import dev.kiln.core.hash.SplitMix64;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.Manifest;
import dev.kiln.core.model.Tokenizer;
import dev.kiln.train.ckpt.Checkpoints;
import dev.kiln.train.data.DataLoader;
import dev.kiln.train.data.TokenSequences;
import dev.kiln.train.metrics.MetricsSink;
import dev.kiln.train.metrics.RunInfo;
import dev.kiln.train.metrics.StepMetrics;
import dev.kiln.train.optim.AdamW;
import dev.kiln.train.optim.LossScaler;
import dev.kiln.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link GptModel}: Kiln's {@link AdamW}, warmup + cosine learning rate, global-norm
 * clipping, gradient accumulation, periodic validation, NaN/Inf early stop, atomic checkpoints
 * (params, optimizer state, step, data position, config, tokenizer hash, provenance) every {@code
 * saveInterval} steps and at the end, automatic resume from the newest valid checkpoint, and
 * metrics to {@link MetricsSink}s.
 *
 * <pre>{@code
 * try (Trainer t = Trainer.builder()
 *         .setModelConfig(GptConfig.builder().setVocabSize(263).setContextLength(128).build())
 *         .setTokenizer(ByteTokenizer.withCodeSpecials())
 *         .setTrainData(train)
 *         .optValData(val)
 *         .optSaveFolder(Path.of("runs/tiny/checkpoints"))
 *         .optMaxSteps(2000).optBatchSize(16).optLearningRate(1e-3)
 *         .build()) {
 *     TrainResult r = t.fit();
 * }
 * }</pre>
 *
 * <p>Determinism: parameters are initialised in Java from the seed, the data order is a function
 * of (seed, epoch), and the engine's RNG (dropout) is reseeded every step from (seed, step), since
 * DJL cannot save libtorch's RNG state. With one intra-op thread on CPU a run that is killed and
 * resumed ends bit-identical to an uninterrupted one.
 */
public final class Trainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final int STATE_VERSION = 1;

    private final Builder b;
    private final GptModel model;
    private final Engine engine;
    private final AdamW optimizer;
    private final DataLoader loader;
    private final LrSchedule schedule;
    private final List<MetricsSink> sinks;
    private final double flopsPerToken;
    private final Map<String, Object> deviceInfo;
    private final LossScaler scaler;
    private long step;
    private long tokensSeen;

    private Trainer(Builder b, AdamW.Builder optimizerSettings) {
        // A private copy: changing the caller's builder after build() must not change a live trainer.
        this.b = b.snapshot();
        this.engine = Engines.pytorch();
        Engines.setThreads(b.intraOpThreads, b.interOpThreads);
        Device device = b.device == null ? Engines.device("auto") : b.device;
        this.deviceInfo = Engines.describe(device);
        this.scaler = b.precision == Precision.FP16_MIXED
                ? LossScaler.builder().optInitialScale(b.initialLossScale).build()
                : null;
        LOG.info("training on {}, precision {}", deviceInfo, b.precision.wireName());
        this.model = b.initialValues == null
                ? GptModel.create(b.modelConfig, b.seed, device)
                : GptModel.fromValues(b.modelConfig, b.initialValues, device);
        try {
            for (Parameter p : model.parameterList()) {
                p.getArray().setRequiresGradient(true);
            }
            this.optimizer = optimizerSettings.build(model.parameterList(), model.manager());
            this.loader = new DataLoader(b.train, b.batchSize, b.seed);
            this.schedule = new LrSchedule(b.lr, b.minLr, b.warmupSteps, b.maxSteps);
            this.sinks = List.copyOf(b.sinks);
            this.flopsPerToken = b.modelConfig.flopsPerToken(b.train.seqLen());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The model being trained. */
    public GptModel model() {
        return model;
    }

    /** Optimizer steps completed. */
    public long step() {
        return step;
    }

    /**
     * Runs to {@code maxSteps}, resuming from the newest valid checkpoint in the save folder first
     * (unless resuming is off).
     *
     * @throws TrainingDivergedException when the loss or gradients become NaN/Inf (the last good
     *     checkpoint is kept)
     * @throws IOException when a checkpoint cannot be read or written
     */
    public TrainResult fit() throws IOException {
        long resumedFrom = 0;
        if (b.resume && b.saveFolder != null) {
            var newest = Checkpoints.newestValid(b.saveFolder);
            if (newest.isPresent()) {
                restore(newest.get());
                resumedFrom = step;
                LOG.info("resumed from {} (step {})", newest.get(), step);
            }
        }
        RunInfo info = RunInfo.startingNow(
                b.runConfig,
                b.modelConfig.toMap(),
                model.countParameters(),
                (long) b.batchSize * b.gradAccum * b.train.seqLen(),
                b.maxSteps,
                resumedFrom,
                b.saveFolder,
                deviceInfo.get("device") + " (libtorch " + deviceInfo.get("libtorch") + ", " + deviceInfo.get("flavor")
                        + ")",
                b.precision.wireName(),
                b.inputs,
                b.seed);
        for (MetricsSink s : sinks) {
            s.onStart(info);
        }
        double lastLoss = Double.NaN;
        double lastVal = Double.NaN;
        Path lastCkpt = null;
        List<Double> times = new ArrayList<>();
        int tokensPerStep = b.batchSize * b.gradAccum * b.train.seqLen();
        long rss = 0;
        int arrays = 0;
        float invAccum = 1f / b.gradAccum;
        long[] shape = {b.batchSize, b.train.seqLen()};
        while (step < b.maxSteps) {
            double lr = schedule.at(step);
            JniUtils.setSeed(mix(b.seed, step));
            long t0 = System.nanoTime();
            double lossSum = 0;
            double norm;
            boolean applied = true;
            try (NDManager sm = model.manager().newSubManager()) {
                optimizer.zeroGrad();
                float lossScale = scaler == null ? 1f : scaler.scale();
                GptModel.HalfWeights half = scaler == null ? null : model.halfWeights(sm);
                for (int a = 0; a < b.gradAccum; a++) {
                    DataLoader.Batch batch = loader.next();
                    // Each micro-batch's activations live in their own scope, freed before the next
                    // one starts (the gradients accumulate in the parameters' own arrays), so peak
                    // memory does not grow with grad_accum.
                    try (NDManager mb = sm.newSubManager();
                            GradientCollector gc = engine.newGradientCollector()) {
                        NDArray x = mb.create(batch.inputs(), new Shape(shape));
                        NDArray y = mb.create(batch.targets(), new Shape(shape));
                        NDArray loss = half == null ? model.loss(x, y, true) : model.loss(x, y, true, half);
                        float factor = lossScale * (b.gradAccum == 1 ? 1f : invAccum);
                        gc.backward(factor == 1f ? loss : loss.mul(factor));
                        lossSum += loss.getFloat();
                    }
                }
                List<NDArray> grads = half == null ? null : half.gradients();
                norm = optimizer.globalNorm(sm, grads);
                if (b.overflowAtStep == step + 1) {
                    norm = Double.POSITIVE_INFINITY; // test hook: an overflow in this step's gradients
                }
                double loss = lossSum / b.gradAccum;
                if (scaler != null) {
                    applied = scaler.update(Double.isFinite(norm) && Double.isFinite(loss));
                    norm /= lossScale;
                }
                if (applied && (!Double.isFinite(loss) || !Double.isFinite(norm))
                        || scaler != null && scaler.scale() < 1f) {
                    String keep = Checkpoints.latest(b.saveFolder == null ? Path.of(".") : b.saveFolder)
                            .map(Path::toString)
                            .orElse("none was written");
                    throw new TrainingDivergedException(String.format(
                            java.util.Locale.ROOT,
                            "training diverged at step %d: loss %s, gradient norm %s (lr %.3g%s); the last good"
                                    + " checkpoint is kept (%s). Lower the learning rate or raise warmup_steps and"
                                    + " resume.",
                            step + 1,
                            loss,
                            norm,
                            lr,
                            scaler == null
                                    ? ""
                                    : String.format(java.util.Locale.ROOT, ", loss scale %.3g", scaler.scale()),
                            keep));
                }
                if (applied) {
                    optimizer.step(lr, AdamW.clipScale(norm, b.gradClip) / lossScale, grads);
                } else {
                    LOG.info(
                            "step {}: gradients overflowed in float16; step skipped, loss scale now {}",
                            step + 1,
                            scaler.scale());
                }
                lastLoss = loss;
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            times.add(ms);
            step++;
            tokensSeen += tokensPerStep;
            if (step % 10 == 1 || step == b.maxSteps) {
                rss = residentBytes();
                arrays = model.manager().getManagedArrays().size();
            }
            double tps = tokensPerStep / (ms / 1000);
            double mfu = b.peakFlops > 0 ? flopsPerToken * tps / b.peakFlops : 0;
            StepMetrics m = new StepMetrics(
                    step,
                    lastLoss,
                    lr,
                    norm,
                    tps,
                    mfu,
                    ms,
                    Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory(),
                    rss,
                    arrays);
            for (MetricsSink s : sinks) {
                s.onStep(m);
            }
            boolean last = step == b.maxSteps;
            if (b.val != null && b.evalInterval > 0 && (step % b.evalInterval == 0 || last)) {
                lastVal = evaluate();
                for (MetricsSink s : sinks) {
                    s.onEval(step, lastVal);
                }
            }
            if (b.saveFolder != null && ((b.saveInterval > 0 && step % b.saveInterval == 0) || last)) {
                lastCkpt = save(lastLoss, lastVal);
                for (MetricsSink s : sinks) {
                    s.onCheckpoint(step, lastCkpt);
                }
            }
        }
        double[] sorted =
                times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
        return new TrainResult(step, resumedFrom, lastLoss, lastVal, lastCkpt, median);
    }

    /** Mean validation loss over the first {@code evalBatches} batches of the validation rows (in order). */
    public double evaluate() {
        TokenSequences val = b.val;
        int t = val.seqLen();
        int rowsPerBatch = b.batchSize;
        long batches = Math.max(1, Math.min(b.evalBatches, val.size() / rowsPerBatch));
        int[] row = new int[t + 1];
        int[] xs = new int[rowsPerBatch * t];
        int[] ys = new int[rowsPerBatch * t];
        double sum = 0;
        long n = 0;
        long r = 0;
        for (long bi = 0; bi < batches; bi++) {
            int rows = (int) Math.min(rowsPerBatch, val.size() - r);
            if (rows <= 0) {
                break;
            }
            for (int i = 0; i < rows; i++) {
                val.read(r++, row);
                System.arraycopy(row, 0, xs, i * t, t);
                System.arraycopy(row, 1, ys, i * t, t);
            }
            try (NDManager sm = model.manager().newSubManager()) {
                NDArray x = sm.create(Arrays.copyOf(xs, rows * t), new Shape(rows, t));
                NDArray y = sm.create(Arrays.copyOf(ys, rows * t), new Shape(rows, t));
                sum += model.loss(x, y, false).getFloat() * rows;
                n += rows;
            }
        }
        return sum / n;
    }

    private Path save(double lastLoss, double lastVal) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("version", STATE_VERSION);
        state.put("step", step);
        state.put("tokens_seen", tokensSeen);
        long[] data = loader.state();
        state.put("data", Map.of("epoch", data[0], "offset", data[1], "rows", b.train.size()));
        state.put(
                "rng",
                Map.of(
                        "seed",
                        b.seed,
                        "engine",
                        "reseeded every step from (seed, step)",
                        "data",
                        "permutation of (seed, epoch)"));
        state.put("lr", schedule.at(Math.max(0, step - 1)));
        state.put("loss", lastLoss);
        state.put("val_loss", Double.isNaN(lastVal) ? null : lastVal);
        state.put("model", b.modelConfig.toMap());
        state.put("tokenizer_sha256", ModelDir.tokenizerHash(b.tokenizer));
        state.put("train_config", b.runConfig);
        state.put("device", deviceInfo);
        state.put("precision", b.precision.wireName());
        state.put("optimizer_steps", optimizer.steps());
        if (scaler != null) {
            state.put("loss_scaler", scaler.state());
        }
        Provenance prov = Provenance.builder()
                .setKind("checkpoint")
                .optInputs(b.inputs)
                .optConfig(b.runConfig)
                .optSeed(b.seed)
                .build();
        Manifest manifest = new Manifest(
                "checkpoint",
                1,
                Map.of("step", step, "parameters", model.countParameters(), "tokens_seen", tokensSeen),
                prov,
                Map.of("kiln", KilnVersion.get()));
        try {
            return Checkpoints.commit(
                    b.saveFolder,
                    step,
                    dir -> {
                        ModelDir.write(dir, model, b.tokenizer);
                        optimizer.save(dir.resolve("optimizer.bin"));
                        Json.write(dir.resolve("state.json"), state);
                    },
                    manifest,
                    b.keepLast);
        } catch (IOException e) {
            String prev = Checkpoints.latest(b.saveFolder).map(Path::toString).orElse("none");
            throw new IOException(
                    "saving the checkpoint of step " + step + " under " + b.saveFolder + " failed (" + e.getMessage()
                            + "); the previous checkpoint (" + prev + ") is intact",
                    e);
        }
    }

    private void restore(Path dir) throws IOException {
        JsonNode state = Json.read(dir.resolve("state.json"));
        GptConfig saved = ModelDir.readConfig(dir);
        if (!saved.equals(b.modelConfig)) {
            throw new IllegalArgumentException("checkpoint " + dir + " holds a model " + saved.toMap()
                    + " but the config asks for " + b.modelConfig.toMap()
                    + "; use --no-resume or another save_folder");
        }
        String hash = state.path("tokenizer_sha256").asText();
        if (!hash.equals(ModelDir.tokenizerHash(b.tokenizer))) {
            throw new IllegalArgumentException(
                    "checkpoint " + dir + " was trained with another tokenizer (sha256 " + hash + ")");
        }
        if (state.path("data").path("rows").asLong() != b.train.size()) {
            throw new IllegalArgumentException("checkpoint " + dir + " was trained on "
                    + state.path("data").path("rows") + " rows, the training data now has " + b.train.size()
                    + "; the data position cannot be restored");
        }
        Map<String, float[]> values = GptModel.readParameterFile(dir.resolve(ModelDir.PARAMS), b.modelConfig);
        model.setValues(values);
        optimizer.load(dir.resolve("optimizer.bin"));
        long s = state.path("step").asLong(-1);
        long optimizerSteps = state.path("optimizer_steps").asLong(s); // skipped fp16 steps make them differ
        if (s < 0 || optimizerSteps != optimizer.steps()) {
            throw new CorruptArtifactException(
                    dir.resolve("state.json"), "step " + s + " disagrees with the optimizer state");
        }
        String precision = state.path("precision").asText("fp32");
        if (!precision.equals(b.precision.wireName())) {
            throw new IllegalArgumentException(
                    "checkpoint " + dir + " was trained with precision " + precision + " but the config asks for "
                            + b.precision.wireName() + "; use --no-resume or another save_folder");
        }
        if (scaler != null) {
            JsonNode ls = state.path("loss_scaler");
            scaler.restore(
                    ls.path("scale").asDouble(65536),
                    ls.path("good_steps").asInt(),
                    ls.path("skipped").asLong());
        }
        loader.restore(new long[] {
            state.path("data").path("epoch").asLong(),
            state.path("data").path("offset").asLong()
        });
        this.step = s;
        this.tokensSeen = state.path("tokens_seen").asLong();
    }

    static long mix(long seed, long step) {
        return SplitMix64.mix64(seed * SplitMix64.GOLDEN_GAMMA + step + 1) & Long.MAX_VALUE;
    }

    private static long residentBytes() {
        try {
            String s = Files.readString(Path.of("/proc/self/statm"));
            return Long.parseLong(s.split(" ")[1]) * 4096;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (MetricsSink s : sinks) {
            try {
                s.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        loader.close();
        optimizer.close();
        model.close();
        for (AutoCloseable r : b.resources) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", r, e.getMessage());
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Builder: {@code set*} required, {@code opt*} optional; values checked when set. */
    public static final class Builder {
        private GptConfig modelConfig;
        private Tokenizer tokenizer;
        private TokenSequences train;
        private TokenSequences val;
        private Path saveFolder;
        private long seed = 42;
        private int batchSize = 8;
        private int gradAccum = 1;
        private long maxSteps = 1000;
        private double lr = 1e-3;
        private double minLr = 1e-4;
        private long warmupSteps = 100;
        /** AdamW settings, checked by its own setters. */
        private final AdamW.Builder optimizer = AdamW.builder();

        private double gradClip = 1.0;
        private int evalInterval = 100;
        private int evalBatches = 20;
        private int saveInterval = 500;
        private int keepLast = 3;
        private boolean resume = true;
        private Map<String, float[]> initialValues;
        private Precision precision = Precision.FP32;
        private float initialLossScale = 65536f;
        private long overflowAtStep = -1;
        private Device device;
        private int intraOpThreads = 1;
        private int interOpThreads = 1;
        private double peakFlops = 0;
        private final List<MetricsSink> sinks = new ArrayList<>();
        private Map<String, Object> runConfig = Map.of();
        private List<String> inputs = List.of();
        private final List<AutoCloseable> resources = new ArrayList<>();

        private Builder() {}

        /** A copy of every setting (the optimizer's are used once, at construction). */
        private Builder snapshot() {
            Builder c = new Builder();
            c.modelConfig = modelConfig;
            c.tokenizer = tokenizer;
            c.train = train;
            c.val = val;
            c.saveFolder = saveFolder;
            c.seed = seed;
            c.batchSize = batchSize;
            c.gradAccum = gradAccum;
            c.maxSteps = maxSteps;
            c.lr = lr;
            c.minLr = minLr;
            c.warmupSteps = warmupSteps;
            c.gradClip = gradClip;
            c.evalInterval = evalInterval;
            c.evalBatches = evalBatches;
            c.saveInterval = saveInterval;
            c.keepLast = keepLast;
            c.resume = resume;
            c.initialValues = initialValues;
            c.precision = precision;
            c.initialLossScale = initialLossScale;
            c.overflowAtStep = overflowAtStep;
            c.device = device;
            c.intraOpThreads = intraOpThreads;
            c.interOpThreads = interOpThreads;
            c.peakFlops = peakFlops;
            c.sinks.addAll(sinks);
            c.runConfig = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(runConfig));
            c.inputs = List.copyOf(inputs);
            c.resources.addAll(resources);
            return c;
        }

        /** A resource (e.g. memory-mapped shards) the trainer closes when it is closed. */
        public Builder optCloseOnExit(AutoCloseable resource) {
            this.resources.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        public Builder setModelConfig(GptConfig c) {
            this.modelConfig = Objects.requireNonNull(c, "model config");
            return this;
        }

        public Builder setTokenizer(Tokenizer t) {
            this.tokenizer = Objects.requireNonNull(t, "tokenizer");
            return this;
        }

        public Builder setTrainData(TokenSequences s) {
            this.train = Objects.requireNonNull(s, "training data");
            return this;
        }

        public Builder optValData(TokenSequences s) {
            this.val = s;
            return this;
        }

        /** Where checkpoints go; {@code null} (default) writes none. */
        public Builder optSaveFolder(Path p) {
            this.saveFolder = p;
            return this;
        }

        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        public Builder optBatchSize(int n) {
            this.batchSize = positive("batch_size", n);
            return this;
        }

        public Builder optGradAccum(int n) {
            this.gradAccum = positive("grad_accum", n);
            return this;
        }

        public Builder optMaxSteps(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("max_steps must be >= 1, got " + n);
            }
            this.maxSteps = n;
            return this;
        }

        public Builder optLearningRate(double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("lr must be a finite number > 0, got " + v);
            }
            this.lr = v;
            return this;
        }

        public Builder optMinLearningRate(double v) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("min_lr must be >= 0, got " + v);
            }
            this.minLr = v;
            return this;
        }

        public Builder optWarmupSteps(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("warmup_steps must be >= 0, got " + n);
            }
            this.warmupSteps = n;
            return this;
        }

        /** AdamW's decoupled weight decay (see {@link AdamW.Builder#optWeightDecay}). */
        public Builder optWeightDecay(double v) {
            optimizer.optWeightDecay(v);
            return this;
        }

        /** AdamW's betas (see {@link AdamW.Builder#optBetas}). */
        public Builder optBetas(double b1, double b2) {
            optimizer.optBetas(b1, b2);
            return this;
        }

        /** AdamW's epsilon (see {@link AdamW.Builder#optEps}). */
        public Builder optEps(double v) {
            optimizer.optEps(v);
            return this;
        }

        /** Global-norm clipping threshold; 0 turns clipping off. */
        public Builder optGradClip(double v) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("grad_clip must be >= 0, got " + v);
            }
            this.gradClip = v;
            return this;
        }

        /** Decay embeddings too (see {@link AdamW.Builder#optDecayEmbeddings}). */
        public Builder optDecayEmbeddings(boolean on) {
            optimizer.optDecayEmbeddings(on);
            return this;
        }

        /** Validation every n steps (and at the end); 0 turns it off. */
        public Builder optEvalInterval(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("eval_interval must be >= 0, got " + n);
            }
            this.evalInterval = n;
            return this;
        }

        public Builder optEvalBatches(int n) {
            this.evalBatches = positive("eval_batches", n);
            return this;
        }

        /** Checkpoint every n steps (and at the end); 0 = only at the end. */
        public Builder optSaveInterval(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("save_interval must be >= 0, got " + n);
            }
            this.saveInterval = n;
            return this;
        }

        public Builder optKeepLast(int n) {
            this.keepLast = positive("keep_last", n);
            return this;
        }

        /**
         * Starts from these parameter values (by Kiln name; e.g. {@link InitFrom#values()}) instead of
         * a seeded initialisation: a fine-tune with a fresh optimizer and schedule. A checkpoint in the
         * save folder still takes precedence when resuming.
         */
        public Builder optInitialValues(Map<String, float[]> values) {
            this.initialValues = Objects.requireNonNull(values, "initial values");
            return this;
        }

        /** {@code fp32} (default) or {@code fp16-mixed} (float16 compute, dynamic loss scaling). */
        public Builder optPrecision(Precision p) {
            this.precision = Objects.requireNonNull(p, "precision");
            return this;
        }

        /**
         * The first loss scale of {@code fp16-mixed} (default 2^16, as PyTorch's GradScaler: the
         * first steps may overflow and be skipped while the scale backs off).
         */
        public Builder optInitialLossScale(float v) {
            LossScaler.builder().optInitialScale(v); // checks the value
            this.initialLossScale = v;
            return this;
        }

        /** Test hook: makes step {@code step} (1-based) look as if its float16 gradients overflowed. */
        Builder injectOverflowAt(long step) {
            this.overflowAtStep = step;
            return this;
        }

        public Builder optResume(boolean on) {
            this.resume = on;
            return this;
        }

        public Builder optDevice(Device d) {
            this.device = d;
            return this;
        }

        public Builder optThreads(int intraOp, int interOp) {
            positive("intra-op threads", intraOp);
            positive("inter-op threads", interOp);
            this.intraOpThreads = intraOp;
            this.interOpThreads = interOp;
            return this;
        }

        /** Peak FLOP/s of the device for MFU (e.g. 312e12 for an A100 in bf16); 0 = MFU not reported. */
        public Builder optPeakFlops(double v) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("peak_flops must be >= 0, got " + v);
            }
            this.peakFlops = v;
            return this;
        }

        public Builder optMetricsSink(MetricsSink s) {
            this.sinks.add(Objects.requireNonNull(s, "sink"));
            return this;
        }

        /** The run's full configuration, recorded in checkpoints' provenance and state. */
        public Builder optRunConfig(Map<String, Object> c) {
            this.runConfig = c == null ? Map.of() : c;
            return this;
        }

        /** What the data was made from, for provenance. */
        public Builder optInputs(List<String> in) {
            this.inputs = in == null ? List.of() : List.copyOf(in);
            return this;
        }

        private static int positive(String what, int n) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be >= 1, got " + n);
            }
            return n;
        }

        public Trainer build() {
            if (modelConfig == null) {
                throw new IllegalArgumentException("a model config is required (setModelConfig)");
            }
            if (tokenizer == null) {
                throw new IllegalArgumentException("a tokenizer is required (setTokenizer)");
            }
            if (train == null) {
                throw new IllegalArgumentException("training data is required (setTrainData)");
            }
            ModelDir.describeTokenizer(tokenizer); // fails now, not at the first checkpoint
            if (tokenizer.vocabSize() > modelConfig.vocabSize()) {
                throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                        + " ids but model.vocab_size is " + modelConfig.vocabSize());
            }
            for (TokenSequences s : val == null ? List.of(train) : List.of(train, val)) {
                if (s.maxTokenIdExclusive() > modelConfig.vocabSize()) {
                    throw new IllegalArgumentException("the data holds token id " + (s.maxTokenIdExclusive() - 1)
                            + " but model.vocab_size is " + modelConfig.vocabSize() + " (tokenizer/data mismatch)");
                }
                if (s.seqLen() > modelConfig.contextLength()) {
                    throw new IllegalArgumentException("the data's sequences hold " + s.seqLen()
                            + " tokens, longer than model.context_length " + modelConfig.contextLength());
                }
            }
            if (modelConfig.contextLength() > train.seqLen()) {
                throw new IllegalArgumentException("model.context_length " + modelConfig.contextLength()
                        + " is longer than the training sequences (" + train.seqLen()
                        + " tokens): positions beyond them would never be trained; lower it or re-shard");
            }
            if (minLr > lr) {
                throw new IllegalArgumentException("min_lr " + minLr + " exceeds lr " + lr);
            }
            if (warmupSteps > maxSteps) {
                throw new IllegalArgumentException("warmup_steps " + warmupSteps + " exceeds max_steps " + maxSteps);
            }
            return new Trainer(this, optimizer);
        }
    }
}
