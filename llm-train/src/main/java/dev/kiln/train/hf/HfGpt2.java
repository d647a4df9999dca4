package dev.kiln.train.hf;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face GPT-2 format: {@code config.json} ({@code GPT2LMHeadModel}), {@code
 * model.safetensors} with HF's parameter names and layouts ({@code Conv1D} weights are {@code [in,
 * out]}), and {@code tokenizer.json}, so {@code transformers}, vLLM and the BigCode harness load a
 * Kiln model; {@link #importModel} reads the same.
 *
 * <pre>{@code
 * HfGpt2.export(Path.of("runs/tiny/checkpoints/step-002000"), Path.of("hf/tiny"));
 * ModelDir.Loaded back = HfGpt2.importModel(Path.of("hf/tiny"), Device.cpu());
 * }</pre>
 */
public final class HfGpt2 {

    private HfGpt2() {}

    /** Exports the Kiln model directory {@code modelDir} to {@code out}. */
    public static void export(Path modelDir, Path out) throws IOException {
        ModelDir.Loaded l = ModelDir.read(modelDir, Device.cpu());
        try (GptModel m = l.model()) {
            export(m, l.tokenizer(), out);
        }
    }

    /** Exports {@code model} and {@code tokenizer} to {@code out}. */
    public static void export(GptModel model, Tokenizer tokenizer, Path out) throws IOException {
        GptConfig c = model.config();
        List<String> bad = gpt2Mismatches(c);
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("the model is not a GPT-2 (" + String.join(", ", bad)
                    + "); export it with HfModels.export, which picks LlamaForCausalLM or Qwen2ForCausalLM");
        }
        Files.createDirectories(out);
        Map<String, float[]> values = model.values();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> hf = new LinkedHashMap<>();
        for (Map.Entry<String, ai.djl.ndarray.types.Shape> e :
                GptModel.parameterShapes(c).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue().getShape();
            float[] v = values.get(name);
            String hfName = name.equals("lm_head.weight") ? name : "transformer." + name;
            if (isConv1D(name)) {
                v = transpose(v, (int) shape[0], (int) shape[1]);
                shape = new long[] {shape[1], shape[0]};
            }
            hf.put(hfName, v);
            shapes.put(hfName, shape);
        }
        writeSafetensors(out.resolve("model.safetensors"), hf, shapes);
        Json.write(out.resolve("config.json"), hfConfig(c, tokenizer));
        HfModels.writeTokenizer(tokenizer, out);
    }

    /** Whether {@code c} is a GPT-2 model as {@code GPT2LMHeadModel} defines it. */
    static List<String> gpt2Mismatches(GptConfig c) {
        List<String> bad = new ArrayList<>();
        if (c.positions() != GptConfig.Positions.LEARNED) {
            bad.add("positions=" + c.positions().wireName());
        }
        if (c.norm() != GptConfig.Norm.LAYERNORM) {
            bad.add("norm=" + c.norm().wireName());
        }
        if (c.mlp() != GptConfig.Mlp.GELU) {
            bad.add("mlp=" + c.mlp().wireName());
        }
        if (c.kvHeads() != c.heads()) {
            bad.add("kv_heads=" + c.kvHeads());
        }
        if (!c.bias() || !c.qkvBias()) {
            bad.add("bias=" + c.bias() + ", qkv_bias=" + c.qkvBias());
        }
        return bad;
    }

    /** Reads an HF GPT-2 directory (config.json + model.safetensors; tokenizer from tokenizer.json when byte-level). */
    public static ModelDir.Loaded importModel(Path dir, Device device) throws IOException {
        Path cfgFile = dir.resolve("config.json");
        if (!Files.isRegularFile(cfgFile)) {
            throw new NoSuchFileException(cfgFile.toString(), null, "not a Hugging Face model directory");
        }
        JsonNode n = Json.read(cfgFile);
        if (n.path("model_type").asText().equals("gpt2")) {
            HfModels.rejectUnsupported(cfgFile, n);
            String act = n.path("activation_function").asText("gelu_new");
            if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
                throw new CorruptArtifactException(
                        cfgFile,
                        "activation_function '" + act
                                + "' is not supported (Kiln's GPT-2 uses the tanh GELU: gelu_new, gelu_pytorch_tanh)");
            }
        }
        if (!"gpt2".equals(n.path("model_type").asText())) {
            throw new CorruptArtifactException(
                    cfgFile, "model_type is '" + n.path("model_type").asText() + "', only gpt2 can be imported");
        }
        int d = n.path("n_embd").asInt();
        int inner = n.path("n_inner").isNumber() ? n.path("n_inner").asInt() : 4 * d;
        if (inner % d != 0) {
            throw new CorruptArtifactException(cfgFile, "n_inner " + inner + " is not a multiple of n_embd " + d);
        }
        GptConfig c = GptConfig.builder()
                .optArch(GptConfig.Arch.GPT2)
                .setVocabSize(n.path("vocab_size").asInt())
                .setContextLength(n.path("n_positions").asInt())
                .optDModel(d)
                .optHeads(n.path("n_head").asInt())
                .optLayers(n.path("n_layer").asInt())
                .optMlpRatio(inner / d)
                .optTiedEmbeddings(n.path("tie_word_embeddings").asBoolean(true))
                .build();
        Map<String, Safetensors.Tensor> tensors = Safetensors.readModel(dir);
        Map<String, float[]> raw = new LinkedHashMap<>();
        tensors.forEach((k, t) -> raw.put(k, t.values()));
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, ai.djl.ndarray.types.Shape> e :
                GptModel.parameterShapes(c).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue().getShape();
            float[] v = raw.get("transformer." + name);
            if (v == null) {
                v = raw.get(name);
            }
            if (v == null && name.equals("lm_head.weight")) {
                v = raw.get("lm_head.weight");
            }
            if (v == null) {
                throw new CorruptArtifactException(dir, "has no tensor 'transformer." + name + "'");
            }
            if (v.length != e.getValue().size()) {
                throw new CorruptArtifactException(
                        dir,
                        "tensor 'transformer." + name + "' has " + v.length + " values, the config needs shape "
                                + e.getValue());
            }
            if (isConv1D(name)) {
                v = transpose(v, (int) shape[1], (int) shape[0]);
            }
            values.put(name, v);
        }
        Tokenizer tok = HfModels.readTokenizer(dir);
        return new ModelDir.Loaded(GptModel.fromValues(c, values, device), tok, dir);
    }

    private static boolean isConv1D(String name) {
        return name.endsWith("c_attn.weight") || name.endsWith("c_proj.weight") || name.endsWith("c_fc.weight");
    }

    private static float[] transpose(float[] v, int rows, int cols) {
        float[] t = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = v[r * cols + c];
            }
        }
        return t;
    }

    static Map<String, Object> hfConfig(GptConfig c, Tokenizer tok) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("GPT2LMHeadModel"));
        m.put("model_type", "gpt2");
        m.put("vocab_size", c.vocabSize());
        m.put("n_positions", c.contextLength());
        m.put("n_ctx", c.contextLength());
        m.put("n_embd", c.dModel());
        m.put("n_layer", c.layers());
        m.put("n_head", c.heads());
        m.put("n_inner", c.mlpWidth());
        m.put("activation_function", "gelu_new");
        m.put("layer_norm_epsilon", c.normEps());
        m.put("initializer_range", (double) GptConfig.INIT_STD);
        m.put("resid_pdrop", c.dropout());
        m.put("embd_pdrop", c.dropout());
        m.put("attn_pdrop", c.dropout());
        m.put("scale_attn_weights", true);
        m.put("tie_word_embeddings", c.tiedEmbeddings());
        int eos = tok.endOfTextId().orElse(0);
        m.put("bos_token_id", eos);
        m.put("eos_token_id", eos);
        m.put("torch_dtype", "float32");
        return m;
    }

    /** GPT-2's byte → printable character map (bytes_to_unicode). */
    static char[] byteChars() {
        char[] out = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = printable ? (char) b : (char) (256 + n++);
        }
        return out;
    }

    static Map<String, Object> tokenizerJson(Tokenizer tok) {
        if (!(tok instanceof ByteTokenizer)) {
            throw new IllegalArgumentException("tokenizer " + tok.getClass().getName() + " cannot be exported yet");
        }
        char[] chars = byteChars();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(chars[b]), b);
        }
        List<Map<String, Object>> added = new ArrayList<>();
        for (int id = 256; id < tok.vocabSize(); id++) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", id);
            a.put("content", tok.tokenText(id));
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
            added.add(a);
        }
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", false);
        byteLevel.put("use_regex", false);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", List.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", "1.0");
        m.put("truncation", null);
        m.put("padding", null);
        m.put("added_tokens", added);
        m.put("normalizer", null);
        m.put("pre_tokenizer", byteLevel);
        m.put("post_processor", null);
        m.put("decoder", byteLevel);
        m.put("model", model);
        return m;
    }

    /** Writes float32 tensors (see {@link Safetensors#write}). */
    public static void writeSafetensors(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes)
            throws IOException {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        tensors.forEach((k, v) -> t.put(k, new Safetensors.Tensor(shapes.get(k), v, "F32")));
        Safetensors.write(file, t);
    }

    /** Reads a safetensors file (F32, F16 or BF16 tensors, as float32 values). */
    public static Map<String, float[]> readSafetensors(Path file) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        Safetensors.read(file).forEach((k, t) -> out.put(k, t.values()));
        return out;
    }
}
