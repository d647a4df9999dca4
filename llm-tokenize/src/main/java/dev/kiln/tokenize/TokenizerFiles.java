package dev.kiln.tokenize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import dev.kiln.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a Hugging Face {@code tokenizer.json} as the Kiln tokenizer its model calls for: {@code
 * BPE} as {@link BpeTokenizer}, {@code Unigram} as {@link UnigramTokenizer}.
 *
 * <pre>{@code
 * Tokenizer tok = TokenizerFiles.load(Path.of("tokenizer.json"));
 * }</pre>
 */
public final class TokenizerFiles {

    private TokenizerFiles() {}

    /**
     * Reads {@code tokenizerJson} as the tokenizer its model type calls for.
     *
     * @throws NoSuchFileException when there is no file
     * @throws CorruptArtifactException when the file is malformed or uses a feature Kiln does not
     *     implement (named in the message)
     */
    public static Tokenizer load(Path tokenizerJson) throws IOException {
        JsonNode root = readObject(tokenizerJson);
        String type = root.path("model").path("type").asText("BPE");
        return "Unigram".equals(type)
                ? UnigramJson.fromJson(tokenizerJson, root)
                : HfTokenizerJson.fromJson(tokenizerJson, root);
    }

    /** A new {@code tokenizer.json} object with the fields every Kiln-written file starts with. */
    static ObjectNode newDocument() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        return root;
    }

    /**
     * The JSON object in {@code file}; the one place tokenizer files are parsed.
     *
     * @throws NoSuchFileException when there is no file
     * @throws CorruptArtifactException when it is not JSON, or not an object
     */
    static JsonNode readObject(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no tokenizer.json there");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new CorruptArtifactException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CorruptArtifactException(file, "a tokenizer.json must be a JSON object");
        }
        return root;
    }
}
