package dev.kiln.serve.openai;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models}: the one served model in OpenAI's list shape, with vLLM's {@code
 * max_model_len} and whether it takes a {@code suffix} (fill-in-the-middle).
 */
record ModelsHandler(ServingState state) implements Handler {

    @Override
    public void handle(Context ctx) {
        ServingState.Loaded l = state.requireReady();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", l.modelId());
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "kiln");
        m.put("max_model_len", l.model().contextLength());
        m.put("fim", l.fim() != null);
        OpenAiHttp.json(ctx, 200, Map.of("object", "list", "data", List.of(m)));
    }
}
