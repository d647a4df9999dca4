package dev.kiln.train;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Which parameters a {@link GptConfig} has (names in GPT-2's scheme, shapes, canonical order) and
 * how a fresh model initialises them.
 */
final class ParameterLayout {

    private ParameterLayout() {}

    /** Parameter names and shapes of a config, in the model's canonical order. */
    static Map<String, Shape> shapes(GptConfig c) {
        Map<String, Shape> m = new LinkedHashMap<>();
        long d = c.dModel();
        long f = c.mlpWidth();
        boolean ln = c.norm() == GptConfig.Norm.LAYERNORM;
        m.put("wte.weight", new Shape(c.vocabSize(), d));
        if (c.positions() == GptConfig.Positions.LEARNED) {
            m.put("wpe.weight", new Shape(c.contextLength(), d));
        }
        for (int i = 0; i < c.layers(); i++) {
            String p = "h." + i + ".";
            m.put(p + "ln_1.weight", new Shape(d));
            if (ln) {
                m.put(p + "ln_1.bias", new Shape(d));
            }
            m.put(p + "attn.c_attn.weight", new Shape(c.qkvWidth(), d));
            if (c.qkvBias()) {
                m.put(p + "attn.c_attn.bias", new Shape(c.qkvWidth()));
            }
            m.put(p + "attn.c_proj.weight", new Shape(d, d));
            if (c.bias()) {
                m.put(p + "attn.c_proj.bias", new Shape(d));
            }
            m.put(p + "ln_2.weight", new Shape(d));
            if (ln) {
                m.put(p + "ln_2.bias", new Shape(d));
            }
            long fcRows = c.mlp() == GptConfig.Mlp.SWIGLU ? 2 * f : f;
            m.put(p + "mlp.c_fc.weight", new Shape(fcRows, d));
            if (c.bias()) {
                m.put(p + "mlp.c_fc.bias", new Shape(fcRows));
            }
            m.put(p + "mlp.c_proj.weight", new Shape(d, f));
            if (c.bias()) {
                m.put(p + "mlp.c_proj.bias", new Shape(d));
            }
        }
        m.put("ln_f.weight", new Shape(d));
        if (ln) {
            m.put("ln_f.bias", new Shape(d));
        }
        if (!c.tiedEmbeddings()) {
            m.put("lm_head.weight", new Shape(c.vocabSize(), d));
        }
        return m;
    }

    /** Number of scalars in {@link #shapes}. */
    static long count(GptConfig c) {
        long n = 0;
        for (Shape s : shapes(c).values()) {
            n += s.size();
        }
        return n;
    }

    /**
     * GPT-2's initialisation: weights and embeddings ~ N(0, 0.02), residual output projections ~
     * N(0, 0.02/√(2·layers)), biases 0, norm weights 1; each parameter drawn in Java from its own
     * stream of {@code seed} and its name, so it is the same on every machine.
     */
    static Map<String, float[]> initialValues(GptConfig config, long seed) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes(config).entrySet()) {
            String name = e.getKey();
            int n = Math.toIntExact(e.getValue().size());
            float[] data = new float[n];
            if (name.contains("ln_")) {
                if (name.endsWith("weight")) {
                    Arrays.fill(data, 1f);
                }
            } else if (!name.endsWith("bias")) {
                double std = GptConfig.INIT_STD;
                if (name.endsWith("c_proj.weight")) {
                    std /= Math.sqrt(2.0 * config.layers());
                }
                SplittableRandom rng = new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L));
                for (int i = 0; i < n; i++) {
                    data[i] = (float) (rng.nextGaussian() * std);
                }
            }
            values.put(name, data);
        }
        return values;
    }
}
