package dev.kiln.train;

import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.data.InMemorySequences;
import dev.kiln.train.metrics.MetricsSink;
import dev.kiln.train.metrics.StepMetrics;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** A training run in its own JVM, for the kill -9 / resume test: args = saveFolder maxSteps sleepMsPerStep. */
public final class TrainChild {

    static final ByteTokenizer TOK = ByteTokenizer.withCodeSpecials();

    static int[] corpus() {
        StringBuilder sb = new StringBuilder();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 400; i++) {
            sb.append("int v")
                    .append(r.nextInt(50))
                    .append(" = ")
                    .append(r.nextInt(1000))
                    .append(";\n");
        }
        return TOK.encode(sb);
    }

    static Trainer.Builder builder(Path folder, int maxSteps) {
        // GPT-2: the mechanics tests' thresholds were set on it (the Llama preset's training is
        // covered by InitFromTest and the PyTorch gradient checks).
        GptConfig cfg = GptConfig.builder()
                .optArch(GptConfig.Arch.GPT2)
                .setVocabSize(TOK.vocabSize())
                .setContextLength(16)
                .optDModel(16)
                .optHeads(2)
                .optLayers(1)
                .optDropout(0.1)
                .build();
        return Trainer.builder()
                .setModelConfig(cfg)
                .setTokenizer(TOK)
                .setTrainData(new InMemorySequences(corpus(), 16))
                .optSaveFolder(folder)
                .optSeed(123)
                .optBatchSize(4)
                .optGradAccum(2)
                .optMaxSteps(maxSteps)
                .optLearningRate(3e-3)
                .optWarmupSteps(3)
                .optSaveInterval(5)
                .optKeepLast(3)
                .optEvalInterval(0)
                .optThreads(1, 1);
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        int maxSteps = Integer.parseInt(args[1]);
        long sleep = Long.parseLong(args[2]);
        MetricsSink slow = new MetricsSink() {
            @Override
            public void onStep(StepMetrics m) throws java.io.IOException {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (Trainer t = builder(folder, maxSteps).optMetricsSink(slow).build()) {
            TrainResult r = t.fit();
            System.out.println("done " + r.steps() + " resumed " + r.resumedFrom());
        }
    }
}
