package dev.kiln.bench;

import ai.djl.pytorch.jni.JniUtils;
import dev.kiln.core.model.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.Trainer;
import dev.kiln.train.data.InMemorySequences;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Profiles the {@link TrainStepBench} model's training steps with libtorch's autograd profiler
 * (steps 21–30) and writes a Chrome trace to the given file (default {@code train-step-trace.json}).
 */
public final class ProfileStep {

    public static void main(String[] args) throws Exception {
        String out = args.length > 0 ? args[0] : "train-step-trace.json";
        int[] data = new int[200_000];
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextInt(256);
        }
        GptConfig cfg = GptConfig.builder()
                .optArch(GptConfig.Arch.GPT2)
                .setVocabSize(256)
                .setContextLength(128)
                .optDModel(128)
                .optHeads(4)
                .optLayers(2)
                .build();
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
