package dev.kiln.serve.openai;

import dev.kiln.serve.metrics.ServeMetrics;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/** {@code GET /metrics}: the Prometheus text exposition (format 0.0.4). */
record MetricsHandler(ServeMetrics metrics) implements Handler {

    @Override
    public void handle(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
        ctx.result(metrics.exposition());
    }
}
