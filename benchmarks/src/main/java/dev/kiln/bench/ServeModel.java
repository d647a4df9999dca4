package dev.kiln.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.kiln.tokenize.BpeTokenizer;
import dev.kiln.tokenize.BpeTrainer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import dev.kiln.train.optim.AdamW;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Writes the model the serving benchmarks run on: a Kiln Llama-family checkpoint directory (RoPE,
 * RMSNorm, SwiGLU, grouped-query attention; by default d=256, 4 layers, 8 heads over 2 KV heads,
 * context 2048) with a byte-level BPE tokenizer of 8,192 ids trained on Kiln's own Java sources (all
 * modules) (with the FIM special tokens), trained briefly (AdamW, {@code STEPS} steps of 8 windows of
 * 128 tokens, default 60) on the same sources, so that the served checkpoint is a real one that has
 * learnt some Java (its validation loss is printed), not random weights. {@code --d-model},
 * {@code --layers}, {@code --heads} and {@code --kv-heads} write a larger one, e.g. one whose float32
 * weights do not fit in the processor's caches, as any real code model's do not.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar:benchmarks/target/lib/* dev.kiln.bench.ServeModel target/serve-model [STEPS]
 * java -cp ... dev.kiln.bench.ServeModel --d-model 512 --layers 8 target/serve-model-26m 30
 * </pre>
 */
@Command(
        name = "ServeModel",
        mixinStandardHelpOptions = true,
        description = "Writes a briefly trained Kiln llama-family checkpoint for the serving benchmarks.")
public final class ServeModel implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OUT_DIR", description = "the model directory to write")
    Path out;

    @Parameters(
            index = "1",
            arity = "0..1",
            defaultValue = "60",
            paramLabel = "STEPS",
            description = "training steps of 8 x 128 tokens (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--d-model", defaultValue = "256", description = "model width (default: ${DEFAULT-VALUE})")
    int dModel;

    @Option(names = "--layers", defaultValue = "4", description = "transformer blocks (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--heads", defaultValue = "8", description = "query heads (default: ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "2", description = "key/value heads (default: ${DEFAULT-VALUE})")
    int kvHeads;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        BenchCli.run(new ServeModel(), args);
    }

    @Override
    public Integer call() throws IOException {
        if (steps < 1) {
            throw BenchCli.bad(spec, "STEPS must be >= 1, got %d", steps);
        }
        // The shape is checked before the tokenizer is trained (a minute): a bad one fails at once.
        GptConfig.Builder shape = GptConfig.builder()
                .setContextLength(2048)
                .optDModel(dModel)
                .optHeads(heads)
                .optKvHeads(kvHeads)
                .optLayers(layers);
        shape.setVocabSize(8192).build();
        List<String> texts = new java.util.ArrayList<>();
        for (String module : List.of(
                "llm-core",
                "llm-data",
                "llm-tokenize",
                "llm-train",
                "llm-eval",
                "llm-serve",
                "examples",
                "benchmarks")) {
            texts.addAll(ServeLoad.sources(module));
        }
        BpeTokenizer tok =
                BpeTrainer.builder().setVocabSize(8192).optThreads(2).build().train(texts);
        GptConfig cfg = shape.setVocabSize(tok.vocabSize()).build();
        try (GptModel model = GptModel.create(cfg, 1, Device.cpu())) {
            double loss = train(model, tok, texts, steps);
            ModelDir.write(out, model, tok);
            System.out.printf(
                    "wrote %s: %s, %,d parameters, tokenizer %d ids, %d training steps, held-out loss %.3f%n",
                    out, cfg, model.countParameters(), tok.vocabSize(), steps, loss);
        }
        if (!Files.isRegularFile(out.resolve(ModelDir.CONFIG))) {
            throw new IllegalStateException("no config.json in " + out);
        }
        return 0;
    }

    private static final int BATCH = 8;
    private static final int WINDOW = 128;

    /** Trains on random windows of the tokenized sources (every 10th file held out); the held-out loss. */
    static double train(GptModel model, BpeTokenizer tok, List<String> texts, int steps) {
        IntStream.Builder trainIds = IntStream.builder();
        IntStream.Builder heldIds = IntStream.builder();
        for (int i = 0; i < texts.size(); i++) {
            IntStream.Builder to = i % 10 == 9 ? heldIds : trainIds;
            for (int id : tok.encode(texts.get(i))) {
                to.add(id);
            }
        }
        int[] train = trainIds.build().toArray();
        int[] held = heldIds.build().toArray();
        for (Parameter p : model.parameterList()) {
            p.getArray().setRequiresGradient(true);
        }
        SplittableRandom rng = new SplittableRandom(7);
        try (AdamW opt =
                AdamW.builder().optBetas(0.9, 0.95).optWeightDecay(0.1).build(model.parameterList(), model.manager())) {
            for (int step = 0; step < steps; step++) {
                double lr = 3e-3 * Math.min(1.0, (step + 1) / 20.0) * (1 - 0.9 * step / (double) steps);
                try (NDManager s = model.manager().newSubManager()) {
                    NDArray[] xy = batch(s, train, rng);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = model.loss(xy[0], xy[1], true);
                        gc.backward(loss);
                        if (step % 50 == 0) {
                            System.out.printf("step %d: loss %.3f%n", step, loss.getFloat());
                        }
                    }
                    opt.step(lr, AdamW.clipScale(opt.globalNorm(s), 1.0));
                    opt.zeroGrad();
                }
            }
        }
        for (Parameter p : model.parameterList()) {
            p.getArray().setRequiresGradient(false);
        }
        double sum = 0;
        SplittableRandom heldRng = new SplittableRandom(11);
        for (int i = 0; i < 4; i++) {
            try (NDManager s = model.manager().newSubManager()) {
                NDArray[] xy = batch(s, held, heldRng);
                sum += model.loss(xy[0], xy[1], false).getFloat();
            }
        }
        return sum / 4;
    }

    private static NDArray[] batch(NDManager s, int[] ids, SplittableRandom rng) {
        int[] x = new int[BATCH * WINDOW];
        int[] y = new int[BATCH * WINDOW];
        for (int b = 0; b < BATCH; b++) {
            int start = rng.nextInt(ids.length - WINDOW - 1);
            System.arraycopy(ids, start, x, b * WINDOW, WINDOW);
            System.arraycopy(ids, start + 1, y, b * WINDOW, WINDOW);
        }
        return new NDArray[] {s.create(x, new Shape(BATCH, WINDOW)), s.create(y, new Shape(BATCH, WINDOW))};
    }
}
