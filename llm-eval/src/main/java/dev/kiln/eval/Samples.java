package dev.kiln.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.Json;
import dev.kiln.core.io.JsonLines;
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
        int[] bad = {0};
        JsonLines.NotJson malformed = (lineNo, line, problem) -> {
            bad[0]++;
            if (errors.size() < 10) {
                errors.add("line " + lineNo + ": " + problem.getMessage());
            }
        };
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            JsonLines.read(
                    r,
                    (lineNo, n) -> {
                        String problem = sampleProblem(n);
                        if (problem == null) {
                            out.add(new Sample(
                                    n.get("task_id").asText(),
                                    n.get("completion").asText(),
                                    (ObjectNode) n,
                                    lineNo));
                        } else {
                            malformed.accept(lineNo, null, new IllegalArgumentException(problem));
                        }
                    },
                    (lineNo, line, e) -> malformed.accept(
                            lineNo,
                            line,
                            new IllegalArgumentException(
                                    "not valid JSON (" + HumanEval.firstLine(e.getMessage()) + ")")));
        }
        if (bad[0] > 0) {
            throw new CorruptArtifactException(
                    file,
                    bad[0] + " malformed sample line" + (bad[0] == 1 ? "" : "s") + ": " + String.join("; ", errors)
                            + (bad[0] > errors.size() ? "; ..." : ""));
        }
        return out;
    }

    /** Why a row is not a sample, or {@code null} when it is one. */
    private static String sampleProblem(JsonNode n) {
        if (!n.isObject()) {
            return "expected a JSON object, got " + n.getNodeType();
        }
        JsonNode id = n.get("task_id");
        JsonNode c = n.get("completion");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            return "missing or non-string 'task_id'";
        }
        if (c == null || !c.isTextual()) {
            return "missing or non-string 'completion'";
        }
        return null;
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
