package dev.kiln.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shape of a GPT-2-architecture decoder: vocabulary, context, width, heads, layers, MLP ratio,
 * dropout and whether the output projection shares the input embedding.
 *
 * <pre>{@code
 * GptConfig c = GptConfig.builder()
 *     .setVocabSize(263)
 *     .setContextLength(256)
 *     .optDModel(128).optHeads(4).optLayers(2)
 *     .build();
 * long n = c.parameterCount();
 * }</pre>
 */
public final class GptConfig {

    /** GPT-2's layer-norm epsilon. */
    public static final float LAYER_NORM_EPS = 1e-5f;

    /** GPT-2's initializer standard deviation. */
    public static final float INIT_STD = 0.02f;

    private final int vocabSize;
    private final int contextLength;
    private final int dModel;
    private final int heads;
    private final int layers;
    private final int mlpRatio;
    private final double dropout;
    private final boolean tiedEmbeddings;

    private GptConfig(Builder b) {
        this.vocabSize = b.vocabSize;
        this.contextLength = b.contextLength;
        this.dModel = b.dModel;
        this.heads = b.heads;
        this.layers = b.layers;
        this.mlpRatio = b.mlpRatio;
        this.dropout = b.dropout;
        this.tiedEmbeddings = b.tiedEmbeddings;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int contextLength() {
        return contextLength;
    }

    public int dModel() {
        return dModel;
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return dModel / heads;
    }

    public int layers() {
        return layers;
    }

    public int mlpRatio() {
        return mlpRatio;
    }

    /** Width of the MLP's hidden layer. */
    public int mlpWidth() {
        return mlpRatio * dModel;
    }

    public double dropout() {
        return dropout;
    }

    public boolean tiedEmbeddings() {
        return tiedEmbeddings;
    }

    /**
     * Number of trainable scalars: {@code V·D + C·D + L·(12·D² + 13·D)} for the default ratio 4
     * (in general {@code L·(4D² + 2·D·F + 9D + F)} with {@code F = ratio·D}), {@code + 2D} for the
     * final norm, {@code + V·D} when the output projection is not tied.
     */
    public long parameterCount() {
        long d = dModel;
        long f = mlpWidth();
        long perLayer = 4 * d // two layer norms
                + 3 * d * d
                + 3 * d // qkv
                + d * d
                + d // attention output
                + d * f
                + f // mlp in
                + f * d
                + d; // mlp out
        long n = (long) vocabSize * d + (long) contextLength * d + layers * perLayer + 2 * d;
        if (!tiedEmbeddings) {
            n += (long) vocabSize * d;
        }
        return n;
    }

    /** Parameters excluding position embeddings (what nanoGPT's MFU counts as N). */
    public long nonEmbeddingParameterCount() {
        return parameterCount() - (long) contextLength * dModel;
    }

    /**
     * Training FLOPs per token (nanoGPT / PaLM appendix B): {@code 6N + 12·L·H·Q·T} with {@code Q}
     * the head width and {@code T} the sequence length.
     */
    public double flopsPerToken(int seqLen) {
        return 6.0 * nonEmbeddingParameterCount() + 12.0 * layers * heads * headDim() * seqLen;
    }

    /** The JSON-shaped form written to {@code config.json}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocab_size", vocabSize);
        m.put("context_length", contextLength);
        m.put("d_model", dModel);
        m.put("heads", heads);
        m.put("layers", layers);
        m.put("mlp_ratio", mlpRatio);
        m.put("dropout", dropout);
        m.put("tied_embeddings", tiedEmbeddings);
        return m;
    }

    /** Reads the form written by {@link #toMap()}. */
    public static GptConfig fromMap(Map<String, ?> m) {
        Builder b = builder();
        for (Map.Entry<String, ?> e : m.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "vocab_size" -> b.setVocabSize(toInt(e.getKey(), v));
                case "context_length" -> b.setContextLength(toInt(e.getKey(), v));
                case "d_model" -> b.optDModel(toInt(e.getKey(), v));
                case "heads" -> b.optHeads(toInt(e.getKey(), v));
                case "layers" -> b.optLayers(toInt(e.getKey(), v));
                case "mlp_ratio" -> b.optMlpRatio(toInt(e.getKey(), v));
                case "dropout" -> b.optDropout(((Number) v).doubleValue());
                case "tied_embeddings" -> b.optTiedEmbeddings(Boolean.parseBoolean(String.valueOf(v)));
                default -> {
                    // Other keys (tokenizer, provenance) live beside the model shape.
                }
            }
        }
        return b.build();
    }

    private static int toInt(String key, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        throw new IllegalArgumentException("model config '" + key + "' must be an integer, got " + v);
    }

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

    /** Builder; values are checked when set. */
    public static final class Builder {
        private int vocabSize = -1;
        private int contextLength = -1;
        private int dModel = 128;
        private int heads = 4;
        private int layers = 2;
        private int mlpRatio = 4;
        private double dropout = 0;
        private boolean tiedEmbeddings = true;

        private Builder() {}

        public Builder setVocabSize(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("vocab_size must be >= 1, got " + v);
            }
            this.vocabSize = v;
            return this;
        }

        public Builder setContextLength(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("context_length must be >= 1, got " + v);
            }
            this.contextLength = v;
            return this;
        }

        public Builder optDModel(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("d_model must be >= 1, got " + v);
            }
            this.dModel = v;
            return this;
        }

        public Builder optHeads(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("heads must be >= 1, got " + v);
            }
            this.heads = v;
            return this;
        }

        public Builder optLayers(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("layers must be >= 1, got " + v);
            }
            this.layers = v;
            return this;
        }

        public Builder optMlpRatio(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("mlp_ratio must be >= 1, got " + v);
            }
            this.mlpRatio = v;
            return this;
        }

        public Builder optDropout(double v) {
            if (!(v >= 0 && v < 1)) {
                throw new IllegalArgumentException("dropout must be in [0, 1), got " + v);
            }
            this.dropout = v;
            return this;
        }

        public Builder optTiedEmbeddings(boolean v) {
            this.tiedEmbeddings = v;
            return this;
        }

        public GptConfig build() {
            if (vocabSize < 1) {
                throw new IllegalArgumentException("vocab_size is required (setVocabSize)");
            }
            if (contextLength < 1) {
                throw new IllegalArgumentException("context_length is required (setContextLength)");
            }
            if (dModel % heads != 0) {
                throw new IllegalArgumentException(
                        "d_model (" + dModel + ") must be divisible by heads (" + heads + ")");
            }
            return new GptConfig(this);
        }
    }
}
