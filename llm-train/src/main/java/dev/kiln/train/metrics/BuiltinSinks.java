package dev.kiln.train.metrics;

import dev.kiln.core.io.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in sinks {@code jsonl} and {@code console}; {@code html} (the run page) is {@link
 * dev.kiln.train.runs.RunPageSink}, {@code tensorboard} is {@link TensorBoardSink}.
 */
public final class BuiltinSinks {

    private BuiltinSinks() {}

    /**
     * Appends one JSON line per step and eval to {@code metrics.jsonl}, and writes the run's
     * description ({@link RunInfo}) to {@code run.json} when training starts.
     */
    public static final class Jsonl implements MetricsSink, MetricsSinkProvider {
        private BufferedWriter out;
        private Path dir;
        private int flushInterval = 10;

        /** The provider's instance, found through {@link java.util.ServiceLoader}. */
        public Jsonl() {}

        private Jsonl(Path dir, int flushInterval) {
            this.dir = dir;
            this.flushInterval = Math.max(1, flushInterval);
            try {
                Files.createDirectories(dir);
                Path file = dir.resolve("metrics.jsonl");
                boolean torn = false;
                if (Files.exists(file) && Files.size(file) > 0) {
                    try (var ch = Files.newByteChannel(file)) {
                        ch.position(ch.size() - 1);
                        java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
                        ch.read(last);
                        torn = last.get(0) != '\n';
                    }
                }
                out = Files.newBufferedWriter(
                        dir.resolve("metrics.jsonl"),
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                if (torn) {
                    out.write('\n'); // a run killed mid-line: keep the fragment on a line of its own
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot open " + dir.resolve("metrics.jsonl"), e);
            }
        }

        @Override
        public String name() {
            return "jsonl";
        }

        @Override
        public MetricsSink create(Path runDir, Map<String, String> options) {
            return new Jsonl(runDir, MetricsSinkProvider.logInterval(options));
        }

        @Override
        public void onStart(RunInfo info) throws IOException {
            Json.write(dir.resolve("run.json"), info.toMap());
        }

        @Override
        public void onStep(StepMetrics m) throws IOException {
            out.write(Json.toLine(m.toMap()));
            out.write('\n');
            if (m.step() % flushInterval == 0) {
                out.flush(); // readers (llm runs list, a live page elsewhere) see whole lines
            }
        }

        @Override
        public void onEval(long step, double valLoss) throws IOException {
            out.write(Json.toLine(Map.of("step", step, "val_loss", valLoss)));
            out.write('\n');
            out.flush();
        }

        @Override
        public void onCheckpoint(long step, Path dir) throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            }
        }
    }

    /** Logs a progress line every {@code interval} steps (SLF4J, logger {@code dev.kiln.train.progress}). */
    public static final class Console implements MetricsSink, MetricsSinkProvider {
        private static final Logger LOG = LoggerFactory.getLogger("dev.kiln.train.progress");
        private final int interval;

        /** A line every 10 steps. */
        public Console() {
            this(10);
        }

        /** A line every {@code interval} steps (at least 1). */
        public Console(int interval) {
            this.interval = Math.max(1, interval);
        }

        @Override
        public String name() {
            return "console";
        }

        @Override
        public MetricsSink create(Path runDir, Map<String, String> options) {
            return new Console(MetricsSinkProvider.logInterval(options));
        }

        @Override
        public void onStep(StepMetrics m) {
            if (m.step() % interval == 0 || m.step() == 1) {
                LOG.info(String.format(
                        Locale.ROOT,
                        "step %d | loss %.4f | lr %.2e | grad-norm %.3f | %.0f tok/s | mfu %.2f%% | %.1f ms | rss %d MB",
                        m.step(),
                        m.loss(),
                        m.lr(),
                        m.gradNorm(),
                        m.tokensPerSecond(),
                        m.mfu() * 100,
                        m.stepMillis(),
                        m.residentBytes() >> 20));
            }
        }

        @Override
        public void onEval(long step, double valLoss) {
            LOG.info(String.format(Locale.ROOT, "step %d | val loss %.4f", step, valLoss));
        }
    }
}
