package dev.kiln.train.hf;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's Llama family: {@code LlamaForCausalLM} and, for models with biases on the
 * query/key/value projection only, {@code Qwen2ForCausalLM}. Maps Kiln's fused projections to HF's
 * separate {@code q_proj/k_proj/v_proj} and {@code gate_proj/up_proj} and back.
 */
final class HfLlama {

    private HfLlama() {}

    /** Why {@code c} is not a Llama-family model (empty when it is). */
    static List<String> mismatches(GptConfig c) {
        List<String> bad = new ArrayList<>();
        if (c.positions() != GptConfig.Positions.ROPE) {
            bad.add("positions=" + c.positions().wireName());
        }
        if (c.norm() != GptConfig.Norm.RMSNORM) {
            bad.add("norm=" + c.norm().wireName());
        }
        if (c.mlp() != GptConfig.Mlp.SWIGLU) {
            bad.add("mlp=" + c.mlp().wireName());
        }
        return bad;
    }

    /** {@code qwen2} when only the QKV projection has biases, else {@code llama}. */
    static String modelType(GptConfig c) {
        return c.qkvBias() && !c.bias() ? "qwen2" : "llama";
    }

    static void export(GptModel model, Tokenizer tokenizer, Path out) throws IOException {
        GptConfig c = model.config();
        List<String> bad = mismatches(c);
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(
                    "the model is not a Llama-family model (" + String.join(", ", bad) + ")");
        }
        if (c.bias() && !c.qkvBias()) {
            throw new IllegalArgumentException(
                    "bias=true with qkv_bias=false has no Hugging Face class (Llama's attention_bias covers all four"
                            + " attention projections)");
        }
        Files.createDirectories(out);
        Map<String, float[]> v = model.values();
        Map<String, Safetensors.Tensor> hf = new LinkedHashMap<>();
        long d = c.dModel();
        long f = c.mlpWidth();
        int hd = c.headDim();
        long qRows = (long) c.heads() * hd;
        long kvRows = (long) c.kvHeads() * hd;
        put(hf, "model.embed_tokens.weight", v.get("wte.weight"), c.vocabSize(), d);
        for (int i = 0; i < c.layers(); i++) {
            String k = "h." + i + ".";
            String h = "model.layers." + i + ".";
            put(hf, h + "input_layernorm.weight", v.get(k + "ln_1.weight"), d);
            float[] qkv = v.get(k + "attn.c_attn.weight");
            put(hf, h + "self_attn.q_proj.weight", rows(qkv, 0, qRows, d), qRows, d);
            put(hf, h + "self_attn.k_proj.weight", rows(qkv, qRows, kvRows, d), kvRows, d);
            put(hf, h + "self_attn.v_proj.weight", rows(qkv, qRows + kvRows, kvRows, d), kvRows, d);
            float[] qkvB = v.get(k + "attn.c_attn.bias");
            if (qkvB != null) {
                put(hf, h + "self_attn.q_proj.bias", rows(qkvB, 0, qRows, 1), qRows);
                put(hf, h + "self_attn.k_proj.bias", rows(qkvB, qRows, kvRows, 1), kvRows);
                put(hf, h + "self_attn.v_proj.bias", rows(qkvB, qRows + kvRows, kvRows, 1), kvRows);
            }
            put(hf, h + "self_attn.o_proj.weight", v.get(k + "attn.c_proj.weight"), d, d);
            if (c.bias()) {
                put(hf, h + "self_attn.o_proj.bias", v.get(k + "attn.c_proj.bias"), d);
            }
            put(hf, h + "post_attention_layernorm.weight", v.get(k + "ln_2.weight"), d);
            float[] fc = v.get(k + "mlp.c_fc.weight");
            put(hf, h + "mlp.gate_proj.weight", rows(fc, 0, f, d), f, d);
            put(hf, h + "mlp.up_proj.weight", rows(fc, f, f, d), f, d);
            if (c.bias()) {
                float[] fcB = v.get(k + "mlp.c_fc.bias");
                put(hf, h + "mlp.gate_proj.bias", rows(fcB, 0, f, 1), f);
                put(hf, h + "mlp.up_proj.bias", rows(fcB, f, f, 1), f);
            }
            put(hf, h + "mlp.down_proj.weight", v.get(k + "mlp.c_proj.weight"), d, f);
            if (c.bias()) {
                put(hf, h + "mlp.down_proj.bias", v.get(k + "mlp.c_proj.bias"), d);
            }
        }
        put(hf, "model.norm.weight", v.get("ln_f.weight"), d);
        if (!c.tiedEmbeddings()) {
            put(hf, "lm_head.weight", v.get("lm_head.weight"), c.vocabSize(), d);
        }
        Safetensors.write(out.resolve(Safetensors.MODEL_FILE), hf);
        Json.write(out.resolve("config.json"), hfConfig(c, tokenizer));
        HfModels.writeTokenizer(tokenizer, out);
    }

    static Map<String, Object> hfConfig(GptConfig c, Tokenizer tok) {
        String type = modelType(c);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of(type.equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM"));
        m.put("model_type", type);
        m.put("vocab_size", c.vocabSize());
        m.put("hidden_size", c.dModel());
        m.put("intermediate_size", c.mlpWidth());
        m.put("num_hidden_layers", c.layers());
        m.put("num_attention_heads", c.heads());
        m.put("num_key_value_heads", c.kvHeads());
        m.put("head_dim", c.headDim());
        m.put("max_position_embeddings", c.contextLength());
        m.put("rms_norm_eps", c.normEps());
        m.put("rope_theta", c.ropeTheta());
        m.put("rope_scaling", null);
        m.put("hidden_act", "silu");
        m.put("initializer_range", (double) GptConfig.INIT_STD);
        m.put("attention_dropout", c.dropout());
        if (type.equals("llama")) {
            m.put("attention_bias", c.bias());
            m.put("mlp_bias", c.bias());
        } else {
            m.put("use_sliding_window", false);
            m.put("sliding_window", null);
            m.put("max_window_layers", c.layers());
        }
        m.put("tie_word_embeddings", c.tiedEmbeddings());
        int eos = tok.endOfTextId().orElse(0);
        m.put("bos_token_id", eos);
        m.put("eos_token_id", eos);
        m.put("torch_dtype", "float32");
        m.put("use_cache", true);
        return m;
    }

    static ModelDir.Loaded importModel(Path dir, JsonNode n, Device device) throws IOException {
        Path cfgFile = dir.resolve("config.json");
        String type = n.path("model_type").asText();
        HfModels.rejectUnsupported(cfgFile, n);
        String act = n.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new CorruptArtifactException(
                    cfgFile, "hidden_act '" + act + "' is not supported (Kiln's SwiGLU uses silu)");
        }
        if (type.equals("qwen2") && n.path("use_sliding_window").asBoolean(false)) {
            throw new CorruptArtifactException(
                    cfgFile, "use_sliding_window is true; sliding-window attention is not supported");
        }
        int d = required(cfgFile, n, "hidden_size");
        int heads = required(cfgFile, n, "num_attention_heads");
        int kv = n.path("num_key_value_heads").isNumber()
                ? n.path("num_key_value_heads").asInt()
                : heads;
        if (n.path("head_dim").isNumber() && heads > 0 && n.path("head_dim").asInt() * heads != d) {
            throw new CorruptArtifactException(
                    cfgFile,
                    "head_dim " + n.path("head_dim").asInt()
                            + " differs from hidden_size / num_attention_heads = " + d + " / " + heads
                            + "; Kiln needs head_dim · heads = hidden_size");
        }
        boolean attnBias;
        boolean mlpBias;
        boolean qkvBias;
        if (type.equals("qwen2")) {
            attnBias = false;
            mlpBias = false;
            qkvBias = true;
        } else {
            attnBias = n.path("attention_bias").asBoolean(false);
            mlpBias = n.path("mlp_bias").asBoolean(false);
            qkvBias = attnBias;
            if (attnBias != mlpBias) {
                throw new CorruptArtifactException(
                        cfgFile,
                        "attention_bias=" + attnBias + " with mlp_bias=" + mlpBias
                                + " is not supported (Kiln's bias option covers all linear layers)");
            }
        }
        GptConfig c;
        try {
            c = GptConfig.builder()
                    .optArch(GptConfig.Arch.LLAMA)
                    .setVocabSize(required(cfgFile, n, "vocab_size"))
                    .setContextLength(required(cfgFile, n, "max_position_embeddings"))
                    .optDModel(d)
                    .optHeads(heads)
                    .optKvHeads(kv)
                    .optLayers(required(cfgFile, n, "num_hidden_layers"))
                    .optMlpHidden(required(cfgFile, n, "intermediate_size"))
                    .optNormEps(n.path("rms_norm_eps").asDouble(1e-6))
                    .optRopeTheta(n.path("rope_theta").asDouble(10000.0))
                    .optBias(attnBias)
                    .optQkvBias(qkvBias)
                    .optTiedEmbeddings(n.path("tie_word_embeddings").asBoolean(false))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CorruptArtifactException(cfgFile, "describes a model Kiln cannot build: " + e.getMessage(), e);
        }
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>(Safetensors.readModel(dir));
        t.keySet().removeIf(k -> k.endsWith("rotary_emb.inv_freq")); // a buffer older exports carry
        Map<String, float[]> values = new LinkedHashMap<>();
        long dd = d;
        long f = c.mlpWidth();
        int hd = c.headDim();
        long qRows = (long) heads * hd;
        long kvRows = (long) kv * hd;
        values.put("wte.weight", take(dir, t, "model.embed_tokens.weight", c.vocabSize(), dd));
        for (int i = 0; i < c.layers(); i++) {
            String k = "h." + i + ".";
            String h = "model.layers." + i + ".";
            values.put(k + "ln_1.weight", take(dir, t, h + "input_layernorm.weight", dd));
            values.put(
                    k + "attn.c_attn.weight",
                    concat(
                            take(dir, t, h + "self_attn.q_proj.weight", qRows, dd),
                            take(dir, t, h + "self_attn.k_proj.weight", kvRows, dd),
                            take(dir, t, h + "self_attn.v_proj.weight", kvRows, dd)));
            if (qkvBias) {
                values.put(
                        k + "attn.c_attn.bias",
                        concat(
                                take(dir, t, h + "self_attn.q_proj.bias", qRows),
                                take(dir, t, h + "self_attn.k_proj.bias", kvRows),
                                take(dir, t, h + "self_attn.v_proj.bias", kvRows)));
            }
            values.put(k + "attn.c_proj.weight", take(dir, t, h + "self_attn.o_proj.weight", dd, dd));
            if (attnBias) {
                values.put(k + "attn.c_proj.bias", take(dir, t, h + "self_attn.o_proj.bias", dd));
            }
            values.put(k + "ln_2.weight", take(dir, t, h + "post_attention_layernorm.weight", dd));
            values.put(
                    k + "mlp.c_fc.weight",
                    concat(
                            take(dir, t, h + "mlp.gate_proj.weight", f, dd),
                            take(dir, t, h + "mlp.up_proj.weight", f, dd)));
            if (mlpBias) {
                values.put(
                        k + "mlp.c_fc.bias",
                        concat(take(dir, t, h + "mlp.gate_proj.bias", f), take(dir, t, h + "mlp.up_proj.bias", f)));
            }
            values.put(k + "mlp.c_proj.weight", take(dir, t, h + "mlp.down_proj.weight", dd, f));
            if (mlpBias) {
                values.put(k + "mlp.c_proj.bias", take(dir, t, h + "mlp.down_proj.bias", dd));
            }
        }
        values.put("ln_f.weight", take(dir, t, "model.norm.weight", dd));
        if (!c.tiedEmbeddings()) {
            values.put("lm_head.weight", take(dir, t, "lm_head.weight", c.vocabSize(), dd));
        } else if (t.containsKey("lm_head.weight")) {
            // Some tied checkpoints store the head too; accept it only when it is the embedding.
            float[] head = take(dir, t, "lm_head.weight", c.vocabSize(), dd);
            if (!Arrays.equals(head, values.get("wte.weight"))) {
                throw new CorruptArtifactException(
                        cfgFile,
                        "tie_word_embeddings is true but lm_head.weight differs " + "from model.embed_tokens.weight");
            }
        }
        if (!t.isEmpty()) {
            throw new CorruptArtifactException(
                    dir,
                    "has tensors a " + type + " model with this config.json does not use: "
                            + String.join(", ", new ArrayList<>(t.keySet()).subList(0, Math.min(5, t.size())))
                            + (t.size() > 5 ? ", ..." : ""));
        }
        Tokenizer tok = HfModels.readTokenizer(dir);
        return new ModelDir.Loaded(GptModel.fromValues(c, values, device), tok, dir);
    }

    private static int required(Path file, JsonNode n, String field) throws CorruptArtifactException {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber()) {
            throw new CorruptArtifactException(file, "has no integer '" + field + "'");
        }
        return v.asInt();
    }

    /** Removes tensor {@code name} from {@code t}, checking its shape. */
    private static float[] take(Path dir, Map<String, Safetensors.Tensor> t, String name, long... shape)
            throws CorruptArtifactException {
        Safetensors.Tensor x = t.remove(name);
        if (x == null) {
            throw new CorruptArtifactException(dir, "has no tensor '" + name + "'");
        }
        if (!Arrays.equals(x.shape(), shape)) {
            throw new CorruptArtifactException(
                    dir,
                    "tensor '" + name + "' has shape " + Arrays.toString(x.shape()) + ", config.json implies "
                            + Arrays.toString(shape));
        }
        return x.values();
    }

    private static void put(Map<String, Safetensors.Tensor> out, String name, float[] v, long... shape) {
        out.put(name, new Safetensors.Tensor(shape, v, "F32"));
    }

    /** Rows {@code [from, from + n)} of a row-major matrix with {@code cols} columns. */
    static float[] rows(float[] m, long from, long n, long cols) {
        return Arrays.copyOfRange(m, Math.toIntExact(from * cols), Math.toIntExact((from + n) * cols));
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
