package dev.kiln.train.runs;

import java.util.Locale;

/** The page shell shared by the run page and the comparison: inline CSS, escaping, number formats. */
final class Html {

    private Html() {}

    static final String CSS = "body{font-family:system-ui,sans-serif;margin:1.5em 2em;color:#222;max-width:1240px}"
            + "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}"
            + ".sub{color:#666;margin-top:0}.live{color:#fff;background:#2ca02c;border-radius:3px;padding:1px 6px;"
            + "font-size:.8em}.charts{display:flex;flex-wrap:wrap;gap:8px}"
            + "figure.chart{margin:0;border:1px solid #e3e3e3;border-radius:4px;padding:6px 4px}"
            + "figcaption{font-weight:600;font-size:.9em;margin:0 0 2px 8px}.legend{font-weight:400;color:#555}"
            + ".key{margin-left:10px}.key i{display:inline-block;width:16px;height:0;margin:0 4px 3px 0}"
            + "svg.plot{display:block}svg .frame{fill:none;stroke:#bbb}svg .grid{stroke:#eee}"
            + "svg text{font-size:10.5px;fill:#444}svg .label{font-size:11.5px;fill:#222}"
            + "svg .line{stroke-width:1.6}svg .raw{stroke-width:1;opacity:.25}svg .empty{fill:#999;font-size:13px}"
            + ".note{color:#777;font-size:.8em;margin:2px 8px}"
            + "table{border-collapse:collapse;font-size:.88em;margin:.4em 0}td,th{border:1px solid #ddd;"
            + "padding:3px 8px;text-align:left;vertical-align:top}th{background:#f6f6f6}td.n{text-align:right;"
            + "font-variant-numeric:tabular-nums}.cols{display:flex;flex-wrap:wrap;gap:24px}"
            + "code{font-size:.92em}.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;"
            + "margin-right:5px}";

    /** The document head; {@code refreshSeconds} > 0 adds a meta refresh (a live run). */
    static void head(StringBuilder sb, String title, int refreshSeconds) {
        sb.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        if (refreshSeconds > 0) {
            sb.append("<meta http-equiv=\"refresh\" content=\"")
                    .append(refreshSeconds)
                    .append("\">");
        }
        sb.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<meta name=\"generator\" content=\"Kiln\"><title>")
                .append(esc(title))
                .append("</title><style>")
                .append(CSS)
                .append("</style></head><body>");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A metric value: 4 significant digits, "–" for NaN. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        if (v != 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    static String count(long v) {
        if (v >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2fB", v / 1e9);
        }
        if (v >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 10_000L) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return Long.toString(v);
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }

    /** A relative link from a page in {@code from} to {@code target} (absolute when on another root). */
    static String href(java.nio.file.Path from, java.nio.file.Path target) {
        try {
            java.nio.file.Path rel = from.toAbsolutePath()
                    .normalize()
                    .relativize(target.toAbsolutePath().normalize());
            return esc(rel.toString().replace('\\', '/'));
        } catch (IllegalArgumentException e) {
            return esc(target.toUri().toString());
        }
    }
}
