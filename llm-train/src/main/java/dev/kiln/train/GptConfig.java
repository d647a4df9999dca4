package dev.kiln.train;

import static dev.kiln.core.Checks.requireArgument;

import java.util.Locale;
import java.util.Map;

/**
 * Shape and architecture of a decoder-only transformer. One implementation ({@link GptModel})
 * covers the GPT-2 family and the Llama family (Llama 2/3, SmolLM2, Qwen2, ...) through a few
 * independent options; an {@link Arch architecture preset} sets all of them at once, and options set
 * explicitly override the preset whatever the order of the calls.
 *
 * <table>
 *   <caption>Presets</caption>
 *   <tr><th>option</th><th>{@code gpt2}</th><th>{@code llama} (the default)</th></tr>
 *   <tr><td>positions</td><td>learned</td><td>rope ({@code rope_theta} 10000)</td></tr>
 *   <tr><td>norm</td><td>layernorm</td><td>rmsnorm</td></tr>
 *   <tr><td>mlp</td><td>gelu, hidden 4·d</td><td>swiglu, hidden 8/3·d rounded up to 64</td></tr>
 *   <tr><td>bias / qkv_bias</td><td>true / true</td><td>false / false</td></tr>
 *   <tr><td>norm_eps</td><td>1e-5</td><td>1e-5</td></tr>
 * </table>
 *
 * <p>{@code kv_heads} (grouped-query attention; default {@code heads}) and {@code tied_embeddings}
 * (default true) are independent of the preset.
 *
 * <pre>{@code
 * GptConfig c = GptConfig.builder()
 *     .setVocabSize(4096)
 *     .setContextLength(256)
 *     .optArch(GptConfig.Arch.LLAMA)
 *     .optDModel(256).optHeads(8).optKvHeads(2).optLayers(4)
 *     .build();
 * long n = c.parameterCount();
 * }</pre>
 */
public final class GptConfig {

    /** GPT-2's layer-norm epsilon (the default {@code norm_eps}). */
    public static final float LAYER_NORM_EPS = 1e-5f;

    /** GPT-2's initializer standard deviation. */
    public static final float INIT_STD = 0.02f;

    /** Architecture presets. */
    public enum Arch {
        /** GPT-2: learned positions, LayerNorm, GELU MLP, biases everywhere. */
        GPT2,
        /** Llama: RoPE, RMSNorm, SwiGLU MLP, no biases. */
        LLAMA;

        /** The name used in configs ({@code gpt2}, {@code llama}). */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How positions enter the model. */
    public enum Positions {
        /** A learned table added to the token embeddings (GPT-2). */
        LEARNED,
        /** Rotary embeddings applied to queries and keys (Hugging Face's {@code rotate_half} convention). */
        ROPE;

        /** The name in {@code config.json} and YAML, e.g. {@code "rope"}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The normalisation layers. */
    public enum Norm {
        /** LayerNorm with weight and bias. */
        LAYERNORM,
        /** RMSNorm with a weight (Llama). */
        RMSNORM;

        /** The name in {@code config.json} and YAML, e.g. {@code "rmsnorm"}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The feed-forward block. */
    public enum Mlp {
        /** {@code down(gelu_tanh(up(x)))} (GPT-2). */
        GELU,
        /** {@code down(silu(gate(x)) · up(x))} (Llama). */
        SWIGLU;

        /** The name in {@code config.json} and YAML, e.g. {@code "swiglu"}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Arch arch;
    private final int vocabSize;
    private final int contextLength;
    private final int dModel;
    private final int heads;
    private final int kvHeads;
    private final int layers;
    private final Positions positions;
    private final double ropeTheta;
    private final Norm norm;
    private final double normEps;
    private final Mlp mlp;
    private final int mlpHidden;
    private final boolean bias;
    private final boolean qkvBias;
    private final double dropout;
    private final boolean tiedEmbeddings;

    private GptConfig(Builder b) {
        this.arch = b.arch;
        boolean gpt2 = arch == Arch.GPT2;
        this.vocabSize = b.vocabSize;
        this.contextLength = b.contextLength;
        this.dModel = b.dModel;
        this.heads = b.heads;
        this.kvHeads = b.kvHeads != null ? b.kvHeads : b.heads;
        this.layers = b.layers;
        this.positions = b.positions != null ? b.positions : gpt2 ? Positions.LEARNED : Positions.ROPE;
        this.ropeTheta = b.ropeTheta != null ? b.ropeTheta : 10000.0;
        this.norm = b.norm != null ? b.norm : gpt2 ? Norm.LAYERNORM : Norm.RMSNORM;
        this.normEps = b.normEps != null ? b.normEps : LAYER_NORM_EPS;
        this.mlp = b.mlp != null ? b.mlp : gpt2 ? Mlp.GELU : Mlp.SWIGLU;
        this.mlpHidden = b.mlpHidden != null
                ? b.mlpHidden
                : b.mlpRatio != null ? b.mlpRatio * b.dModel : defaultHidden(mlp, b.dModel);
        this.bias = b.bias != null ? b.bias : gpt2;
        this.qkvBias = b.qkvBias != null ? b.qkvBias : bias;
        this.dropout = b.dropout;
        this.tiedEmbeddings = b.tiedEmbeddings;
    }

    /** 4·d for GELU; for SwiGLU 8/3·d (the same parameter count) rounded up to a multiple of 64. */
    static int defaultHidden(Mlp mlp, int d) {
        if (mlp == Mlp.GELU) {
            return 4 * d;
        }
        int h = (8 * d + 2) / 3;
        return (h + 63) / 64 * 64;
    }

    /** A builder with the llama preset; the vocabulary size and context length are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The preset this config started from (options may override it). */
    public Arch arch() {
        return arch;
    }

    /** Token ids the embedding and the LM head cover. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The most tokens the model attends over. */
    public int contextLength() {
        return contextLength;
    }

    /** Width of the residual stream. */
    public int dModel() {
        return dModel;
    }

    /** Query heads. */
    public int heads() {
        return heads;
    }

    /** Key/value heads (grouped-query attention when fewer than {@link #heads()}). */
    public int kvHeads() {
        return kvHeads;
    }

    /** Width of one attention head, {@code dModel / heads}. */
    public int headDim() {
        return dModel / heads;
    }

    /** Transformer blocks. */
    public int layers() {
        return layers;
    }

    /** How positions enter the model. */
    public Positions positions() {
        return positions;
    }

    /** RoPE base ({@code theta}); meaningful with {@link Positions#ROPE}. */
    public double ropeTheta() {
        return ropeTheta;
    }

    /** The normalisation layers. */
    public Norm norm() {
        return norm;
    }

    /** The normalisation's epsilon. */
    public double normEps() {
        return normEps;
    }

    /** The feed-forward block. */
    public Mlp mlp() {
        return mlp;
    }

    /** Width of the MLP's hidden layer (of each of gate and up for SwiGLU). */
    public int mlpWidth() {
        return mlpHidden;
    }

    /** Whether the linear layers have biases. */
    public boolean bias() {
        return bias;
    }

    /** Whether the query/key/value projection has biases (Qwen2: yes, with {@code bias} false). */
    public boolean qkvBias() {
        return qkvBias;
    }

    /** Dropout probability during training (0 turns it off). */
    public double dropout() {
        return dropout;
    }

    /** Whether the LM head shares the token embedding's weights. */
    public boolean tiedEmbeddings() {
        return tiedEmbeddings;
    }

    /** Rows of the fused query/key/value projection: {@code (heads + 2·kv_heads)·head_dim}. */
    public int qkvWidth() {
        return (heads + 2 * kvHeads) * headDim();
    }

    /** Number of trainable scalars (what {@link GptModel#countParameters()} counts). */
    public long parameterCount() {
        return ParameterLayout.count(this);
    }

    /** Parameters excluding learned position embeddings (what nanoGPT's MFU counts as N). */
    public long nonEmbeddingParameterCount() {
        return parameterCount() - (positions == Positions.LEARNED ? (long) contextLength * dModel : 0);
    }

    /**
     * Training FLOPs per token (nanoGPT / PaLM appendix B): {@code 6N + 12·L·H·Q·T} with {@code Q}
     * the head width and {@code T} the sequence length.
     */
    public double flopsPerToken(int seqLen) {
        return 6.0 * nonEmbeddingParameterCount() + 12.0 * layers * heads * headDim() * seqLen;
    }

    /** The JSON-shaped form written to {@code config.json}: every option, resolved. */
    public Map<String, Object> toMap() {
        return GptConfigMaps.toMap(this);
    }

    /**
     * Reads the form written by {@link #toMap()} (or a YAML {@code model:} section). A map without
     * {@code arch} is a GPT-2 config (what Kiln wrote before the Llama family existed); other keys
     * (tokenizer, provenance) are ignored.
     */
    public static GptConfig fromMap(Map<String, ?> m) {
        return GptConfigMaps.fromMap(m);
    }

    /** The keys {@link Builder#set(String, Object)} understands. */
    public static final java.util.List<String> KEYS = GptConfigMaps.KEYS;

    @Override
    public boolean equals(Object o) {
        return o instanceof GptConfig c && toMap().equals(c.toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return "GptConfig" + toMap();
    }

    /**
     * Builder; values are checked when set. Options left unset take the preset's value (the {@code
     * llama} preset unless {@link #optArch} says otherwise).
     */
    public static final class Builder {
        private Arch arch = Arch.LLAMA;
        private int vocabSize = -1;
        private int contextLength = -1;
        private int dModel = 128;
        private int heads = 4;
        private Integer kvHeads;
        private int layers = 2;
        private Positions positions;
        private Double ropeTheta;
        private Norm norm;
        private Double normEps;
        private Mlp mlp;
        private Integer mlpHidden;
        private Integer mlpRatio;
        private Boolean bias;
        private Boolean qkvBias;
        private double dropout = 0;
        private boolean tiedEmbeddings = true;

        private Builder() {}

        /**
         * Sets one option by its config name ({@code d_model}, {@code kv_heads}, {@code norm}, ...)
         * from a YAML/JSON value.
         *
         * @throws IllegalArgumentException for an unknown key or a bad value, naming both
         */
        public Builder set(String key, Object v) {
            GptConfigMaps.set(this, key, v);
            return this;
        }

        /** The preset: {@code gpt2} or {@code llama}. */
        public Builder optArch(String v) {
            return optArch(GptConfigMaps.toEnum("arch", Arch.class, v));
        }

        /** The preset whose defaults the unset options take (default {@link Arch#LLAMA}). */
        public Builder optArch(Arch v) {
            requireArgument(v != null, "model.arch must be gpt2 | llama, got 'null'");
            this.arch = v;
            return this;
        }

        /** Token ids, >= 1 (required; the tokenizer's vocabulary size). */
        public Builder setVocabSize(int v) {
            requireArgument(v >= 1, "model.vocab_size must be >= 1, got %s", v);
            this.vocabSize = v;
            return this;
        }

        /** The most tokens the model attends over, >= 1 (required). */
        public Builder setContextLength(int v) {
            requireArgument(v >= 1, "model.context_length must be >= 1, got %s", v);
            this.contextLength = v;
            return this;
        }

        /** Width of the residual stream, >= 1 and divisible by the heads (default 128). */
        public Builder optDModel(int v) {
            requireArgument(v >= 1, "model.d_model must be >= 1, got %s", v);
            this.dModel = v;
            return this;
        }

        /** Query heads, >= 1 (default 4). */
        public Builder optHeads(int v) {
            requireArgument(v >= 1, "model.heads must be >= 1, got %s", v);
            this.heads = v;
            return this;
        }

        /** Key/value heads; must divide {@code heads} (1 = multi-query attention). */
        public Builder optKvHeads(int v) {
            requireArgument(v >= 1, "model.kv_heads must be >= 1, got %s", v);
            this.kvHeads = v;
            return this;
        }

        /** Transformer blocks, >= 1 (default 2). */
        public Builder optLayers(int v) {
            requireArgument(v >= 1, "model.layers must be >= 1, got %s", v);
            this.layers = v;
            return this;
        }

        /** How positions enter the model (default: the preset's). */
        public Builder optPositions(Positions v) {
            requireArgument(v != null, "model.positions must be learned | rope, got 'null'");
            this.positions = v;
            return this;
        }

        /** RoPE's base theta, finite and > 1 (default: the preset's). */
        public Builder optRopeTheta(double v) {
            requireArgument(v > 1 && !Double.isInfinite(v), "model.rope_theta must be a finite number > 1, got %s", v);
            this.ropeTheta = v;
            return this;
        }

        /** The normalisation layers (default: the preset's). */
        public Builder optNorm(Norm v) {
            requireArgument(v != null, "model.norm must be layernorm | rmsnorm, got 'null'");
            this.norm = v;
            return this;
        }

        /** The normalisation's epsilon, in (0, 1) (default: the preset's). */
        public Builder optNormEps(double v) {
            requireArgument(v > 0 && v < 1, "model.norm_eps must be in (0, 1), got %s", v);
            this.normEps = v;
            return this;
        }

        /** The feed-forward block (default: the preset's). */
        public Builder optMlp(Mlp v) {
            requireArgument(v != null, "model.mlp must be gelu | swiglu, got 'null'");
            this.mlp = v;
            return this;
        }

        /** Width of the MLP's hidden layer (overrides {@code mlp_ratio}). */
        public Builder optMlpHidden(int v) {
            requireArgument(v >= 1, "model.mlp_hidden must be >= 1, got %s", v);
            this.mlpHidden = v;
            return this;
        }

        /** MLP hidden width as a multiple of {@code d_model} (when {@code mlp_hidden} is not set). */
        public Builder optMlpRatio(int v) {
            requireArgument(v >= 1, "model.mlp_ratio must be >= 1, got %s", v);
            this.mlpRatio = v;
            return this;
        }

        /** Biases on every linear layer. */
        public Builder optBias(boolean v) {
            this.bias = v;
            return this;
        }

        /** Biases on the query/key/value projection (defaults to {@code bias}). */
        public Builder optQkvBias(boolean v) {
            this.qkvBias = v;
            return this;
        }

        /** Dropout probability during training, in [0, 1) (default 0). */
        public Builder optDropout(double v) {
            requireArgument(v >= 0 && v < 1, "model.dropout must be in [0, 1), got %s", v);
            this.dropout = v;
            return this;
        }

        /** Whether the LM head shares the token embedding's weights (default true). */
        public Builder optTiedEmbeddings(boolean v) {
            this.tiedEmbeddings = v;
            return this;
        }

        /**
         * @throws IllegalArgumentException when the vocabulary size or context length is missing, or the
         * options do not fit together (the message names them)
         */
        public GptConfig build() {
            requireArgument(vocabSize >= 1, "model.vocab_size is required (setVocabSize)");
            requireArgument(contextLength >= 1, "model.context_length is required (setContextLength)");
            if (dModel % heads != 0) {
                throw new IllegalArgumentException(
                        "model.d_model (" + dModel + ") must be divisible by model.heads (" + heads + ")");
            }
            if (kvHeads != null && heads % kvHeads != 0) {
                throw new IllegalArgumentException(
                        "model.kv_heads (" + kvHeads + ") must divide model.heads (" + heads + ")");
            }
            GptConfig c = new GptConfig(this);
            if (c.positions == Positions.ROPE && c.headDim() % 2 != 0) {
                throw new IllegalArgumentException(
                        "rotary positions need an even head width, got d_model/heads = " + c.headDim());
            }
            return c;
        }
    }
}
