package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Weights packed for MKL's products: every projection packed once, each product equal to the
 * ordinary one at every row count a step uses, the whole forward pass unchanged, the off switch
 * honoured, and the native copies freed on close.
 */
class PackedWeightsTest {

    /** GPT-2 with biases and an untied head: every kind of projection and a bias on each. */
    static final GptConfig GPT2 = GptConfig.builder()
            .optArch(GptConfig.Arch.GPT2)
            .setVocabSize(300)
            .setContextLength(32)
            .optDModel(64)
            .optHeads(4)
            .optLayers(2)
            .optTiedEmbeddings(false)
            .build();

    static final GptConfig LLAMA = GptConfig.builder()
            .setVocabSize(300)
            .setContextLength(32)
            .optDModel(64)
            .optHeads(4)
            .optKvHeads(2)
            .optLayers(2)
            .build();

    @Test
    void everyProductEqualsTheOrdinaryOneAtEveryRowCount() {
        try (GptModel model = GptModel.create(GPT2, 3, Device.cpu());
                NDManager m = model.manager().newSubManager()) {
            Optional<PackedWeights> maybe = PackedWeights.pack(model);
            if (!PackedWeightsTestSupport.mklPlatform()) {
                assertThat(maybe).isEmpty();
                return;
            }
            assertThat(maybe).as(PackedWeights.unavailable(model) + "").isPresent();
            try (PackedWeights packed = maybe.get()) {
                // 4 projections per layer and the untied head, each packed once.
                assertThat(packed.matrices()).isEqualTo(4 * GPT2.layers() + 1);
                List<Parameter> weights = model.projectionWeights();
                long floats =
                        weights.stream().mapToLong(w -> w.getArray().size()).sum();
                assertThat(packed.bytes()).isGreaterThanOrEqualTo(4 * floats);
                SplittableRandom r = new SplittableRandom(9);
                List<Parameter> all = model.parameterList();
                for (Parameter w : weights) {
                    Parameter bias = all.stream()
                            .filter(p -> p.getName().equals(w.getName().replace("weight", "bias")))
                            .findFirst()
                            .orElse(null);
                    int in = (int) w.getArray().getShape().get(1);
                    for (int rows : new int[] {1, 2, 3, 15, 16, 17, 40}) {
                        float[] x = new float[rows * in];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) r.nextGaussian();
                        }
                        NDArray xs = m.create(x, new Shape(rows, in));
                        NDArray b = bias == null ? null : bias.getArray();
                        float[] want = Linear.linear(xs, w.getArray(), b).head().toFloatArray();
                        NDArray got = packed.linear(xs, w, b);
                        if (rows < PackedWeights.MIN_ROWS) {
                            assertThat(got).as("one row: the ordinary product").isNull();
                            continue;
                        }
                        assertThat(got).as(w.getName()).isNotNull();
                        assertThat(got.getShape())
                                .isEqualTo(
                                        new Shape(rows, w.getArray().getShape().get(0)));
                        assertThat(maxRelDiff(want, got.toFloatArray()))
                                .as("%s, %d rows", w.getName(), rows)
                                .isLessThan(1e-5);
                    }
                }
                // A weight it did not pack, or an input of the wrong width: the caller's ordinary product.
                NDArray x = m.create(new float[2 * 64], new Shape(2, 64));
                assertThat(packed.linear(x, all.get(all.size() - 2), null)).isNull();
                assertThat(packed.linear(m.create(new float[20], new Shape(2, 10)), weights.get(0), null))
                        .isNull();
                packed.close();
                assertThat(packed.linear(x, weights.get(0), null)).isNull();
                packed.close(); // twice is fine
            }
        }
    }

    /**
     * With helper threads each product is cut into column blocks shared between the caller and the
     * helpers: every product still equals the ordinary one, at every row count, for one and two
     * helpers, and the forward pass is unchanged.
     */
    @Test
    void helperThreadsShareEveryProductWithoutChangingIt() {
        for (int helpers : new int[] {1, 2}) {
            try (GptModel model = GptModel.create(GPT2, 3, Device.cpu());
                    NDManager m = model.manager().newSubManager()) {
                Optional<PackedWeights> maybe = PackedWeights.builder()
                        .setModel(model)
                        .optHelperThreads(helpers)
                        .blockColumns(16)
                        .splitMinMacs(0)
                        .build();
                if (!PackedWeightsTestSupport.mklPlatform()) {
                    assertThat(maybe).isEmpty();
                    return;
                }
                try (PackedWeights packed = maybe.orElseThrow()) {
                    assertThat(packed.helperThreads()).isEqualTo(helpers);
                    SplittableRandom r = new SplittableRandom(11);
                    List<Parameter> all = model.parameterList();
                    for (Parameter w : model.projectionWeights()) {
                        Parameter bias = all.stream()
                                .filter(p -> p.getName().equals(w.getName().replace("weight", "bias")))
                                .findFirst()
                                .orElse(null);
                        int in = (int) w.getArray().getShape().get(1);
                        for (int rows : new int[] {2, 3, 16, 40, 200}) {
                            float[] x = new float[rows * in];
                            for (int i = 0; i < x.length; i++) {
                                x[i] = (float) r.nextGaussian();
                            }
                            NDArray xs = m.create(x, new Shape(rows, in));
                            NDArray b = bias == null ? null : bias.getArray();
                            float[] want =
                                    Linear.linear(xs, w.getArray(), b).head().toFloatArray();
                            float[] got = packed.linear(xs, w, b).toFloatArray();
                            assertThat(maxRelDiff(want, got))
                                    .as("%s, %d rows, %d helpers", w.getName(), rows, helpers)
                                    .isLessThan(1e-5);
                        }
                    }
                    int[][] ids = {{3, 1, 4, 1, 5, 9, 2, 6}, {2, 7, 1, 8, 2, 8, 1, 8}};
                    float[] plain = model.forward(m.create(ids), false).toFloatArray();
                    float[] fast =
                            model.forward(m.create(ids), null, null, packed).toFloatArray();
                    assertThat(maxRelDiff(plain, fast)).isLessThan(1e-5);
                    // 5 row counts x 9 projections, then the 9 products of the forward pass: all shared.
                    assertThat(packed.sharedProducts()).isEqualTo(5 * 9 + 9);
                }
            }
        }
    }

    /** By default only a product with enough work is shared: small ones stay on the calling thread. */
    @Test
    void onlyProductsWithEnoughWorkAreShared() {
        GptConfig wide = GptConfig.builder()
                .setVocabSize(300)
                .setContextLength(32)
                .optDModel(512)
                .optHeads(8)
                .optLayers(1)
                .build();
        try (GptModel model = GptModel.create(wide, 3, Device.cpu());
                NDManager m = model.manager().newSubManager()) {
            Optional<PackedWeights> maybe =
                    PackedWeights.builder().setModel(model).optHelperThreads(1).build();
            if (!PackedWeightsTestSupport.mklPlatform()) {
                assertThat(maybe).isEmpty();
                return;
            }
            try (PackedWeights packed = maybe.orElseThrow()) {
                Parameter qkv = model.projectionWeights().get(0);
                long out = qkv.getArray().getShape().get(0);
                assertThat(out * 512 * 2).isLessThan(PackedWeights.SPLIT_MIN_MACS);
                assertThat(out * 512 * 16).isGreaterThanOrEqualTo(PackedWeights.SPLIT_MIN_MACS);
                NDArray two = m.randomNormal(new Shape(2, 512));
                NDArray sixteen = m.randomNormal(new Shape(16, 512));
                float[] want =
                        Linear.linear(sixteen, qkv.getArray(), null).head().toFloatArray();
                packed.linear(two, qkv, null);
                assertThat(packed.sharedProducts()).isZero();
                float[] got = packed.linear(sixteen, qkv, null).toFloatArray();
                assertThat(packed.sharedProducts()).isEqualTo(1);
                assertThat(maxRelDiff(want, got)).isLessThan(1e-5);
            }
        }
    }

    @Test
    void helperThreadsOutOfRangeAreRejectedAtTheSetter() {
        assertThatThrownBy(() -> PackedWeights.builder().optHelperThreads(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("helper threads must be in [0, 64], got -1");
        assertThatThrownBy(() -> PackedWeights.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PackedWeights needs a model: call setModel");
    }

    @Test
    void theForwardPassIsUnchanged() {
        for (GptConfig cfg : List.of(GPT2, LLAMA)) {
            try (GptModel model = GptModel.create(cfg, 5, Device.cpu());
                    NDManager m = model.manager().newSubManager();
                    PackedWeights packed = PackedWeights.pack(model).orElse(null)) {
                assertThat(packed != null).isEqualTo(PackedWeightsTestSupport.mklPlatform());
                int before = model.manager().getManagedArrays().size();
                int[][] ids = {{3, 1, 4, 1, 5, 9, 2, 6}, {2, 7, 1, 8, 2, 8, 1, 8}};
                float[] plain = model.forward(m.create(ids), false).toFloatArray();
                float[] fast = model.forward(m.create(ids), null, null, packed).toFloatArray();
                assertThat(maxRelDiff(plain, fast)).as(cfg.arch().toString()).isLessThan(1e-5);
                m.close();
                assertThat(model.manager().getManagedArrays().size()).isEqualTo(before);
            }
        }
    }

    @Test
    void theOffSwitchIsHonouredAndABadValueIsAClearError() {
        try (GptModel model = GptModel.create(LLAMA, 5, Device.cpu())) {
            String old = System.getProperty("kiln.packed.weights");
            try {
                System.setProperty("kiln.packed.weights", "off");
                assertThat(PackedWeights.pack(model)).isEmpty();
                assertThat(PackedWeights.unavailable(model)).isEqualTo("KILN_PACKED_WEIGHTS=off");
                System.setProperty("kiln.packed.weights", "maybe");
                assertThatThrownBy(() -> PackedWeights.pack(model))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("KILN_PACKED_WEIGHTS='maybe' is not one of: on (default), off");
            } finally {
                if (old == null) {
                    System.clearProperty("kiln.packed.weights");
                } else {
                    System.setProperty("kiln.packed.weights", old);
                }
            }
        }
    }

    static double maxRelDiff(float[] want, float[] got) {
        assertThat(got).hasSameSizeAs(want);
        double range = 1e-6;
        double diff = 0;
        for (int i = 0; i < want.length; i++) {
            range = Math.max(range, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(want[i] - got[i]));
        }
        return diff / range;
    }
}
