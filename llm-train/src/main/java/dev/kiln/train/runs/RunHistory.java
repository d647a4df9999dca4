package dev.kiln.train.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.CorruptArtifactException;
import dev.kiln.core.io.JsonLines;
import dev.kiln.train.metrics.StepMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of a run by step, in bounded memory: each metric keeps at most {@link #MAX_POINTS}
 * points; past that, neighbouring points are averaged in pairs and later steps go into buckets of
 * the doubled width, so a million-step run costs the same as a four-thousand-step one. A step at
 * or before the last one recorded (a run resumed from an earlier checkpoint) first drops the
 * points from that step on, as TensorBoard purges orphaned data.
 *
 * <pre>{@code
 * RunHistory h = RunHistory.read(runDir.resolve("metrics.jsonl"));
 * double lastLoss = h.series("loss").last();
 * }</pre>
 */
public final class RunHistory {

    /** Points kept per metric. */
    public static final int MAX_POINTS = 2048;

    /** The metrics of {@code metrics.jsonl} in chart order. */
    public static final List<String> METRICS = List.of(
            "loss",
            "val_loss",
            "lr",
            "grad_norm",
            "tokens_per_s",
            "mfu",
            "step_ms",
            "rss_bytes",
            "heap_bytes",
            "native_arrays");

    private final Map<String, Buckets> metrics = new LinkedHashMap<>();
    private long lastStep;

    /** An empty history, filled by reading {@code metrics.jsonl}. */
    public RunHistory() {
        METRICS.forEach(m -> metrics.put(m, new Buckets()));
    }

    /**
     * Reads a {@code metrics.jsonl}. A line cut short (a run still writing, or killed mid-write) is
     * skipped; any other line that is not a JSON object with an integer {@code step} is an error.
     */
    public static RunHistory read(Path metricsJsonl) throws IOException {
        RunHistory h = new RunHistory();
        if (!Files.exists(metricsJsonl)) {
            return h;
        }
        try (BufferedReader r = Files.newBufferedReader(metricsJsonl, StandardCharsets.UTF_8)) {
            JsonLines.read(
                    r,
                    (no, n) -> {
                        if (!n.isObject() || !n.path("step").canConvertToLong()) {
                            throw new CorruptArtifactException(
                                    metricsJsonl, "line " + no + " has no integer 'step': " + abbreviate(n.toString()));
                        }
                        h.addLine(n);
                    },
                    (no, line, e) -> {
                        String t = line.strip();
                        if (!(t.startsWith("{") && !t.endsWith("}"))) {
                            // a line torn by a crash mid-write is skipped (the jsonl sink starts a fresh line on
                            // resume)
                            throw new CorruptArtifactException(
                                    metricsJsonl, "line " + no + " is not a JSON object: " + abbreviate(line));
                        }
                    });
        }
        return h;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private void addLine(JsonNode n) {
        long step = n.path("step").asLong();
        if (n.has("loss")) {
            rewind(step);
            for (String m : METRICS) {
                JsonNode v = n.get(m);
                if (v != null && v.isNumber() && !m.equals("val_loss")) {
                    metrics.get(m).add(step, v.asDouble());
                }
            }
            lastStep = step;
        } else if (n.has("val_loss")) {
            addEval(step, n.path("val_loss").asDouble(Double.NaN));
        }
    }

    /** Records one optimizer step. */
    public void addStep(StepMetrics m) {
        rewind(m.step());
        long s = m.step();
        metrics.get("loss").add(s, m.loss());
        metrics.get("lr").add(s, m.lr());
        metrics.get("grad_norm").add(s, m.gradNorm());
        metrics.get("tokens_per_s").add(s, m.tokensPerSecond());
        metrics.get("mfu").add(s, m.mfu());
        metrics.get("step_ms").add(s, m.stepMillis());
        metrics.get("rss_bytes").add(s, m.residentBytes());
        metrics.get("heap_bytes").add(s, m.heapBytes());
        metrics.get("native_arrays").add(s, m.nativeArrays());
        lastStep = s;
    }

    /** Records a validation loss. */
    public void addEval(long step, double valLoss) {
        Buckets b = metrics.get("val_loss");
        b.dropFrom(step);
        b.add(step, valLoss);
    }

    /** Drops every point at or after {@code step} (the run went back to an earlier checkpoint). */
    public void rewind(long step) {
        if (step <= lastStep) {
            metrics.values().forEach(b -> b.dropFrom(step));
            lastStep = step - 1;
        }
    }

    /** The last step recorded (0 when none). */
    public long lastStep() {
        return lastStep;
    }

    /** A snapshot of one metric (see {@link #METRICS}). */
    public Series series(String metric) {
        Buckets b = metrics.get(metric);
        if (b == null) {
            throw new IllegalArgumentException("unknown metric '" + metric + "' (known: " + METRICS + ")");
        }
        return b.snapshot(metric);
    }

    /** Pairwise-averaging buckets over primitive arrays. */
    private static final class Buckets {
        private final double[] sumX = new double[MAX_POINTS];
        private final double[] sumY = new double[MAX_POINTS];
        private final long[] lastX = new long[MAX_POINTS];
        private final int[] count = new int[MAX_POINTS];
        private int size;
        private int width = 1;

        void add(long step, double value) {
            if (size > 0 && count[size - 1] < width) {
                int i = size - 1;
                sumX[i] += step;
                sumY[i] += value;
                lastX[i] = step;
                count[i]++;
                return;
            }
            if (size == MAX_POINTS) {
                halve();
            }
            sumX[size] = step;
            sumY[size] = value;
            lastX[size] = step;
            count[size] = 1;
            size++;
        }

        private void halve() {
            int n = 0;
            for (int i = 0; i < size; i += 2) {
                int j = Math.min(i + 1, size - 1);
                if (j == i) {
                    sumX[n] = sumX[i];
                    sumY[n] = sumY[i];
                    lastX[n] = lastX[i];
                    count[n] = count[i];
                } else {
                    sumX[n] = sumX[i] + sumX[j];
                    sumY[n] = sumY[i] + sumY[j];
                    lastX[n] = lastX[j];
                    count[n] = count[i] + count[j];
                }
                n++;
            }
            size = n;
            width *= 2;
        }

        void dropFrom(long step) {
            while (size > 0 && lastX[size - 1] >= step) {
                size--;
            }
        }

        Series snapshot(String metric) {
            double[] x = new double[size];
            double[] y = new double[size];
            for (int i = 0; i < size; i++) {
                x[i] = sumX[i] / count[i];
                y[i] = sumY[i] / count[i];
            }
            return new Series(metric, x, y);
        }
    }
}
