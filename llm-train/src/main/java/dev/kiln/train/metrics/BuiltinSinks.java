package dev.kiln.train.metrics;

import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The built-in sinks: {@code jsonl}, {@code html} and {@code console}. */
public final class BuiltinSinks {

    private BuiltinSinks() {}

    /** Appends one JSON line per step and eval to {@code metrics.jsonl}. */
    public static final class Jsonl implements MetricsSink, MetricsSinkProvider {
        private BufferedWriter out;

        public Jsonl() {}

        private Jsonl(Path dir) {
            try {
                Files.createDirectories(dir);
                out = Files.newBufferedWriter(
                        dir.resolve("metrics.jsonl"),
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
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
            return new Jsonl(runDir);
        }

        @Override
        public void onStep(StepMetrics m) throws IOException {
            out.write(Json.toLine(m.toMap()));
            out.write('\n');
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

        public Console() {
            this(10);
        }

        public Console(int interval) {
            this.interval = Math.max(1, interval);
        }

        @Override
        public String name() {
            return "console";
        }

        @Override
        public MetricsSink create(Path runDir, Map<String, String> options) {
            return new Console(Integer.parseInt(options.getOrDefault("log_interval", "10")));
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

    /** {@code report.html}: loss and learning-rate curves as inline SVG, rewritten at each checkpoint and at the end. */
    public static final class Html implements MetricsSink, MetricsSinkProvider {
        private final Path dir;
        private final List<double[]> train = new ArrayList<>();
        private final List<double[]> val = new ArrayList<>();
        private final List<double[]> lr = new ArrayList<>();

        public Html() {
            this.dir = null;
        }

        private Html(Path dir) {
            this.dir = dir;
        }

        @Override
        public String name() {
            return "html";
        }

        @Override
        public MetricsSink create(Path runDir, Map<String, String> options) {
            return new Html(runDir);
        }

        @Override
        public void onStep(StepMetrics m) {
            train.add(new double[] {m.step(), m.loss()});
            lr.add(new double[] {m.step(), m.lr()});
        }

        @Override
        public void onEval(long step, double valLoss) {
            val.add(new double[] {step, valLoss});
        }

        @Override
        public void onCheckpoint(long step, Path ckpt) throws IOException {
            write();
        }

        @Override
        public void close() throws IOException {
            write();
        }

        private void write() throws IOException {
            StringBuilder sb = new StringBuilder();
            sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Kiln training report</title>")
                    .append("<style>body{font-family:sans-serif;margin:2em}svg{border:1px solid #ccc;margin:1em 0}")
                    .append(".t{stroke:#1f77b4}.v{stroke:#d62728}.l{stroke:#2ca02c}</style></head><body>")
                    .append("<h1>Training report</h1>");
            if (!train.isEmpty()) {
                double[] last = train.get(train.size() - 1);
                sb.append(String.format(Locale.ROOT, "<p>step %d, train loss %.4f", (long) last[0], last[1]));
                if (!val.isEmpty()) {
                    sb.append(String.format(Locale.ROOT, ", val loss %.4f", val.get(val.size() - 1)[1]));
                }
                sb.append("</p>");
            }
            sb.append("<h2>Loss (blue: train, red: validation)</h2>");
            sb.append(svg(List.of(train, val), new String[] {"t", "v"}));
            sb.append("<h2>Learning rate</h2>");
            sb.append(svg(List.of(lr), new String[] {"l"}));
            sb.append("</body></html>\n");
            AtomicFiles.writeString(dir.resolve("report.html"), sb.toString());
        }

        static String svg(List<List<double[]>> series, String[] classes) {
            int w = 640;
            int h = 240;
            int pad = 40;
            double minX = Double.MAX_VALUE;
            double maxX = -Double.MAX_VALUE;
            double minY = Double.MAX_VALUE;
            double maxY = -Double.MAX_VALUE;
            for (List<double[]> s : series) {
                for (double[] p : s) {
                    if (Double.isFinite(p[1])) {
                        minX = Math.min(minX, p[0]);
                        maxX = Math.max(maxX, p[0]);
                        minY = Math.min(minY, p[1]);
                        maxY = Math.max(maxY, p[1]);
                    }
                }
            }
            StringBuilder sb = new StringBuilder();
            sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                    .append(w)
                    .append("\" height=\"")
                    .append(h)
                    .append("\">");
            if (minX == Double.MAX_VALUE) {
                return sb.append("<text x=\"10\" y=\"20\">no data</text></svg>").toString();
            }
            if (maxX == minX) {
                maxX = minX + 1;
            }
            if (maxY == minY) {
                maxY = minY + 1e-9;
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x=\"2\" y=\"%d\" font-size=\"10\">%.3g</text><text x=\"2\" y=\"%d\" font-size=\"10\">%.3g</text>"
                            + "<text x=\"%d\" y=\"%d\" font-size=\"10\">step %d</text>",
                    pad,
                    maxY,
                    h - pad,
                    minY,
                    w - 90,
                    h - 5,
                    (long) maxX));
            for (int i = 0; i < series.size(); i++) {
                sb.append("<polyline fill=\"none\" stroke-width=\"1.5\" class=\"")
                        .append(classes[i])
                        .append("\" points=\"");
                for (double[] p : series.get(i)) {
                    if (!Double.isFinite(p[1])) {
                        continue;
                    }
                    double x = pad + (p[0] - minX) / (maxX - minX) * (w - 2 * pad);
                    double y = h - pad - (p[1] - minY) / (maxY - minY) * (h - 2 * pad);
                    sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                }
                sb.append("\"/>");
            }
            return sb.append("</svg>").toString();
        }
    }
}
