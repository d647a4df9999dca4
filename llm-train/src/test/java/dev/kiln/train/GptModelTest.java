package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.kiln.core.CorruptArtifactException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptModelTest {

    static final GptConfig TINY = GptConfig.builder()
            .setVocabSize(61)
            .setContextLength(16)
            .optDModel(32)
            .optHeads(4)
            .optLayers(2)
            .build();

    static int[][] randomIds(int b, int t, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] ids = new int[b][t];
        for (int[] row : ids) {
            for (int i = 0; i < t; i++) {
                row[i] = r.nextInt(vocab);
            }
        }
        return ids;
    }

    static float[] logits(GptModel model, int[][] ids) {
        try (NDManager step = model.manager().newSubManager()) {
            return model.forward(step.create(ids), false).toFloatArray();
        }
    }

    @Test
    void shapesAndNoLeakedArrays() {
        try (GptModel model = GptModel.create(TINY, 1, Device.cpu())) {
            int before = model.manager().getManagedArrays().size();
            try (NDManager step = model.manager().newSubManager()) {
                NDArray out = model.forward(step.create(randomIds(3, 7, 61, 2)), false);
                assertThat(out.getShape().getShape()).containsExactly(3, 7, 61);
                NDArray loss =
                        model.loss(step.create(randomIds(3, 7, 61, 2)), step.create(randomIds(3, 7, 61, 3)), false);
                // Untrained GPT-2 init predicts roughly uniformly: loss ≈ ln(vocab).
                assertThat((double) loss.getFloat()).isCloseTo(Math.log(61), org.assertj.core.data.Offset.offset(0.3));
                assertThat(step.getManagedArrays()).isNotEmpty();
            }
            assertThat(model.manager().getManagedArrays().size()).isEqualTo(before);
            int afterFirst = model.manager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                logits(model, randomIds(2, 7, 61, i));
            }
            assertThat(model.manager().getManagedArrays().size()).isEqualTo(afterFirst);
        }
    }

    @Test
    void changingTokenTNeverChangesEarlierLogits() {
        try (GptModel model = GptModel.create(TINY, 7, Device.cpu())) {
            int t = 16;
            int v = 61;
            int[][] ids = randomIds(1, t, v, 11);
            float[] base = logits(model, ids);
            for (int pos : new int[] {0, 5, 15}) {
                int[][] changed = {ids[0].clone()};
                changed[0][pos] = (changed[0][pos] + 17) % v;
                float[] other = logits(model, changed);
                double before = 0;
                double after = 0;
                for (int i = 0; i < t * v; i++) {
                    double diff = Math.abs(base[i] - other[i]);
                    if (i / v < pos) {
                        before = Math.max(before, diff);
                    } else {
                        after = Math.max(after, diff);
                    }
                }
                assertThat(before).as("logits before position %d", pos).isEqualTo(0.0);
                assertThat(after).as("logits at/after position %d", pos).isGreaterThan(1e-4);
            }
        }
    }

    @Test
    void llamaParameterCountMatchesFormula() {
        // d = 32, 4 query heads of 8, 2 key/value heads, SwiGLU hidden 96 (8/3·32 rounded up to 64 → 128)
        GptConfig c = GptConfig.builder()
                .setVocabSize(61)
                .setContextLength(16)
                .optDModel(32)
                .optHeads(4)
                .optKvHeads(2)
                .optLayers(2)
                .build();
        long d = 32;
        long f = 128;
        assertThat(c.mlpWidth()).isEqualTo(128);
        long perLayer = 2 * d + d * (4 + 2 * 2) * 8 + d * d + 3 * d * f;
        long expected = 61 * d + 2 * perLayer + d;
        assertThat(c.parameterCount()).isEqualTo(expected);
        try (GptModel model = GptModel.create(c, 1, Device.cpu())) {
            assertThat(model.countParameters()).isEqualTo(expected);
            assertThat(model.values()).doesNotContainKeys("wpe.weight", "h.0.attn.c_attn.bias", "h.0.ln_1.bias");
        }
    }

    @Test
    void gpt2ParameterCountMatchesFormula() {
        long d = 32;
        long expected = 61 * d + 16 * d + 2 * (12 * d * d + 13 * d) + 2 * d;
        GptConfig gpt2 = GptConfig.builder()
                .optArch(GptConfig.Arch.GPT2)
                .setVocabSize(61)
                .setContextLength(16)
                .optDModel(32)
                .optHeads(4)
                .optLayers(2)
                .build();
        assertThat(gpt2.parameterCount()).isEqualTo(expected);
        try (GptModel model = GptModel.create(gpt2, 1, Device.cpu())) {
            assertThat(model.countParameters()).isEqualTo(expected);
        }
        GptConfig untied = GptConfig.builder()
                .optArch(GptConfig.Arch.GPT2)
                .setVocabSize(61)
                .setContextLength(16)
                .optDModel(32)
                .optHeads(4)
                .optLayers(2)
                .optTiedEmbeddings(false)
                .build();
        assertThat(untied.parameterCount()).isEqualTo(expected + 61 * d);
        try (GptModel model = GptModel.create(untied, 1, Device.cpu())) {
            assertThat(model.countParameters()).isEqualTo(expected + 61 * d);
        }
    }

    @Test
    void saveLoadGivesIdenticalLogitsAndDamageIsDetected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.params");
        int[][] ids = randomIds(2, 9, 61, 5);
        float[] before;
        try (GptModel model = GptModel.create(TINY, 3, Device.cpu())) {
            before = logits(model, ids);
            model.writeParameterFile(file);
        }
        try (GptModel loaded = GptModel.fromValues(TINY, GptModel.readParameterFile(file, TINY), Device.cpu())) {
            assertThat(logits(loaded, ids)).containsExactly(before);
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);
        assertThatThrownBy(() -> GptModel.readParameterFile(file, TINY))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("checksum");
        Files.write(file, java.util.Arrays.copyOf(bytes, 100));
        assertThatThrownBy(() -> GptModel.readParameterFile(file, TINY))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("truncated");
        GptConfig other = GptConfig.builder()
                .setVocabSize(62)
                .setContextLength(16)
                .optDModel(32)
                .build();
        try (GptModel model = GptModel.create(TINY, 3, Device.cpu())) {
            model.writeParameterFile(file);
        }
        assertThatThrownBy(() -> GptModel.readParameterFile(file, other))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("wte.weight");
    }

    @Test
    void geluValueAndGradientMatchTheTanhFormula() {
        try (GptModel model = GptModel.create(TINY, 1, Device.cpu());
                NDManager m = model.manager().newSubManager()) {
            float[] xs = new float[201];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = -5f + i * 0.05f;
            }
            NDArray leaf = m.create(xs);
            leaf.setRequiresGradient(true);
            NDArray y;
            try (ai.djl.training.GradientCollector gc =
                    ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                // In training the input's storage becomes the output, so it must not be a leaf.
                y = model.geluTanh(leaf.mul(1f));
                gc.backward(y.sum());
            }
            float[] value = y.toFloatArray();
            float[] grad = leaf.getGradient().toFloatArray();
            double c = Math.sqrt(2 / Math.PI);
            for (int i = 0; i < xs.length; i++) {
                double v = xs[i];
                double u = c * (v + 0.044715 * v * v * v);
                double th = Math.tanh(u);
                double want = 0.5 * v * (1 + th);
                double dwant = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * c * (1 + 3 * 0.044715 * v * v);
                assertThat((double) value[i])
                        .as("gelu(%s)", v)
                        .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5));
                assertThat((double) grad[i])
                        .as("gelu'(%s)", v)
                        .isCloseTo(dwant, org.assertj.core.data.Offset.offset(1e-5));
            }
            // Outside gradient collection the same values come out.
            assertThat(model.geluTanh(m.create(xs)).toFloatArray()).containsExactly(value);
        }
    }

    @Test
    void builderRejectsBadValues() {
        assertThatThrownBy(() -> GptConfig.builder().optHeads(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> GptConfig.builder()
                        .setVocabSize(10)
                        .setContextLength(8)
                        .optDModel(30)
                        .optHeads(4)
                        .build())
                .hasMessageContaining("divisible");
        assertThatThrownBy(() -> GptConfig.builder().optDropout(1.5)).hasMessageContaining("1.5");
    }
    /** The grouped pass names what is wrong with its input instead of failing inside the engine. */
    @Test
    void groupedPassRejectsMisshapenInput() {
        try (GptModel model = GptModel.create(TINY, 3, Device.cpu());
                NDManager m = model.manager().newSubManager()) {
            GptModel.GroupedKvCache twoRows = new GptModel.GroupedKvCache() {
                @Override
                public int groups() {
                    return 1;
                }

                @Override
                public int batch(int g) {
                    return 2;
                }

                @Override
                public int tokens(int g) {
                    return 1;
                }

                @Override
                public void write(int layer, NDArray k, NDArray v) {}

                @Override
                public NDArray[] read(int layer, int g) {
                    throw new AssertionError("not reached");
                }

                @Override
                public NDArray bias(int g) {
                    throw new AssertionError("not reached");
                }

                @Override
                public NDArray logitRows() {
                    return null;
                }
            };
            NDArray batchMajor = m.create(new int[][] {{1}, {2}});
            assertThatThrownBy(() -> model.forwardGrouped(batchMajor, batchMajor, twoRows, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("grouped token ids must be [1, rows], got shape (2, 1)");
            NDArray three = m.create(new int[][] {{1, 2, 3}});
            assertThatThrownBy(() -> model.forwardGrouped(three, three, twoRows, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the cache's groups hold 2 rows, the token ids 3");
            NDArray two = m.create(new int[][] {{1, 2}});
            assertThatThrownBy(() -> model.forwardGrouped(two, null, twoRows, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("grouped positions must have the token ids' shape");
        }
    }
}
