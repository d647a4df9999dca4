package dev.kiln.serve.openai;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /health} (the process is up: a liveness probe) and {@code GET /ready} (the model is
 * loaded and completions are accepted: a readiness probe, 503 while loading, after a failure and
 * while shutting down).
 */
record HealthHandler(ServingState state) {

    void live(Context ctx) {
        OpenAiHttp.json(ctx, 200, Map.of("status", "ok"));
    }

    void ready(Context ctx) {
        ServingState.Loaded l = state.loaded();
        if (l != null && state.accepting()) {
            OpenAiHttp.json(ctx, 200, Map.of("status", "ready", "model", l.modelId()));
            return;
        }
        String error = state.loadErrorMessage();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", !state.accepting() ? "shutting_down" : error != null ? "failed" : "loading");
        if (error != null) {
            m.put("error", error);
        }
        OpenAiHttp.json(ctx, 503, m);
    }
}
