package dev.kiln.data.sink;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.core.Document;
import dev.kiln.core.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The row of a document: {@code id, content, path, language, licenses, metadata}. */
public final class Rows {

    private Rows() {}

    /** The row as one line of UTF-8 JSON ending in {@code \n}; {@code dropReason} adds {@code drop_reason}. */
    public static byte[] jsonLine(Document d, String dropReason) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(d.content().length() + 256);
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(bos)) {
            g.writeStartObject();
            g.writeStringField("id", d.id());
            g.writeStringField("content", d.content());
            g.writeStringField("path", d.path());
            g.writeStringField("language", d.language());
            g.writeArrayFieldStart("licenses");
            for (String l : d.licenses()) {
                g.writeString(l);
            }
            g.writeEndArray();
            g.writeFieldName("metadata");
            writeValue(g, d.metadata());
            if (dropReason != null) {
                g.writeStringField("drop_reason", dropReason);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bos.write('\n');
        return bos.toByteArray();
    }

    /** The document's metadata as one JSON object (the {@code metadata} column of Parquet rows). */
    public static String metadataJson(Document d) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(128);
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(bos)) {
            writeValue(g, d.metadata());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Iterable<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else {
            g.writeObject(v);
        }
    }
}
