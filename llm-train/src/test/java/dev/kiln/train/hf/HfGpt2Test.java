package dev.kiln.train.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfGpt2Test {

    static final ByteTokenizer TOK = ByteTokenizer.withCodeSpecials();
    static final GptConfig CFG = GptConfig.builder()
            .optArch(GptConfig.Arch.GPT2)
            .setVocabSize(TOK.vocabSize())
            .setContextLength(24)
            .optDModel(32)
            .optHeads(4)
            .optLayers(2)
            .build();

    static float[] logits(GptModel m, int[] ids) {
        try (NDManager s = m.manager().newSubManager()) {
            return m.forward(s.create(new int[][] {ids}), false).toFloatArray();
        }
    }

    @Test
    void exportImportRoundTripAndFilesAreHfShaped(@TempDir Path dir) throws Exception {
        int[] ids = TOK.encode("for (int i = 0;");
        float[] kiln;
        try (GptModel m = GptModel.create(CFG, 21, Device.cpu())) {
            ModelDir.write(dir.resolve("kiln"), m, TOK);
            kiln = logits(m, ids);
        }
        HfGpt2.export(dir.resolve("kiln"), dir.resolve("hf"));
        JsonNode cfg = Json.read(dir.resolve("hf/config.json"));
        assertThat(cfg.path("architectures").get(0).asText()).isEqualTo("GPT2LMHeadModel");
        assertThat(cfg.path("activation_function").asText()).isEqualTo("gelu_new");
        assertThat(Json.read(dir.resolve("hf/tokenizer.json"))
                        .path("added_tokens")
                        .size())
                .isEqualTo(7);
        var tensors = HfGpt2.readSafetensors(dir.resolve("hf/model.safetensors"));
        assertThat(tensors).containsKeys("transformer.h.0.attn.c_attn.weight", "transformer.wte.weight");
        assertThat(tensors).doesNotContainKey("lm_head.weight");
        ModelDir.Loaded back = HfGpt2.importModel(dir.resolve("hf"), Device.cpu());
        try (GptModel m = back.model()) {
            assertThat(m.config()).isEqualTo(CFG);
            assertThat(logits(m, ids)).containsExactly(kiln);
            assertThat(back.tokenizer().vocabSize()).isEqualTo(TOK.vocabSize());
        }
    }

    @Test
    void plainPytorchGpt2OverTheExportReproducesKilnLogits(@TempDir Path dir) throws Exception {
        Path python = torchPython();
        int[] ids = TOK.encode("public int x;");
        float[] kiln;
        try (GptModel m = GptModel.create(CFG, 33, Device.cpu())) {
            kiln = logits(m, ids);
            HfGpt2.export(m, TOK, dir);
        }
        Path script = referenceScript(dir);
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString(), "forward", dir.toString()));
        for (int id : ids) {
            cmd.add(String.valueOf(id));
        }
        Result r = run(cmd);
        assertThat(r.ok).as(r.out).isTrue();
        JsonNode rows = Json.parse(r.out.trim());
        assertThat(rows.size()).isEqualTo(ids.length);
        double worst = 0;
        int v = CFG.vocabSize();
        for (int t = 0; t < ids.length; t++) {
            for (int j = 0; j < v; j++) {
                worst = Math.max(worst, Math.abs(rows.get(t).get(j).asDouble() - kiln[t * v + j]));
            }
        }
        assertThat(worst).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void trainingGradientsMatchPlainPytorch(@TempDir Path dir) throws Exception {
        Path python = torchPython();
        // Two rows of next-token pairs, through the training path (gradient collection on: in-place
        // GELU, in-place residual and mask additions).
        int[][] rows = {TOK.encode("int add(int a, int b) {"), TOK.encode("return a + b; } // sum ok")};
        int t = Math.min(rows[0].length, rows[1].length) - 1;
        int[][] xs = new int[2][t];
        int[][] ys = new int[2][t];
        for (int r = 0; r < 2; r++) {
            System.arraycopy(rows[r], 0, xs[r], 0, t);
            System.arraycopy(rows[r], 1, ys[r], 0, t);
        }
        double kilnLoss;
        try (GptModel m = GptModel.create(CFG, 8, Device.cpu())) {
            for (var p : m.parameterList()) {
                p.getArray().setRequiresGradient(true);
            }
            java.util.Map<String, float[]> grads = new java.util.LinkedHashMap<>();
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
            HfGpt2.export(m, TOK, dir.resolve("params"));
            try (GptModel g = GptModel.fromValues(CFG, grads, Device.cpu())) {
                HfGpt2.export(g, TOK, dir.resolve("grads"));
            }
        }
        Path script = referenceScript(dir);
        StringBuilder json = new StringBuilder("[");
        for (int r = 0; r < 2; r++) {
            json.append(r == 0 ? "[" : ", [");
            for (int i = 0; i <= t; i++) {
                json.append(i == 0 ? "" : ", ").append(rows[r][i]);
            }
            json.append(']');
        }
        json.append(']');
        Result r = run(List.of(
                python.toString(),
                script.toString(),
                "grad",
                dir.resolve("params").toString(),
                dir.resolve("grads").toString(),
                json.toString()));
        assertThat(r.ok).as(r.out).isTrue();
        JsonNode out = Json.parse(r.out.trim());
        assertThat(out.path("loss").asDouble()).isCloseTo(kilnLoss, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(out.path("diff").size())
                .isEqualTo(GptModel.parameterShapes(CFG).size());
        double maxGrad = out.path("max_grad").asDouble();
        assertThat(maxGrad).isGreaterThan(1e-3);
        out.path("diff")
                .fields()
                .forEachRemaining(e -> assertThat(e.getValue().asDouble())
                        .as("gradient of %s", e.getKey())
                        .isLessThanOrEqualTo(1e-5 + 1e-4 * maxGrad));
    }

    /** Debian's python3 with python3-torch (the test is skipped without it). */
    static Path torchPython() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(
                Files.isExecutable(python) && run(List.of(python.toString(), "-c", "import torch")).ok,
                "Debian's /usr/bin/python3 with python3-torch is needed (.ci/setup.d/torch.sh installs it)");
        return python;
    }

    /** The plain PyTorch GPT-2 reference, copied next to the test's files. */
    static Path referenceScript(Path dir) throws IOException {
        return copyReference(dir, "gpt2_ref.py");
    }

    /** Copies a reference script and the module it imports ({@code ref_common.py}) into {@code dir}. */
    static Path copyReference(Path dir, String name) throws IOException {
        for (String f : List.of("ref_common.py", name)) {
            try (InputStream in = HfGpt2Test.class.getResourceAsStream(f)) {
                Files.copy(in, dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir.resolve(name);
    }

    record Result(boolean ok, String out) {}

    static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        return new Result(done && p.exitValue() == 0, out);
    }
}
