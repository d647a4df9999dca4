package dev.kiln.train.gguf;

import ai.djl.Device;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.GptConfig;
import dev.kiln.train.GptModel;
import dev.kiln.train.ModelDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exports a Kiln model with its tokenizer as one GGUF file that llama.cpp (and so Ollama and LM
 * Studio) runs directly. The llama.cpp architecture follows the model's options:
 *
 * <ul>
 *   <li>{@code llama}: rotary positions, RMSNorm, SwiGLU (grouped-query attention, tied or untied
 *       head, optional biases). llama.cpp rotates adjacent pairs ("normal" RoPE) where Kiln and Hugging
 *       Face rotate halves, so each head's query and key rows are reordered as llama.cpp's own
 *       converter does: row {@code 2i + h} of a head is row {@code h · head_dim/2 + i}.
 *   <li>{@code qwen2}: the same with biases on the query/key/value projection only ({@code
 *       qkv_bias} without {@code bias}, as Qwen2 and Qwen2.5-Coder have); llama.cpp rotates halves (NEOX) here, so rows keep their order.
 *   <li>{@code gpt2}: learned positions, LayerNorm, tanh-GELU, biases everywhere; one fused
 *       {@code attn_qkv}.
 * </ul>
 *
 * <p>Other mixes (e.g. RoPE with LayerNorm) have no llama.cpp architecture and are refused. With
 * {@link Dtype#F16} the matrices are stored as F16 and norms and biases stay F32, as llama.cpp's
 * converter does.
 *
 * <pre>{@code
 * GgufExport.export(Path.of("runs/tiny/checkpoints/step-002000"), Path.of("tiny.gguf"), GgufExport.Dtype.F16);
 * // llama-cli -m tiny.gguf -p "def fib(n):"   or   ollama create tiny -f Modelfile (FROM ./tiny.gguf)
 * }</pre>
 */
public final class GgufExport {

    /** The dtype of the exported matrices. */
    public enum Dtype {
        /** 32-bit floats, exact. */
        F32,
        /** 16-bit floats: half the size. */
        F16;

        /** {@code f32} or {@code f16}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The dtype called {@code name} ({@code f32} or {@code f16}). */
        public static Dtype parse(String name) {
            for (Dtype d : values()) {
                if (d.wireName().equals(name)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("unknown GGUF dtype '" + name + "' (supported: f32, f16)");
        }

        /** llama.cpp's {@code general.file_type}: 0 all F32, 1 mostly F16. */
        int fileType() {
            return this == F32 ? 0 : 1;
        }
    }

    private GgufExport() {}

    /** Exports the Kiln model directory {@code modelDir} (a checkpoint step) to the file {@code out}. */
    public static void export(Path modelDir, Path out, Dtype dtype) throws IOException {
        ModelDir.Loaded l = ModelDir.read(modelDir, Device.cpu());
        try (GptModel m = l.model()) {
            Path name = modelDir.toAbsolutePath().normalize().getFileName();
            export(m, l.tokenizer(), out, dtype, name == null ? "kiln" : name.toString());
        }
    }

    /**
     * Exports {@code model} and {@code tokenizer} to the GGUF file {@code out}.
     *
     * @param name the model's {@code general.name}
     * @throws IllegalArgumentException when no llama.cpp architecture has the model's options (named
     *     in the message), or the tokenizer cannot be represented
     */
    public static void export(GptModel model, Tokenizer tokenizer, Path out, Dtype dtype, String name)
            throws IOException {
        writer(model.config(), model.values(), tokenizer, dtype, name).write(out);
    }

    /**
     * The llama.cpp architecture {@link #export} writes for {@code c}: {@code llama}, {@code qwen2}
     * or {@code gpt2}.
     *
     * @throws IllegalArgumentException naming the options that fit none
     */
    public static String architectureOf(GptConfig c) {
        List<String> llama = new ArrayList<>();
        if (c.positions() != GptConfig.Positions.ROPE) {
            llama.add("positions=" + c.positions().wireName());
        }
        if (c.norm() != GptConfig.Norm.RMSNORM) {
            llama.add("norm=" + c.norm().wireName());
        }
        if (c.mlp() != GptConfig.Mlp.SWIGLU) {
            llama.add("mlp=" + c.mlp().wireName());
        }
        if (llama.isEmpty()) {
            return c.qkvBias() && !c.bias() ? "qwen2" : "llama";
        }
        List<String> gpt2 = new ArrayList<>();
        if (c.positions() != GptConfig.Positions.LEARNED) {
            gpt2.add("positions=" + c.positions().wireName());
        }
        if (c.norm() != GptConfig.Norm.LAYERNORM) {
            gpt2.add("norm=" + c.norm().wireName());
        }
        if (c.mlp() != GptConfig.Mlp.GELU) {
            gpt2.add("mlp=" + c.mlp().wireName());
        }
        if (!c.bias() || !c.qkvBias()) {
            gpt2.add("bias=" + c.bias() + ", qkv_bias=" + c.qkvBias());
        }
        if (c.kvHeads() != c.heads()) {
            gpt2.add("kv_heads=" + c.kvHeads() + " (heads=" + c.heads() + ")");
        }
        if (gpt2.isEmpty()) {
            return "gpt2";
        }
        throw new IllegalArgumentException("no llama.cpp architecture has this model's options: as llama/qwen2 "
                + "(rope, rmsnorm, swiglu) it differs in " + String.join(", ", llama)
                + "; as gpt2 (learned, layernorm, gelu, bias=true, qkv_bias=true, kv_heads=heads) in "
                + String.join(", ", gpt2));
    }

    /** The complete file for a model's config and parameter values (package-private for tests). */
    static GgufWriter writer(GptConfig c, Map<String, float[]> v, Tokenizer tokenizer, Dtype dtype, String name) {
        String arch = architectureOf(c);
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch);
        w.putString("general.name", name);
        w.putUint32("general.file_type", dtype.fileType());
        w.putUint32(GgufWriter.ALIGNMENT_KEY, GgufWriter.DEFAULT_ALIGNMENT);
        w.putUint32(arch + ".context_length", c.contextLength());
        w.putUint32(arch + ".embedding_length", c.dModel());
        w.putUint32(arch + ".block_count", c.layers());
        w.putUint32(arch + ".feed_forward_length", c.mlpWidth());
        w.putUint32(arch + ".attention.head_count", c.heads());
        w.putUint32(arch + ".attention.head_count_kv", c.kvHeads());
        w.putUint32(arch + ".vocab_size", c.vocabSize());
        if (arch.equals("gpt2")) {
            w.putFloat32(arch + ".attention.layer_norm_epsilon", (float) c.normEps());
        } else {
            w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", (float) c.normEps());
            w.putFloat32(arch + ".rope.freq_base", (float) c.ropeTheta());
            w.putUint32(arch + ".rope.dimension_count", c.headDim());
        }
        GgufVocab.write(w, tokenizer, c.vocabSize());
        Tensors t = new Tensors(w, v, dtype);
        if (arch.equals("gpt2")) {
            gpt2Tensors(c, t);
        } else {
            llamaTensors(c, t, arch.equals("llama"));
        }
        if (!t.unused().isEmpty()) {
            throw new IllegalStateException("parameters not exported: " + t.unused());
        }
        return w;
    }

    private static void llamaTensors(GptConfig c, Tensors t, boolean permute) {
        long d = c.dModel();
        long f = c.mlpWidth();
        int hd = c.headDim();
        long qRows = (long) c.heads() * hd;
        long kvRows = (long) c.kvHeads() * hd;
        t.matrix("token_embd.weight", t.take("wte.weight"), c.vocabSize(), d);
        for (int i = 0; i < c.layers(); i++) {
            String k = "h." + i + ".";
            String b = "blk." + i + ".";
            t.vector(b + "attn_norm.weight", t.take(k + "ln_1.weight"));
            float[] qkv = t.take(k + "attn.c_attn.weight");
            float[] q = rows(qkv, 0, qRows, d);
            float[] kk = rows(qkv, qRows, kvRows, d);
            t.matrix(b + "attn_q.weight", permute ? ropePairs(q, c.heads(), hd, d) : q, qRows, d);
            t.matrix(b + "attn_k.weight", permute ? ropePairs(kk, c.kvHeads(), hd, d) : kk, kvRows, d);
            t.matrix(b + "attn_v.weight", rows(qkv, qRows + kvRows, kvRows, d), kvRows, d);
            if (c.qkvBias()) {
                float[] qkvB = t.take(k + "attn.c_attn.bias");
                float[] qb = rows(qkvB, 0, qRows, 1);
                float[] kb = rows(qkvB, qRows, kvRows, 1);
                t.vector(b + "attn_q.bias", permute ? ropePairs(qb, c.heads(), hd, 1) : qb);
                t.vector(b + "attn_k.bias", permute ? ropePairs(kb, c.kvHeads(), hd, 1) : kb);
                t.vector(b + "attn_v.bias", rows(qkvB, qRows + kvRows, kvRows, 1));
            }
            t.matrix(b + "attn_output.weight", t.take(k + "attn.c_proj.weight"), d, d);
            t.vector(b + "ffn_norm.weight", t.take(k + "ln_2.weight"));
            float[] fc = t.take(k + "mlp.c_fc.weight");
            t.matrix(b + "ffn_gate.weight", rows(fc, 0, f, d), f, d);
            t.matrix(b + "ffn_up.weight", rows(fc, f, f, d), f, d);
            t.matrix(b + "ffn_down.weight", t.take(k + "mlp.c_proj.weight"), d, f);
            if (c.bias()) {
                t.vector(b + "attn_output.bias", t.take(k + "attn.c_proj.bias"));
                float[] fcB = t.take(k + "mlp.c_fc.bias");
                t.vector(b + "ffn_gate.bias", rows(fcB, 0, f, 1));
                t.vector(b + "ffn_up.bias", rows(fcB, f, f, 1));
                t.vector(b + "ffn_down.bias", t.take(k + "mlp.c_proj.bias"));
            }
        }
        t.vector("output_norm.weight", t.take("ln_f.weight"));
        if (!c.tiedEmbeddings()) {
            t.matrix("output.weight", t.take("lm_head.weight"), c.vocabSize(), d);
        }
    }

    private static void gpt2Tensors(GptConfig c, Tensors t) {
        long d = c.dModel();
        long f = c.mlpWidth();
        t.matrix("token_embd.weight", t.take("wte.weight"), c.vocabSize(), d);
        t.matrix("position_embd.weight", t.take("wpe.weight"), c.contextLength(), d);
        for (int i = 0; i < c.layers(); i++) {
            String k = "h." + i + ".";
            String b = "blk." + i + ".";
            t.vector(b + "attn_norm.weight", t.take(k + "ln_1.weight"));
            t.vector(b + "attn_norm.bias", t.take(k + "ln_1.bias"));
            t.matrix(b + "attn_qkv.weight", t.take(k + "attn.c_attn.weight"), c.qkvWidth(), d);
            t.vector(b + "attn_qkv.bias", t.take(k + "attn.c_attn.bias"));
            t.matrix(b + "attn_output.weight", t.take(k + "attn.c_proj.weight"), d, d);
            t.vector(b + "attn_output.bias", t.take(k + "attn.c_proj.bias"));
            t.vector(b + "ffn_norm.weight", t.take(k + "ln_2.weight"));
            t.vector(b + "ffn_norm.bias", t.take(k + "ln_2.bias"));
            t.matrix(b + "ffn_up.weight", t.take(k + "mlp.c_fc.weight"), f, d);
            t.vector(b + "ffn_up.bias", t.take(k + "mlp.c_fc.bias"));
            t.matrix(b + "ffn_down.weight", t.take(k + "mlp.c_proj.weight"), d, f);
            t.vector(b + "ffn_down.bias", t.take(k + "mlp.c_proj.bias"));
        }
        t.vector("output_norm.weight", t.take("ln_f.weight"));
        t.vector("output_norm.bias", t.take("ln_f.bias"));
        if (!c.tiedEmbeddings()) {
            t.matrix("output.weight", t.take("lm_head.weight"), c.vocabSize(), d);
        }
    }

    /**
     * Reorders each head's rows from halves ({@code [x_0..x_{h/2-1} | x_{h/2}..x_{h-1}]}, rotated by
     * Hugging Face's {@code rotate_half}) to adjacent pairs ({@code x_0, x_{h/2}, x_1, ...}, rotated by
     * llama.cpp's normal RoPE): new row {@code 2i + s} is old row {@code s · h/2 + i}.
     */
    static float[] ropePairs(float[] w, int heads, int headDim, long cols) {
        float[] out = new float[w.length];
        int half = headDim / 2;
        int c = Math.toIntExact(cols);
        for (int h = 0; h < heads; h++) {
            int base = h * headDim;
            for (int i = 0; i < half; i++) {
                for (int s = 0; s < 2; s++) {
                    int from = (base + s * half + i) * c;
                    int to = (base + 2 * i + s) * c;
                    System.arraycopy(w, from, out, to, c);
                }
            }
        }
        return out;
    }

    /** Rows {@code [from, from + n)} of a row-major matrix with {@code cols} columns. */
    private static float[] rows(float[] m, long from, long n, long cols) {
        return Arrays.copyOfRange(m, Math.toIntExact(from * cols), Math.toIntExact((from + n) * cols));
    }

    /** Takes Kiln's parameters by name and adds llama.cpp's tensors, tracking what is left. */
    private static final class Tensors {
        private final GgufWriter w;
        private final Map<String, float[]> left;
        private final Dtype dtype;

        Tensors(GgufWriter w, Map<String, float[]> values, Dtype dtype) {
            this.w = w;
            this.left = new java.util.LinkedHashMap<>(values);
            this.dtype = dtype;
        }

        float[] take(String name) {
            float[] v = left.remove(name);
            if (v == null) {
                throw new IllegalArgumentException("the model has no parameter '" + name + "'");
            }
            return v;
        }

        void matrix(String name, float[] v, long rows, long cols) {
            w.addTensor(
                    name, dtype == Dtype.F16 ? GgufWriter.TensorType.F16 : GgufWriter.TensorType.F32, v, rows, cols);
        }

        void vector(String name, float[] v) {
            w.addTensor(name, GgufWriter.TensorType.F32, v, v.length);
        }

        List<String> unused() {
            return List.copyOf(left.keySet());
        }
    }
}
