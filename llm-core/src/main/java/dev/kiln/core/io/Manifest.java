package dev.kiln.core.io;

import static dev.kiln.core.Checks.requireArgument;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code manifest.json} of every Kiln artifact directory: what kind of artifact it is, the
 * format version, counts, provenance and kind-specific properties. Written last and atomically,
 * so a directory with a manifest is complete.
 *
 * <pre>{@code
 * new Manifest("dataset", 1, Map.of("documents", 1200L), provenance, Map.of("shards", shards)).write(dir);
 * Manifest m = Manifest.read(dir, "dataset");
 * }</pre>
 *
 * @param kind artifact kind ({@code dataset}, {@code shards}, {@code checkpoint}, {@code eval})
 * @param version format version of that kind
 * @param counts named counts (documents, bytes, tokens ...)
 * @param provenance how it was made
 * @param properties kind-specific fields, JSON-shaped
 */
public record Manifest(
        String kind, int version, Map<String, Long> counts, Provenance provenance, Map<String, Object> properties) {

    /** The file name inside an artifact directory. */
    public static final String FILE_NAME = "manifest.json";

    /** Checks the kind (not blank) and version (>= 1) and copies the maps into unmodifiable ones. */
    public Manifest {
        requireArgument(kind != null && !kind.isBlank(), "manifest kind must not be blank, got '%s'", kind);
        requireArgument(version >= 1, "manifest version must be >= 1, got %s", version);
        counts = counts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        properties = properties == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** Writes {@code dir/manifest.json} atomically. */
    public void write(Path dir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("version", version);
        m.put("counts", counts);
        m.put("provenance", provenance);
        m.putAll(properties);
        Json.write(dir.resolve(FILE_NAME), m);
    }

    /** Whether {@code dir} holds a manifest (i.e. the artifact was completed). */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE_NAME));
    }

    /**
     * Reads {@code dir/manifest.json} and checks its kind.
     *
     * @throws NoSuchFileException when there is no manifest
     * @throws CorruptArtifactException when it is malformed or of another kind
     */
    public static Manifest read(Path dir, String expectedKind) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(
                    file.toString(),
                    null,
                    "no " + FILE_NAME + " (not a Kiln " + expectedKind + " directory, or it was not completed)");
        }
        JsonNode n = Json.read(file);
        if (!n.isObject() || !n.path("kind").isTextual() || !n.path("version").canConvertToInt()) {
            throw new CorruptArtifactException(
                    file, "a manifest needs the fields 'kind' (text) and 'version' (integer)");
        }
        String kind = n.get("kind").asText();
        if (expectedKind != null && !expectedKind.equals(kind)) {
            throw new CorruptArtifactException(file, "is a '" + kind + "' manifest, expected '" + expectedKind + "'");
        }
        try {
            Map<String, Long> counts = n.has("counts")
                    ? Json.mapper().convertValue(n.get("counts"), new TypeReference<LinkedHashMap<String, Long>>() {})
                    : Map.of();
            Provenance prov = n.hasNonNull("provenance")
                    ? Json.mapper().treeToValue(n.get("provenance"), Provenance.class)
                    : null;
            Map<String, Object> props = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> {
                String k = e.getKey();
                if (!k.equals("kind") && !k.equals("version") && !k.equals("counts") && !k.equals("provenance")) {
                    props.put(k, Json.mapper().convertValue(e.getValue(), Object.class));
                }
            });
            return new Manifest(kind, n.get("version").asInt(), counts, prov, props);
        } catch (IllegalArgumentException | IOException e) {
            throw new CorruptArtifactException(file, "malformed manifest: " + e.getMessage(), e);
        }
    }
}
