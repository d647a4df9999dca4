package dev.kiln.bench;

import ai.djl.pytorch.jni.JniUtils;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.Trainer;
import dev.kiln.train.data.InMemorySequences;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Profiles the {@link TrainStepBench} model's training steps with libtorch's autograd profiler
 * (steps 21–30) and writes a Chrome trace to the given file (default {@code train-step-trace.json}).
 * {@code -Dkiln.bench.arch=llama -Dkiln.bench.dModel=256} profiles the llama preset at that width (heads
 * of 32, {@code d/64} key/value heads, as {@code TrainStepBench}); the default is GPT-2 at d=128.
 */
public final class ProfileStep {

    public static void main(String[] args) throws Exception {
        String out = args.length > 0 ? args[0] : "train-step-trace.json";
        int[] data = new int[200_000];
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextInt(256);
        }
        String arch = System.getProperty("kiln.bench.arch", "gpt2");
        int d = Integer.getInteger("kiln.bench.dModel", 128);
        GptConfig.Builder cb = GptConfig.builder()
                .optArch(arch)
                .setVocabSize(256)
                .setContextLength(128)
                .optDModel(d)
                .optHeads(d / 32)
                .optLayers(2);
        if (arch.equals("llama")) {
            cb.optKvHeads(Math.max(1, d / 64));
        }
        GptConfig cfg = cb.build();
        try (Trainer trainer = Trainer.builder()
                .setModelConfig(cfg)
                .setTokenizer(new ByteTokenizer(List.of()))
                .setTrainData(new InMemorySequences(data, 128))
                .optBatchSize(8)
                .optMaxSteps(30)
                .optWarmupSteps(0)
                .optMinLearningRate(1e-3)
                .optEvalInterval(0)
                .optThreads(1, 1)
                .optMetricsSink(m -> {
                    if (m.step() == 20) {
                        JniUtils.startProfile(false, Boolean.getBoolean("kiln.profile.shapes"), false);
                    }
                })
                .build()) {
            trainer.fit();
        }
        JniUtils.stopProfile(out);
    }
}
