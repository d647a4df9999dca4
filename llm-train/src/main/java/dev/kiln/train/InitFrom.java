package dev.kiln.train;

import ai.djl.Device;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.train.ckpt.Checkpoints;
import dev.kiln.train.hf.HfModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights a fine-tune starts from ({@code init_from}): a Kiln model directory, a checkpoint
 * folder (its newest valid checkpoint) or a Hugging Face model directory. The run takes the
 * source's architecture; model keys the run's config gives must agree with it (only {@code
 * dropout} may differ, as it changes training, not the weights).
 *
 * <pre>{@code
 * InitFrom src = InitFrom.load(Path.of("models/SmolLM2-135M"));
 * GptConfig c = src.resolveConfig(Map.of("context_length", 2048));   // agrees, or throws
 * }</pre>
 */
public final class InitFrom {

    private final Path source;
    private final GptConfig config;
    private final Map<String, float[]> values;
    private final Tokenizer tokenizer;

    private InitFrom(Path source, GptConfig config, Map<String, float[]> values, Tokenizer tokenizer) {
        this.source = source;
        this.config = config;
        this.values = values;
        this.tokenizer = tokenizer;
    }

    /** Reads the weights, config and tokenizer of {@code location}. */
    public static InitFrom load(Path location) throws IOException {
        Path dir = location;
        ModelDir.Loaded l;
        if (HfModels.isModelDir(location)) {
            l = HfModels.importModel(location, Device.cpu());
        } else {
            if (!Files.isRegularFile(location.resolve(ModelDir.CONFIG))) {
                if (!Files.isDirectory(location)) {
                    throw new NoSuchFileException(
                            location.toString(),
                            null,
                            "init_from names no Kiln checkpoint or Hugging Face model directory");
                }
                dir = Checkpoints.newestValid(location)
                        .orElseThrow(() -> new NoSuchFileException(
                                location.toString(),
                                null,
                                "init_from: not a Hugging Face model directory, and no valid Kiln checkpoint here"));
            }
            l = ModelDir.read(dir, Device.cpu());
        }
        try (GptModel m = l.model()) {
            return new InitFrom(dir, m.config(), m.values(), l.tokenizer());
        }
    }

    /** The directory the weights were read from. */
    public Path source() {
        return source;
    }

    /** The source model's architecture. */
    public GptConfig config() {
        return config;
    }

    /** The source model's tokenizer. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The source model's parameter values by Kiln name. */
    public Map<String, float[]> values() {
        return values;
    }

    /**
     * The run's model config: the source's, with {@code explicit} keys (as in a YAML {@code model:}
     * section) checked against it.
     *
     * @throws IllegalArgumentException listing every key whose value differs from the source's
     */
    public GptConfig resolveConfig(Map<String, Object> explicit) {
        GptConfig.Builder b = GptConfig.builder();
        config.toMap().forEach(b::set);
        Double dropout = null;
        for (Map.Entry<String, Object> e : explicit.entrySet()) {
            if (e.getKey().equals("dropout")) {
                dropout = ((Number) e.getValue()).doubleValue();
            }
            b.set(e.getKey(), e.getValue());
        }
        GptConfig wanted = b.build();
        Map<String, Object> have = new LinkedHashMap<>(config.toMap());
        Map<String, Object> want = new LinkedHashMap<>(wanted.toMap());
        have.remove("dropout");
        want.remove("dropout");
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, Object> e : want.entrySet()) {
            Object h = have.get(e.getKey());
            if (!String.valueOf(h).equals(String.valueOf(e.getValue()))) {
                diffs.add("model." + e.getKey() + " = " + e.getValue() + " (the source has " + h + ")");
            }
        }
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException(
                    "init_from " + source + ": the config disagrees with the source model: " + String.join("; ", diffs)
                            + ". Remove these keys (the model section may be omitted with init_from)");
        }
        if (dropout == null) {
            return config;
        }
        GptConfig.Builder withDropout = GptConfig.builder();
        config.toMap().forEach(withDropout::set);
        return withDropout.optDropout(dropout).build();
    }
}
