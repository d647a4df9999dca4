package dev.kiln.core.progress;

import java.util.Locale;

/**
 * Where a task stands.
 *
 * @param task the task's name
 * @param unit what is counted ({@code docs}, {@code tokens}, {@code steps} ...)
 * @param done units done
 * @param total units in all, or -1 when unknown
 * @param bytes bytes processed (0 when not counted)
 * @param elapsedNanos time since the start
 * @param finished whether the task has ended
 */
public record ProgressSnapshot(
        String task, String unit, long done, long total, long bytes, long elapsedNanos, boolean finished) {

    /** Units per second since the start. */
    public double rate() {
        return elapsedNanos <= 0 ? 0 : done * 1e9 / elapsedNanos;
    }

    /** Bytes per second since the start. */
    public double bytesPerSecond() {
        return elapsedNanos <= 0 ? 0 : bytes * 1e9 / elapsedNanos;
    }

    /** Estimated seconds left, or -1 when unknown. */
    public double etaSeconds() {
        if (total < 0 || done <= 0) {
            return -1;
        }
        return Math.max(0, (total - done) / rate());
    }

    /** A fraction in [0, 1], or -1 when the total is unknown. */
    public double fraction() {
        return total <= 0 ? (total == 0 ? 1 : -1) : Math.min(1.0, done / (double) total);
    }

    /** One human line: {@code tokenize: 1,200/5,000 docs (24%) 310 docs/s 12.5 MB/s ETA 12s}. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(task).append(": ").append(String.format(Locale.ROOT, "%,d", done));
        if (total >= 0) {
            sb.append('/').append(String.format(Locale.ROOT, "%,d", total));
        }
        sb.append(' ').append(unit);
        if (total > 0) {
            sb.append(String.format(Locale.ROOT, " (%d%%)", (int) Math.floor(fraction() * 100)));
        }
        sb.append(String.format(Locale.ROOT, " %s %s/s", compact(rate()), unit));
        if (bytes > 0) {
            sb.append(String.format(Locale.ROOT, " %.1f MB/s", bytesPerSecond() / 1e6));
        }
        if (finished) {
            sb.append(" in ").append(duration(elapsedNanos / 1e9));
        } else if (etaSeconds() >= 0) {
            sb.append(" ETA ").append(duration(etaSeconds()));
        }
        return sb.toString();
    }

    static String compact(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }
}
