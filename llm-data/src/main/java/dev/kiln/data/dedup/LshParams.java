package dev.kiln.data.dedup;

/**
 * The banding of a MinHash signature for LSH: {@code bands} bands of {@code rows} rows each. Two
 * documents become candidates when all rows of at least one band agree, which happens with
 * probability {@code 1 - (1 - s^rows)^bands} for Jaccard similarity {@code s} (the "S-curve").
 *
 * <pre>{@code
 * LshParams p = LshParams.optimal(0.7, 256);   // as BigCode's optimal_param
 * int bands = p.bands(), rows = p.rows();
 * }</pre>
 *
 * @param bands number of bands, ≥ 1
 * @param rows rows per band, ≥ 1
 */
public record LshParams(int bands, int rows) implements java.io.Serializable {

    private static final int STEPS = 200;

    public LshParams {
        if (bands < 1 || rows < 1) {
            throw new IllegalArgumentException("bands and rows must be >= 1, got bands=" + bands + " rows=" + rows);
        }
    }

    /** Signature positions used: {@code bands × rows}. */
    public int width() {
        return bands * rows;
    }

    /** Probability that a pair of Jaccard similarity {@code s} becomes a candidate. */
    public double candidateProbability(double s) {
        return 1 - Math.pow(1 - Math.pow(s, rows), bands);
    }

    /** {@link #optimal(double, int, double, double)} with equal weights, BigCode's default. */
    public static LshParams optimal(double threshold, int numPermutations) {
        return optimal(threshold, numPermutations, 0.5, 0.5);
    }

    /**
     * The bands × rows (with {@code bands·rows ≤ numPermutations}) minimising {@code fpWeight ·
     * ∫₀ᵗ P(s) ds + fnWeight · ∫ₜ¹ (1 - P(s)) ds}, where {@code P} is the S-curve and {@code t} the
     * threshold: the false-positive and false-negative areas. Integrated with Simpson's rule.
     */
    public static LshParams optimal(double threshold, int numPermutations, double fpWeight, double fnWeight) {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1), got " + threshold);
        }
        if (numPermutations < 1) {
            throw new IllegalArgumentException("permutations must be >= 1, got " + numPermutations);
        }
        if (!(fpWeight >= 0 && fnWeight >= 0 && fpWeight + fnWeight > 0)) {
            throw new IllegalArgumentException(
                    "weights must be >= 0 and not both 0, got fp=" + fpWeight + " fn=" + fnWeight);
        }
        double best = Double.MAX_VALUE;
        LshParams bestParams = null;
        for (int b = 1; b <= numPermutations; b++) {
            for (int r = 1; r <= numPermutations / b; r++) {
                LshParams p = new LshParams(b, r);
                double fp = simpson(s -> p.candidateProbability(s), 0, threshold);
                double fn = simpson(s -> 1 - p.candidateProbability(s), threshold, 1);
                double err = fpWeight * fp + fnWeight * fn;
                if (err < best) {
                    best = err;
                    bestParams = p;
                }
            }
        }
        return bestParams;
    }

    private static double simpson(java.util.function.DoubleUnaryOperator f, double a, double b) {
        double h = (b - a) / STEPS;
        double sum = f.applyAsDouble(a) + f.applyAsDouble(b);
        for (int i = 1; i < STEPS; i++) {
            sum += f.applyAsDouble(a + i * h) * ((i & 1) == 1 ? 4 : 2);
        }
        return sum * h / 3;
    }
}
