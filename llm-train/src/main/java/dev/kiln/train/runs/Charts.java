package dev.kiln.train.runs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line charts as inline SVG with labelled axes and "nice" ticks (1, 2, 5 x 10^k), drawn
 * server-side so a report needs no script and no network.
 */
final class Charts {

    /** Tableau 10: one colour per run in comparisons. */
    static final List<String> PALETTE = List.of(
            "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf");

    static final int WIDTH = 560;
    static final int HEIGHT = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 12;
    private static final int BOTTOM = 44;

    /** How a y value is printed on the axis. */
    enum Unit {
        PLAIN,
        PERCENT,
        MIB
    }

    /** One line of a chart; {@code smooth}: noisy, so smoothing applies (not to schedules or memory). */
    record Line(String label, String color, Series series, boolean dashed, boolean smooth) {

        Line(String label, String color, Series series, boolean dashed) {
            this(label, color, series, dashed, false);
        }
    }

    /** A chart: id (for tests and links), title, axis labels and lines. */
    record Chart(String id, String title, String xLabel, String yLabel, Unit unit, List<Line> lines, String note) {}

    private Charts() {}

    /** The figure: title, legend and SVG. {@code smoothing} > 0 draws raw lines faint under smoothed ones. */
    static String figure(Chart c, double smoothing) {
        StringBuilder sb = new StringBuilder();
        sb.append("<figure class=\"chart\" id=\"chart-").append(c.id()).append("\">");
        sb.append("<figcaption>").append(Html.esc(c.title()));
        if (c.lines().size() > 1) {
            sb.append(" <span class=\"legend\">");
            for (Line l : c.lines()) {
                sb.append("<span class=\"key\"><i style=\"border-top:3px ")
                        .append(l.dashed() ? "dashed " : "solid ")
                        .append(l.color())
                        .append("\"></i>")
                        .append(Html.esc(l.label()))
                        .append("</span>");
            }
            sb.append("</span>");
        }
        sb.append("</figcaption>");
        sb.append(svg(c, smoothing));
        if (c.note() != null) {
            sb.append("<p class=\"note\">").append(Html.esc(c.note())).append("</p>");
        }
        return sb.append("</figure>").toString();
    }

    static String svg(Chart c, double smoothing) {
        if (c.unit() == Unit.MIB) {
            List<Line> scaled = new ArrayList<>();
            for (Line l : c.lines()) {
                double[] y = l.series().values().clone();
                for (int i = 0; i < y.length; i++) {
                    y[i] /= 1 << 20;
                }
                scaled.add(new Line(
                        l.label(),
                        l.color(),
                        new Series(l.series().metric(), l.series().steps(), y),
                        l.dashed(),
                        l.smooth()));
            }
            c = new Chart(c.id(), c.title(), c.xLabel(), c.yLabel(), Unit.PLAIN, scaled, c.note());
        }
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (Line l : c.lines()) {
            Series s = l.series();
            for (int i = 0; i < s.size(); i++) {
                double y = s.values()[i];
                if (Double.isFinite(y)) {
                    minX = Math.min(minX, s.steps()[i]);
                    maxX = Math.max(maxX, s.steps()[i]);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        boolean empty = minX == Double.POSITIVE_INFINITY;
        if (empty) {
            minX = 0;
            maxX = 1;
            minY = 0;
            maxY = 1;
        }
        if (minY > 0 && minY < (maxY - minY) * 0.25) {
            minY = 0; // Anchor near-zero ranges at zero.
        }
        if (maxX == minX) { // one step: centre it
            minX = Math.max(0, minX - 1);
            maxX = maxX + 1;
        }
        double[] xt = ticks(minX, maxX);
        if (maxY == minY) { // a flat line sits mid-chart (at the bottom of [0, 1] when it is 0)
            double d = minY == 0 ? 1 : Math.abs(minY) * 0.1;
            minY = minY >= 0 && minY - d < 0 ? 0 : minY - d;
            maxY = maxY + d;
        }
        double[] yt = ticks(minY, maxY);
        double x0 = xt[0];
        double x1 = xt[xt.length - 1];
        double y0 = yt[0];
        double y1 = yt[yt.length - 1];
        int pw = WIDTH - LEFT - RIGHT;
        int ph = HEIGHT - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder(4096);
        sb.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " role=\"img\" aria-label=\"%s\">",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT,
                Html.esc(c.title())));
        sb.append(String.format(
                Locale.ROOT,
                "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
                LEFT,
                TOP,
                pw,
                ph));
        double xStep = xt.length > 1 ? xt[1] - xt[0] : 1;
        sb.append("<g class=\"axis x\">");
        for (double t : xt) {
            double px = LEFT + (t - x0) / (x1 - x0) * pw;
            sb.append(String.format(
                    Locale.ROOT,
                    "<g class=\"tick\"><line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text></g>",
                    px,
                    TOP,
                    px,
                    TOP + ph + 4,
                    px,
                    TOP + ph + 16,
                    label(t, xStep, Unit.PLAIN)));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text></g>",
                LEFT + pw / 2,
                HEIGHT - 6,
                Html.esc(c.xLabel())));
        double yStep = yt.length > 1 ? yt[1] - yt[0] : 1;
        sb.append("<g class=\"axis y\">");
        for (double t : yt) {
            double py = TOP + ph - (t - y0) / (y1 - y0) * ph;
            sb.append(String.format(
                    Locale.ROOT,
                    "<g class=\"tick\"><line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text></g>",
                    LEFT - 4,
                    py,
                    LEFT + pw,
                    py,
                    LEFT - 6,
                    py + 3.5,
                    label(t, yStep, c.unit())));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<text class=\"label\" transform=\"translate(12,%d) rotate(-90)\" text-anchor=\"middle\">%s</text></g>",
                TOP + ph / 2,
                Html.esc(c.yLabel())));
        if (empty) {
            sb.append(String.format(
                    Locale.ROOT,
                    "<text class=\"empty\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                    LEFT + pw / 2,
                    TOP + ph / 2,
                    c.note() != null ? "not reported" : "no data yet"));
        }
        for (Line l : c.lines()) {
            if (smoothing > 0 && l.smooth() && l.series().size() > 2) {
                sb.append(polyline(l.series(), l, "raw", x0, x1, y0, y1, pw, ph));
                sb.append(polyline(l.series().smoothed(smoothing), l, "line", x0, x1, y0, y1, pw, ph));
            } else {
                sb.append(polyline(l.series(), l, "line", x0, x1, y0, y1, pw, ph));
            }
        }
        return sb.append("</svg>").toString();
    }

    private static String polyline(
            Series s, Line l, String cls, double x0, double x1, double y0, double y1, int pw, int ph) {
        StringBuilder pts = new StringBuilder();
        int n = 0;
        double lastX = 0;
        double lastY = 0;
        for (int i = 0; i < s.size(); i++) {
            double y = s.values()[i];
            if (!Double.isFinite(y)) {
                continue;
            }
            lastX = LEFT + (s.steps()[i] - x0) / (x1 - x0) * pw;
            lastY = TOP + ph - (y - y0) / (y1 - y0) * ph;
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", lastX, lastY));
            n++;
        }
        if (n == 0) {
            return "";
        }
        if (n == 1) { // one point (a single validation): a dot
            return String.format(
                    Locale.ROOT,
                    "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s</title></circle>",
                    cls,
                    lastX,
                    lastY,
                    l.color(),
                    Html.esc(l.label()));
        }
        return "<polyline class=\"" + cls + "\" fill=\"none\" stroke=\"" + l.color() + "\""
                + (l.dashed() ? " stroke-dasharray=\"5 3\"" : "") + " points=\""
                + pts.toString().strip()
                + "\"><title>" + Html.esc(l.label()) + "</title></polyline>";
    }

    /** Ticks covering [lo, hi] at a 1-2-5 step, about five of them, the outer ones enclosing the data. */
    static double[] ticks(double lo, double hi) {
        if (!(hi > lo)) {
            throw new IllegalArgumentException("tick range must be increasing, got [" + lo + ", " + hi + "]");
        }
        double raw = (hi - lo) / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
        double start = Math.floor(lo / step + 1e-9) * step;
        double end = Math.ceil(hi / step - 1e-9) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = start + i * step;
            if (Math.abs(t[i]) < step * 1e-9) {
                t[i] = 0;
            }
        }
        return t;
    }

    /** A tick label: k/M/G suffixes for large values, enough decimals for the step, % or MiB units. */
    static String label(double v, double step, Unit unit) {
        if (unit == Unit.PERCENT) {
            return num(v * 100, step * 100) + "%";
        }
        if (unit == Unit.MIB) {
            return num(v / (1 << 20), step / (1 << 20));
        }
        return num(v, step);
    }

    private static String num(double v, double step) {
        double a = Math.abs(v);
        if (v == 0) {
            return "0";
        }
        if (Math.abs(step) < 1e-3) {
            return String.format(Locale.ROOT, "%.1e", v).replace(".0e", "e");
        }
        if (a >= 1e9) {
            return trim(v / 1e9, step / 1e9) + "G";
        }
        if (a >= 1e6) {
            return trim(v / 1e6, step / 1e6) + "M";
        }
        if (a >= 1e3) {
            return trim(v / 1e3, step / 1e3) + "k";
        }
        return trim(v, step);
    }

    private static String trim(double v, double step) {
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(Math.abs(step)) - 1e-9));
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        if (s.indexOf('.') >= 0) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }
}
