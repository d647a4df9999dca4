package dev.kiln.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A training run's configuration, YAML in llm-foundry's spirit: sections {@code model}, {@code
 * data}, {@code optimizer}, {@code scheduler}, {@code threads}, {@code metrics} and top-level {@code
 * max_steps}, {@code eval_interval}, {@code save_interval}, {@code save_folder}, {@code seed}. Every
 * key is declared in {@link #KEYS} with its type, default and documentation (the reference page
 * {@code llm-train/CONFIG.md} is generated from it); unknown or mistyped keys are rejected listing
 * the valid ones.
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.load(Path.of("tiny.yaml"), List.of("max_steps=200", "optimizer.lr=3e-4"));
 * try (Trainer t = c.trainer(true)) { t.fit(); }
 * }</pre>
 */
public final class TrainConfig {

    /** One configuration key. */
    public record Key(String name, Class<?> type, Object defaultValue, String doc) {}

    /** Every key, in reference order. */
    public static final List<Key> KEYS = List.of(
            new Key(
                    "model.vocab_size",
                    Integer.class,
                    263,
                    "vocabulary size; at least the tokenizer's (263 = bytes + 7 code specials)"),
            new Key(
                    "model.context_length",
                    Integer.class,
                    128,
                    "maximum tokens per sequence; must equal data.seq_len or be shorter"),
            new Key(
                    "model.arch",
                    String.class,
                    "llama",
                    "architecture preset: llama (RoPE, RMSNorm, SwiGLU, no biases) or gpt2 (learned positions, LayerNorm, GELU, biases); the options below override it"),
            new Key("model.d_model", Integer.class, 128, "width of the residual stream"),
            new Key("model.heads", Integer.class, 4, "attention (query) heads; d_model must be divisible by it"),
            new Key(
                    "model.kv_heads",
                    Integer.class,
                    null,
                    "key/value heads for grouped-query attention; must divide heads (default: heads)"),
            new Key("model.layers", Integer.class, 2, "transformer blocks"),
            new Key("model.positions", String.class, null, "learned or rope (default: from model.arch)"),
            new Key("model.rope_theta", Double.class, null, "RoPE base (default 10000)"),
            new Key("model.norm", String.class, null, "layernorm or rmsnorm (default: from model.arch)"),
            new Key("model.norm_eps", Double.class, null, "normalisation epsilon (default 1e-5)"),
            new Key("model.mlp", String.class, null, "gelu or swiglu (default: from model.arch)"),
            new Key(
                    "model.mlp_hidden",
                    Integer.class,
                    null,
                    "MLP hidden width (default: 4·d_model for gelu, 8/3·d_model rounded up to 64 for swiglu)"),
            new Key(
                    "model.mlp_ratio",
                    Integer.class,
                    null,
                    "MLP hidden width as a multiple of d_model (when mlp_hidden is not set)"),
            new Key(
                    "model.bias",
                    Boolean.class,
                    null,
                    "biases on the linear layers (default: true for gpt2, false for llama)"),
            new Key(
                    "model.qkv_bias",
                    Boolean.class,
                    null,
                    "biases on the query/key/value projection only, as Qwen2 (default: model.bias)"),
            new Key(
                    "model.dropout",
                    Double.class,
                    0.0,
                    "dropout on embeddings, attention weights and residual branches"),
            new Key(
                    "model.tied_embeddings",
                    Boolean.class,
                    true,
                    "share the token embedding with the output projection"),
            new Key(
                    "init_from",
                    String.class,
                    null,
                    "fine-tune: a Kiln checkpoint (dir or checkpoint folder) or a Hugging Face model dir whose weights start the run (fresh optimizer and schedule); the model section may then be omitted, keys given must agree"),
            new Key(
                    "data.shards",
                    String.class,
                    null,
                    "a shards directory written by `llm tokenize` (train/val splits, memory-mapped); takes precedence over data.train"),
            new Key(
                    "data.train",
                    String.class,
                    null,
                    "training text: a file or a directory of files (read recursively, sorted), relative to the YAML file"),
            new Key(
                    "data.val",
                    String.class,
                    null,
                    "validation text (file or directory); when absent the last data.val_fraction of the training tokens"),
            new Key(
                    "data.val_fraction",
                    Double.class,
                    0.05,
                    "share of the training tokens held out when data.val is absent"),
            new Key(
                    "data.tokenizer",
                    String.class,
                    "byte",
                    "tokenizer: 'byte' (UTF-8 bytes + code special tokens) or the path of a BPE tokenizer.json (required with data.shards)"),
            new Key(
                    "data.seq_len",
                    Integer.class,
                    128,
                    "tokens per training example (with data.shards: taken from the shards)"),
            new Key("data.batch_size", Integer.class, 8, "sequences per micro-batch"),
            new Key("data.grad_accum", Integer.class, 1, "micro-batches per optimizer step"),
            new Key("optimizer.lr", Double.class, 1e-3, "peak learning rate"),
            new Key("optimizer.weight_decay", Double.class, 0.1, "decoupled weight decay of >=2-D weights"),
            new Key("optimizer.decay_embeddings", Boolean.class, false, "also decay the token and position embeddings"),
            new Key("optimizer.beta1", Double.class, 0.9, "AdamW first-moment decay"),
            new Key("optimizer.beta2", Double.class, 0.95, "AdamW second-moment decay"),
            new Key("optimizer.eps", Double.class, 1e-8, "AdamW epsilon"),
            new Key("optimizer.grad_clip", Double.class, 1.0, "global gradient-norm clipping threshold; 0 = off"),
            new Key("scheduler.warmup_steps", Integer.class, 100, "linear warmup steps"),
            new Key("scheduler.min_lr", Double.class, 1e-4, "learning rate at the end of the cosine decay"),
            new Key("max_steps", Integer.class, 1000, "optimizer steps (the cosine decay ends here)"),
            new Key("eval_interval", Integer.class, 100, "validation every N steps and at the end; 0 = never"),
            new Key("eval_batches", Integer.class, 20, "validation micro-batches per evaluation"),
            new Key(
                    "save_interval",
                    Integer.class,
                    500,
                    "checkpoint every N steps and at the end; 0 = only at the end"),
            new Key("keep_last", Integer.class, 3, "checkpoints kept"),
            new Key(
                    "save_folder",
                    String.class,
                    "checkpoints",
                    "checkpoint folder, relative to the YAML file; metrics.jsonl and report.html go beside it"),
            new Key("seed", Long.class, 42L, "seed of initialisation, data order and dropout"),
            new Key(
                    "device",
                    String.class,
                    "auto",
                    "auto (first CUDA GPU when libtorch sees one, else CPU), cpu, cuda or cuda:N; a GPU that cannot be reached is an error, never a silent CPU run"),
            new Key(
                    "precision",
                    String.class,
                    "fp32",
                    "fp32, or fp16-mixed (float16 compute with float32 master weights and dynamic loss scaling; bf16 is not available in DJL's engine)"),
            new Key("threads.intra_op", Integer.class, 1, "libtorch intra-op threads"),
            new Key("threads.inter_op", Integer.class, 1, "libtorch inter-op threads"),
            new Key(
                    "metrics.sinks",
                    String.class,
                    "console,jsonl,html",
                    "comma-separated MetricsSink names: console, jsonl (metrics.jsonl + run.json), html (the run page report.html), tensorboard (events.out.tfevents.*)"),
            new Key(
                    "metrics.log_interval",
                    Integer.class,
                    10,
                    "console progress line, run page refresh and TensorBoard flush every N steps"),
            new Key("metrics.peak_flops", Double.class, 0.0, "device peak FLOP/s for MFU; 0 = not reported"));

    private final Map<String, Object> values;
    private final java.util.Set<String> explicit;
    private final Path baseDir;

    private TrainConfig(Map<String, Object> values, java.util.Set<String> explicit, Path baseDir) {
        this.values = values;
        this.explicit = java.util.Collections.unmodifiableSet(explicit);
        this.baseDir = baseDir;
    }

    /** Reads a YAML file and applies {@code key=value} overrides. */
    public static TrainConfig load(Path yaml, List<String> overrides) throws IOException {
        if (!Files.isRegularFile(yaml)) {
            throw new NoSuchFileException(yaml.toString(), null, "no training config file");
        }
        JsonNode root;
        try {
            root = Json.yaml().readTree(yaml.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("config " + yaml + " is not valid YAML: " + e.getMessage(), e);
        }
        Path base = yaml.toAbsolutePath().getParent();
        return of(
                root == null || root.isNull() ? Json.mapper().createObjectNode() : root,
                overrides,
                base,
                yaml.toString());
    }

    /** A config from a parsed YAML/JSON tree. */
    public static TrainConfig of(JsonNode root, List<String> overrides, Path baseDir, String source) {
        Map<String, Key> keys = new LinkedHashMap<>();
        KEYS.forEach(k -> keys.put(k.name(), k));
        Map<String, Object> values = new LinkedHashMap<>();
        KEYS.forEach(k -> values.put(k.name(), k.defaultValue()));
        java.util.Set<String> explicit = new java.util.LinkedHashSet<>();
        Map<String, JsonNode> flat = new LinkedHashMap<>();
        if (!root.isObject()) {
            throw new IllegalArgumentException("config " + source + " must be a mapping of keys");
        }
        flatten("", root, flat);
        for (Map.Entry<String, JsonNode> e : flat.entrySet()) {
            Key k = keys.get(e.getKey());
            if (k == null) {
                throw unknown(e.getKey(), source);
            }
            values.put(
                    k.name(),
                    convert(k, e.getValue().isNull() ? null : e.getValue().asText(), source));
            explicit.add(k.name());
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("override '" + o + "' must look like key=value");
            }
            String name = o.substring(0, eq).trim();
            Key k = keys.get(name);
            if (k == null) {
                throw unknown(name, "--set");
            }
            values.put(name, convert(k, o.substring(eq + 1).trim(), "--set"));
            explicit.add(name);
        }
        return new TrainConfig(values, explicit, baseDir);
    }

    private static void flatten(String prefix, JsonNode n, Map<String, JsonNode> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix + e.getKey();
            if (e.getValue().isObject()) {
                flatten(name + ".", e.getValue(), out);
            } else {
                out.put(name, e.getValue());
            }
        }
    }

    private static IllegalArgumentException unknown(String name, String source) {
        List<String> valid = new ArrayList<>();
        KEYS.forEach(k -> valid.add(k.name()));
        return new IllegalArgumentException(
                "unknown config key '" + name + "' in " + source + "; valid keys: " + String.join(", ", valid));
    }

    private static Object convert(Key k, String text, String source) {
        if (text == null) {
            return null;
        }
        try {
            if (k.type() == Integer.class) {
                return Integer.parseInt(text.replace("_", ""));
            } else if (k.type() == Long.class) {
                return Long.parseLong(text.replace("_", ""));
            } else if (k.type() == Double.class) {
                return Double.parseDouble(text);
            } else if (k.type() == Boolean.class) {
                if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                    throw new NumberFormatException();
                }
                return Boolean.parseBoolean(text);
            }
            return text;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config key '" + k.name() + "' in " + source + " must be "
                    + k.type().getSimpleName().toLowerCase(Locale.ROOT).replace("integer", "an integer")
                    + ", got '" + text + "'");
        }
    }

    /** The value of a key (after defaults and overrides). */
    public Object get(String key) {
        if (!values.containsKey(key)) {
            throw unknown(key, "the code");
        }
        return values.get(key);
    }

    /** The value of an integer key, e.g. {@code "data.batch_size"}. */
    public int getInt(String key) {
        return (Integer) get(key);
    }

    /** The value of a floating-point key, e.g. {@code "model.rope_theta"}. */
    public double getDouble(String key) {
        return (Double) get(key);
    }

    /** The value of a string key, e.g. {@code "model.arch"}. */
    public String getString(String key) {
        Object v = get(key);
        return v == null ? null : v.toString();
    }

    /** The value of a boolean key. */
    public boolean getBool(String key) {
        return (Boolean) get(key);
    }

    /** The value of a long key. */
    public long getLong(String key) {
        return (Long) get(key);
    }

    /** All values, flat, for provenance. */
    public Map<String, Object> values() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /** A path key resolved against the YAML file's directory. */
    public Path path(String key) {
        String v = getString(key);
        return v == null ? null : baseDir.resolve(v).normalize();
    }

    /** Whether {@code key} was given in the YAML file or an override (not a default). */
    public boolean isExplicit(String key) {
        get(key);
        return explicit.contains(key);
    }

    /**
     * The model shape of this config: the {@code model.arch} preset with every {@code model.*}
     * key that has a value applied on top.
     */
    public GptConfig modelConfig() {
        GptConfig.Builder b = GptConfig.builder();
        for (Key k : KEYS) {
            Object v = values.get(k.name());
            if (k.name().startsWith("model.") && v != null) {
                b.set(k.name().substring("model.".length()), v);
            }
        }
        return b.build();
    }

    /**
     * The {@code model.*} keys given explicitly (YAML or overrides), by their model-config name; with
     * {@code init_from} each must agree with the source model.
     */
    public Map<String, Object> explicitModelKeys() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : explicit) {
            if (k.startsWith("model.") && values.get(k) != null) {
                m.put(k.substring("model.".length()), values.get(k));
            }
        }
        return m;
    }

    /** The reference page: every key with its type, default and meaning. */
    public static String referenceMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# `llm train` configuration reference\n\n")
                .append("Generated from `dev.kiln.train.TrainConfig.KEYS` (regenerate with\n")
                .append("`TrainConfig.main`; a test fails when this page is stale). Keys nest in YAML\n")
                .append("(`optimizer: {lr: 3e-4}`) and are overridden on the command line with\n")
                .append("`--set optimizer.lr=3e-4`. Unknown keys are rejected.\n\n")
                .append("| key | type | default | meaning |\n| --- | --- | --- | --- |\n");
        for (Key k : KEYS) {
            sb.append("| `")
                    .append(k.name())
                    .append("` | ")
                    .append(k.type().getSimpleName().toLowerCase(Locale.ROOT))
                    .append(" | ")
                    .append(k.defaultValue() == null ? "—" : "`" + k.defaultValue() + "`")
                    .append(" | ")
                    .append(k.doc())
                    .append(" |\n");
        }
        sb.append("\n## Example\n\n```yaml\n")
                .append(
                        "model: {arch: llama, vocab_size: 263, context_length: 128, d_model: 128, heads: 4, kv_heads: 2, layers: 2}\n")
                .append("data: {train: corpus/, seq_len: 128, batch_size: 8}\n")
                .append("optimizer: {lr: 1.0e-3, weight_decay: 0.1, grad_clip: 1.0}\n")
                .append("scheduler: {warmup_steps: 100, min_lr: 1.0e-4}\n")
                .append(
                        "max_steps: 2000\neval_interval: 200\nsave_interval: 500\nsave_folder: runs/tiny/checkpoints\nseed: 42\n")
                .append(
                        "```\n\n## Devices\n\nCPU by default; `device: auto` picks the first CUDA GPU when libtorch sees one.\n")
                .append(
                        "Maven Central has no CUDA libtorch for DJL 0.36: online, DJL downloads the matching CUDA build\n")
                .append("itself; offline, set `PYTORCH_LIBRARY_PATH` to a libtorch 2.7.1 CUDA install (and\n")
                .append("`PYTORCH_FLAVOR`, e.g. `cu124`).\n");
        return sb.toString();
    }

    /** Writes the reference page to the path given as first argument. */
    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args.length > 0 ? args[0] : "llm-train/CONFIG.md"), referenceMarkdown());
    }
}
