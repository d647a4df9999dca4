package dev.kiln.train.runs;

import dev.kiln.core.io.AtomicFiles;
import dev.kiln.train.metrics.RunInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The run page, {@code report.html}: one self-contained file (inline CSS and SVG, no script, no
 * network) with the curves (loss by step and by tokens, learning rate, gradient norm, tokens/s,
 * MFU, step time, memory, live native arrays), the checkpoints with the HumanEval results recorded
 * against them, the resolved configuration and the provenance. The {@code html} metrics sink
 * rewrites it at every log interval with a meta refresh while the run is live.
 *
 * <pre>{@code
 * RunReport.write(Run.open(Path.of("runs/tiny")));   // re-render from the files
 * }</pre>
 */
public final class RunReport {

    private RunReport() {}

    /** Re-renders {@code report.html} of a finished run from its files; returns the page's path. */
    public static Path write(Run run) throws IOException {
        Path out = run.dir().resolve(Run.REPORT);
        AtomicFiles.writeString(out, render(run, 0));
        return out;
    }

    /**
     * The page; {@code refreshSeconds} > 0 marks the run live and makes the browser reload the
     * page at that period.
     */
    public static String render(Run run, int refreshSeconds) {
        Objects.requireNonNull(run, "run");
        StringBuilder sb = new StringBuilder(64 * 1024);
        Html.head(sb, run.name() + " - Kiln run", refreshSeconds);
        RunHistory h = run.history();
        long step = h.lastStep();
        sb.append("<h1>").append(Html.esc(run.name()));
        if (refreshSeconds > 0) {
            sb.append(" <span class=\"live\" title=\"this page reloads every ")
                    .append(refreshSeconds)
                    .append(" s\">live</span>");
        }
        sb.append("</h1><p class=\"sub\">step ").append(step);
        if (run.maxSteps() > 0) {
            sb.append(" of ").append(run.maxSteps());
        }
        if (run.tokensPerStep() > 0) {
            sb.append(" &middot; ")
                    .append(Html.count(step * run.tokensPerStep()))
                    .append(" tokens");
        }
        sb.append(" &middot; updated ")
                .append(run.updatedAt().truncatedTo(ChronoUnit.SECONDS))
                .append(" &middot; <code>")
                .append(Html.esc(run.dir().toAbsolutePath().normalize().toString()))
                .append("</code></p>");
        summary(sb, run);
        sb.append("<h2>Curves</h2><div class=\"charts\">");
        for (Charts.Chart c : ChartSet.charts(List.of(new ChartSet.Drawn(run, run.name(), Charts.PALETTE.get(0))))) {
            sb.append(Charts.figure(c, 0));
        }
        sb.append("</div>");
        checkpoints(sb, run);
        evals(sb, run);
        run.info().ifPresent(info -> config(sb, info));
        sb.append("<p class=\"note\">Written by Kiln. metrics.jsonl holds every step; compare runs with"
                + " <code>llm runs compare</code>.</p></body></html>\n");
        return sb.toString();
    }

    private static void summary(StringBuilder sb, Run run) {
        RunHistory h = run.history();
        Series loss = h.series("loss");
        Series val = h.series("val_loss");
        sb.append("<table class=\"summary\"><tr><th>train loss</th><th>val loss (last)</th><th>val loss (best)</th>")
                .append("<th>tokens/s (median)</th><th>step (median)</th><th>MFU (median)</th><th>peak RSS</th>")
                .append("<th>parameters</th></tr><tr>");
        cell(sb, Html.num(loss.last()));
        cell(sb, Html.num(val.last()));
        cell(sb, Html.num(val.min()));
        cell(sb, Html.num(h.series("tokens_per_s").median()));
        cell(sb, Html.num(h.series("step_ms").median()) + " ms");
        double mfu = h.series("mfu").median();
        cell(sb, mfu > 0 ? Html.num(mfu * 100) + "%" : "–");
        double rss = 0;
        for (double v : h.series("rss_bytes").values()) {
            rss = Math.max(rss, v);
        }
        cell(sb, rss > 0 ? Html.bytes((long) rss) : "–");
        cell(sb, run.info().map(i -> Html.count(i.parameters())).orElse("–"));
        sb.append("</tr></table>");
    }

    private static void cell(StringBuilder sb, String text) {
        sb.append("<td class=\"n\">").append(text).append("</td>");
    }

    private static void checkpoints(StringBuilder sb, Run run) {
        sb.append("<h2>Checkpoints</h2>");
        if (run.checkpoints().isEmpty()) {
            sb.append("<p>none on disk yet</p>");
            return;
        }
        sb.append("<table class=\"checkpoints\"><tr><th>step</th><th>directory</th><th>train loss</th>")
                .append("<th>val loss</th><th>tokens</th><th>size</th><th>saved</th><th>HumanEval pass@1</th></tr>");
        for (Run.Checkpoint c : run.checkpoints()) {
            sb.append("<tr><td class=\"n\">")
                    .append(c.step())
                    .append("</td><td><a href=\"")
                    .append(Html.href(run.dir(), c.dir()))
                    .append("\"><code>")
                    .append(Html.esc(run.dir()
                            .toAbsolutePath()
                            .normalize()
                            .relativize(c.dir().toAbsolutePath().normalize())
                            .toString()))
                    .append("</code></a></td>");
            cell(sb, Html.num(c.loss()));
            cell(sb, Html.num(c.valLoss()));
            cell(sb, Html.count(c.tokensSeen()));
            cell(sb, Html.bytes(c.bytes()));
            sb.append("<td>")
                    .append(c.savedAt().truncatedTo(ChronoUnit.SECONDS))
                    .append("</td><td>");
            String sep = "";
            for (EvalResult e : run.evals()) {
                if (same(e.checkpoint(), c.dir())) {
                    sb.append(sep)
                            .append(Html.esc(e.language()))
                            .append(" <b>")
                            .append(pct(e.passAt1()))
                            .append("</b>");
                    sep = "<br>";
                }
            }
            sb.append("</td></tr>");
        }
        sb.append("</table>");
    }

    static boolean same(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    static String pct(double v) {
        return Double.isFinite(v) ? String.format(java.util.Locale.ROOT, "%.1f%%", v * 100) : "–";
    }

    private static void evals(StringBuilder sb, Run run) {
        if (run.evals().isEmpty()) {
            return;
        }
        sb.append("<h2>Evaluations</h2><table class=\"evals\"><tr><th>checkpoint</th><th>step</th>")
                .append("<th>benchmark</th><th>language</th><th>pass@k</th><th>problems</th><th>samples</th>")
                .append("<th>report</th><th>when</th></tr>");
        for (EvalResult e : run.evals()) {
            sb.append("<tr><td><code>")
                    .append(Html.esc(e.checkpoint().toString()))
                    .append("</code></td><td class=\"n\">")
                    .append(e.step())
                    .append("</td><td>")
                    .append(Html.esc(e.benchmark()))
                    .append("</td><td>")
                    .append(Html.esc(e.language()))
                    .append("</td><td>");
            String sep = "";
            for (Map.Entry<String, Double> p : e.passAtK().entrySet()) {
                sb.append(sep).append(Html.esc(p.getKey())).append(" ").append(pct(p.getValue()));
                sep = ", ";
            }
            sb.append("</td><td class=\"n\">")
                    .append(e.problems())
                    .append("</td><td class=\"n\">")
                    .append(e.samples())
                    .append("</td><td><a href=\"")
                    .append(Html.href(run.dir(), e.evalDir().resolve("report.html")))
                    .append("\">report</a></td><td>")
                    .append(e.at())
                    .append("</td></tr>");
        }
        sb.append("</table>");
    }

    private static void config(StringBuilder sb, RunInfo info) {
        sb.append("<div class=\"cols\"><div><h2>Configuration</h2><table class=\"config\">");
        for (Map.Entry<String, Object> e : info.config().entrySet()) {
            row(sb, e.getKey(), String.valueOf(e.getValue()));
        }
        sb.append("</table></div><div><h2>Model</h2><table class=\"model\">");
        row(sb, "parameters", Long.toString(info.parameters()));
        for (Map.Entry<String, Object> e : info.model().entrySet()) {
            row(sb, e.getKey(), String.valueOf(e.getValue()));
        }
        sb.append("</table><h2>Provenance</h2><table class=\"provenance\">");
        row(sb, "device", info.device());
        row(sb, "precision", info.precision());
        row(sb, "seed", Long.toString(info.seed()));
        row(sb, "tokens per step", Long.toString(info.tokensPerStep()));
        row(sb, "started", info.startedAt().toString());
        row(sb, "resumed from step", Long.toString(info.resumedFrom()));
        row(
                sb,
                "checkpoints",
                info.saveFolder() == null ? "not saved" : info.saveFolder().toString());
        for (String in : info.inputs()) {
            row(sb, "input", in);
        }
        for (Map.Entry<String, String> v : info.versions().entrySet()) {
            row(sb, v.getKey(), v.getValue());
        }
        sb.append("</table></div></div>");
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("<tr><th><code>")
                .append(Html.esc(k))
                .append("</code></th><td>")
                .append(Html.esc(v))
                .append("</td></tr>");
    }

    /** Seconds between reloads of a live page: about one log interval, within [2, 60]. */
    static int refreshSeconds(double stepMillis, int logInterval) {
        double s = stepMillis * logInterval / 1000;
        return (int) Math.max(2, Math.min(60, Math.ceil(Double.isFinite(s) ? s : 5)));
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }
}
