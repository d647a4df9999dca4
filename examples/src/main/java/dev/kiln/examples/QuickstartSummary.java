package dev.kiln.examples;

import java.util.Locale;

/** The printable summary of a quickstart run: one line per stage with its time and report. */
final class QuickstartSummary {

    private QuickstartSummary() {}

    static String format(Quickstart.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("Kiln quickstart summary (").append(r.workdir()).append(")\n");
        double total = 0;
        for (Quickstart.StageResult s : r.stages()) {
            total += s.seconds();
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-10s %-8s %7.1f s  %s%n",
                    s.stage(),
                    s.skipped() ? "skipped" : "ran",
                    s.seconds(),
                    s.detail().replace("\n", "\n" + " ".repeat(33))));
            if (s.report() != null) {
                sb.append(String.format(Locale.ROOT, "  %-10s report: %s%n", "", s.report()));
            }
        }
        sb.append(String.format(Locale.ROOT, "  total %.1f s%n", total));
        return sb.toString();
    }
}
