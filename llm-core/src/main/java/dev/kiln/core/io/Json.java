package dev.kiln.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kiln.core.CorruptArtifactException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JSON and YAML with one configuration everywhere: Java time as ISO strings, no failure on unknown
 * properties where Kiln reads other tools' files, stable (insertion) field order.
 *
 * <pre>{@code
 * Json.write(dir.resolve("summary.json"), Map.of("pass@1", 0.12));
 * JsonNode n = Json.read(dir.resolve("summary.json"));
 * }</pre>
 */
public final class Json {

    // Modules are named, not discovered: findAndAddModules() would also register whatever Jackson
    // modules an application has on its class path (Spark brings jackson-module-scala, which turns
    // untyped lists and maps into Scala collections).
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private Json() {}

    /** The shared JSON mapper (thread-safe; do not reconfigure it). */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /** The shared YAML mapper (thread-safe; do not reconfigure it). */
    public static ObjectMapper yaml() {
        return YAML;
    }

    /** Compact one-line JSON, e.g. for JSONL rows. */
    public static String toLine(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot write " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Pretty JSON text ending in a newline. */
    public static String toPretty(Object value) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot write " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes pretty JSON atomically (temporary file, then rename). */
    public static void write(Path file, Object value) throws IOException {
        AtomicFiles.writeString(file, toPretty(value));
    }

    /** Reads a JSON file; malformed JSON is a {@link CorruptArtifactException} naming the file. */
    public static JsonNode read(Path file) throws IOException {
        try {
            return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CorruptArtifactException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a JSON file as a type; malformed content is a {@link CorruptArtifactException}. */
    public static <T> T read(Path file, Class<T> type) throws IOException {
        try {
            return JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), type);
        } catch (JsonProcessingException e) {
            throw new CorruptArtifactException(
                    file, "not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Parses one JSON value from text, throwing {@link UncheckedIOException} never: bad JSON is an IAE. */
    public static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
