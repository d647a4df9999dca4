package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.train.data.InMemorySequences;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradAccumTest {

    /** One step over 8 rows: as one batch, or as 4 micro-batches of 2 with their own scopes. */
    static final GptConfig CFG = GptConfig.builder()
            .setVocabSize(TrainChild.TOK.vocabSize())
            .setContextLength(16)
            .optDModel(32)
            .optHeads(4)
            .optKvHeads(2)
            .optLayers(2)
            .build();

    static Map<String, float[]> afterSteps(int batch, int accum, int steps) throws Exception {
        GptConfig cfg = CFG;
        try (Trainer t = Trainer.builder()
                .setModelConfig(cfg)
                .setTokenizer(TrainChild.TOK)
                .setTrainData(new InMemorySequences(TrainChild.corpus(), 16))
                .optSeed(5)
                .optBatchSize(batch)
                .optGradAccum(accum)
                .optMaxSteps(steps)
                .optLearningRate(1e-3)
                .optWarmupSteps(0)
                .optGradClip(0.5)
                .optEvalInterval(0)
                .optThreads(1, 1)
                .build()) {
            t.fit();
            return t.model().values();
        }
    }

    @Test
    void microBatchesGiveTheGradientsOfTheWholeBatch() throws Exception {
        Map<String, float[]> whole = afterSteps(8, 1, 2);
        Map<String, float[]> micro = afterSteps(2, 4, 2);
        Map<String, float[]> start;
        try (GptModel m = GptModel.create(CFG, 5, ai.djl.Device.cpu())) {
            start = m.values();
        }
        double worst = 0;
        double moved = 0;
        for (var e : whole.entrySet()) {
            float[] a = e.getValue();
            float[] b = micro.get(e.getKey());
            float[] s = start.get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
                moved = Math.max(moved, Math.abs(a[i] - s[i]));
            }
        }
        // AdamW moves each weight by about lr per step; micro-batching must not change where it goes.
        assertThat(moved).isGreaterThan(1e-3);
        assertThat(worst).isLessThan(1e-5);
    }

    @Test
    void changingTheBuilderAfterBuildDoesNotChangeTheTrainer() throws Exception {
        Trainer.Builder b = Trainer.builder()
                .setModelConfig(CFG)
                .setTokenizer(TrainChild.TOK)
                .setTrainData(new InMemorySequences(TrainChild.corpus(), 16))
                .optBatchSize(2)
                .optMaxSteps(3)
                .optWarmupSteps(0)
                .optEvalInterval(0)
                .optThreads(1, 1);
        java.util.List<Long> steps = new java.util.ArrayList<>();
        try (Trainer t = b.build()) {
            b.optMaxSteps(40).optBatchSize(8).optMetricsSink(m -> steps.add(m.step()));
            TrainResult r = t.fit();
            assertThat(r.steps()).isEqualTo(3);
            assertThat(steps).as("a sink added after build() is not called").isEmpty();
        }
    }
}
