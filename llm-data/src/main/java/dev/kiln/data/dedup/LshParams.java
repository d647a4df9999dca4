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

    /** @throws IllegalArgumentException when bands or rows is below 1 */
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
        // Simpson's rule on fixed grids over [0, t] and [t, 1]. For each rows value, (1 - s^rows)^bands
        // is built up one band at a time (a multiplication per grid point instead of a pow), and
        // the best is then picked in the order bands, then rows, so ties go as before.
        // Pruning, exact: for fixed rows the false-positive term only grows with bands (each grid
        // term 1 - q grows, and rounding is monotone), and the error is at least that term; once it
        // exceeds the best error seen, no larger band count can be the minimum. This skips most of
        // the work (it runs at start-up, before the JIT has compiled it).
        double[] lo = grid(0, threshold);
        double[] hi = grid(threshold, 1);
        double hLo = threshold / STEPS;
        double hHi = (1 - threshold) / STEPS;
        double[][] err = new double[numPermutations + 1][];
        for (int b = 1; b <= numPermutations; b++) {
            err[b] = new double[numPermutations / b + 1];
            java.util.Arrays.fill(err[b], Double.POSITIVE_INFINITY);
        }
        double[] baseLo = new double[STEPS + 1];
        double[] baseHi = new double[STEPS + 1];
        double[] qLo = new double[STEPS + 1];
        double[] qHi = new double[STEPS + 1];
        double bestSeen = Double.POSITIVE_INFINITY;
        for (int r = 1; r <= numPermutations; r++) {
            for (int i = 0; i <= STEPS; i++) {
                baseLo[i] = 1 - Math.pow(lo[i], r);
                baseHi[i] = 1 - Math.pow(hi[i], r);
                qLo[i] = 1;
                qHi[i] = 1;
            }
            for (int b = 1; b <= numPermutations / r; b++) {
                double fp = 0;
                double fn = 0;
                for (int i = 0; i <= STEPS; i++) {
                    qLo[i] *= baseLo[i];
                    qHi[i] *= baseHi[i];
                    double w = i == 0 || i == STEPS ? 1 : ((i & 1) == 1 ? 4 : 2);
                    fp += w * (1 - qLo[i]); // P(s) = 1 - (1 - s^r)^b below the threshold
                    fn += w * qHi[i]; // 1 - P(s) above it
                }
                double fpTerm = fpWeight * (fp * hLo / 3);
                err[b][r] = fpTerm + fnWeight * (fn * hHi / 3);
                bestSeen = Math.min(bestSeen, err[b][r]);
                if (fpTerm > bestSeen) {
                    break;
                }
            }
        }
        double best = Double.MAX_VALUE;
        LshParams bestParams = null;
        for (int b = 1; b <= numPermutations; b++) {
            for (int r = 1; r <= numPermutations / b; r++) {
                if (err[b][r] < best) {
                    best = err[b][r];
                    bestParams = new LshParams(b, r);
                }
            }
        }
        return bestParams;
    }

    private static double[] grid(double a, double b) {
        double[] x = new double[STEPS + 1];
        double h = (b - a) / STEPS;
        for (int i = 0; i <= STEPS; i++) {
            x[i] = a + i * h;
        }
        return x;
    }
}
