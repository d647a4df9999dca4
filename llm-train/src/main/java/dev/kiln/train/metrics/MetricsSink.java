package dev.kiln.train.metrics;

import java.io.IOException;

/**
 * Receives training metrics: the console line, {@code metrics.jsonl} and {@code report.html} are
 * sinks; a Weights &amp; Biases or MLflow sink implements this interface and registers a {@link
 * MetricsSinkProvider} in {@code META-INF/services/dev.kiln.train.metrics.MetricsSinkProvider}.
 *
 * <pre>{@code
 * Trainer.builder()...optMetricsSink(m -> System.out.println(m.loss())).build();
 * }</pre>
 */
public interface MetricsSink extends AutoCloseable {

    /** Once when {@code fit()} starts (after any resume), before the first step. */
    default void onStart(RunInfo info) throws IOException {}

    /** After every optimizer step. */
    void onStep(StepMetrics metrics) throws IOException;

    /** After a validation pass. */
    default void onEval(long step, double valLoss) throws IOException {}

    /** After a checkpoint was committed. */
    default void onCheckpoint(long step, java.nio.file.Path dir) throws IOException {}

    @Override
    default void close() throws IOException {}
}
