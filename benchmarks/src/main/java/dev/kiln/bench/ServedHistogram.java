package dev.kiln.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Prometheus histogram as a server's {@code /metrics} exposes it: its bucket bounds and
 * cumulative counts (the last bucket {@code +Inf}). Two snapshots taken around a round give that
 * round's distribution ({@link #minus}), so a scenario can say how much of the gaps its clients
 * saw came from the server's side.
 *
 * @param name the metric, e.g. {@code kiln_token_delivery_seconds}
 * @param bounds the buckets' upper bounds in the metric's unit ({@code +Inf} last)
 * @param cumulative observations at or below each bound
 */
record ServedHistogram(String name, double[] bounds, long[] cumulative) {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Reads {@code name} from {@code base}'s {@code /metrics}. */
    static ServedHistogram read(URI base, String name) throws IOException, InterruptedException {
        return parse(ServeLoad.fetch(HTTP, base.resolve("/metrics")), name);
    }

    /** The histogram {@code name} in a Prometheus text exposition. */
    static ServedHistogram parse(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "_bucket\\{le=\"([^\"]+)\"} (\\d+)$")
                .matcher(exposition);
        List<Double> bounds = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        while (m.find()) {
            bounds.add(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)));
            counts.add(Long.parseLong(m.group(2)));
        }
        if (bounds.isEmpty() || bounds.getLast() != Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("no histogram " + name + " (with a +Inf bucket) in the exposition");
        }
        return new ServedHistogram(
                name,
                bounds.stream().mapToDouble(Double::doubleValue).toArray(),
                counts.stream().mapToLong(Long::longValue).toArray());
    }

    /** What was observed since {@code earlier} (a snapshot of the same histogram). */
    ServedHistogram minus(ServedHistogram earlier) {
        if (earlier.bounds.length != bounds.length) {
            throw new IllegalArgumentException(name + ": the snapshots have different buckets");
        }
        long[] c = new long[cumulative.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = cumulative[i] - earlier.cumulative[i];
        }
        return new ServedHistogram(name, bounds, c);
    }

    /** Observations in all. */
    long count() {
        return cumulative[cumulative.length - 1];
    }

    /**
     * The smallest bucket bound at or above quantile {@code q} (0 < q ≤ 1) of the observations;
     * NaN when there are none.
     */
    double quantileBound(double q) {
        if (count() == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * count());
        for (int i = 0; i < bounds.length; i++) {
            if (cumulative[i] >= rank) {
                return bounds[i];
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** The bound of the highest bucket that holds an observation: the largest one is at most this. */
    double maxBound() {
        return quantileBound(1.0);
    }

    /** A bound in seconds as milliseconds for a report ("> 1000" for +Inf, "-" for none). */
    static String ms(double seconds) {
        if (Double.isNaN(seconds)) {
            return "-";
        }
        if (Double.isInfinite(seconds)) {
            return "> 1000";
        }
        double ms = seconds * 1000;
        // two significant digits, never in exponent form ("%.2g" wrote 250 as "2.5e+02")
        return String.format(Locale.ROOT, ms >= 99.5 ? "%.0f" : "%.2g", ms);
    }
}
