package dev.kiln.train.metrics;

import static dev.kiln.core.Checks.requireArgument;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code tensorboard} metrics sink: writes {@code events.out.tfevents.*} into the run
 * directory (a new file per session, as TensorFlow does), so {@code tensorboard --logdir runs/}
 * and W&amp;B's TensorBoard sync open Kiln runs. Tags: {@code train/loss}, {@code train/lr},
 * {@code train/grad_norm}, {@code val/loss}, {@code perf/tokens_per_s}, {@code perf/step_ms},
 * {@code perf/mfu} (when {@code metrics.peak_flops} is set), {@code memory/rss_mib}, {@code
 * memory/heap_mib}, {@code memory/native_arrays}; the x axis is the optimizer step. Flushed every
 * log interval, after validation and checkpoints.
 *
 * <pre>{@code
 * metrics: {sinks: "console,jsonl,html,tensorboard"}
 * }</pre>
 */
public final class TensorBoardSink implements MetricsSink, MetricsSinkProvider {

    private final Path dir;
    private final int interval;
    private final Map<String, Double> values = new LinkedHashMap<>();
    private TfEventsWriter writer;

    /** The provider (ServiceLoader). */
    public TensorBoardSink() {
        this(null, 10);
    }

    /** A sink writing event files into {@code runDir}, flushed every {@code logInterval} steps. */
    public TensorBoardSink(Path runDir, int logInterval) {
        requireArgument(logInterval >= 1, "log_interval must be >= 1, got %s", logInterval);
        this.dir = runDir;
        this.interval = logInterval;
    }

    @Override
    public String name() {
        return "tensorboard";
    }

    @Override
    public MetricsSink create(Path runDir, Map<String, String> options) {
        return new TensorBoardSink(runDir, MetricsSinkProvider.logInterval(options));
    }

    private TfEventsWriter writer() throws IOException {
        if (writer == null) {
            writer = TfEventsWriter.create(dir);
        }
        return writer;
    }

    @Override
    public void onStart(RunInfo info) throws IOException {
        writer().sessionStart(info.resumedFrom() + 1);
        writer.flush();
    }

    @Override
    public void onStep(StepMetrics m) throws IOException {
        values.clear();
        values.put("train/loss", m.loss());
        values.put("train/lr", m.lr());
        values.put("train/grad_norm", m.gradNorm());
        values.put("perf/tokens_per_s", m.tokensPerSecond());
        values.put("perf/step_ms", m.stepMillis());
        if (m.mfu() > 0) {
            values.put("perf/mfu", m.mfu());
        }
        values.put("memory/rss_mib", m.residentBytes() / (double) (1 << 20));
        values.put("memory/heap_mib", m.heapBytes() / (double) (1 << 20));
        values.put("memory/native_arrays", (double) m.nativeArrays());
        writer().scalars(m.step(), values);
        if (m.step() % interval == 0) {
            writer.flush();
        }
    }

    @Override
    public void onEval(long step, double valLoss) throws IOException {
        writer().scalars(step, Map.of("val/loss", valLoss));
        writer.flush();
    }

    @Override
    public void onCheckpoint(long step, Path ckpt) throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
