package dev.kiln.eval;

import static dev.kiln.core.Checks.requireArgument;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * CI for models: compares a run's pass@1 with a baseline {@code summary.json} and fails when it
 * dropped by more than an absolute margin.
 *
 * <pre>{@code
 * RegressionGate.Verdict v = RegressionGate.check(summary, Path.of("baseline/summary.json"), 0.02);
 * if (!v.passed()) { System.err.println(v.message()); System.exit(1); }
 * }</pre>
 */
public final class RegressionGate {

    private RegressionGate() {}

    /**
     * @param passed whether the drop is within the margin
     * @param baseline baseline pass@1
     * @param current current pass@1
     * @param message one line for logs and CI output
     */
    public record Verdict(boolean passed, double baseline, double current, String message) {}

    /**
     * Compares {@code current} with the {@code summary.json} of a baseline run.
     *
     * @param maxDrop the largest drop of pass@1 allowed, in [0, 1] (absolute: 0.02 is two points)
     * @throws IOException when the baseline cannot be read
     */
    public static Verdict check(EvalSummary current, Path baselineSummary, double maxDrop) throws IOException {
        requireArgument(maxDrop >= 0 && maxDrop <= 1, "max drop must be in [0, 1], got %s", maxDrop);
        EvalSummary base = EvalSummary.read(baselineSummary);
        return check(current.passAt1(), base.passAt1(), maxDrop);
    }

    /** Compares two pass@1 values. */
    public static Verdict check(double current, double baseline, double maxDrop) {
        requireArgument(!Double.isNaN(current), "the current run has no pass@1");
        double drop = baseline - current;
        // A tiny epsilon so that a drop of exactly maxDrop (in decimal) passes despite binary rounding.
        boolean ok = drop <= maxDrop + 1e-9;
        String msg = String.format(
                Locale.ROOT,
                "pass@1 %.4f vs baseline %.4f (%+.4f): %s (max drop %.4f)",
                current,
                baseline,
                current - baseline,
                ok ? "ok" : "REGRESSION",
                maxDrop);
        return new Verdict(ok, baseline, current, msg);
    }
}
