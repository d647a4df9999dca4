package dev.kiln.train;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.hash.Sha256;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import dev.kiln.core.tokenizer.ByteTokenizer;
import dev.kiln.core.tokenizer.Tokenizer;
import dev.kiln.tokenize.BpeTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model part of a Kiln checkpoint directory: {@code config.json} (model shape and tokenizer
 * description) and {@code model.params}. Checkpoints written by the {@code Trainer} add optimizer
 * and training state beside them.
 *
 * <pre>{@code
 * ModelDir.write(dir, model, ByteTokenizer.withCodeSpecials());
 * ModelDir.Loaded l = ModelDir.read(dir, Device.cpu());
 * }</pre>
 */
public final class ModelDir {

    /** The model configuration's file name in a model directory. */
    public static final String CONFIG = "config.json";
    /** The parameters' file name in a model directory. */
    public static final String PARAMS = "model.params";

    private ModelDir() {}

    /** A model with its tokenizer, read from a directory. */
    public record Loaded(GptModel model, Tokenizer tokenizer, Path dir) {}

    /** The {@code config.json} content for a model and tokenizer. */
    public static Map<String, Object> configJson(GptConfig config, Tokenizer tokenizer) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "kiln-gpt");
        m.put("model", config.toMap());
        Map<String, Object> tok = describeTokenizer(tokenizer);
        m.put("tokenizer", tok);
        m.put("tokenizer_sha256", tokenizerHash(tokenizer));
        return m;
    }

    /** The tokenizer file of a checkpoint whose tokenizer is BPE. */
    public static final String TOKENIZER = "tokenizer.json";

    /** Writes {@code config.json}, {@code model.params} and, for BPE, {@code tokenizer.json} (each atomically). */
    public static void write(Path dir, GptModel model, Tokenizer tokenizer) throws IOException {
        Files.createDirectories(dir);
        if (tokenizer instanceof BpeTokenizer bpe) {
            bpe.save(dir.resolve(TOKENIZER));
        }
        if (model.config().vocabSize() < tokenizer.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " ids but the model's vocabulary holds " + model.config().vocabSize());
        }
        try (AtomicFiles.Output out = AtomicFiles.open(dir.resolve(PARAMS))) {
            model.writeParameterFile(out.stream());
            out.commit();
        }
        Json.write(dir.resolve(CONFIG), configJson(model.config(), tokenizer));
    }

    /** Reads the model shape from {@code dir/config.json}. */
    public static GptConfig readConfig(Path dir) throws IOException {
        JsonNode n = readConfigJson(dir);
        JsonNode model = n.get("model");
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = Json.mapper().convertValue(model, Map.class);
            return GptConfig.fromMap(m);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new CorruptArtifactException(dir.resolve(CONFIG), "bad model config: " + e.getMessage(), e);
        }
    }

    private static JsonNode readConfigJson(Path dir) throws IOException {
        Path file = dir.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a Kiln model directory (no " + CONFIG + ")");
        }
        JsonNode n = Json.read(file);
        if (!n.path("model").isObject()) {
            throw new CorruptArtifactException(file, "has no 'model' object (is it a Kiln model config?)");
        }
        return n;
    }

    /** Reads the model and tokenizer of {@code dir}. */
    public static Loaded read(Path dir, Device device) throws IOException {
        JsonNode n = readConfigJson(dir);
        GptConfig config = readConfig(dir);
        Tokenizer tokenizer = readTokenizer(dir, n.path("tokenizer"));
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new CorruptArtifactException(
                    dir.resolve(CONFIG),
                    "the tokenizer has " + tokenizer.vocabSize() + " ids but the model's vocabulary holds "
                            + config.vocabSize());
        }
        GptModel model = GptModel.fromValues(config, GptModel.readParameterFile(dir.resolve(PARAMS), config), device);
        return new Loaded(model, tokenizer, dir);
    }

    /** A JSON description from which {@link #readTokenizer} rebuilds the tokenizer. */
    public static Map<String, Object> describeTokenizer(Tokenizer tokenizer) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (tokenizer instanceof ByteTokenizer) {
            m.put("type", "byte");
            List<String> specials = new ArrayList<>(tokenizer.specialTokens().size());
            for (int id = 256; id < tokenizer.vocabSize(); id++) {
                specials.add(tokenizer.tokenText(id));
            }
            m.put("special_tokens", specials);
            return m;
        }
        if (tokenizer instanceof BpeTokenizer bpe) {
            m.put("type", "bpe");
            m.put("file", TOKENIZER);
            m.put("sha256", bpe.hash());
            m.put("vocab_size", bpe.vocabSize());
            return m;
        }
        throw new IllegalArgumentException("tokenizer " + tokenizer.getClass().getName()
                + " cannot be stored in a Kiln checkpoint yet (supported: ByteTokenizer, BpeTokenizer)");
    }

    static Tokenizer readTokenizer(Path dir, JsonNode spec) throws IOException {
        String type = spec.path("type").asText("");
        if (type.equals("byte")) {
            List<String> specials = new ArrayList<>();
            spec.path("special_tokens").forEach(s -> specials.add(s.asText()));
            return new ByteTokenizer(specials);
        }
        if (type.equals("bpe")) {
            BpeTokenizer bpe = BpeTokenizer.load(dir.resolve(spec.path("file").asText(TOKENIZER)));
            String want = spec.path("sha256").asText("");
            if (!want.isEmpty() && !want.equals(bpe.hash())) {
                throw new CorruptArtifactException(
                        dir.resolve(TOKENIZER),
                        "has hash " + bpe.hash() + " but config.json records " + want
                                + " (the tokenizer was replaced)");
            }
            return bpe;
        }
        throw new CorruptArtifactException(
                dir.resolve(CONFIG), "unknown tokenizer type '" + type + "' (supported: byte, bpe)");
    }

    /**
     * SHA-256 identifying the tokenizer: {@link BpeTokenizer#hash()} (what shards record) for BPE,
     * else of the canonical description.
     */
    public static String tokenizerHash(Tokenizer tokenizer) {
        if (tokenizer instanceof BpeTokenizer bpe) {
            return bpe.hash();
        }
        return Sha256.hex(Json.toLine(describeTokenizer(tokenizer)));
    }
}
