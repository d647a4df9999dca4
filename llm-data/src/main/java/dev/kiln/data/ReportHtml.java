package dev.kiln.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link PipelineReport} as one self-contained HTML page with inline SVG charts. */
final class ReportHtml {

    private ReportHtml() {}

    private static final String[] PALETTE = {
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"
    };

    static String render(PipelineReport r, String title) {
        StringBuilder h = new StringBuilder(32 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(esc(title))
                .append("</title>\n<style>\n")
                .append(
                        "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}\n")
                .append(
                        "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}\n")
                .append(
                        ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:#f6f8fa;border-radius:8px;padding:.8em 1.2em;min-width:140px}\n")
                .append(".card b{display:block;font-size:1.5em}.card span{color:#666;font-size:.85em}\n")
                .append(
                        "table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .8em;border-bottom:1px solid #eee;text-align:left}\n")
                .append(
                        "td.n{text-align:right;font-variant-numeric:tabular-nums}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5em}\n")
                .append("svg text{font-size:12px;fill:#333}code{background:#f3f3f3;padding:0 .3em;border-radius:3px}\n")
                .append("</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");

        long errors = r.errorsTotal();
        long dropped = r.droppedTotal();
        h.append("<div class=\"cards\">")
                .append(card("input documents", num(r.inputDocuments())))
                .append(card("input size", bytes(r.inputBytes())))
                .append(card("kept documents", num(r.keptDocuments())))
                .append(card("kept size", bytes(r.keptBytes())))
                .append(card("dropped", num(dropped)))
                .append(card("errors", num(errors)))
                .append(card(
                        "kept share",
                        r.inputDocuments() == 0
                                ? "-"
                                : String.format(Locale.ROOT, "%.1f%%", 100.0 * r.keptDocuments() / r.inputDocuments())))
                .append("</div>\n");

        h.append("<h2>Funnel: documents after each stage</h2>\n");
        Map<String, Long> funnel = new LinkedHashMap<>();
        funnel.put("input", r.inputDocuments());
        int i = 0;
        for (PipelineReport.StageReport s : r.stages()) {
            funnel.put((i++) + ". " + s.name(), s.kept());
        }
        h.append(bars(funnel, false));
        h.append(
                "<table><tr><th>stage</th><th>in</th><th>kept</th><th>dropped (by reason)</th><th>errors</th><th>kept with a note</th></tr>\n");
        for (PipelineReport.StageReport s : r.stages()) {
            h.append("<tr><td><code>")
                    .append(esc(s.name()))
                    .append("</code></td><td class=\"n\">")
                    .append(num(s.in()))
                    .append("</td><td class=\"n\">")
                    .append(num(s.kept()))
                    .append("</td><td>")
                    .append(esc(inline(s.dropped())))
                    .append("</td><td>")
                    .append(esc(inline(s.errors())))
                    .append("</td><td>")
                    .append(esc(inline(s.notes())))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        Map<String, Long> unchecked = new LinkedHashMap<>();
        for (PipelineReport.StageReport s : r.stages()) {
            if (s.name().equals("parsable")) {
                s.notes().forEach((k, v) -> {
                    if (k.startsWith("unchecked:")) {
                        unchecked.merge(k.substring("unchecked:".length()), v, Long::sum);
                    }
                });
            }
        }
        if (!unchecked.isEmpty()) {
            h.append("<h2>Not checked by <code>parsable</code> (kept documents by language)</h2>\n")
                    .append(bars(top(unchecked, 20), false));
        }

        h.append("<div class=\"grid\"><div><h2>Languages (kept documents)</h2>\n");
        Map<String, Long> langDocs = new LinkedHashMap<>();
        Map<String, Long> langBytes = new LinkedHashMap<>();
        r.languages().forEach((k, v) -> {
            langDocs.put(k, v.documents());
            langBytes.put(k, v.bytes());
        });
        h.append(bars(top(langDocs, 20), false));
        h.append("</div><div><h2>Languages (kept bytes)</h2>\n").append(bars(top(langBytes, 20), true));
        h.append("</div></div>\n");

        h.append("<div class=\"grid\"><div><h2>Licenses (kept documents)</h2>\n")
                .append(bars(top(r.licenses(), 20), false))
                .append("</div><div><h2>Dropped and errors by reason</h2>\n");
        Map<String, Long> reasons = new LinkedHashMap<>(r.dropped());
        r.errors().forEach((k, v) -> reasons.put("error " + k, v));
        h.append(bars(top(reasons, 25), false)).append("</div></div>\n");
        if (!r.pii().isEmpty()) {
            h.append("<div class=\"grid\"><div><h2>PII redacted (spans in kept documents)</h2>\n")
                    .append(bars(r.pii(), false))
                    .append("</div></div>\n");
        }

        h.append("<div class=\"grid\">");
        for (Map.Entry<String, Map<String, Long>> e : r.histograms().entrySet()) {
            h.append("<div><h2>")
                    .append(esc(e.getKey().replace('_', ' ')))
                    .append(" (kept documents)</h2>\n")
                    .append(columns(e.getValue()))
                    .append("</div>");
        }
        h.append("</div>\n");

        h.append("<h2>Sources</h2>\n<table><tr><th>source</th><th>input</th><th>kept</th></tr>\n");
        r.sources()
                .forEach((k, v) -> h.append("<tr><td><code>")
                        .append(esc(k))
                        .append("</code></td><td class=\"n\">")
                        .append(num(v.documents()))
                        .append("</td><td class=\"n\">")
                        .append(num(v.bytes()))
                        .append("</td></tr>\n"));
        h.append("</table>\n");

        if (!r.examples().isEmpty()) {
            h.append(
                    "<h2>Examples of each drop and error reason</h2>\n<table><tr><th>reason</th><th>first item</th><th>detail</th></tr>\n");
            r.examples()
                    .forEach((k, v) -> h.append("<tr><td><code>")
                            .append(esc(k))
                            .append("</code></td><td>")
                            .append(esc(v.path()))
                            .append("</td><td>")
                            .append(esc(v.detail() == null ? "" : v.detail()))
                            .append("</td></tr>\n"));
            h.append("</table>\n");
        }
        h.append(
                        "<p style=\"color:#888;font-size:.8em\">Generated by Kiln. Invariant: input = kept + dropped + errors = ")
                .append(num(r.keptDocuments()))
                .append(" + ")
                .append(num(dropped))
                .append(" + ")
                .append(num(errors))
                .append(" = ")
                .append(num(r.keptDocuments() + dropped + errors))
                .append(".</p>\n</body></html>\n");
        return h.toString();
    }

    private static String inline(Map<String, Long> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) ->
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(num(v)));
        return sb.toString();
    }

    private static Map<String, Long> top(Map<String, Long> m, int n) {
        List<Map.Entry<String, Long>> es = new java.util.ArrayList<>(m.entrySet());
        es.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        Map<String, Long> out = new LinkedHashMap<>();
        long other = 0;
        for (int i = 0; i < es.size(); i++) {
            if (i < n) {
                out.put(es.get(i).getKey(), es.get(i).getValue());
            } else {
                other += es.get(i).getValue();
            }
        }
        if (other > 0) {
            out.put("(other)", other);
        }
        return out;
    }

    /** The largest value, at least 1 (a chart's scale). */
    private static long max(Iterable<Long> values) {
        long max = 1;
        for (long v : values) {
            max = Math.max(max, v);
        }
        return max;
    }

    /** An open {@code <svg>} element of the given size that scales down with the page. */
    private static StringBuilder svgOpen(int w, int h) {
        return new StringBuilder()
                .append(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" style=\"max-width:100%;height:auto\" width=\"")
                .append(w)
                .append("\" height=\"")
                .append(h)
                .append("\" viewBox=\"0 0 ")
                .append(w)
                .append(' ')
                .append(h)
                .append("\">");
    }

    /** Horizontal bars. */
    static String bars(Map<String, Long> data, boolean asBytes) {
        if (data.isEmpty()) {
            return "<p><i>none</i></p>\n";
        }
        int rowH = 22;
        int labelW = 170;
        int barW = 250;
        int w = labelW + barW + 90;
        int hgt = rowH * data.size() + 6;
        long max = max(data.values());
        StringBuilder s = svgOpen(w, hgt);
        int y = 3;
        int i = 0;
        for (Map.Entry<String, Long> e : data.entrySet()) {
            int bw = (int) Math.max(e.getValue() > 0 ? 1 : 0, Math.round((double) e.getValue() / max * barW));
            String label = e.getKey().length() > 30 ? e.getKey().substring(0, 29) + "…" : e.getKey();
            s.append("<text x=\"")
                    .append(labelW - 6)
                    .append("\" y=\"")
                    .append(y + 15)
                    .append("\" text-anchor=\"end\">")
                    .append(esc(label))
                    .append("<title>")
                    .append(esc(e.getKey()))
                    .append("</title></text>");
            s.append("<rect x=\"")
                    .append(labelW)
                    .append("\" y=\"")
                    .append(y + 2)
                    .append("\" width=\"")
                    .append(bw)
                    .append("\" height=\"")
                    .append(rowH - 6)
                    .append("\" fill=\"")
                    .append(PALETTE[i++ % PALETTE.length])
                    .append("\" rx=\"2\"/>");
            s.append("<text x=\"")
                    .append(labelW + bw + 5)
                    .append("\" y=\"")
                    .append(y + 15)
                    .append("\">")
                    .append(asBytes ? bytes(e.getValue()) : num(e.getValue()))
                    .append("</text>");
            y += rowH;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** Vertical columns (histograms). */
    static String columns(Map<String, Long> data) {
        int colW = 66;
        int plotH = 160;
        int w = colW * data.size() + 10;
        int hgt = plotH + 40;
        long max = max(data.values());
        StringBuilder s = svgOpen(w, hgt);
        int x = 5;
        for (Map.Entry<String, Long> e : data.entrySet()) {
            int bh = (int) Math.round((double) e.getValue() / max * (plotH - 20));
            s.append("<rect x=\"")
                    .append(x + 4)
                    .append("\" y=\"")
                    .append(plotH - bh)
                    .append("\" width=\"")
                    .append(colW - 8)
                    .append("\" height=\"")
                    .append(bh)
                    .append("\" fill=\"#4e79a7\" rx=\"2\"/>");
            s.append("<text x=\"")
                    .append(x + colW / 2)
                    .append("\" y=\"")
                    .append(plotH - bh - 4)
                    .append("\" text-anchor=\"middle\">")
                    .append(num(e.getValue()))
                    .append("</text>");
            s.append("<text x=\"")
                    .append(x + colW / 2)
                    .append("\" y=\"")
                    .append(plotH + 16)
                    .append("\" text-anchor=\"middle\">")
                    .append(esc(e.getKey()))
                    .append("</text>");
            x += colW;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String card(String label, String value) {
        return "<div class=\"card\"><b>" + esc(value) + "</b><span>" + esc(label) + "</span></div>";
    }

    static String num(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '&':
                    sb.append("&amp;");
                    break;
                case '"':
                    sb.append("&quot;");
                    break;
                default:
                    sb.append(c);
            }
        }
        return sb.toString();
    }
}
