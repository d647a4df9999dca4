package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.train.data.InMemorySequences;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrecisionTest {

    static final GptConfig CFG = GptConfig.builder()
            .setVocabSize(TrainChild.TOK.vocabSize())
            .setContextLength(16)
            .optDModel(32)
            .optHeads(4)
            .optKvHeads(2)
            .optLayers(2)
            .build();

    static Trainer.Builder builder(Precision p, int steps) {
        return Trainer.builder()
                .setModelConfig(CFG)
                .setTokenizer(TrainChild.TOK)
                .setTrainData(new InMemorySequences(TrainChild.corpus(), 16))
                .optSeed(3)
                .optBatchSize(4)
                .optMaxSteps(steps)
                .optLearningRate(3e-3)
                .optWarmupSteps(Math.min(10, steps))
                .optEvalInterval(0)
                .optThreads(1, 1)
                .optPrecision(p)
                // below the default 2^16 so the first steps do not overflow and get skipped (which
                // shifts the curve by a few steps; the overflow handling is tested on its own)
                .optInitialLossScale(1024f);
    }

    static List<Double> losses(Precision p, int steps) throws Exception {
        List<Double> out = new ArrayList<>();
        try (Trainer t =
                builder(p, steps).optMetricsSink(m -> out.add(m.loss())).build()) {
            t.fit();
        }
        return out;
    }

    static double mean(List<Double> l, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += l.get(i);
        }
        return s / (to - from);
    }

    @Test
    void fp16MixedFollowsTheFp32LossCurveWithin2Percent() throws Exception {
        List<Double> fp32 = losses(Precision.FP32, 200);
        List<Double> fp16 = losses(Precision.FP16_MIXED, 200);
        assertThat(fp16).hasSize(200);
        assertThat(mean(fp32, 190, 200)).as("the run learns").isLessThan(fp32.get(0) - 1.0);
        for (int i = 0; i + 10 <= 200; i += 10) {
            double a = mean(fp32, i, i + 10);
            double b = mean(fp16, i, i + 10);
            assertThat(Math.abs(b - a) / a)
                    .as("steps %d..%d: fp32 %.4f, fp16-mixed %.4f", i + 1, i + 10, a, b)
                    .isLessThanOrEqualTo(0.02);
        }
    }

    @Test
    void anOverflowSkipsExactlyOneStepAndHalvesTheScale(@TempDir Path dir) throws Exception {
        try (Trainer t = builder(Precision.FP16_MIXED, 3)
                .optSaveFolder(dir)
                .optSaveInterval(1)
                .injectOverflowAt(3)
                .build()) {
            TrainResult r = t.fit();
            assertThat(r.steps()).isEqualTo(3);
        }
        // The skipped step left the weights as step 2 wrote them.
        Map<String, float[]> twoSteps = GptModel.readParameterFile(dir.resolve("step-000002/model.params"), CFG);
        Map<String, float[]> skipped = GptModel.readParameterFile(dir.resolve("step-000003/model.params"), CFG);
        Map<String, float[]> one = GptModel.readParameterFile(dir.resolve("step-000001/model.params"), CFG);
        assertThat(one.get("wte.weight")).as("step 2 did update").isNotEqualTo(twoSteps.get("wte.weight"));
        for (var e : twoSteps.entrySet()) {
            assertThat(skipped.get(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
        }
        JsonNode state = Json.read(dir.resolve("step-000003/state.json"));
        assertThat(state.path("loss_scaler").path("scale").asDouble()).isEqualTo(512.0);
        assertThat(state.path("loss_scaler").path("skipped").asLong()).isEqualTo(1);
        assertThat(state.path("optimizer_steps").asLong()).isEqualTo(2);
        assertThat(state.path("precision").asText()).isEqualTo("fp16-mixed");
        // Resuming continues from the saved scale and optimizer count.
        try (Trainer t = builder(Precision.FP16_MIXED, 4).optSaveFolder(dir).build()) {
            assertThat(t.fit().resumedFrom()).isEqualTo(3);
        }
    }

    @Test
    void bf16IsAClearError() {
        assertThatThrownBy(() -> Precision.parse("bf16-mixed"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bf16-mixed")
                .hasMessageContaining("bfloat16");
        assertThatThrownBy(() -> Precision.parse("fp8")).hasMessageContaining("'fp8'");
    }
}
