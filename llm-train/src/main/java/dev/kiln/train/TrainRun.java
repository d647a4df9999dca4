package dev.kiln.train;

import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.train.data.InMemorySequences;
import dev.kiln.train.data.ShardSequences;
import dev.kiln.train.data.TokenSequences;
import dev.kiln.train.metrics.MetricsSinkProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A training run from a {@link TrainConfig}: reads the data, builds the {@link Trainer} with the
 * configured sinks (run directory = the save folder's parent) and runs it. What {@code llm train}
 * calls.
 *
 * <pre>{@code
 * TrainResult r = TrainRun.run(TrainConfig.load(Path.of("tiny.yaml"), List.of()), true);
 * }</pre>
 */
public final class TrainRun {

    private TrainRun() {}

    /**
     * Trains as the config says (data, tokenizer, model, run directory), resuming from its latest
     * checkpoint when {@code resume} is set and one exists.
     *
     * @throws IOException when the data, the tokenizer or the run directory cannot be read or written
     */
    public static TrainResult run(TrainConfig c, boolean resume) throws IOException {
        try (Trainer t = trainer(c, resume)) {
            return t.fit();
        }
    }

    /** The configured trainer (not started). */
    public static Trainer trainer(TrainConfig c, boolean resume) throws IOException {
        String tokName = c.getString("data.tokenizer");
        InitFrom init = c.getString("init_from") == null ? null : InitFrom.load(c.path("init_from"));
        Tokenizer tok;
        GptConfig modelConfig;
        if (init == null) {
            tok = tokName.equals("byte") ? tokenizer(tokName) : BpeTokenizer.load(c.path("data.tokenizer"));
            modelConfig = c.modelConfig();
        } else {
            modelConfig = init.resolveConfig(c.explicitModelKeys());
            tok = init.tokenizer();
            if (c.isExplicit("data.tokenizer")) {
                Tokenizer given =
                        tokName.equals("byte") ? tokenizer(tokName) : BpeTokenizer.load(c.path("data.tokenizer"));
                String want = ModelDir.tokenizerHash(tok);
                String have = ModelDir.tokenizerHash(given);
                if (!want.equals(have)) {
                    throw new IllegalArgumentException("data.tokenizer (" + tokName + ", sha256 " + have
                            + ") is not the tokenizer of init_from " + init.source() + " (sha256 " + want
                            + "); tokenize the data with the model's tokenizer.json");
                }
            }
        }
        Path shards = c.path("data.shards");
        Path trainPath = shards != null ? shards : c.path("data.train");
        if (trainPath == null) {
            throw new IllegalArgumentException("data.shards or data.train is required");
        }
        int seqLen = c.getInt("data.seq_len");
        List<AutoCloseable> resources = new ArrayList<>();
        TokenSequences train;
        TokenSequences val;
        Path valPath = c.path("data.val");
        if (shards != null) {
            if (!(tok instanceof BpeTokenizer bpe)) {
                throw new IllegalArgumentException(
                        "data.shards needs data.tokenizer to name the shards' tokenizer.json");
            }
            ShardSequences t;
            try {
                t = ShardSequences.open(shards, "train", bpe.hash());
            } catch (dev.kiln.core.CorruptArtifactException e) {
                if (init == null) {
                    throw e;
                }
                throw new IllegalArgumentException(
                        "init_from " + init.source() + ": the shards were not written with the model's tokenizer: "
                                + e.getMessage(),
                        e);
            }
            ShardSequences v = ShardSequences.open(shards, "val", bpe.hash());
            resources.add(t);
            resources.add(v);
            train = t;
            val = v.size() > 0 ? v : null;
        } else if (valPath != null) {
            int[] tokens = encodeAll(tok, trainPath);
            train = new InMemorySequences(tokens, seqLen);
            val = new InMemorySequences(encodeAll(tok, valPath), seqLen);
        } else {
            int[] tokens = encodeAll(tok, trainPath);
            int cut = (int) (tokens.length * (1 - c.getDouble("data.val_fraction")));
            train = new InMemorySequences(Arrays.copyOfRange(tokens, 0, cut), seqLen);
            val = new InMemorySequences(Arrays.copyOfRange(tokens, cut, tokens.length), seqLen);
        }
        Path save = c.path("save_folder");
        Path runDir = save.getParent() == null ? save : save.getParent();
        Trainer.Builder b = Trainer.builder()
                .setModelConfig(modelConfig)
                .setTokenizer(tok)
                .setTrainData(train)
                .optValData(val)
                .optSaveFolder(save)
                .optSeed(c.getLong("seed"))
                .optBatchSize(c.getInt("data.batch_size"))
                .optGradAccum(c.getInt("data.grad_accum"))
                .optMaxSteps(c.getInt("max_steps"))
                .optLearningRate(c.getDouble("optimizer.lr"))
                .optMinLearningRate(c.getDouble("scheduler.min_lr"))
                .optWarmupSteps(c.getInt("scheduler.warmup_steps"))
                .optWeightDecay(c.getDouble("optimizer.weight_decay"))
                .optDecayEmbeddings(c.getBool("optimizer.decay_embeddings"))
                .optBetas(c.getDouble("optimizer.beta1"), c.getDouble("optimizer.beta2"))
                .optEps(c.getDouble("optimizer.eps"))
                .optGradClip(c.getDouble("optimizer.grad_clip"))
                .optEvalInterval(c.getInt("eval_interval"))
                .optEvalBatches(c.getInt("eval_batches"))
                .optSaveInterval(c.getInt("save_interval"))
                .optKeepLast(c.getInt("keep_last"))
                .optResume(resume)
                .optDevice(Devices.device(c.getString("device")))
                .optPrecision(Precision.parse(c.getString("precision")))
                .optThreads(c.getInt("threads.intra_op"), c.getInt("threads.inter_op"))
                .optPeakFlops(c.getDouble("metrics.peak_flops"))
                .optRunConfig(c.values())
                .optInputs(
                        valPath == null
                                ? List.of(trainPath.toString())
                                : List.of(trainPath.toString(), valPath.toString()));
        if (init != null) {
            b.optInitialValues(init.values());
        }
        resources.forEach(b::optCloseOnExit);
        for (String name : c.getString("metrics.sinks").split(",")) {
            if (!name.isBlank()) {
                b.optMetricsSink(MetricsSinkProvider.open(
                        name.trim(), runDir, Map.of("log_interval", String.valueOf(c.getInt("metrics.log_interval")))));
            }
        }
        return b.build();
    }

    static Tokenizer tokenizer(String name) {
        if (name.equals("byte")) {
            return ByteTokenizer.withCodeSpecials();
        }
        throw new IllegalArgumentException("unknown data.tokenizer '" + name + "' (supported: byte)");
    }

    /** Text of a file or of every regular file under a directory (sorted), each followed by end-of-text. */
    static int[] encodeAll(Tokenizer tok, Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "training data not found");
        }
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        } else {
            files.add(path);
        }
        int eot = tok.endOfTextId().orElse(-1);
        int[] out = new int[1 << 16];
        int n = 0;
        for (Path f : files) {
            int[] ids;
            try {
                ids = tok.encode(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (n + ids.length + 1 > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, n + ids.length + 1));
            }
            System.arraycopy(ids, 0, out, n, ids.length);
            n += ids.length;
            if (eot >= 0) {
                out[n++] = eot;
            }
        }
        return Arrays.copyOf(out, n);
    }
}
