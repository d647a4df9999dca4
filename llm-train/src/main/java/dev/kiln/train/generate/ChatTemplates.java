package dev.kiln.train.generate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import dev.kiln.core.model.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a Hugging Face model directory's chat template: {@code chat_template.jinja} when present
 * (newer transformers), else {@code chat_template} of {@code tokenizer_config.json} (a string, or a
 * list of named templates of which "default" is taken), with its {@code bos_token} and {@code
 * eos_token}.
 */
final class ChatTemplates {

    private ChatTemplates() {}

    static Optional<ChatTemplate> read(Path dir) throws IOException {
        Path config = dir.resolve("tokenizer_config.json");
        JsonNode cfg = null;
        if (Files.isRegularFile(config)) {
            try {
                cfg = Json.mapper().readTree(config.toFile());
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new CorruptArtifactException(config, "not valid JSON: " + e.getOriginalMessage());
            }
        }
        String source = null;
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            source = Files.readString(jinja);
        } else if (cfg != null && cfg.hasNonNull("chat_template")) {
            JsonNode t = cfg.get("chat_template");
            if (t.isTextual()) {
                source = t.asText();
            } else if (t.isArray()) {
                for (JsonNode named : t) {
                    if ("default".equals(named.path("name").asText())) {
                        source = named.path("template").asText(null);
                    }
                }
            }
        }
        if (source == null || source.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new ChatTemplate(source, token(cfg, "bos_token"), token(cfg, "eos_token")));
    }

    /** A special token given as a string or as {@code {"content": ...}}. */
    private static String token(JsonNode cfg, String name) {
        if (cfg == null) {
            return "";
        }
        JsonNode t = cfg.get(name);
        if (t == null || t.isNull()) {
            return "";
        }
        return t.isTextual() ? t.asText() : t.path("content").asText("");
    }
}
