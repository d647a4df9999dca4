package dev.kiln.train.runs;

/**
 * One metric of a run: steps and values, in step order (long runs come back averaged into at
 * most {@link RunHistory#MAX_POINTS} buckets).
 *
 * <pre>{@code
 * Series val = Run.open(dir).history().series("val_loss");
 * double best = val.min();
 * Series smooth = Run.open(dir).history().series("loss").smoothed(0.6);
 * }</pre>
 *
 * @param metric the metric's name ({@code loss}, {@code val_loss}, {@code lr}, ...)
 * @param steps the x values (optimizer steps)
 * @param values the y values, same length
 */
public record Series(String metric, double[] steps, double[] values) {

    /**
     * @throws IllegalArgumentException when steps and values differ in length
     *
     */
    public Series {
        if (steps.length != values.length) {
            throw new IllegalArgumentException(
                    "series " + metric + " has " + steps.length + " steps but " + values.length + " values");
        }
    }

    /** Points held. */
    public int size() {
        return steps.length;
    }

    /** Whether there is no point. */
    public boolean isEmpty() {
        return steps.length == 0;
    }

    /** The last value, or NaN when empty. */
    public double last() {
        return values.length == 0 ? Double.NaN : values[values.length - 1];
    }

    /** The smallest finite value, or NaN when there is none. */
    public double min() {
        double m = Double.NaN;
        for (double v : values) {
            if (Double.isFinite(v) && !(v >= m)) {
                m = v;
            }
        }
        return m;
    }

    /** The median of the finite values, or NaN when there is none. */
    public double median() {
        double[] s = java.util.Arrays.stream(values)
                .filter(Double::isFinite)
                .sorted()
                .toArray();
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }

    /** The same series with every step multiplied by {@code factor} (steps to tokens). */
    public Series scaleSteps(double factor) {
        double[] x = steps.clone();
        for (int i = 0; i < x.length; i++) {
            x[i] *= factor;
        }
        return new Series(metric, x, values);
    }

    /**
     * TensorBoard's smoothing: an exponential moving average with weight {@code w} in [0, 1),
     * debiased so that the first points are not pulled towards zero; 0 returns the series as is.
     */
    public Series smoothed(double w) {
        if (!(w >= 0 && w < 1)) {
            throw new IllegalArgumentException("smoothing must be in [0, 1), got " + w);
        }
        if (w == 0) {
            return this;
        }
        double[] y = new double[values.length];
        double acc = 0;
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                y[i] = values[i];
                continue;
            }
            acc = acc * w + (1 - w) * values[i];
            n++;
            y[i] = acc / (1 - Math.pow(w, n));
        }
        return new Series(metric, steps, y);
    }
}
