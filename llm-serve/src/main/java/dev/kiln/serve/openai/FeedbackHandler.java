package dev.kiln.serve.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.io.Json;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/feedback}: validates a playground rating and appends it to a JSONL file, one
 * object per line; 404 {@code feedback_disabled} when the server has no feedback file.
 */
final class FeedbackHandler implements Handler {

    private static final int MAX_TEXT = 64 * 1024;
    private final Path file;
    private final ServingState state;
    private final RequestBody reader;

    /** {@code file} null disables the route. */
    FeedbackHandler(Path file, ServingState state, RequestBody reader) {
        this.file = file;
        this.state = state;
        this.reader = reader;
    }

    @Override
    public void handle(Context ctx) throws IOException {
        if (file == null) {
            throw ApiError.notFound(
                    "feedback_disabled", "feedback is not enabled on this server (start it with a feedback file)");
        }
        ServingState.Loaded l = state.loaded();
        append(reader.read(ctx), l == null ? null : l.modelId());
        OpenAiHttp.json(ctx, 200, Map.of("status", "ok"));
    }

    /** Validates a rating body and appends it; returns the row written. */
    Map<String, Object> append(JsonNode body, String modelId) throws IOException {
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
