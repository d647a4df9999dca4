package dev.kiln.train.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exported GGUF runs in the real llama.cpp (node-llama-cpp's prebuilt CPU build): its greedy
 * continuation equals Kiln's, token for token, for every architecture the exporter writes (llama
 * with GQA/MQA, tied and untied, with biases; qwen2; gpt2 tied and untied), in F32 and F16.
 */
class GgufLlamaCppTest {

    static final int CONTINUATION = 40;
    static final List<String> PROMPTS =
            List.of("def fib(n):\n    return", "public static int add(int a, int b) {", "x = [1, 2, 3]\nfor");

    record Case(String name, GptConfig config, String arch) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        int vocab = ByteTokenizer.withCodeSpecials().vocabSize() + 3; // padded: exercises [PAD] tokens
        List<Case> cs = new ArrayList<>();
        cs.add(new Case(
                "llama-gqa-tied",
                GptConfig.builder()
                        .setVocabSize(vocab)
                        .setContextLength(128)
                        .optDModel(64)
                        .optHeads(4)
                        .optKvHeads(2)
                        .optLayers(2)
                        .optMlpHidden(96)
                        .build(),
                "llama"));
        cs.add(new Case(
                "llama-mqa-untied-bias",
                GptConfig.builder()
                        .setVocabSize(vocab)
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
                        .build(),
                "llama"));
        cs.add(new Case(
                "qwen2",
                GptConfig.builder()
                        .setVocabSize(vocab)
                        .setContextLength(128)
                        .optDModel(64)
                        .optHeads(4)
                        .optKvHeads(2)
                        .optLayers(2)
                        .optQkvBias(true)
                        .optBias(false)
                        .optTiedEmbeddings(false)
                        .build(),
                "qwen2"));
        cs.add(new Case(
                "gpt2-tied",
                GptConfig.builder()
                        .optArch(GptConfig.Arch.GPT2)
                        .setVocabSize(vocab)
                        .setContextLength(128)
                        .optDModel(64)
                        .optHeads(4)
                        .optLayers(2)
                        .build(),
                "gpt2"));
        cs.add(new Case(
                "gpt2-untied",
                GptConfig.builder()
                        .optArch(GptConfig.Arch.GPT2)
                        .setVocabSize(vocab)
                        .setContextLength(128)
                        .optDModel(64)
                        .optHeads(2)
                        .optLayers(3)
                        .optTiedEmbeddings(false)
                        .build(),
                "gpt2"));
        return cs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void greedyContinuationEqualsKilnInF32AndF16(Case c, @TempDir Path dir) throws Exception {
        Tokenizer tok = ByteTokenizer.withCodeSpecials();
        assertThat(GgufExport.architectureOf(c.config())).isEqualTo(c.arch());
        List<int[]> prompts = new ArrayList<>();
        for (String p : PROMPTS) {
            prompts.add(tok.encode(p));
        }
        List<List<int[]>> kiln = new ArrayList<>();
        List<Map<String, Object>> runs = new ArrayList<>();
        Map<String, float[]> values = randomValues(c.config(), 7);
        for (GgufExport.Dtype dtype : GgufExport.Dtype.values()) {
            // Kiln runs the weights the file holds: for F16, its matrices rounded to half precision
            Map<String, float[]> v = dtype == GgufExport.Dtype.F16 ? roundMatrices(values) : values;
            try (GptModel model = GptModel.fromValues(c.config(), v, Device.cpu())) {
                Path gguf = dir.resolve(c.name() + "-" + dtype.wireName() + ".gguf");
                GgufExport.export(model, tok, gguf, dtype, c.name());
                runs.add(run(gguf, prompts, CONTINUATION));
                kiln.add(kilnGreedy(model, tok, prompts, CONTINUATION));
            }
        }
        for (int[] k : kiln.get(0)) {
            // a continuation that repeats one token would prove little
            assertThat(Arrays.stream(k).distinct().count())
                    .as("distinct tokens in %s", describe(k))
                    .isGreaterThanOrEqualTo(4);
        }
        // 1 thread: llama.cpp's spin barriers crawl on a loaded machine
        JsonNode answer = LlamaCpp.run(dir, Map.of("threads", 1, "runs", runs));
        for (int d = 0; d < GgufExport.Dtype.values().length; d++) {
            JsonNode generated = answer.get("runs").get(d).get("generated");
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(LlamaCpp.ints(generated.get(i)))
                        .as("%s %s, prompt %s", c.name(), GgufExport.Dtype.values()[d], PROMPTS.get(i))
                        .containsExactly(kiln.get(d).get(i));
            }
        }
    }

    /** One model's part of a llama-cpp-run.mjs request: greedy continuations of {@code prompts}. */
    static Map<String, Object> run(Path gguf, List<int[]> prompts, int tokens) {
        List<Map<String, Object>> gen = new ArrayList<>();
        for (int[] p : prompts) {
            gen.add(Map.of("prompt", p, "tokens", tokens));
        }
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("model", gguf.toString());
        req.put("context", 128);
        req.put("generate", gen);
        return req;
    }

    /**
     * Kiln's greedy continuation of each prompt: the argmax of {@link GptModel#forward} over the
     * whole sequence at each step (the model's one forward pass, no KV cache), never stopping at
     * end-of-text.
     */
    static List<int[]> kilnGreedy(GptModel model, Tokenizer tok, List<int[]> prompts, int n) {
        List<int[]> out = new ArrayList<>();
        for (int[] p : prompts) {
            int[] seq = Arrays.copyOf(p, p.length + n);
            for (int len = p.length; len < seq.length; len++) {
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray ids = m.create(Arrays.copyOf(seq, len), new Shape(1, len));
                    seq[len] = (int)
                            model.forward(ids, false).get(0, len - 1).argMax().getLong();
                }
            }
            out.add(Arrays.copyOfRange(seq, p.length, seq.length));
        }
        return out;
    }

    /**
     * Random weights with large logit margins, so that greedy choices do not hinge on rounding:
     * embeddings N(0, 0.3²), an untied head N(0, 1), output projections N(0, 9/in), other matrices N(0, 1/in), norm gains 1 ± 0.1, biases N(0, 0.1²).
     */
    static Map<String, float[]> randomValues(GptConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> v = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : GptModel.parameterShapes(c).entrySet()) {
            String name = e.getKey();
            long[] s = e.getValue().getShape();
            float[] x = new float[Math.toIntExact(e.getValue().size())];
            boolean norm = name.contains("ln_");
            double std;
            if (s.length == 1) {
                std = 0.1;
            } else if (name.startsWith("wte") || name.startsWith("wpe")) {
                // small enough that a tied head does not just repeat the current token
                std = 0.3;
            } else if (name.startsWith("lm_head")) {
                std = 1.0;
            } else if (name.endsWith("c_proj.weight")) {
                std = 3.0 / Math.sqrt(s[1]); // the blocks, not the current token's embedding, decide the next token
            } else {
                std = 1.0 / Math.sqrt(s[1]);
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) ((norm && name.endsWith("weight") ? 1 : 0) + std * r.nextGaussian());
            }
            v.put(name, x);
        }
        return v;
    }

    /** The values with every matrix rounded to F16 and back, as the F16 export stores them. */
    static Map<String, float[]> roundMatrices(Map<String, float[]> values) {
        Map<String, float[]> out = new LinkedHashMap<>();
        values.forEach((name, v) -> {
            float[] r = v.clone();
            if (!name.contains("ln_") && name.endsWith("weight")) {
                for (int i = 0; i < r.length; i++) {
                    r[i] = Float.float16ToFloat(Float.floatToFloat16(r[i]));
                }
            }
            out.put(name, r);
        });
        return out;
    }

    static String describe(int[] a) {
        return Arrays.toString(a);
    }
}
