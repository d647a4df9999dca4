package dev.kiln.eval.report;

import dev.kiln.eval.EvalSummary;
import dev.kiln.eval.Problem;
import dev.kiln.eval.ProblemSet;
import dev.kiln.eval.Sample;
import dev.kiln.eval.exec.ExecOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders an evaluation as one self-contained HTML page (no scripts or external files): the
 * summary, failures grouped by kind and reason, and a per-problem table.
 *
 * <pre>{@code
 * String html = HtmlReport.render(problems, samples, outcomes, summary);
 * }</pre>
 */
public final class HtmlReport {

    private HtmlReport() {}

    /**
     * The report page: pass@k, then each problem's samples with their outcome and failure detail.
     *
     * @param outcomes one per sample, in the same order as {@code samples}
     */
    public static String render(
            ProblemSet problems, List<Sample> samples, List<ExecOutcome> outcomes, EvalSummary summary) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Kiln eval: ")
                .append(esc(problems.name()))
                .append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;")
                .append("text-align:left;vertical-align:top}th{background:#f3f3f3}")
                .append(".pass{color:#176f2c}.fail{color:#a11}.num{text-align:right;font-variant-numeric:tabular-nums}")
                .append("code{font-size:90%}\n</style></head><body>\n");
        h.append("<h1>HumanEval (").append(esc(summary.language())).append(")</h1>\n");
        h.append("<p>Problems: <b>")
                .append(esc(problems.name()))
                .append("</b>; ")
                .append(summary.problems())
                .append(" evaluated, ")
                .append(summary.samples())
                .append(" samples (at least ")
                .append(summary.n())
                .append(" per problem).</p>\n");
        h.append("<p>Isolation: <b>")
                .append(esc(summary.isolation().isEmpty() ? "unknown" : summary.isolation()))
                .append("</b></p>\n");
        if (summary.partial()) {
            h.append("<p class=\"fail\"><b>Partial run</b>: ")
                    .append(summary.problems())
                    .append(" of ")
                    .append(summary.problemsInSet())
                    .append(" problems have samples; pass@k is over those only (coverage ")
                    .append(String.format(Locale.ROOT, "%.1f%%", 100.0 * summary.problems() / summary.problemsInSet()))
                    .append(").</p>\n");
        }
        if (!summary.promptTooLong().isEmpty()) {
            h.append("<p class=\"fail\">Prompt longer than the model's context (not generated, counted as failed): ")
                    .append(esc(String.join(", ", summary.promptTooLong())))
                    .append("</p>\n");
        }
        h.append("<table><tr><th>metric</th><th>value</th></tr>\n");
        summary.toJson().forEach((k, v) -> {
            if (k.startsWith("pass@")) {
                h.append("<tr><td>")
                        .append(k)
                        .append("</td><td class=\"num\">")
                        .append(String.format(Locale.ROOT, "%.4f", (Double) v))
                        .append("</td></tr>\n");
            }
        });
        summary.outcomes()
                .forEach((k, v) -> h.append("<tr><td>")
                        .append(esc(k))
                        .append("</td><td class=\"num\">")
                        .append(v)
                        .append("</td></tr>\n"));
        h.append("</table>\n");

        // Failures grouped by kind, then by reason.
        Map<String, Map<String, List<String>>> groups = new TreeMap<>();
        for (int i = 0; i < samples.size(); i++) {
            ExecOutcome o = outcomes.get(i);
            if (o.passed()) {
                continue;
            }
            String kind = o.status().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            String reason = reason(o);
            groups.computeIfAbsent(kind, k -> new TreeMap<>())
                    .computeIfAbsent(reason, k -> new java.util.ArrayList<>())
                    .add(samples.get(i).taskId());
        }
        h.append("<h2>Failures by kind</h2>\n");
        if (groups.isEmpty()) {
            h.append("<p>None.</p>\n");
        }
        groups.forEach((kind, reasons) -> {
            int total = reasons.values().stream().mapToInt(List::size).sum();
            h.append("<h3>")
                    .append(esc(kind))
                    .append(" (")
                    .append(total)
                    .append(")</h3>\n<table>")
                    .append("<tr><th>reason</th><th>samples</th><th>tasks</th></tr>\n");
            reasons.entrySet().stream()
                    .sorted((a, b) -> b.getValue().size() - a.getValue().size())
                    .forEach(e -> {
                        List<String> tasks = e.getValue().stream().distinct().toList();
                        h.append("<tr><td><code>")
                                .append(esc(e.getKey()))
                                .append("</code></td><td class=\"num\">")
                                .append(e.getValue().size())
                                .append("</td><td>")
                                .append(esc(String.join(", ", tasks.subList(0, Math.min(20, tasks.size())))))
                                .append(tasks.size() > 20 ? ", ..." : "")
                                .append("</td></tr>\n");
                    });
            h.append("</table>\n");
        });

        // Per problem.
        Map<String, int[]> perTask = new LinkedHashMap<>();
        Map<String, String> firstFailure = new LinkedHashMap<>();
        for (int i = 0; i < samples.size(); i++) {
            String id = samples.get(i).taskId();
            int[] nc = perTask.computeIfAbsent(id, k -> new int[2]);
            nc[0]++;
            if (outcomes.get(i).passed()) {
                nc[1]++;
            } else {
                firstFailure.putIfAbsent(id, outcomes.get(i).result());
            }
        }
        h.append("<h2>Problems</h2>\n<table><tr><th>task</th><th>entry point</th><th>samples</th><th>passed</th>")
                .append("<th>pass rate</th><th>first failure</th></tr>\n");
        for (Problem p : problems.problems()) {
            int[] nc = perTask.get(p.taskId());
            if (nc == null) {
                continue;
            }
            h.append("<tr><td>")
                    .append(esc(p.taskId()))
                    .append("</td><td><code>")
                    .append(esc(p.entryPoint() == null ? "" : p.entryPoint()))
                    .append("</code></td><td class=\"num\">")
                    .append(nc[0])
                    .append("</td><td class=\"num ")
                    .append(nc[1] > 0 ? "pass" : "fail")
                    .append("\">")
                    .append(nc[1])
                    .append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.2f", nc[1] / (double) nc[0]))
                    .append("</td><td><code>")
                    .append(esc(firstFailure.getOrDefault(p.taskId(), "")))
                    .append("</code></td></tr>\n");
        }
        h.append("</table>\n<p><small>Generated by Kiln.</small></p>\n</body></html>\n");
        return h.toString();
    }

    /** The reason for grouping: the exception type (before ':') or the whole detail. */
    private static String reason(ExecOutcome o) {
        String d = o.detail();
        if (d.isEmpty()) {
            return o.result();
        }
        int colon = d.indexOf(':');
        if (o.status() == ExecOutcome.Status.FAILED && colon > 0 && !d.startsWith("line ")) {
            return d.substring(0, colon);
        }
        return d.length() > 120 ? d.substring(0, 120) + "..." : d;
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
