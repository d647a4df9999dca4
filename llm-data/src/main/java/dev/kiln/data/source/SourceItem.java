package dev.kiln.data.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.Document;
import dev.kiln.core.Language;
import dev.kiln.core.io.Json;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One thing a {@link Source} read: the raw bytes of a file, a raw JSONL record, or a file it had
 * to drop or could not read (with the reason). {@link #decode()} turns bytes into a {@link
 * Document}; it is pure and runs on the pipeline's worker threads.
 */
public final class SourceItem {

    /** What an item holds. */
    public enum Kind {
        /** Raw file bytes. */
        FILE,
        /** One JSONL line with a document. */
        RECORD,
        /** A file dropped without decoding (too large, binary extension ...). */
        DROPPED,
        /** A file or entry that could not be read. */
        ERROR
    }

    private final Kind kind;
    private final String source;
    private final String path;
    private final byte[] bytes;
    private final long size;
    private final List<String> licenses;
    private final Map<String, Object> metadata;
    private final String reason;
    private final String detail;
    private final boolean countsAsInput;
    /** A record already in memory as a tree (a Parquet row read column by column), or null. */
    private JsonNode row;

    private SourceItem(
            Kind kind,
            String source,
            String path,
            byte[] bytes,
            long size,
            List<String> licenses,
            Map<String, Object> metadata,
            String reason,
            String detail,
            boolean countsAsInput) {
        this.kind = kind;
        this.source = Objects.requireNonNull(source, "source");
        this.path = path == null ? "" : path;
        this.bytes = bytes;
        this.size = size;
        this.licenses = licenses == null ? List.of() : licenses;
        this.metadata = metadata == null ? Map.of() : metadata;
        this.reason = reason;
        this.detail = detail;
        this.countsAsInput = countsAsInput;
    }

    /** A file's bytes, with the licenses and metadata its source knows. */
    public static SourceItem file(
            String source, String path, byte[] bytes, List<String> licenses, Map<String, Object> metadata) {
        return new SourceItem(Kind.FILE, source, path, bytes, bytes.length, licenses, metadata, null, null, true);
    }

    /** One JSONL record; {@code where} is the file and line, for messages and ids. */
    public static SourceItem record(String source, String where, byte[] line, boolean countsAsInput) {
        return new SourceItem(Kind.RECORD, source, where, line, line.length, null, null, null, null, countsAsInput);
    }

    /**
     * One record whose fields were read into a tree without JSON text (a Parquet row read column by
     * column); decoded exactly as a JSONL record with those fields. {@code size} is its input bytes.
     */
    public static SourceItem row(String source, String where, JsonNode fields, long size) {
        SourceItem item = new SourceItem(Kind.RECORD, source, where, null, size, null, null, null, null, true);
        item.row = Objects.requireNonNull(fields, "fields");
        return item;
    }

    /** A file dropped before decoding, e.g. {@code too-large}. */
    public static SourceItem dropped(String source, String path, long size, String reason) {
        return new SourceItem(Kind.DROPPED, source, path, null, size, null, null, reason, null, true);
    }

    /** A file or entry that could not be read, e.g. {@code corrupt-archive}, with a one-line detail. */
    public static SourceItem error(String source, String path, long size, String reason, String detail) {
        return new SourceItem(Kind.ERROR, source, path, null, size, null, null, reason, detail, true);
    }

    /** What the item holds. */
    public Kind kind() {
        return kind;
    }

    /** The source it came from (a file, archive or dataset name), for reports. */
    public String source() {
        return source;
    }

    /** Its path inside the source. */
    public String path() {
        return path;
    }

    /** Raw bytes (FILE, RECORD) or {@code null} (also for a {@link #row}). */
    public byte[] bytes() {
        return bytes;
    }

    /** Input bytes this item accounts for. */
    public long size() {
        return size;
    }

    /** Why it was dropped or failed, e.g. {@code too-large} ({@code null} for a readable item). */
    public String reason() {
        return reason;
    }

    /** One line on what went wrong (errors only). */
    public String detail() {
        return detail;
    }

    /** Whether the item counts as pipeline input (records re-read from a spill do not). */
    public boolean countsAsInput() {
        return countsAsInput;
    }

    /**
     * The result of decoding: a document, or a drop / error reason.
     *
     * @param document the document, or {@code null}
     * @param reason why it was dropped or failed, or {@code null}
     * @param error whether {@code reason} is an error (unreadable) rather than a drop (unwanted)
     * @param detail a one-line explanation of an error
     * @param contentBytes UTF-8 length of the document's content when known without counting, else -1
     */
    public record Decoded(Document document, String reason, boolean error, String detail, long contentBytes) {
        static Decoded drop(String reason) {
            return new Decoded(null, reason, false, null, -1);
        }

        static Decoded error(String reason, String detail) {
            return new Decoded(null, reason, true, detail, -1);
        }

        static Decoded of(Document d) {
            return new Decoded(d, null, false, null, -1);
        }
    }

    /** Decodes this item; pure and thread-safe. */
    public Decoded decode() {
        switch (kind) {
            case DROPPED:
                return Decoded.drop(reason);
            case ERROR:
                return Decoded.error(reason, detail);
            case RECORD:
                return decodeRecord();
            default:
                return decodeFile();
        }
    }

    private Decoded decodeFile() {
        if (bytes.length == 0) {
            return Decoded.drop("empty");
        }
        int scan = Math.min(bytes.length, 8192);
        for (int i = 0; i < scan; i++) {
            if (bytes[i] == 0) {
                return Decoded.drop("binary");
            }
        }
        String text;
        try {
            text = utf8(bytes);
        } catch (CharacterCodingException e) {
            return Decoded.drop("invalid-utf8");
        }
        long contentBytes = bytes.length;
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
            contentBytes -= 3;
        }
        if (text.isBlank()) {
            return Decoded.drop("empty");
        }
        Language lang = Language.detect(path, text);
        Map<String, Object> meta = new LinkedHashMap<>(metadata);
        meta.putIfAbsent(Document.SOURCE.name(), source);
        return new Decoded(
                new Document(Document.stableId(source, path), text, path, lang.id(), licenses, meta),
                null,
                false,
                null,
                contentBytes);
    }

    private static final ThreadLocal<CharsetDecoder> UTF8 = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));

    static String utf8(byte[] b) throws CharacterCodingException {
        // The JDK's decoder is vectorised but replaces malformed input with U+FFFD; only text that
        // has one is decoded again strictly (it may be a real U+FFFD).
        String s = new String(b, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') >= 0) {
            CharsetDecoder d = UTF8.get();
            d.reset();
            CharBuffer cb = d.decode(ByteBuffer.wrap(b));
            return cb.toString();
        }
        return s;
    }

    /** The Stack / StarCoder column names and Kiln's own row fields. */
    static final List<String> MAPPED = List.of(
            "id",
            "content",
            "text",
            "path",
            "max_stars_repo_path",
            "lang",
            "language",
            "licenses",
            "max_stars_repo_licenses",
            "max_stars_count",
            "max_stars_repo_name",
            "repository",
            "metadata");

    private Decoded decodeRecord() {
        JsonNode n = row;
        try {
            n = n != null ? n : Json.mapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            return Decoded.error("invalid-json", path + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            return Decoded.error("invalid-json", path + ": " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            return Decoded.error("invalid-json", path + ": not a JSON object");
        }
        if (!countsAsInput) {
            return exactRow(n);
        }
        JsonNode c = n.has("content") ? n.get("content") : n.get("text");
        if (c == null || !c.isTextual()) {
            return Decoded.error("no-content", path + ": no text field 'content' (or 'text')");
        }
        String content = c.asText();
        if (content.isEmpty()) {
            return Decoded.drop("empty");
        }
        String p = text(n, "max_stars_repo_path", text(n, "path", ""));
        // an explicit id (Kiln's own rows) is kept; otherwise the id derives from where the row is.
        // The Stack's hexsha is a hash of the content, shared by identical files: metadata, not an id.
        String id = text(n, "id", null);
        if (id == null || id.isEmpty()) {
            id = Document.stableId(source, path);
        }
        String langField = text(n, "lang", text(n, "language", null));
        String lang = langField == null ? null : languageId(langField);
        if (lang == null) {
            lang = Language.detect(p, content).id();
        }
        List<String> lic = new ArrayList<>();
        JsonNode l = n.has("max_stars_repo_licenses") ? n.get("max_stars_repo_licenses") : n.get("licenses");
        if (l != null && l.isArray()) {
            for (JsonNode x : l) {
                if (x.isTextual()) {
                    lic.add(x.asText());
                }
            }
        } else if (l != null && l.isTextual()) {
            lic.add(l.asText());
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        JsonNode m = n.get("metadata");
        if (m != null && m.isObject()) {
            meta.putAll(Json.mapper().convertValue(m, Map.class));
        }
        String repo = text(n, "max_stars_repo_name", text(n, "repository", null));
        if (repo != null) {
            meta.put(Document.REPOSITORY.name(), repo);
        }
        JsonNode stars = n.get("max_stars_count");
        if (stars != null && stars.isNumber()) {
            meta.put(Document.STARS.name(), stars.asLong());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!MAPPED.contains(e.getKey())) {
                meta.put(e.getKey(), Json.mapper().convertValue(e.getValue(), Object.class));
            }
        }
        if (countsAsInput) {
            meta.putIfAbsent(Document.SOURCE.name(), source);
        }
        try {
            return Decoded.of(new Document(id, content, p, lang, lic, meta));
        } catch (IllegalArgumentException e) {
            return Decoded.error("invalid-record", path + ": " + e.getMessage());
        }
    }

    /** A row Kiln wrote itself (a spill file): fields as they are. */
    @SuppressWarnings("unchecked")
    private Decoded exactRow(JsonNode n) {
        List<String> lic = new ArrayList<>();
        for (JsonNode x : n.path("licenses")) {
            lic.add(x.asText());
        }
        Map<String, Object> meta = n.has("metadata") ? Json.mapper().convertValue(n.get("metadata"), Map.class) : null;
        return Decoded.of(new Document(
                text(n, "id", null),
                text(n, "content", ""),
                text(n, "path", ""),
                text(n, "language", null),
                lic,
                meta));
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : dflt;
    }

    private static String languageId(String name) {
        String lower = name.toLowerCase(Locale.ROOT).strip();
        var byId = Language.find(lower);
        if (byId.isPresent()) {
            return byId.get().id();
        }
        for (Language l : Language.all()) {
            if (l.displayName().equalsIgnoreCase(name.strip())) {
                return l.id();
            }
        }
        if (lower.equals("c++")) {
            return "cpp";
        }
        if (lower.equals("c#")) {
            return "csharp";
        }
        return null;
    }

    @Override
    public String toString() {
        return kind + " " + source + (path.isEmpty() ? "" : "!" + path) + (reason == null ? "" : " (" + reason + ")");
    }
}
