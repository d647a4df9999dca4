package dev.kiln.train;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.data.DataLoader;
import dev.kiln.train.data.TokenSequences;
import dev.kiln.train.metrics.MetricsSink;
import dev.kiln.train.optim.AdamW;
import dev.kiln.train.optim.LossScaler;
import dev.kiln.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *
 * <p>The pieces: {@code TrainSettings} (the builder's values, frozen), {@code TrainLoop} (the loop
 * and one optimizer step), {@code Divergence} (the early stop), {@code TrainCheckpoint} (what a
 * checkpoint holds and the checks of a resume), {@code Validation}.
 */
public final class Trainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainSettings s;
    private final GptModel model;
    private final AdamW optimizer;
    private final DataLoader loader;
    private final TrainLoop loop;

    private Trainer(TrainSettings s, AdamW.Builder optimizerSettings) {
        this.s = s;
        var engine = Devices.pytorch();
        Devices.setThreads(s.intraOpThreads, s.interOpThreads);
        Device device = s.device == null ? Devices.device("auto") : s.device;
        Map<String, Object> deviceInfo = Devices.describe(device);
        LossScaler scaler = s.precision == Precision.FP16_MIXED
                ? LossScaler.builder().optInitialScale(s.initialLossScale).build()
                : null;
        LOG.info("training on {}, precision {}", deviceInfo, s.precision.wireName());
        this.model = s.initialValues == null
                ? GptModel.create(s.modelConfig, s.seed, device)
                : GptModel.fromValues(s.modelConfig, s.initialValues, device);
        try {
            for (Parameter p : model.parameterList()) {
                p.getArray().setRequiresGradient(true);
            }
            this.optimizer = optimizerSettings.build(model.parameterList(), model.manager());
            this.loader = new DataLoader(s.train, s.batchSize, s.seed);
            LrSchedule schedule = new LrSchedule(s.lr, s.minLr, s.warmupSteps, s.maxSteps);
            this.loop = new TrainLoop(s, model, engine, optimizer, loader, schedule, scaler, deviceInfo);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** A builder; the model config, tokenizer and training data are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The model being trained. */
    public GptModel model() {
        return model;
    }

    /** Optimizer steps completed. */
    public long step() {
        return loop.step();
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
        Devices.applyThreads(); // the thread count reaches MKL on this thread too
        return loop.fit();
    }

    /** Mean validation loss over the first {@code evalBatches} batches of the validation rows (in order). */
    public double evaluate() {
        return loop.evaluate();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (MetricsSink sink : s.sinks) {
            try {
                sink.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        loader.close();
        optimizer.close();
        model.close();
        for (AutoCloseable r : s.resources) {
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
        GptConfig modelConfig;
        Tokenizer tokenizer;
        TokenSequences train;
        TokenSequences val;
        Path saveFolder;
        long seed = 42;
        int batchSize = 8;
        int gradAccum = 1;
        long maxSteps = 1000;
        double lr = 1e-3;
        double minLr = 1e-4;
        long warmupSteps = 100;
        /** AdamW settings, checked by its own setters. */
        final AdamW.Builder optimizer = AdamW.builder();

        double gradClip = 1.0;
        int evalInterval = 100;
        int evalBatches = 20;
        int saveInterval = 500;
        int keepLast = 3;
        boolean resume = true;
        Map<String, float[]> initialValues;
        Precision precision = Precision.FP32;
        float initialLossScale = 65536f;
        long overflowAtStep = -1;
        Device device;
        int intraOpThreads = 1;
        int interOpThreads = 1;
        double peakFlops = 0;
        final List<MetricsSink> sinks = new ArrayList<>();
        Map<String, Object> runConfig = Map.of();
        List<String> inputs = List.of();
        final List<AutoCloseable> resources = new ArrayList<>();

        private Builder() {}

        /** A resource (e.g. memory-mapped shards) the trainer closes when it is closed. */
        public Builder optCloseOnExit(AutoCloseable resource) {
            this.resources.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        /** The model to train (required). */
        public Builder setModelConfig(GptConfig c) {
            this.modelConfig = Objects.requireNonNull(c, "model config");
            return this;
        }

        /** The tokenizer the data was encoded with (required; saved with each checkpoint). */
        public Builder setTokenizer(Tokenizer t) {
            this.tokenizer = Objects.requireNonNull(t, "tokenizer");
            return this;
        }

        /** The training sequences (required). */
        public Builder setTrainData(TokenSequences s) {
            this.train = Objects.requireNonNull(s, "training data");
            return this;
        }

        /** Validation sequences for the periodic validation loss (default: none). */
        public Builder optValData(TokenSequences s) {
            this.val = s;
            return this;
        }

        /** Where checkpoints go; {@code null} (default) writes none. */
        public Builder optSaveFolder(Path p) {
            this.saveFolder = p;
            return this;
        }

        /** Seed of initialisation and data order (default 42): the same seed repeats the run. */
        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        /** Sequences per micro-batch, >= 1 (default 8). */
        public Builder optBatchSize(int n) {
            this.batchSize = positive("batch_size", n);
            return this;
        }

        /** Micro-batches per optimizer step, >= 1 (default 1). */
        public Builder optGradAccum(int n) {
            this.gradAccum = positive("grad_accum", n);
            return this;
        }

        /** Optimizer steps, >= 1 (default 1000). */
        public Builder optMaxSteps(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("max_steps must be >= 1, got " + n);
            }
            this.maxSteps = n;
            return this;
        }

        /** Peak learning rate after warm-up, finite and > 0 (default 1e-3). */
        public Builder optLearningRate(double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("lr must be a finite number > 0, got " + v);
            }
            this.lr = v;
            return this;
        }

        /** The rate the cosine decay ends at, >= 0 (default 1e-4). */
        public Builder optMinLearningRate(double v) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("min_lr must be >= 0, got " + v);
            }
            this.minLr = v;
            return this;
        }

        /** Steps of linear warm-up, >= 0 (default 100). */
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

        /** Validation batches per evaluation, >= 1 (default 20). */
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

        /** Checkpoints kept; older ones are deleted (default 3). */
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

        /** Resume from the save folder's latest checkpoint when there is one (default true). */
        public Builder optResume(boolean on) {
            this.resume = on;
            return this;
        }

        /** The device to train on (default: the best one found, see {@code Devices}). */
        public Builder optDevice(Device d) {
            this.device = d;
            return this;
        }

        /** libtorch's intra-op and inter-op threads, each >= 1 (default 1 and 1). */
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

        /** Adds a sink that receives each step's metrics (any number). */
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

        /** @throws IllegalArgumentException when the model config, tokenizer or training data is missing */
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
            return new Trainer(new TrainSettings(this), optimizer);
        }
    }
}
