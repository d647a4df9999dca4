package dev.kiln.tokenize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.Tokenizer;
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
     * @throws CorruptArtifactException when the file is malformed or uses a feature Kiln does not
     *     implement (named in the message)
     */
    public static Tokenizer load(Path tokenizerJson) throws IOException {
        if (!Files.exists(tokenizerJson)) {
            throw new NoSuchFileException(tokenizerJson.toString(), null, "no tokenizer.json there");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(tokenizerJson.toFile());
        } catch (JsonProcessingException e) {
            throw new CorruptArtifactException(tokenizerJson, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        String type = root == null ? "" : root.path("model").path("type").asText("BPE");
        return "Unigram".equals(type) ? UnigramTokenizer.load(tokenizerJson) : BpeTokenizer.load(tokenizerJson);
    }
}
