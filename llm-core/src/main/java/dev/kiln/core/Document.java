package dev.kiln.core;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.hash.Sha256;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One source file (or any text) flowing through Kiln: immutable, with a stable id.
 *
 * <p>Rows on disk and in Spark have exactly these fields: {@code id, content, path, language,
 * licenses, metadata}. Metadata values are JSON-shaped (String, Number, Boolean, List, Map, or
 * null) so that every sink and engine can carry them.
 *
 * <pre>{@code
 * Document doc = Document.fromSource("repos/acme", "src/Main.java", "class Main {}");
 * Document tagged = doc.withLicenses(List.of("MIT")).with(Document.STARS, 42L);
 * long stars = tagged.get(Document.STARS).orElse(0L);
 * }</pre>
 *
 * @param id stable identifier, never empty
 * @param content the text
 * @param path path inside its source ({@code ""} when unknown)
 * @param language a {@link Language} id ({@code "unknown"} when not detected)
 * @param licenses SPDX license ids, in detection order
 * @param metadata JSON-shaped extra fields, in insertion order
 */
public record Document(
        String id, String content, String path, String language, List<String> licenses, Map<String, Object> metadata)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A typed metadata key. */
    public record Key<T>(String name, Class<T> type) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** @throws IllegalArgumentException when {@code name} is empty */
        public Key {
            requireArgument(name != null && !name.isEmpty(), "metadata key name must not be empty, got '%s'", name);
            Objects.requireNonNull(type, "type");
        }
    }

    /** Repository stars (The Stack's {@code max_stars_count}). */
    public static final Key<Long> STARS = new Key<>("stars", Long.class);
    /** Repository name (The Stack's {@code max_stars_repo_name}). */
    public static final Key<String> REPOSITORY = new Key<>("repository", String.class);
    /** Where the document was read from (a file, an archive, a dataset). */
    public static final Key<String> SOURCE = new Key<>("source", String.class);

    /**
     * Checks the id (not empty) and content (not null); a null path becomes {@code ""}, a missing language
     * {@code "unknown"}, and the licenses and metadata are copied into unmodifiable collections.
     */
    public Document {
        requireArgument(id != null && !id.isEmpty(), "document id must not be empty, got '%s'", id);
        Objects.requireNonNull(content, () -> "content of document '" + id + "'");
        path = path == null ? "" : path;
        language = language == null || language.isEmpty() ? Language.UNKNOWN.id() : language;
        licenses = licenses == null ? List.of() : List.copyOf(licenses);
        metadata = metadata == null || metadata.isEmpty() ? Map.of() : freeze(id, metadata);
    }

    /** A document with the given id and content, no path, language detected as unknown. */
    public static Document of(String id, String content) {
        return new Document(id, content, "", null, List.of(), Map.of());
    }

    /**
     * A document read from {@code source} at {@code path}: its id is {@link #stableId(String,
     * String)} and its language is detected from the path and the first line.
     */
    public static Document fromSource(String source, String path, String content) {
        Language lang = Language.detect(path, content);
        return new Document(stableId(source, path), content, path, lang.id(), List.of(), Map.of());
    }

    /**
     * A stable id from where a document came from: 32 hex characters of SHA-256 over {@code
     * source + '\0' + path}. The same file read twice gets the same id.
     */
    public static String stableId(String source, String path) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        MessageDigest sha = Sha256.newDigest();
        sha.update(source.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(path.getBytes(StandardCharsets.UTF_8));
        return Sha256.hex(sha).substring(0, 32);
    }

    /** A copy with another id. */
    public Document withId(String newId) {
        return new Document(newId, content, path, language, licenses, metadata);
    }

    /** A copy with other content (a transform's result); id, path, language and metadata stay. */
    public Document withContent(String newContent) {
        return new Document(id, newContent, path, language, licenses, metadata);
    }

    /** A copy with another path. */
    public Document withPath(String newPath) {
        return new Document(id, content, newPath, language, licenses, metadata);
    }

    /** A copy with another language id ({@link Language#id()}). */
    public Document withLanguage(String newLanguage) {
        return new Document(id, content, path, newLanguage, licenses, metadata);
    }

    /** A copy with other SPDX license ids. */
    public Document withLicenses(List<String> newLicenses) {
        return new Document(id, content, path, language, newLicenses, metadata);
    }

    /** A copy whose metadata is {@code newMetadata} (copied), replacing all of it. */
    public Document withMetadata(Map<String, Object> newMetadata) {
        return new Document(id, content, path, language, licenses, newMetadata);
    }

    /** A copy with one metadata field set (or replaced); {@code null} removes it. */
    public Document withMetadata(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(metadata);
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        return new Document(id, content, path, language, licenses, m);
    }

    /** A copy with a typed metadata field set. */
    public <T> Document with(Key<T> key, T value) {
        return withMetadata(key.name(), value);
    }

    /**
     * A typed metadata value. Numbers convert between Integer, Long and Double as needed; a value
     * of another type is an error naming the key.
     */
    public <T> Optional<T> get(Key<T> key) {
        Object v = metadata.get(key.name());
        if (v == null) {
            return Optional.empty();
        }
        Class<T> t = key.type();
        if (t.isInstance(v)) {
            return Optional.of(t.cast(v));
        }
        if (v instanceof Number n) {
            if (t == Long.class) {
                return Optional.of(t.cast(n.longValue()));
            }
            if (t == Integer.class) {
                return Optional.of(t.cast(n.intValue()));
            }
            if (t == Double.class) {
                return Optional.of(t.cast(n.doubleValue()));
            }
        }
        throw new IllegalArgumentException("metadata '" + key.name() + "' of document '" + id + "' is a "
                + v.getClass().getSimpleName() + " (" + v + "), not a " + t.getSimpleName());
    }

    /** Content length in UTF-8 bytes. */
    public long utf8Length() {
        return utf8Length(content);
    }

    /** UTF-8 length of a string without encoding it. */
    public static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static Map<String, Object> freeze(String id, Map<String, Object> m) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            requireArgument(e.getKey() != null, "document '%s' has a null metadata key", id);
            copy.put(e.getKey(), freezeValue(id, e.getKey(), e.getValue()));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object freezeValue(String id, String key, Object v) {
        if (v == null || v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add(freezeValue(id, key, o));
            }
            return Collections.unmodifiableList(out);
        }
        if (v instanceof Map<?, ?> mm) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : mm.entrySet()) {
                out.put(String.valueOf(e.getKey()), freezeValue(id, key, e.getValue()));
            }
            return Collections.unmodifiableMap(out);
        }
        throw new IllegalArgumentException("metadata '" + key + "' of document '" + id + "' is a "
                + v.getClass().getName() + "; only String, Number, Boolean, List and Map values are allowed");
    }
}
