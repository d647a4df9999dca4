package dev.kiln.serve.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Appends playground ratings to a JSONL file, one object per line. */
public final class FeedbackLog {

    private static final int MAX_TEXT = 64 * 1024;
    private final Path file;

    public FeedbackLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Validates a rating body and appends it; returns the row written. */
    public Map<String, Object> append(JsonNode body, String modelId) throws IOException {
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest(null, "the feedback body must be a JSON object");
        }
        JsonNode r = body.get("rating");
        String rating;
        if (r != null && r.isTextual() && (r.asText().equals("up") || r.asText().equals("down"))) {
            rating = r.asText();
        } else if (r != null && r.isIntegralNumber() && (r.asInt() == 1 || r.asInt() == -1)) {
            rating = r.asInt() == 1 ? "up" : "down";
        } else {
            throw ApiError.badRequest("rating", "'rating' must be \"up\" or \"down\" (or 1 / -1)");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("time", Instant.now().toString());
        row.put("model", modelId);
        row.put("rating", rating);
        for (String f : new String[] {"prompt", "suffix", "completion", "completion_id"}) {
            JsonNode v = body.get(f);
            if (v == null || v.isNull()) {
                row.put(f, null);
            } else if (!v.isTextual() || v.asText().length() > MAX_TEXT) {
                throw ApiError.badRequest(f, "'" + f + "' must be a string of at most " + MAX_TEXT + " characters");
            } else {
                row.put(f, v.asText());
            }
        }
        JsonNode lat = body.get("latency_ms");
        if (lat != null && !lat.isNull()) {
            if (!lat.isNumber() || !(lat.asDouble() >= 0) || Double.isInfinite(lat.asDouble())) {
                throw ApiError.badRequest("latency_ms", "'latency_ms' must be a number >= 0");
            }
            row.put("latency_ms", lat.asDouble());
        }
        byte[] line = (Json.toLine(row) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        }
        return row;
    }
}
