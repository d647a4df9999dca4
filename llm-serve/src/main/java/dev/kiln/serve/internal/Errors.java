package dev.kiln.serve.internal;

import dev.kiln.core.io.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** OpenAI's error body. */
public final class Errors {

    private Errors() {}

    public static byte[] json(ApiError e) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        return Json.toLine(Map.of("error", err)).getBytes(StandardCharsets.UTF_8);
    }
}
