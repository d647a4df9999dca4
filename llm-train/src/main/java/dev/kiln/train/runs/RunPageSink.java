package dev.kiln.train.runs;

import static dev.kiln.core.Checks.requireArgument;

import dev.kiln.core.io.AtomicFiles;
import dev.kiln.train.metrics.MetricsSink;
import dev.kiln.train.metrics.MetricsSinkProvider;
import dev.kiln.train.metrics.RunInfo;
import dev.kiln.train.metrics.StepMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The {@code html} metrics sink: keeps the run's curves in a {@link RunHistory} (seeded from
 * {@code metrics.jsonl} on resume) and rewrites {@code report.html} at every log interval (at most
 * once a second), after each validation and checkpoint, and at the end. While the run is live the
 * page reloads itself about once per log interval; the last write drops the reload.
 *
 * <pre>{@code
 * Trainer.builder()...optMetricsSink(new RunPageSink(Path.of("runs/tiny"), 10)).build();
 * // or by name: metrics: {sinks: "console,jsonl,html"}
 * }</pre>
 */
public final class RunPageSink implements MetricsSink, MetricsSinkProvider {

    private static final long MIN_WRITE_NANOS = 1_000_000_000L;

    private final Path dir;
    private final int interval;
    private RunHistory history = new RunHistory();
    private RunInfo info;
    private double lastStepMillis = Double.NaN;
    private long lastWrite;

    /** The provider (ServiceLoader). */
    public RunPageSink() {
        this(null, 10);
    }

    /** A sink writing {@code report.html} into {@code runDir}, refreshed every {@code logInterval} steps. */
    public RunPageSink(Path runDir, int logInterval) {
        requireArgument(logInterval >= 1, "log_interval must be >= 1, got %s", logInterval);
        this.dir = runDir;
        this.interval = logInterval;
    }

    @Override
    public String name() {
        return "html";
    }

    @Override
    public MetricsSink create(Path runDir, Map<String, String> options) {
        return new RunPageSink(runDir, MetricsSinkProvider.logInterval(options));
    }

    @Override
    public void onStart(RunInfo runInfo) throws IOException {
        this.info = runInfo;
        Files.createDirectories(dir);
        history = RunHistory.read(dir.resolve(Run.METRICS));
        history.rewind(runInfo.resumedFrom() + 1);
        write(true);
    }

    @Override
    public void onStep(StepMetrics m) throws IOException {
        history.addStep(m);
        lastStepMillis = m.stepMillis();
        if (m.step() % interval == 0 && System.nanoTime() - lastWrite >= MIN_WRITE_NANOS) {
            write(true);
        }
    }

    @Override
    public void onEval(long step, double valLoss) throws IOException {
        history.addEval(step, valLoss);
        write(true);
    }

    @Override
    public void onCheckpoint(long step, Path ckpt) throws IOException {
        write(true);
    }

    @Override
    public void close() throws IOException {
        if (dir != null && (info != null || history.lastStep() > 0)) {
            write(false);
        }
    }

    private void write(boolean live) throws IOException {
        Files.createDirectories(dir);
        Run run = new Run(
                dir, info, history, Run.checkpoints(dir, info), EvalResult.read(dir.resolve(Run.EVALS)), Instant.now());
        int refresh = live ? RunReport.refreshSeconds(lastStepMillis, interval) : 0;
        AtomicFiles.writeString(dir.resolve(Run.REPORT), RunReport.render(run, refresh));
        lastWrite = System.nanoTime();
    }
}
