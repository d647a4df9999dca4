package dev.kiln.data.pii;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.Document;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Redacts a JSONL file row by row: every field of a row is kept, {@code content} is redacted and a
 * top-level {@code pii} list of {@code {type, start, end}} (code-point offsets into the original
 * content) is added. Files ending in {@code .gz} are read and written gzip-compressed; the output
 * appears atomically (written to a temporary file, then renamed).
 *
 * <pre>{@code
 * PiiJsonl.Stats stats = PiiJsonl.redact(Path.of("in.jsonl"), Path.of("out.jsonl"), PiiRedactor.create());
 * System.out.println(stats.rows() + " rows, " + stats.spans() + " spans");
 * }</pre>
 */
public final class PiiJsonl {

    private PiiJsonl() {}

    /**
     * What a run did.
     *
     * @param rows rows written
     * @param redactedRows rows with at least one span
     * @param byType span counts by type id
     */
    public record Stats(long rows, long redactedRows, Map<String, Long> byType) {
        /** Spans found, over all types. */
        public long spans() {
            return byType.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Redacts {@code input} into {@code output}.
     *
     * @throws IllegalArgumentException naming the file and line when a row is not a JSON object
     *     with a string {@code content}
     */
    public static Stats redact(Path input, Path output, PiiRedactor redactor) throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new NoSuchFileException(input.toString(), null, "input JSONL not found");
        }
        if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--output must differ from --input (" + input + ")");
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ObjectMapper json = Json.mapper();
        long rows = 0;
        long redacted = 0;
        Map<String, Long> byType = new TreeMap<>();
        try (InputStream raw = Files.newInputStream(input);
                BufferedReader in = new BufferedReader(new InputStreamReader(
                        input.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw,
                        StandardCharsets.UTF_8));
                AtomicFiles.Output out = AtomicFiles.open(output)) {
            OutputStream os =
                    output.toString().endsWith(".gz") ? new GZIPOutputStream(out.stream(), 1 << 16) : out.stream();
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(
                            input + " line " + lineNo + ": not JSON (" + e.getOriginalMessage() + ")");
                }
                if (!(node instanceof ObjectNode row)) {
                    throw new IllegalArgumentException(input + " line " + lineNo + ": not a JSON object");
                }
                JsonNode content = row.get("content");
                if (content == null || !content.isTextual()) {
                    throw new IllegalArgumentException(
                            input + " line " + lineNo + ": no string field 'content' to redact");
                }
                JsonNode idNode = row.get("id");
                String id = idNode != null
                                && idNode.isValueNode()
                                && !idNode.asText().isEmpty()
                        ? idNode.asText()
                        : "line-" + lineNo;
                Document doc = redactor.apply(Document.of(id, content.asText()));
                row.put("content", doc.content());
                var spans = PiiRedactor.spans(doc);
                var array = row.putArray("pii");
                for (Map<String, Object> s : spans) {
                    Map<String, Object> m = new LinkedHashMap<>(s);
                    array.add(json.valueToTree(m));
                    byType.merge(String.valueOf(s.get("type")), 1L, Long::sum);
                }
                if (!spans.isEmpty()) {
                    redacted++;
                }
                w.write(json.writeValueAsString(row));
                w.write('\n');
                rows++;
            }
            w.flush();
            if (os instanceof GZIPOutputStream gz) {
                gz.finish();
            }
            out.commit();
        }
        return new Stats(rows, redacted, byType);
    }
}
