package dev.kiln.train.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.LanguageModel;
import dev.kiln.core.model.LanguageModels;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import dev.kiln.train.generate.GptLanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Llama family against a plain PyTorch implementation of Hugging Face's LlamaForCausalLM. */
class HfLlamaTest {

    static final ByteTokenizer TOK = ByteTokenizer.withCodeSpecials();

    static GptConfig.Builder base() {
        return GptConfig.builder()
                .setVocabSize(TOK.vocabSize())
                .setContextLength(32)
                .optDModel(32)
                .optLayers(2);
    }

    /** Llama MHA tied; GQA untied; multi-query; Qwen2-style QKV biases with GQA. */
    static List<GptConfig> variants() {
        return List.of(
                base().optHeads(4).build(),
                base().optHeads(4)
                        .optKvHeads(2)
                        .optTiedEmbeddings(false)
                        .optRopeTheta(50000)
                        .build(),
                base().optHeads(4).optKvHeads(1).optMlpHidden(48).build(),
                base().optHeads(4)
                        .optKvHeads(2)
                        .optQkvBias(true)
                        .optTiedEmbeddings(false)
                        .build());
    }

    /**
     * A model whose weights are large enough (std 0.2, norm weights around 1, non-zero biases) that
     * attention is far from uniform, so position and head-grouping errors show in the logits.
     */
    static GptModel randomModel(GptConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (var e : GptModel.parameterShapes(c).entrySet()) {
            float[] v = new float[Math.toIntExact(e.getValue().size())];
            boolean norm = e.getKey().contains("ln_");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (norm ? 1 + 0.1 * r.nextGaussian() : 0.2 * r.nextGaussian());
            }
            values.put(e.getKey(), v);
        }
        return GptModel.fromValues(c, values, Device.cpu());
    }

    static float[] logits(GptModel m, int[] ids) {
        try (NDManager s = m.manager().newSubManager()) {
            return m.forward(s.create(new int[][] {ids}), false).toFloatArray();
        }
    }

    static double maxDiff(JsonNode rows, float[] kiln, int v) {
        double worst = 0;
        for (int t = 0; t < rows.size(); t++) {
            for (int j = 0; j < v; j++) {
                worst = Math.max(worst, Math.abs(rows.get(t).get(j).asDouble() - kiln[t * v + j]));
            }
        }
        return worst;
    }

    static Path script(Path dir) throws IOException {
        return HfGpt2Test.copyReference(dir, "llama_ref.py");
    }

    static JsonNode reference(Path python, Path dir, String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of(python.toString(), script(dir).toString()));
        cmd.addAll(List.of(args));
        HfGpt2Test.Result r = HfGpt2Test.run(cmd);
        assertThat(r.ok()).as(r.out()).isTrue();
        return Json.parse(r.out().trim());
    }

    static String[] forwardArgs(Path modelDir, int[] ids) {
        List<String> a = new ArrayList<>(List.of("forward", modelDir.toString()));
        for (int id : ids) {
            a.add(String.valueOf(id));
        }
        return a.toArray(String[]::new);
    }

    @ParameterizedTest
    @MethodSource("variants")
    void logitsAndEveryGradientMatchPlainPytorch(GptConfig cfg, @TempDir Path dir) throws Exception {
        Path python = HfGpt2Test.torchPython();
        int[] ids = TOK.encode("for (int i = 0; i < n; i++) {");
        int[][] rows = {TOK.encode("int add(int a, int b) {"), TOK.encode("return a + b; } // sum ok")};
        int t = Math.min(rows[0].length, rows[1].length) - 1;
        int[][] xs = new int[2][t];
        int[][] ys = new int[2][t];
        for (int r = 0; r < 2; r++) {
            System.arraycopy(rows[r], 0, xs[r], 0, t);
            System.arraycopy(rows[r], 1, ys[r], 0, t);
        }
        float[] kiln;
        double kilnLoss;
        try (GptModel m = randomModel(cfg, 17)) {
            kiln = logits(m, ids);
            HfModels.export(m, TOK, dir.resolve("params"));
            for (var p : m.parameterList()) {
                p.getArray().setRequiresGradient(true);
            }
            Map<String, float[]> grads = new LinkedHashMap<>();
            try (NDManager s = m.manager().newSubManager()) {
                try (var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    var loss = m.loss(s.create(xs), s.create(ys), true);
                    gc.backward(loss);
                    kilnLoss = loss.getFloat();
                }
                for (var p : m.parameterList()) {
                    grads.put(p.getName(), p.getArray().getGradient().toFloatArray());
                }
            }
            try (GptModel g = GptModel.fromValues(cfg, grads, Device.cpu())) {
                HfModels.export(g, TOK, dir.resolve("grads"));
            }
        }
        JsonNode hfCfg = Json.read(dir.resolve("params/config.json"));
        assertThat(hfCfg.path("model_type").asText()).isEqualTo(cfg.qkvBias() ? "qwen2" : "llama");
        StringBuilder json = new StringBuilder("[");
        for (int r = 0; r < 2; r++) {
            json.append(r == 0 ? "[" : ", [");
            for (int i = 0; i <= t; i++) {
                json.append(i == 0 ? "" : ", ").append(rows[r][i]);
            }
            json.append(']');
        }
        json.append(']');
        StringBuilder fwd = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            fwd.append(i == 0 ? "" : ", ").append(ids[i]);
        }
        fwd.append(']');
        // One interpreter start for both checks (torch's import dominates the test's time).
        JsonNode out = reference(
                python,
                dir,
                "grad",
                dir.resolve("params").toString(),
                dir.resolve("grads").toString(),
                json.toString(),
                fwd.toString());
        JsonNode ref = out.path("logits");
        assertThat(ref.size()).isEqualTo(ids.length);
        double scale = 0;
        for (float f : kiln) {
            scale = Math.max(scale, Math.abs(f));
        }
        assertThat(scale).as("logits are not trivially small").isGreaterThan(1.0);
        assertThat(maxDiff(ref, kiln, cfg.vocabSize())).isLessThanOrEqualTo(1e-4 * scale);
        assertThat(out.path("loss").asDouble()).isCloseTo(kilnLoss, org.assertj.core.data.Offset.offset(1e-4));
        double maxGrad = out.path("max_grad").asDouble();
        assertThat(maxGrad).isGreaterThan(1e-3);
        assertThat(out.path("diff").size())
                .isEqualTo(Safetensors.read(dir.resolve("params/model.safetensors"))
                        .size());
        out.path("diff")
                .fields()
                .forEachRemaining(e -> assertThat(e.getValue().asDouble())
                        .as("gradient of %s", e.getKey())
                        .isLessThanOrEqualTo(1e-5 + 1e-4 * maxGrad));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void exportImportRoundTripGivesIdenticalLogits(GptConfig cfg, @TempDir Path dir) throws Exception {
        int[] ids = TOK.encode("while (true) { x++; }");
        float[] kiln;
        try (GptModel m = randomModel(cfg, 3)) {
            kiln = logits(m, ids);
            ModelDir.write(dir.resolve("kiln"), m, TOK);
        }
        HfModels.export(dir.resolve("kiln"), dir.resolve("hf"));
        assertThat(HfModels.isModelDir(dir.resolve("hf"))).isTrue();
        assertThat(HfModels.isModelDir(dir.resolve("kiln"))).isFalse();
        ModelDir.Loaded back = HfModels.importModel(dir.resolve("hf"), Device.cpu());
        try (GptModel m = back.model()) {
            assertThat(m.config()).isEqualTo(cfg);
            assertThat(logits(m, ids)).containsExactly(kiln);
        }
    }

    @Test
    void bf16ShardedUntiedDirectoryImportsWithTheReferenceLogits(@TempDir Path dir) throws Exception {
        Path python = HfGpt2Test.torchPython();
        Path hf = dir.resolve("hf");
        reference(python, dir, "make", hf.toString(), "5");
        Files.writeString(hf.resolve("tokenizer.json"), Json.toPretty(HfGpt2.tokenizerJson(TOK)));
        assertThat(hf.resolve("model.safetensors")).doesNotExist();
        int[] ids = TOK.encode("def f(x):\n    return x * 2");
        JsonNode ref = reference(python, dir, forwardArgs(hf, ids));
        try (LanguageModel lm = LanguageModels.open(hf.toString())) {
            GptModel m = ((GptLanguageModel) lm).model();
            assertThat(m.config().kvHeads()).isEqualTo(2);
            assertThat(m.config().tiedEmbeddings()).isFalse();
            assertThat(m.config().ropeTheta()).isEqualTo(500000.0);
            float[] kiln = logits(m, ids);
            double scale = 0;
            for (float f : kiln) {
                scale = Math.max(scale, Math.abs(f));
            }
            assertThat(maxDiff(ref, kiln, 263)).isLessThanOrEqualTo(1e-4 * scale);
        }
    }

    @Test
    void unsupportedConfigsAndBrokenTensorsNameTheFileAndField(@TempDir Path dir) throws Exception {
        GptConfig cfg = variants().get(1);
        try (GptModel m = randomModel(cfg, 1)) {
            HfModels.export(m, TOK, dir.resolve("hf"));
        }
        Path hf = dir.resolve("hf");
        Path cfgFile = hf.resolve("config.json");
        ObjectNode good = (ObjectNode) Json.read(cfgFile);

        ObjectNode scaled = good.deepCopy();
        scaled.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0);
        Json.write(cfgFile, scaled);
        assertThatThrownBy(() -> HfModels.importModel(hf, Device.cpu()))
                .isInstanceOf(CorruptArtifactException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("rope_scaling");

        ObjectNode other = good.deepCopy();
        other.put("model_type", "mixtral");
        Json.write(cfgFile, other);
        assertThatThrownBy(() -> HfModels.importModel(hf, Device.cpu()))
                .hasMessageContaining("model_type is 'mixtral'")
                .hasMessageContaining("llama");

        ObjectNode wide = good.deepCopy();
        wide.put("intermediate_size", 999);
        Json.write(cfgFile, wide);
        assertThatThrownBy(() -> HfModels.importModel(hf, Device.cpu()))
                .hasMessageContaining("model.layers.0.mlp.gate_proj.weight")
                .hasMessageContaining("shape");

        Json.write(cfgFile, good);
        var tensors = new LinkedHashMap<>(Safetensors.read(hf.resolve("model.safetensors")));
        tensors.remove("model.layers.1.self_attn.k_proj.weight");
        Safetensors.write(hf.resolve("model.safetensors"), tensors);
        assertThatThrownBy(() -> HfModels.importModel(hf, Device.cpu()))
                .hasMessageContaining("has no tensor 'model.layers.1.self_attn.k_proj.weight'");

        GptConfig mixed = GptConfig.builder()
                .setVocabSize(263)
                .setContextLength(8)
                .optNorm(GptConfig.Norm.LAYERNORM)
                .build();
        try (GptModel m = GptModel.create(mixed, 1, Device.cpu())) {
            assertThatThrownBy(() -> HfModels.export(m, TOK, dir.resolve("x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("norm=layernorm");
        }
    }
}
