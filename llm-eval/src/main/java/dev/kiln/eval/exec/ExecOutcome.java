package dev.kiln.eval.exec;

import static dev.kiln.core.Checks.requireArgument;

/**
 * The verdict on one executed sample.
 *
 * <pre>{@code
 * ExecOutcome o = executor.execute(program);
 * if (!o.passed()) System.out.println(o.result());   // e.g. "failed: AssertionError"
 * }</pre>
 *
 * @param status what happened
 * @param detail the first line of the failure (empty when passed, timed out or not applicable)
 * @param millis wall time of the sample, compile included
 */
public record ExecOutcome(Status status, String detail, long millis) {

    /** How a sample ended. */
    public enum Status {
        /** The tests ran to the end: exit status 0 and the run's nonce arrived. */
        PASSED,
        /** Anything else that ended by itself: an exception, a non-zero exit, an early exit. */
        FAILED,
        /** The wall-clock budget ran out (the whole process tree was killed). */
        TIMED_OUT,
        /** Java only: javac rejected the program. */
        COMPILE_ERROR
    }

    /** Keeps only the first line of {@code detail} (null becomes empty), for one-line reports. */
    public ExecOutcome {
        requireArgument(status != null, "status must not be null");
        detail = detail == null ? "" : firstLine(detail);
    }

    /** All tests passed, in {@code millis}. */
    public static ExecOutcome passed(long millis) {
        return new ExecOutcome(Status.PASSED, "", millis);
    }

    /** A test failed (or the program did not compile); {@code detail} says what, for the report. */
    public static ExecOutcome failed(String detail, long millis) {
        return new ExecOutcome(Status.FAILED, detail, millis);
    }

    /** Whether the status is {@link Status#PASSED}. */
    public boolean passed() {
        return status == Status.PASSED;
    }

    /**
     * The human-eval style result string: {@code passed}, {@code failed: <first line>}, {@code timed
     * out} or {@code compile error}.
     */
    public String result() {
        switch (status) {
            case PASSED:
                return "passed";
            case TIMED_OUT:
                return "timed out";
            case COMPILE_ERROR:
                return "compile error";
            default:
                return "failed: " + detail;
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        String line = nl < 0 ? t : t.substring(0, nl).strip();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
