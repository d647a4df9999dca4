package dev.kiln.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link GptConfig}'s map form ({@code config.json}, a YAML {@code model:} section): key names to
 * builder options and back, with one error format ({@code model.KEY must be ..., got 'VALUE'}).
 */
final class GptConfigMaps {

    /** The keys {@link GptConfig.Builder#set(String, Object)} understands. */
    static final List<String> KEYS = List.of(
            "arch",
            "vocab_size",
            "context_length",
            "d_model",
            "heads",
            "kv_heads",
            "layers",
            "positions",
            "rope_theta",
            "norm",
            "norm_eps",
            "mlp",
            "mlp_hidden",
            "mlp_ratio",
            "bias",
            "qkv_bias",
            "dropout",
            "tied_embeddings");

    private GptConfigMaps() {}

    static Map<String, Object> toMap(GptConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", c.arch().wireName());
        m.put("vocab_size", c.vocabSize());
        m.put("context_length", c.contextLength());
        m.put("d_model", c.dModel());
        m.put("heads", c.heads());
        m.put("kv_heads", c.kvHeads());
        m.put("layers", c.layers());
        m.put("positions", c.positions().wireName());
        m.put("rope_theta", c.ropeTheta());
        m.put("norm", c.norm().wireName());
        m.put("norm_eps", c.normEps());
        m.put("mlp", c.mlp().wireName());
        m.put("mlp_hidden", c.mlpWidth());
        m.put("bias", c.bias());
        m.put("qkv_bias", c.qkvBias());
        m.put("dropout", c.dropout());
        m.put("tied_embeddings", c.tiedEmbeddings());
        return m;
    }

    static GptConfig fromMap(Map<String, ?> m) {
        GptConfig.Builder b = GptConfig.builder();
        b.optArch(m.containsKey("arch") ? String.valueOf(m.get("arch")) : "gpt2");
        for (Map.Entry<String, ?> e : m.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            set(b, e.getKey(), e.getValue());
        }
        return b.build();
    }

    static void set(GptConfig.Builder b, String key, Object v) {
        switch (key) {
            case "arch" -> b.optArch(String.valueOf(v));
            case "vocab_size" -> b.setVocabSize(toInt(key, v));
            case "context_length" -> b.setContextLength(toInt(key, v));
            case "d_model" -> b.optDModel(toInt(key, v));
            case "heads" -> b.optHeads(toInt(key, v));
            case "kv_heads" -> b.optKvHeads(toInt(key, v));
            case "layers" -> b.optLayers(toInt(key, v));
            case "positions" -> b.optPositions(toEnum(key, GptConfig.Positions.class, v));
            case "rope_theta" -> b.optRopeTheta(toDouble(key, v));
            case "norm" -> b.optNorm(toEnum(key, GptConfig.Norm.class, v));
            case "norm_eps" -> b.optNormEps(toDouble(key, v));
            case "mlp" -> b.optMlp(toEnum(key, GptConfig.Mlp.class, v));
            case "mlp_hidden" -> b.optMlpHidden(toInt(key, v));
            case "mlp_ratio" -> b.optMlpRatio(toInt(key, v));
            case "bias" -> b.optBias(toBool(key, v));
            case "qkv_bias" -> b.optQkvBias(toBool(key, v));
            case "dropout" -> b.optDropout(toDouble(key, v));
            case "tied_embeddings" -> b.optTiedEmbeddings(toBool(key, v));
            default -> {
                // Other keys (tokenizer, provenance) may live beside the model shape.
            }
        }
    }

    static int toInt(String key, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        throw new IllegalArgumentException("model." + key + " must be an integer, got '" + v + "'");
    }

    static double toDouble(String key, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("model." + key + " must be a number, got '" + v + "'");
    }

    static boolean toBool(String key, Object v) {
        if (v instanceof Boolean x) {
            return x;
        }
        String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return s.equals("true");
        }
        throw new IllegalArgumentException("model." + key + " must be true or false, got '" + v + "'");
    }

    static <E extends Enum<E>> E toEnum(String key, Class<E> type, Object v) {
        String s = String.valueOf(v).trim();
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.isEmpty() ? "" : " | ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("model." + key + " must be " + allowed + ", got '" + v + "'");
    }
}
