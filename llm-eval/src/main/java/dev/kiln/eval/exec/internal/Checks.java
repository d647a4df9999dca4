package dev.kiln.eval.exec.internal;

import java.time.Duration;

/**
 * The checks of the options that {@code PythonExecutor}, {@code JavaExecutor} and {@code
 * Evaluator} builders share (workers, timeouts, sandbox, directories), so that each option is
 * validated, and its error worded, the same way wherever it is set.
 */
public final class Checks {

    /** The most parallel samples an executor runs. */
    public static final int MAX_WORKERS = 1024;

    private Checks() {}

    /**
     * @return {@code workers}
     * @throws IllegalArgumentException unless it is in [1, {@value #MAX_WORKERS}]
     */
    public static int workers(int workers) {
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be in [1, " + MAX_WORKERS + "], got " + workers);
        }
        return workers;
    }

    /**
     * @param what the option's name in the message, e.g. {@code "timeout"}
     * @return {@code d}
     * @throws IllegalArgumentException when {@code d} is null, zero or negative
     */
    public static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }

    /**
     * @param what the option's name in the message, e.g. {@code "sandbox"}
     * @return {@code value}
     * @throws IllegalArgumentException when {@code value} is null
     */
    public static <T> T notNull(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return value;
    }
}
