package dev.kiln.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads and writes samples files (JSONL, optionally gzipped): one {@code {"task_id",
 * "completion"}} object per line, as human-eval's {@code write_jsonl}.
 *
 * <pre>{@code
 * List<Sample> samples = Samples.read(Path.of("samples.jsonl"));
 * }</pre>
 */
public final class Samples {

    private Samples() {}

    /**
     * Reads every sample, in file order.
     *
     * @throws CorruptArtifactException listing the bad lines (up to 10) with their line numbers
     */
    public static List<Sample> read(Path file) throws IOException {
        List<Sample> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int bad = 0;
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String problem = null;
                try {
                    JsonNode n = Json.parse(line);
                    if (!n.isObject()) {
                        problem = "expected a JSON object, got " + n.getNodeType();
                    } else {
                        JsonNode id = n.get("task_id");
                        JsonNode c = n.get("completion");
                        if (id == null || !id.isTextual() || id.asText().isBlank()) {
                            problem = "missing or non-string 'task_id'";
                        } else if (c == null || !c.isTextual()) {
                            problem = "missing or non-string 'completion'";
                        } else {
                            out.add(new Sample(id.asText(), c.asText(), (ObjectNode) n, lineNo));
                        }
                    }
                } catch (RuntimeException e) {
                    problem = "not valid JSON (" + HumanEval.firstLine(e.getMessage()) + ")";
                }
                if (problem != null) {
                    bad++;
                    if (errors.size() < 10) {
                        errors.add("line " + lineNo + ": " + problem);
                    }
                }
            }
        }
        if (bad > 0) {
            throw new CorruptArtifactException(
                    file,
                    bad + " malformed sample line" + (bad == 1 ? "" : "s") + ": " + String.join("; ", errors)
                            + (bad > errors.size() ? "; ..." : ""));
        }
        return out;
    }

    /** Writes samples as JSONL (their original rows), replacing {@code file}. */
    public static void write(Path file, List<Sample> samples) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Sample s : samples) {
                w.write(Json.toLine(s.row()));
                w.write('\n');
            }
        }
    }

    /** Appends one sample line and flushes (used by resumable generation). */
    public static void append(Path file, Sample s) throws IOException {
        Files.writeString(
                file,
                Json.toLine(s.row()) + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
