package dev.kiln.train.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one optimizer step measured.
 *
 * @param step the step just completed (1-based)
 * @param loss mean training loss of the step's micro-batches (nats/token)
 * @param lr learning rate used
 * @param gradNorm global gradient norm before clipping
 * @param tokensPerSecond training throughput of this step
 * @param mfu model FLOPs utilisation against the configured peak (0 when unknown)
 * @param stepMillis wall time of the step
 * @param heapBytes Java heap in use
 * @param residentBytes process resident set (native memory included), 0 when unknown
 * @param nativeArrays NDArrays alive in the model's scope (constant in a healthy run)
 */
public record StepMetrics(
        long step,
        double loss,
        double lr,
        double gradNorm,
        double tokensPerSecond,
        double mfu,
        double stepMillis,
        long heapBytes,
        long residentBytes,
        int nativeArrays) {

    /** JSON-shaped, for {@code metrics.jsonl}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("loss", loss);
        m.put("lr", lr);
        m.put("grad_norm", gradNorm);
        m.put("tokens_per_s", tokensPerSecond);
        m.put("mfu", mfu);
        m.put("step_ms", stepMillis);
        m.put("heap_bytes", heapBytes);
        m.put("rss_bytes", residentBytes);
        m.put("native_arrays", nativeArrays);
        return m;
    }
}
