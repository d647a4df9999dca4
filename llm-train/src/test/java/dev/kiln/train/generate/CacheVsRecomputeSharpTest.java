package dev.kiln.train.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.kiln.core.model.SamplingParams;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The paged KV cache against full recomputation on the sharpest configuration the GGUF check uses
 * (multi-query, rope θ 5e5, every linear bias, untied head) with large random weights, over 40 greedy
 * tokens. An earlier cache implementation was suspected of picking a different second token here;
 * this pins the answer: logits agree to 1e-4 of their range, so greedy choices agree wherever the
 * top-2 gap exceeds that.
 */
class CacheVsRecomputeSharpTest {

    @Test
    void sharpMultiQueryModelDecodesAsFullRecomputation() {
        ByteTokenizer tok = ByteTokenizer.withCodeSpecials();
        GptConfig cfg = GptConfig.builder()
                .setVocabSize(tok.vocabSize())
                .setContextLength(128)
                .optDModel(64)
                .optHeads(4)
                .optKvHeads(1)
                .optLayers(2)
                .optRopeTheta(500_000)
                .optBias(true)
                .optQkvBias(true)
                .optTiedEmbeddings(false)
                .optNormEps(1e-6)
                .build();
        try (GptModel model = GptModel.fromValues(cfg, sharpValues(cfg, 7), Device.cpu());
                GptLanguageModel lm = new GptLanguageModel(model, tok, "sharp", false)) {
            for (String prompt : List.of("public static int ", "def f(x):\n    return", "x")) {
                int[] ids = tok.encode(prompt);
                GptLanguageModel.Session s = (GptLanguageModel.Session) lm.open(ids, SamplingParams.GREEDY);
                int[] seq = ids.clone();
                double worstRel = 0;
                int disagreements = 0;
                for (int step = 0; step < 40; step++) {
                    int next = lm.step(List.of(s))[0];
                    float[] full = fullLogitsAtLast(model, seq);
                    float[] cached = s.lastLogits();
                    double range = 0;
                    double diff = 0;
                    for (int i = 0; i < full.length; i++) {
                        range = Math.max(range, Math.abs(full[i]));
                        diff = Math.max(diff, Math.abs(full[i] - cached[i]));
                    }
                    worstRel = Math.max(worstRel, diff / range);
                    if (argmax(full) != next && gap(full) > 1e-4 * range) {
                        disagreements++;
                    }
                    seq = java.util.Arrays.copyOf(seq, seq.length + 1);
                    seq[seq.length - 1] = next;
                }
                s.close();
                assertThat(worstRel)
                        .as("max |cached - full| / max|logit| for %s", prompt)
                        .isLessThan(1e-4);
                assertThat(disagreements)
                        .as("greedy choices that differ for %s", prompt)
                        .isZero();
            }
        }
    }

    private static float[] fullLogitsAtLast(GptModel model, int[] ids) {
        try (NDManager m = model.manager().newSubManager()) {
            return model.forward(m.create(new int[][] {ids}), false)
                    .get(0, ids.length - 1)
                    .toFloatArray();
        }
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double gap(float[] x) {
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return first - second;
    }

    /** Large-margin random weights, the recipe of the GGUF check (embeddings 0.3, head 1, out-projections 3/√in). */
    private static Map<String, float[]> sharpValues(GptConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> v = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : GptModel.parameterShapes(c).entrySet()) {
            String name = e.getKey();
            long[] s = e.getValue().getShape();
            float[] x = new float[Math.toIntExact(e.getValue().size())];
            double std;
            if (s.length == 1) {
                std = 0.1;
            } else if (name.startsWith("wte")) {
                std = 0.3;
            } else if (name.startsWith("lm_head")) {
                std = 1.0;
            } else if (name.endsWith("c_proj.weight")) {
                std = 3.0 / Math.sqrt(s[1]);
            } else {
                std = 1.0 / Math.sqrt(s[1]);
            }
            boolean gain = name.contains("ln_") && name.endsWith("weight");
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) ((gain ? 1 : 0) + std * r.nextGaussian());
            }
            v.put(name, x);
        }
        return v;
    }
}
