package dev.kiln.core;

import static dev.kiln.core.Checks.requireArgument;

import java.io.Serializable;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where an artifact came from: what it was made of, how, with which seed, by which versions.
 * Every dataset, tokenizer, shard set, checkpoint and eval report carries one in its manifest.
 *
 * <pre>{@code
 * Provenance p = Provenance.builder()
 *     .setKind("dataset")
 *     .optInputs(List.of("repos/", "the-stack.parquet"))
 *     .optConfig(Map.of("recipe", "default", "workers", 2))
 *     .optSeed(42)
 *     .build();   // versions of Kiln, Java and the OS are filled in
 * }</pre>
 *
 * @param kind what the artifact is ({@code dataset}, {@code tokenizer}, {@code shards}, ...)
 * @param inputs what it was made from (paths, URLs, hashes of upstream artifacts)
 * @param config the settings that made it, JSON-shaped
 * @param seed the seed of every random choice, or {@code null} when nothing was random
 * @param versions Kiln, Java, OS and library versions
 * @param createdAt when it was made (UTC, seconds)
 */
public record Provenance(
        String kind,
        List<String> inputs,
        Map<String, Object> config,
        Long seed,
        Map<String, String> versions,
        Instant createdAt)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Checks the kind (not blank) and copies the lists and maps into unmodifiable ones. */
    public Provenance {
        requireArgument(kind != null && !kind.isBlank(), "provenance kind must not be blank, got '%s'", kind);
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
        versions = versions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(versions));
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Versions of Kiln, the JVM and the OS on this machine. */
    public static Map<String, String> currentVersions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("kiln", KilnVersion.get());
        v.put("java", System.getProperty("java.version", "unknown"));
        v.put("java.vendor", System.getProperty("java.vendor", "unknown"));
        v.put(
                "os",
                System.getProperty("os.name", "unknown") + " " + System.getProperty("os.version", "") + " "
                        + System.getProperty("os.arch", ""));
        return v;
    }

    /** A builder; {@link Builder#setKind(String)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Provenance}; versions of this machine are always included. */
    public static final class Builder {
        private String kind;
        private final List<String> inputs = new ArrayList<>();
        private final Map<String, Object> config = new LinkedHashMap<>();
        private Long seed;
        private final Map<String, String> versions = currentVersions();
        private Instant createdAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        private Builder() {}

        /** What produced the artifact, e.g. {@code "tokenizer"} (required, not blank). */
        public Builder setKind(String kind) {
            requireArgument(kind != null && !kind.isBlank(), "kind must not be blank, got '%s'", kind);
            this.kind = kind;
            return this;
        }

        /** Adds the inputs (paths or URIs) the artifact was made from. */
        public Builder optInputs(List<String> inputs) {
            this.inputs.addAll(inputs);
            return this;
        }

        /** Adds one input (a path or URI). */
        public Builder optInput(String input) {
            this.inputs.add(Objects.requireNonNull(input, "input"));
            return this;
        }

        /** Adds the settings that, with the inputs, reproduce the artifact. */
        public Builder optConfig(Map<String, ?> config) {
            this.config.putAll(config);
            return this;
        }

        /** Adds one setting. */
        public Builder optConfig(String key, Object value) {
            this.config.put(key, value);
            return this;
        }

        /** The random seed used, when there was one. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Adds a library version, e.g. {@code ("djl", "0.36.0")}. */
        public Builder optVersion(String component, String version) {
            this.versions.put(component, version);
            return this;
        }

        /** When the artifact was made (default: now); tests fix it for reproducible files. */
        public Builder optCreatedAt(Instant createdAt) {
            this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
            return this;
        }

        /** @throws IllegalStateException when no kind was set */
        public Provenance build() {
            if (kind == null) {
                throw new IllegalStateException("setKind(...) is required");
            }
            return new Provenance(kind, inputs, config, seed, versions, createdAt);
        }
    }
}
