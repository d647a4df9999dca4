package dev.kiln.train.runs;

import dev.kiln.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * {@code compare.html}: several runs' curves overlaid (same charts as the run page, one colour per
 * run, optional TensorBoard-style smoothing with the raw curve kept faint underneath), above a
 * table of the configuration keys whose values differ and a table of each run's final metrics.
 *
 * <pre>{@code
 * Path page = RunComparison.builder()
 *         .addRun(Run.open(Path.of("runs/lr-1e-3")))
 *         .addRun(Run.open(Path.of("runs/lr-3e-4")))
 *         .optSmoothing(0.6)
 *         .build()
 *         .write(Path.of("compare.html"));
 * }</pre>
 */
public final class RunComparison {

    private final List<Run> runs;
    private final double smoothing;

    private RunComparison(Builder b) {
        this.runs = List.copyOf(b.runs);
        this.smoothing = b.smoothing;
    }

    /** A builder; at least one run is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The runs compared, in colour order. */
    public List<Run> runs() {
        return runs;
    }

    /** Configuration keys whose values differ between the runs, each run's value in order ("" when absent). */
    public Map<String, List<String>> differingConfig() {
        TreeSet<String> keys = new TreeSet<>();
        runs.forEach(r -> keys.addAll(r.config().keySet()));
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String k : keys) {
            List<String> vals = new ArrayList<>();
            for (Run r : runs) {
                Object v = r.config().get(k);
                vals.add(v == null ? "" : String.valueOf(v));
            }
            if (vals.stream().distinct().count() > 1) {
                out.put(k, vals);
            }
        }
        return out;
    }

    /** Writes the page to {@code output}; returns it. */
    public Path write(Path output) throws IOException {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        AtomicFiles.writeString(output, render(output.toAbsolutePath().getParent()));
        return output;
    }

    /** The page; links to the runs' pages are made relative to {@code pageDir}. */
    public String render(Path pageDir) {
        List<ChartSet.Drawn> drawn = new ArrayList<>();
        List<String> labels = labels();
        for (int i = 0; i < runs.size(); i++) {
            drawn.add(new ChartSet.Drawn(runs.get(i), labels.get(i), Charts.PALETTE.get(i % Charts.PALETTE.size())));
        }
        StringBuilder sb = new StringBuilder(128 * 1024);
        Html.head(sb, "Kiln run comparison", 0);
        sb.append("<h1>Run comparison</h1><p class=\"sub\">")
                .append(runs.size())
                .append(" runs")
                .append(smoothing > 0 ? " &middot; smoothing " + smoothing + " (raw curves faint)" : "")
                .append(" &middot; solid: train, dashed: validation</p>");
        sb.append("<table class=\"runs\"><tr><th>run</th><th>directory</th><th>status</th><th>steps</th>")
                .append("<th>tokens</th><th>train loss</th><th>val loss (last)</th><th>val loss (best)</th>")
                .append("<th>tokens/s</th><th>step</th><th>MFU</th><th>HumanEval pass@1 (best)</th></tr>");
        for (ChartSet.Drawn d : drawn) {
            Run r = d.run();
            RunHistory h = r.history();
            long step = h.lastStep();
            sb.append("<tr><td><span class=\"swatch\" style=\"background:")
                    .append(d.color())
                    .append("\"></span>")
                    .append(Html.esc(d.label()))
                    .append("</td><td>");
            if (java.nio.file.Files.exists(r.dir().resolve(Run.REPORT))) {
                sb.append("<a href=\"")
                        .append(
                                pageDir == null
                                        ? Html.esc(r.dir().resolve(Run.REPORT).toString())
                                        : Html.href(pageDir, r.dir().resolve(Run.REPORT)))
                        .append("\"><code>")
                        .append(Html.esc(r.dir().toString()))
                        .append("</code></a>");
            } else {
                sb.append("<code>").append(Html.esc(r.dir().toString())).append("</code>");
            }
            sb.append("</td><td>").append(r.status()).append("</td>");
            cell(sb, step + (r.maxSteps() > 0 ? " / " + r.maxSteps() : ""));
            cell(sb, r.tokensPerStep() > 0 ? Html.count(step * r.tokensPerStep()) : "–");
            cell(sb, Html.num(h.series("loss").last()));
            cell(sb, Html.num(h.series("val_loss").last()));
            cell(sb, Html.num(h.series("val_loss").min()));
            cell(sb, Html.num(h.series("tokens_per_s").median()));
            cell(sb, Html.num(h.series("step_ms").median()) + " ms");
            double mfu = h.series("mfu").median();
            cell(sb, mfu > 0 ? Html.num(mfu * 100) + "%" : "–");
            double best = r.evals().stream()
                    .mapToDouble(EvalResult::passAt1)
                    .filter(Double::isFinite)
                    .max()
                    .orElse(Double.NaN);
            cell(sb, RunReport.pct(best));
            sb.append("</tr>");
        }
        sb.append("</table>");
        sb.append("<h2>Curves</h2><div class=\"charts\">");
        for (Charts.Chart c : ChartSet.charts(drawn)) {
            sb.append(Charts.figure(c, smoothing));
        }
        sb.append("</div><h2>Configuration differences</h2>");
        Map<String, List<String>> diff = differingConfig();
        if (diff.isEmpty()) {
            sb.append("<p>The runs' recorded configurations are identical.</p>");
        } else {
            sb.append("<table class=\"config-diff\"><tr><th>key</th>");
            for (ChartSet.Drawn d : drawn) {
                sb.append("<th><span class=\"swatch\" style=\"background:")
                        .append(d.color())
                        .append("\"></span>")
                        .append(Html.esc(d.label()))
                        .append("</th>");
            }
            sb.append("</tr>");
            for (Map.Entry<String, List<String>> e : diff.entrySet()) {
                sb.append("<tr><th><code>").append(Html.esc(e.getKey())).append("</code></th>");
                for (String v : e.getValue()) {
                    sb.append("<td>").append(Html.esc(v)).append("</td>");
                }
                sb.append("</tr>");
            }
            sb.append("</table>");
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static void cell(StringBuilder sb, String text) {
        sb.append("<td class=\"n\">").append(text).append("</td>");
    }

    /** Run names, made unique by their parent folders when two directories share a name. */
    List<String> labels() {
        List<String> out = new ArrayList<>();
        for (Run r : runs) {
            out.add(r.name());
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.indexOf(out.get(i)) != i || out.lastIndexOf(out.get(i)) != i) {
                List<String> fixed = new ArrayList<>();
                for (Run r : runs) {
                    Path p = r.dir().toAbsolutePath().normalize();
                    fixed.add(
                            p.getParent() == null ? p.toString() : p.getParent().getFileName() + "/" + p.getFileName());
                }
                return fixed;
            }
        }
        return out;
    }

    /** Builder: at least two runs; smoothing in [0, 1). */
    public static final class Builder {
        private final List<Run> runs = new ArrayList<>();
        private double smoothing;

        private Builder() {}

        /** Adds a run; each gets its own colour, in the order added. */
        public Builder addRun(Run run) {
            runs.add(Objects.requireNonNull(run, "run"));
            return this;
        }

        /** TensorBoard-style exponential smoothing weight in [0, 1); 0 (default) draws raw curves. */
        public Builder optSmoothing(double w) {
            if (!(w >= 0 && w < 1)) {
                throw new IllegalArgumentException("smoothing must be in [0, 1), got " + w);
            }
            this.smoothing = w;
            return this;
        }

        /** @throws IllegalArgumentException when no run was added */
        public RunComparison build() {
            if (runs.isEmpty()) {
                throw new IllegalArgumentException("a comparison needs at least one run (addRun)");
            }
            return new RunComparison(this);
        }
    }
}
