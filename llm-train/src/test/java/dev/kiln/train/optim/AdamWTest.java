package dev.kiln.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdamWTest {

    static final double LR = 0.01;
    static final double WD = 0.1;
    static final double B1 = 0.9;
    static final double B2 = 0.95;
    static final double EPS = 1e-8;

    /** PyTorch's AdamW for one scalar, in double precision: the reference. */
    static final class Ref {
        double p;
        double m;
        double v;
        final boolean decay;

        Ref(double p, boolean decay) {
            this.p = p;
            this.decay = decay;
        }

        void step(long t, double grad, double scale) {
            double g = grad * scale;
            if (decay) {
                p *= 1 - LR * WD;
            }
            m = B1 * m + (1 - B1) * g;
            v = B2 * v + (1 - B2) * g * g;
            double bc1 = 1 - Math.pow(B1, t);
            double bc2 = 1 - Math.pow(B2, t);
            p -= LR / bc1 * m / (Math.sqrt(v) / Math.sqrt(bc2) + EPS);
        }
    }

    static Parameter param(NDManager m, String name, float[] values, Shape shape, Parameter.Type type) {
        NDArray a = m.create(values, shape);
        a.setName(name);
        a.setRequiresGradient(true);
        return Parameter.builder().setName(name).setType(type).optArray(a).build();
    }

    /** Sets the gradients of w and b to gw and gb (through a real backward pass). */
    static void backward(NDManager m, Parameter w, Parameter b, float[] gw, float[] gb) {
        try (NDManager s = m.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = w.getArray()
                    .mul(s.create(gw, w.getArray().getShape()))
                    .sum()
                    .add(b.getArray().mul(s.create(gb)).sum());
            gc.backward(loss);
        }
    }

    @Test
    void matchesPytorchAdamWWithDecayOnlyOnMatricesAndClipScale() {
        float[] w0 = {0.5f, -0.25f, 1f, 0f, 2f, -1.5f};
        float[] b0 = {0.1f, -0.2f, 0.3f};
        float[][] gws = {{1f, -2f, 0.5f, 0f, 3f, -1f}, {0.2f, 0.1f, -0.4f, 1f, -3f, 2f}, {-1f, 1f, 1f, -1f, 0.5f, 0f}};
        float[][] gbs = {{0.5f, 0f, -1f}, {1f, 2f, 3f}, {-0.1f, 0.1f, 0f}};
        float[] scales = {1f, 0.5f, 0.25f};
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = param(m, "h.0.mlp.c_fc.weight", w0, new Shape(2, 3), Parameter.Type.WEIGHT);
            Parameter b = param(m, "h.0.mlp.c_fc.bias", b0, new Shape(3), Parameter.Type.BIAS);
            AdamW opt = AdamW.builder()
                    .optBetas(B1, B2)
                    .optEps(EPS)
                    .optWeightDecay(WD)
                    .build(List.of(w, b), m);
            assertThat(opt.decayedParameters()).containsExactly("h.0.mlp.c_fc.weight");
            Ref[] rw = new Ref[w0.length];
            Ref[] rb = new Ref[b0.length];
            for (int i = 0; i < w0.length; i++) {
                rw[i] = new Ref(w0[i], true);
            }
            for (int i = 0; i < b0.length; i++) {
                rb[i] = new Ref(b0[i], false);
            }
            for (int t = 0; t < 3; t++) {
                opt.zeroGrad();
                backward(m, w, b, gws[t], gbs[t]);
                opt.step(LR, scales[t]);
                for (int i = 0; i < w0.length; i++) {
                    rw[i].step(t + 1, gws[t][i], scales[t]);
                }
                for (int i = 0; i < b0.length; i++) {
                    rb[i].step(t + 1, gbs[t][i], scales[t]);
                }
                float[] wv = w.getArray().toFloatArray();
                float[] bv = b.getArray().toFloatArray();
                for (int i = 0; i < w0.length; i++) {
                    assertThat((double) wv[i])
                            .as("w[%d] after step %d", i, t + 1)
                            .isCloseTo(rw[i].p, within(rw[i].p));
                }
                for (int i = 0; i < b0.length; i++) {
                    assertThat((double) bv[i])
                            .as("b[%d] after step %d", i, t + 1)
                            .isCloseTo(rb[i].p, within(rb[i].p));
                }
            }
            assertThat(opt.steps()).isEqualTo(3);
            opt.close();
        }
    }

    static org.assertj.core.data.Offset<Double> within(double x) {
        return org.assertj.core.data.Offset.offset(1e-6 + 1e-6 * Math.abs(x));
    }

    @Test
    void savedStateContinuesExactly(@TempDir Path dir) throws Exception {
        float[] w0 = {0.5f, -0.25f, 1f, 0f, 2f, -1.5f};
        float[] g = {1f, -2f, 0.5f, 0f, 3f, -1f};
        float[] gb = {0.5f, 0f, -1f};
        float[] a;
        float[] c;
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = param(m, "w", w0, new Shape(2, 3), Parameter.Type.WEIGHT);
            Parameter b = param(m, "b", new float[3], new Shape(3), Parameter.Type.BIAS);
            AdamW opt = AdamW.builder().build(List.of(w, b), m);
            for (int t = 0; t < 2; t++) {
                opt.zeroGrad();
                backward(m, w, b, g, gb);
                opt.step(LR, 1f);
            }
            opt.save(dir.resolve("opt.bin"));
            float[] wMid = w.getArray().toFloatArray();
            float[] bMid = b.getArray().toFloatArray();
            opt.zeroGrad();
            backward(m, w, b, g, gb);
            opt.step(LR, 1f);
            a = w.getArray().toFloatArray();

            Parameter w2 = param(m, "w", wMid, new Shape(2, 3), Parameter.Type.WEIGHT);
            Parameter b2 = param(m, "b", bMid, new Shape(3), Parameter.Type.BIAS);
            AdamW opt2 = AdamW.builder().build(List.of(w2, b2), m);
            opt2.load(dir.resolve("opt.bin"));
            assertThat(opt2.steps()).isEqualTo(2);
            opt2.zeroGrad();
            backward(m, w2, b2, g, gb);
            opt2.step(LR, 1f);
            c = w2.getArray().toFloatArray();
        }
        assertThat(c).containsExactly(a);
    }

    @Test
    void badSettingsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> AdamW.builder().optBetas(1.0, 0.9)).hasMessageContaining("1.0");
        assertThatThrownBy(() -> AdamW.builder().optEps(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> AdamW.builder().optWeightDecay(-0.5)).hasMessageContaining("-0.5");
    }
}
